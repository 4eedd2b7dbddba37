#!/usr/bin/env node
// Owns the `orrery` command: wires the subcommands and turns any failure into one line on stderr
// with a non-zero exit code (2 for bad usage), never a stack trace for a user mistake.
import { Command, CommanderError } from "commander";
import { VERSION } from "@orrery/server";
import { UsageError } from "./args.js";
import { serverCommand } from "./commands/server.js";
import { demoCommand } from "./commands/demo.js";
import { syncCommand } from "./commands/sync.js";
import { runsCommand } from "./commands/runs.js";
import { keysCommand } from "./commands/keys.js";
import { agentCommand } from "./commands/agent.js";
import { sweepCommand } from "./commands/sweep.js";
import { artifactCommand } from "./commands/artifact.js";
import { gcCommand } from "./commands/gc.js";

const program = new Command("orrery")
  .description("Orrery: track, compare and reproduce machine-learning runs")
  .version(VERSION)
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

for (const cmd of [serverCommand(), demoCommand(), syncCommand(), runsCommand(), keysCommand(), sweepCommand(), agentCommand(), artifactCommand(), gcCommand()]) {
  program.addCommand(cmd);
}
for (const cmd of program.commands) {
  cmd.exitOverride();
  for (const sub of cmd.commands) sub.exitOverride();
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  process.stderr.write(`orrery: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
