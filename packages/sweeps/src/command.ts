// Owns the `command` of a sweep: expanding W&B's macros into the argv an agent runs. Spawning the
// process, its environment and signals are the agent's business.
import type { SweepConfig } from "./config.js";

export const DEFAULT_COMMAND = ["${env}", "${interpreter}", "${program}", "${args}"];

export interface CommandContext {
  interpreter: string;
  env: Record<string, string>;
  /** Where the agent writes argsJson for `${args_json_file}`. */
  argsJsonFile?: string;
}

/** W&B passes values the way Python's str() prints them: True/False/None; containers as JSON here. */
function argValue(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/**
 * Expands the sweep's command for one trial. `${args}`-style macros standing alone in an element
 * expand to several argv elements; any macro inside a longer string is substituted as text.
 */
export function buildCommand(
  config: Pick<SweepConfig, "command" | "program">,
  params: Record<string, unknown>,
  ctx: CommandContext,
): { argv: string[]; env: Record<string, string>; argsJson: string } {
  const argsJson = JSON.stringify(params);
  const entries = Object.entries(params);
  const lists: Record<string, string[]> = {
    args: entries.map(([k, v]) => `--${k}=${argValue(v)}`),
    args_no_hyphens: entries.map(([k, v]) => `${k}=${argValue(v)}`),
    args_no_boolean_flags: entries.filter(([, v]) => v !== false).map(([k, v]) => (v === true ? `--${k}` : `--${k}=${argValue(v)}`)),
  };
  const scalar = (name: string): string => {
    switch (name) {
      case "env":
        return "/usr/bin/env";
      case "interpreter":
        return ctx.interpreter;
      case "program":
        if (!config.program) throw new Error("the command uses ${program} but the sweep config has no `program`");
        return config.program;
      case "args_json":
        return argsJson;
      case "args_json_file":
        if (!ctx.argsJsonFile) throw new Error("the command uses ${args_json_file} but no file path was given");
        return ctx.argsJsonFile;
      default:
        if (name in lists) return lists[name].join(" ");
        throw new Error(`unknown macro \${${name}}; known: env, interpreter, program, args, args_no_hyphens, args_json, args_json_file, args_no_boolean_flags`);
    }
  };
  const argv: string[] = [];
  for (const el of config.command ?? DEFAULT_COMMAND) {
    const whole = /^\$\{(\w+)\}$/.exec(el);
    if (whole && whole[1] in lists) argv.push(...lists[whole[1]]);
    else argv.push(el.replace(/\$\{(\w+)\}/g, (_, name: string) => scalar(name)));
  }
  return { argv, env: { ...ctx.env }, argsJson };
}
