// Owns the pure rules over a sweep's trial list: which configurations are offered again (retries,
// lost trials), when a sweep is done, its counts and best trial, what the search sees, and the
// wire shapes. No I/O: the controller reads the store and calls these.
import { gridSize, nestParams, type SweepConfig, type Trial } from "@orrery/sweeps";
import type { Sweep, SweepTrial } from "@orrery/protocol";
import type { SweepRecord, TrialRecord } from "@orrery/store";

/** A lost configuration is offered again this many more times than `retries` allows a failed one. */
export const EXTRA_LOST_ATTEMPTS = 2;

const ACTIVE = new Set(["assigned", "running"]);
export const isActive = (t: TrialRecord): boolean => ACTIVE.has(t.state);

/**
 * Trials whose configuration should run again, oldest first: failed or crashed ones while
 * attempt <= retries, lost ones while attempt <= retries + EXTRA_LOST_ATTEMPTS (an agent dying is
 * not the configuration's fault), each only once (no later trial retries it yet).
 */
export function reofferable(config: SweepConfig, trials: readonly TrialRecord[]): TrialRecord[] {
  const retries = config.retries ?? 0;
  const retried = new Set<string>();
  for (const t of trials) if (t.retryOf !== null) retried.add(t.retryOf);
  return trials.filter((t) => {
    if (retried.has(t.runId)) return false;
    if (t.state === "failed" || t.state === "crashed") return t.attempt <= retries;
    if (t.state === "lost") return t.attempt <= retries + EXTRA_LOST_ATTEMPTS;
    return false;
  });
}

/** Configurations started so far: what run_cap and the grid count. */
export const configurationsUsed = (trials: readonly TrialRecord[]): number => trials.reduce((n, t) => n + (t.retryOf === null ? 1 : 0), 0);

/** Why no new configuration may start (run_cap reached, grid exhausted), or null. */
export function exhaustedReason(sweep: SweepRecord, config: SweepConfig, trials: readonly TrialRecord[]): string | null {
  const used = configurationsUsed(trials);
  if (sweep.runCap !== null && used >= sweep.runCap) return `run_cap ${sweep.runCap} reached`;
  if (config.method === "grid") {
    const size = gridSize(config);
    if (size !== null && used >= size) return `all ${size} grid configurations tried`;
  }
  return null;
}

/** True when the sweep has nothing left to do: no new configuration allowed, none to re-run, none running. */
export function isDone(sweep: SweepRecord, config: SweepConfig, trials: readonly TrialRecord[]): boolean {
  return exhaustedReason(sweep, config, trials) !== null && !trials.some(isActive) && reofferable(config, trials).length === 0;
}

/**
 * The trials as the search sees them. Assigned ones are pending points (batch awareness). Lost
 * ones are left out, since their configuration is offered again as a new trial; a grid still
 * needs them, to not hand the same point out twice.
 */
export function searchTrials(config: SweepConfig, trials: readonly TrialRecord[]): Trial[] {
  const out: Trial[] = [];
  for (const t of trials) {
    if (t.state === "lost") {
      if (config.method === "grid") out.push({ params: t.params, value: null, state: "crashed" });
      continue;
    }
    out.push({ params: t.params, value: t.value, state: t.state === "assigned" ? "pending" : t.state });
  }
  return out;
}

/** The finished trial with the best value for the metric's goal. */
export function bestTrial(config: SweepConfig, trials: readonly TrialRecord[]): TrialRecord | null {
  if (config.metric === undefined) return null;
  const sign = config.metric.goal === "maximize" ? -1 : 1;
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.state !== "finished" || t.value === null) continue;
    if (best === null || sign * t.value < sign * best.value!) best = t;
  }
  return best;
}

export function toWireSweep(sweep: SweepRecord, config: SweepConfig, trials: readonly TrialRecord[]): Sweep {
  const counts = { pending: reofferable(config, trials).length, running: 0, finished: 0, failed: 0, crashed: 0, stopped: 0, lost: 0, total: trials.length };
  for (const t of trials) {
    if (isActive(t)) counts.running++;
    else counts[t.state as "finished" | "failed" | "crashed" | "stopped" | "lost"]++;
  }
  const best = bestTrial(config, trials);
  return {
    id: sweep.id, entity: sweep.entity, project: sweep.project, name: sweep.name, state: sweep.state, method: sweep.method,
    config: sweep.config, createdAt: new Date(sweep.createdAt).toISOString(), runCap: sweep.runCap,
    gridSize: config.method === "grid" ? gridSize(config) : null,
    counts,
    best: best === null ? null : { runId: best.runId, value: best.value!, params: nestParams(best.params) },
    metric: config.metric === undefined ? null : { name: config.metric.name, goal: config.metric.goal },
  };
}

export function toWireTrial(t: TrialRecord): SweepTrial {
  return {
    runId: t.runId, params: nestParams(t.params), state: t.state, value: t.value, attempt: t.attempt, agentId: t.agentId,
    createdAt: new Date(t.createdAt).toISOString(), endedAt: t.endedAt === null ? null : new Date(t.endedAt).toISOString(),
    earlyStopped: t.earlyStopped,
  };
}
