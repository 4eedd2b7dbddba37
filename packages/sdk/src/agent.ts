// Owns the in-process sweep agent, `orrery.agent(sweepId, fn)`: ask the server for work, run `fn`
// once per assignment with the run id and sweep parameters in place for init(), finish any run it
// left open, and report how it ended. Subprocess agents live in the CLI (`orrery agent`).
import { hostname } from "node:os";
import { OrreryError } from "./errors.js";
import type { Run } from "./run.js";
import { resolveSettings } from "./settings.js";
import { SweepApiError, SweepClient, type NextAction } from "./sweep-client.js";
import { warn } from "./warn.js";

export interface AgentOptions {
  /** Stop after this many runs. Default: until the sweep says stop. */
  count?: number;
  /** "entity/project" or "project" of the sweep. Default: $ORRERY_PROJECT. */
  project?: string;
  entity?: string;
  /** Server URL. Default: $ORRERY_URL, else http://127.0.0.1:5170. */
  url?: string;
  apiKey?: string;
  /** How often the agent tells the server it is alive. Default 5000; keep it well under the server's --heartbeat-timeout. */
  heartbeatIntervalMs?: number;
}

/** What `fn` receives for one trial. `init()` inside `fn` already picks up the run id and params. */
export interface Assignment {
  runId: string;
  sweepId: string;
  /** The sweep's parameters for this trial, nested as they appear in the run's config. */
  params: Record<string, unknown>;
  /** Aborted when the controller stops this trial early (or the sweep is stopped): return soon. */
  signal: AbortSignal;
}

export interface AgentReport {
  /** Trials run. */
  runs: number;
  /** Trials whose function threw. */
  failed: number;
  /** Why the agent stopped: the server's reason, or "count reached". */
  reason: string;
}

/** The trial `fn` is running now: init() reads its environment and registers its runs here. */
let current: { env: Record<string, string>; runs: Run[] } | undefined;

/** The environment init() resolves settings from: the process's, overlaid by the current trial's. */
export function agentEnv(): NodeJS.ProcessEnv {
  return current ? { ...process.env, ...current.env } : process.env;
}

/** Called by init(): a run started inside a trial is finished by the agent if `fn` leaves it open. */
export function noteRun(run: Run): void {
  current?.runs.push(run);
}

/**
 * Runs trials of a sweep in this process, like W&B's `wandb.agent(sweep_id, function, count)`.
 * Resolves when the sweep tells the agent to stop or `count` trials have run. A throwing `fn`
 * marks its trial failed and the agent goes on with the next one.
 *
 * @example
 * await orrery.agent("sw_abc", async ({ params }) => {
 *   const run = await orrery.init();          // run id and config come from the sweep
 *   run.log({ val_loss: train(params) });
 *   await run.finish();
 * }, { project: "digits", count: 10 });
 */
export async function agent(sweepId: string, fn: (assignment: Assignment) => unknown, options: AgentOptions = {}): Promise<AgentReport> {
  if (typeof sweepId !== "string" || sweepId.length === 0) throw new OrreryError("invalid_request", "orrery.agent: sweepId must be a non-empty string", "sweepId");
  if (typeof fn !== "function") throw new OrreryError("invalid_request", "orrery.agent: the second argument must be the function to run for each trial", "fn");
  const count = options.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    throw new OrreryError("invalid_request", `orrery.agent: count must be a whole number >= 1, got ${String(count)}`, "count");
  }
  const interval = options.heartbeatIntervalMs ?? 5_000;
  if (!Number.isInteger(interval) || interval < 10) {
    throw new OrreryError("invalid_request", `orrery.agent: heartbeatIntervalMs must be a whole number >= 10, got ${String(interval)}`, "heartbeatIntervalMs");
  }
  if (current) throw new OrreryError("invalid_request", "orrery.agent: an agent is already running in this process; run one at a time", "agent");
  // Reuse init's resolution so project, entity, URL and key follow exactly the same rules.
  const s = resolveSettings({ project: options.project, entity: options.entity, url: options.url, apiKey: options.apiKey, mode: "online" });
  const client = new SweepClient({ url: s.url, apiKey: s.apiKey, entity: s.entity, project: s.project, sweepId });
  let agentId = await client.register(hostname(), process.pid);
  /** next(), registering again if the server declared this agent lost meanwhile (a long trial without heartbeats). */
  const askNext = async (): Promise<NextAction> => {
    try {
      return await client.next(agentId);
    } catch (err) {
      if (!(err instanceof SweepApiError && err.agentUnknown)) throw err;
      agentId = await client.register(hostname(), process.pid);
      return client.next(agentId);
    }
  };

  let running: { runId: string; abort: AbortController } | undefined;
  const beat = async (): Promise<void> => {
    try {
      const reply = await client.heartbeat(agentId, running ? [running.runId] : []);
      if (running && reply.stop.includes(running.runId)) running.abort.abort(new Error("stopped by the sweep controller"));
    } catch {
      // A missed heartbeat is retried at the next tick; the server tolerates gaps up to its timeout.
    }
  };
  const timer = setInterval(() => void beat(), interval);
  timer.unref();

  const report: AgentReport = { runs: 0, failed: 0, reason: "" };
  try {
    for (;;) {
      if (count !== undefined && report.runs >= count) { report.reason = "count reached"; break; }
      const next: NextAction = await askNext();
      if (next.action === "stop") { report.reason = next.reason; break; }
      if (next.action === "wait") { await sleep(Math.max(50, next.retryAfterMs)); continue; }
      report.runs++;
      const abort = new AbortController();
      running = { runId: next.runId, abort };
      current = {
        env: {
          ORRERY_RUN_ID: next.runId, ORRERY_SWEEP_ID: sweepId, ORRERY_SWEEP_PARAMS: JSON.stringify(next.params),
          ORRERY_PROJECT: `${s.entity}/${s.project}`, ORRERY_URL: s.url, ...(s.apiKey ? { ORRERY_API_KEY: s.apiKey } : {}),
        },
        runs: [],
      };
      let exitCode = 0;
      try {
        await fn({ runId: next.runId, sweepId, params: next.params, signal: abort.signal });
      } catch (err) {
        exitCode = 1;
        report.failed++;
        warn(`trial ${next.runId} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      const runs = current.runs;
      current = undefined;
      running = undefined;
      // The trial's state is its run's state, so the run must be finished (and acknowledged) first.
      for (const run of runs) await run.finish(exitCode);
      await client.exit(next.runId, { exitCode, signal: null });
    }
  } finally {
    clearInterval(timer);
    current = undefined;
  }
  return report;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
