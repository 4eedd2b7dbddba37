// Owns early termination: which running runs to stop, from the metric histories already stored.
// Hyperband follows W&B's sweeps engine (hyperband_stopping.py); ASHA is ours. Reading histories
// and signalling agents is the server's business.
import type { SweepConfig } from "./config.js";

export interface RunHistory {
  runId: string;
  /** The metric's logged values in step order: iteration i (1-based) is values[i - 1]. */
  values: number[];
  running: boolean;
}

/** Iterations at which runs are compared. */
export function brackets(et: NonNullable<SweepConfig["early_terminate"]>): number[] {
  const out: number[] = [];
  if (et.type === "hyperband" && et.max_iter !== undefined && et.s !== undefined) {
    // W&B: max_iter with s wins over min_iter; from max_iter downwards, s times dividing by eta.
    let band = et.max_iter!;
    for (let i = 0; i < et.s!; i++) {
      band /= et.eta;
      if (band < 1) break;
      out.push(Math.floor(band));
    }
    return out.sort((a, b) => a - b);
  }
  let band = et.min_iter ?? 1;
  for (let i = 0; i < 100; i++) {
    const b = Math.floor(band);
    if (et.max_iter !== undefined && b >= et.max_iter) break;
    out.push(b);
    band *= et.eta;
    if (band > 1e12) break;
  }
  return out;
}

/** runIds of running runs that should stop now. Maximized metrics are negated so lower is better. */
export function earlyStop(config: SweepConfig, runs: RunHistory[]): string[] {
  const et = config.early_terminate;
  if (!et || !config.metric) return [];
  const sign = config.metric.goal === "maximize" ? -1 : 1;
  const hist = runs.map((r) => ({ ...r, h: r.values.filter((v) => Number.isFinite(v)).map((v) => sign * v) }));
  const bands = brackets(et);
  return et.type === "hyperband" ? hyperband(hist, bands, et.eta, et.strict !== false) : asha(hist, bands, et.eta);
}

type H = RunHistory & { h: number[] };

/**
 * W&B hyperband: at each bracket b, the threshold is the value at index floor(n/eta) of the sorted
 * values at iteration b of all runs (any state) that reached it. A running run is judged at the
 * last bracket it reached: strict (the default) compares its value at that bracket, otherwise its
 * best value so far; it stops when that is worse than the threshold.
 */
function hyperband(runs: H[], bands: number[], eta: number, strict: boolean): string[] {
  const thresholds = bands.map((b) => {
    const vals = runs.filter((r) => r.h.length >= b).map((r) => r.h[b - 1]).sort((x, y) => x - y);
    return vals.length === 0 ? Infinity : vals[Math.floor(vals.length / eta)];
  });
  const stop: string[] = [];
  for (const r of runs) {
    if (!r.running) continue;
    let k = -1;
    for (let i = 0; i < bands.length && bands[i] <= r.h.length; i++) k = i;
    if (k < 0) continue;
    const v = strict ? r.h[bands[k] - 1] : Math.min(...r.h);
    if (v > thresholds[k]) stop.push(r.runId);
  }
  return stop;
}

/**
 * ASHA: rungs at min_iter * eta^k. A running run is judged at the highest rung it reached: it
 * continues only if its value there is among the best max(1, floor(n/eta)) of the n runs that
 * reached that rung; it is never stopped while it is the only one there.
 */
function asha(runs: H[], rungs: number[], eta: number): string[] {
  const stop: string[] = [];
  for (const r of runs) {
    if (!r.running) continue;
    let k = -1;
    for (let i = 0; i < rungs.length && rungs[i] <= r.h.length; i++) k = i;
    if (k < 0) continue;
    const rung = rungs[k];
    const vals = runs.filter((o) => o.h.length >= rung).map((o) => o.h[rung - 1]).sort((x, y) => x - y);
    if (vals.length < 2) continue;
    const keep = Math.max(1, Math.floor(vals.length / eta));
    if (r.h[rung - 1] > vals[keep - 1]) stop.push(r.runId);
  }
  return stop;
}
