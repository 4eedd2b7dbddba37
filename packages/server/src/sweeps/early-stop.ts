// Owns feeding early termination: reading each trial's metric history from the series store, in
// step order, and remembering the histories of ended trials (they no longer change), so a heartbeat
// re-reads only the running ones. Which runs to stop is @orrery/sweeps' earlyStop.
import { earlyStop, type RunHistory, type SweepConfig } from "@orrery/sweeps";
import type { Store, SweepRef, TrialRecord } from "@orrery/store";
import { isActive } from "./trials.js";

/** Points read per history: more than any sane number of epochs; beyond it the series is bucketed. */
const MAX_HISTORY_POINTS = 100_000;

export class EarlyStopper {
  /** sweep key -> runId -> values of an ended trial. */
  private readonly ended = new Map<string, Map<string, number[]>>();
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly store: Store, private readonly minIntervalMs: number) {}

  /**
   * The runIds of active, not yet stopped trials that early termination stops now; [] when the
   * sweep has no early_terminate or it was evaluated less than minIntervalMs ago.
   */
  async evaluate(ref: SweepRef, config: SweepConfig, trials: readonly TrialRecord[], now: number): Promise<string[]> {
    if (config.early_terminate === undefined || config.metric === undefined) return [];
    const key = `${ref.entity}/${ref.project}/${ref.sweepId}`;
    const last = this.lastRun.get(key);
    if (last !== undefined && now - last < this.minIntervalMs) return [];
    this.lastRun.set(key, now);
    let cache = this.ended.get(key);
    if (cache === undefined) this.ended.set(key, (cache = new Map()));
    const runs: RunHistory[] = [];
    for (const t of trials) {
      if (t.state === "lost") continue;
      const active = isActive(t);
      let values = active ? undefined : cache.get(t.runId);
      if (values === undefined) {
        values = await this.history(ref, t.runId, config.metric.name);
        if (!active) cache.set(t.runId, values);
      }
      if (values.length > 0) runs.push({ runId: t.runId, values, running: active && !t.earlyStopped });
    }
    return earlyStop(config, runs);
  }

  private async history(ref: SweepRef, runId: string, metric: string): Promise<number[]> {
    const cols = await this.store.series.query(
      { entity: ref.entity, project: ref.project, runId }, "history", [metric], {}, MAX_HISTORY_POINTS,
    );
    return cols[0]?.y ?? [];
  }
}
