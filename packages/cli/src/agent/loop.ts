// Owns the `orrery agent` loop: register, heartbeat with the running trial's id, ask for the next
// assignment, run its command as a subprocess, stop it when the controller says so, report how it
// ended, and give up on flapping commands. HTTP is the SDK's SweepClient; the process, trial-process.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { SweepApiError, SweepClient, type NextAction } from "orrery";
import { DEFAULT_FLAPPING, FlappingDetector, type FlappingRule } from "./flapping.js";
import { TrialProcess, type TrialOutcome } from "./trial-process.js";

export interface AgentSettings {
  url: string;
  apiKey: string | undefined;
  entity: string;
  project: string;
  sweepId: string;
  /** Stop after this many runs; undefined = until the sweep says stop. */
  count: number | undefined;
  graceMs: number;
  heartbeatIntervalMs: number;
  /** What the command's ${interpreter} expands to on this machine. */
  interpreter: string;
  flapping?: FlappingRule;
  /** Lines for the user (stderr); the trial's own output goes straight to the terminal. */
  say: (line: string) => void;
}

export interface AgentResult {
  /** 0: the sweep said stop or --count was reached; 1: flapping; 130: interrupted. */
  exitCode: number;
  runs: number;
  message: string;
}

/** The W&B macro left unexpanded by the server: only the agent knows where the file will be. */
const ARGS_JSON_FILE = "${args_json_file}";

export async function runAgent(s: AgentSettings): Promise<AgentResult> {
  const client = new SweepClient({ url: s.url, apiKey: s.apiKey, entity: s.entity, project: s.project, sweepId: s.sweepId });
  let agentId = await client.register(hostname(), process.pid, s.interpreter);
  s.say(`agent ${agentId} working on sweep ${s.sweepId} in ${s.entity}/${s.project}`);
  /** next(), registering again if the server declared this agent lost meanwhile (a long pause, a network cut). */
  const askNext = async (): Promise<NextAction> => {
    try {
      return await client.next(agentId);
    } catch (err) {
      if (!(err instanceof SweepApiError && err.agentUnknown)) throw err;
      agentId = await client.register(hostname(), process.pid, s.interpreter);
      s.say(`the server had given this agent up for lost; registered again as ${agentId}`);
      return client.next(agentId);
    }
  };
  const flapping = new FlappingDetector(s.flapping ?? DEFAULT_FLAPPING);

  let trial: { runId: string; proc: TrialProcess } | undefined;
  let interrupted = false;
  let wake: (() => void) | undefined;

  const beat = async (): Promise<void> => {
    try {
      const reply = await client.heartbeat(agentId, trial ? [trial.runId] : []);
      if (trial && reply.stop.includes(trial.runId) && !trial.proc.stopRequested) {
        s.say(`stopping run ${trial.runId} (asked by the sweep controller): SIGTERM, SIGKILL after ${s.graceMs / 1000}s`);
        trial.proc.stop(s.graceMs);
      }
    } catch {
      // Missed heartbeats are sent again at the next tick; the server allows gaps up to its timeout.
    }
  };
  const timer = setInterval(() => void beat(), s.heartbeatIntervalMs);

  // Ctrl-C: stop the trial (a second Ctrl-C kills it at once), report it, and exit.
  const onSignal = (): void => {
    if (interrupted) { trial?.proc.stop(0); return; }
    interrupted = true;
    s.say(trial ? `interrupted: stopping run ${trial.runId} (press Ctrl-C again to kill it now)` : "interrupted");
    trial?.proc.stop(s.graceMs);
    wake?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const sleep = (ms: number): Promise<void> => new Promise((r) => {
    const t = setTimeout(r, ms);
    wake = () => { clearTimeout(t); r(); };
  });

  let runs = 0;
  try {
    for (;;) {
      if (interrupted) return { exitCode: 130, runs, message: `interrupted after ${runs} runs` };
      if (s.count !== undefined && runs >= s.count) return { exitCode: 0, runs, message: `ran ${runs} runs (--count ${s.count})` };
      const next: NextAction = await askNext();
      if (next.action === "stop") return { exitCode: 0, runs, message: `sweep says stop: ${next.reason}` };
      if (next.action === "wait") { await sleep(Math.max(50, next.retryAfterMs)); continue; }
      runs++;
      if (next.command.argv.length === 0) {
        // Every trial would fail the same way: report this one and stop rather than drain the sweep.
        await client.exit(next.runId, { exitCode: null, signal: null, startupFailure: true });
        return { exitCode: 1, runs, message: `the sweep's command cannot be run: ${next.command.error ?? "it is empty"}` };
      }
      const { outcome, elapsedMs, stopRequested } = await runTrial(next, s, (proc) => {
        trial = { runId: next.runId, proc };
        void beat(); // tell the server at once that this run is alive here
      });
      trial = undefined;
      const failed = outcome.exitCode !== 0 && !stopRequested;
      await client.exit(next.runId, { exitCode: outcome.exitCode, signal: outcome.signal, startupFailure: outcome.spawnError !== undefined });
      s.say(`run ${next.runId} ${describeOutcome(outcome, stopRequested)} after ${(elapsedMs / 1000).toFixed(1)}s`);
      const why = flapping.record(flapping.isStartupFailure(failed, elapsedMs));
      if (why) {
        return {
          exitCode: 1, runs,
          message: `${why}, so this agent stopped: run the command by hand to see why it fails: ${next.command.argv.join(" ")}`,
        };
      }
    }
  } finally {
    clearInterval(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function runTrial(
  next: Extract<NextAction, { action: "run" }>, s: AgentSettings, started: (proc: TrialProcess) => void,
): Promise<{ outcome: TrialOutcome; elapsedMs: number; stopRequested: boolean }> {
  let tmp: string | undefined;
  let argv = next.command.argv;
  if (argv.some((a) => a.includes(ARGS_JSON_FILE))) {
    tmp = mkdtempSync(join(tmpdir(), "orrery-agent-"));
    const file = join(tmp, "args.json");
    writeFileSync(file, next.command.argsJson);
    argv = argv.map((a) => a.split(ARGS_JSON_FILE).join(file));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ORRERY_RUN_ID: next.runId,
    ORRERY_SWEEP_ID: s.sweepId,
    ORRERY_SWEEP_PARAMS: JSON.stringify(next.params),
    ORRERY_URL: s.url,
    ORRERY_ENTITY: s.entity,
    ORRERY_PROJECT: `${s.entity}/${s.project}`,
  };
  if (s.apiKey) env.ORRERY_API_KEY = s.apiKey;
  s.say(`run ${next.runId}: ${argv.join(" ")}`);
  const proc = new TrialProcess(argv, env, Date.now());
  started(proc);
  try {
    const outcome = await proc.done;
    if (outcome.spawnError) s.say(outcome.spawnError);
    return { outcome, elapsedMs: Date.now() - proc.startedAt, stopRequested: proc.stopRequested };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

function describeOutcome(o: TrialOutcome, stopped: boolean): string {
  const how = o.signal ? `was killed by ${o.signal}` : o.exitCode === 0 ? "finished" : `failed with exit code ${o.exitCode}`;
  return stopped ? `was stopped (${how})` : how;
}
