// Owns `orrery agent SWEEP_ID`: flags, their checks, and the exit code; the loop itself lives in
// ../agent/loop.ts.
import { Command, InvalidArgumentError } from "commander";
import { UsageError, defaultEntity, parseDuration, parseProject, parseUrl, positiveInt } from "../args.js";
import { remoteFromEnv } from "../http.js";
import { runAgent } from "../agent/loop.js";

const SWEEP_ID = /^[A-Za-z0-9_-]{1,64}$/;

function parseGrace(value: string): number {
  if (value === "0" || value === "0s") return 0;
  return parseDuration(value);
}

function nonEmpty(flag: string) {
  return (value: string): string => {
    if (value.trim() === "") throw new InvalidArgumentError(`${flag} needs a program name or path, such as python3 or /usr/bin/python3.`);
    return value;
  };
}

export function agentCommand(): Command {
  return new Command("agent")
    .description("run trials of a sweep: ask the server for parameters, run the sweep's command with them, repeat")
    .argument("<sweep-id>", "the sweep to work on (printed by 'orrery sweep')")
    .option("--count <n>", "stop after this many runs (default: until the sweep is done)", positiveInt("--count"))
    .option("--project <project>", "NAME or ENTITY/NAME of the sweep's project (default: $ORRERY_PROJECT)")
    .option("--entity <entity>", "entity, when --project gives only NAME (default: $ORRERY_ENTITY or the user name)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--interpreter <path>", "what ${interpreter} in the sweep's command becomes (default: $ORRERY_INTERPRETER or python3)", nonEmpty("--interpreter"))
    .option("--grace <duration>", "how long a stopped run gets between SIGTERM and SIGKILL (default: 10s; 0 kills at once)", parseGrace)
    .option("--heartbeat-interval <duration>", "how often to tell the server this agent is alive (default: 5s); keep it well under the server's --heartbeat-timeout", parseDuration)
    .addHelpText("after", "\nEach run gets ORRERY_RUN_ID, ORRERY_SWEEP_ID and ORRERY_SWEEP_PARAMS in its environment; orrery.init() picks them up.")
    .action(async (sweepId: string, opts: { count?: number; project?: string; entity?: string; url?: string; interpreter?: string; grace?: number; heartbeatInterval?: number }) => {
      if (!SWEEP_ID.test(sweepId)) throw new UsageError(`sweep id '${sweepId}': use the id 'orrery sweep' printed (letters, digits, '_' and '-')`);
      const projectArg = opts.project ?? process.env.ORRERY_PROJECT;
      if (!projectArg) throw new UsageError("name the sweep's project with --project NAME or set ORRERY_PROJECT");
      if (opts.entity !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(opts.entity)) {
        throw new UsageError(`entity '${opts.entity}': use letters, digits, '.', '_' and '-'`);
      }
      const { entity, project } = parseProject(projectArg, opts.entity ?? defaultEntity());
      const remote = remoteFromEnv(opts.url);
      const say = (line: string): void => { process.stderr.write(`orrery agent: ${line}\n`); };
      const result = await runAgent({
        url: remote.url, apiKey: remote.apiKey, entity, project, sweepId, count: opts.count,
        graceMs: opts.grace ?? 10_000, heartbeatIntervalMs: opts.heartbeatInterval ?? 5_000, say,
        interpreter: opts.interpreter ?? (process.env.ORRERY_INTERPRETER || "python3"),
      });
      say(result.message);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
