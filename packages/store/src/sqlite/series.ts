// Owns the read side of metrics and console: key listings, ranged series reduced by min/max
// bucketing, W&B-style history rows, console lines. Point layout stays behind points.ts.
import type { ConsoleLine } from "@orrery/protocol";
import type { RunRef, SeriesColumns, SeriesRange, SeriesStore, Stream } from "../interfaces.js";
import { bucketMinMax } from "../series/bucket.js";
import type { Engine, Stmt } from "./engine.js";
import type { Ids } from "./ids.js";
import { setOwn } from "./json.js";
import type { Points } from "./points.js";
import { HISTORY, streamCode } from "./stats.js";

export class SqliteSeries implements SeriesStore {
  private readonly s: Record<"keys" | "hasKey" | "console", Stmt>;

  constructor(private readonly eng: Engine, private readonly ids: Ids, private readonly points: Points) {
    this.s = {
      keys: eng.stmt(
        "SELECT k.key, k.id FROM run_keys s JOIN metric_keys k ON k.id = s.key_id WHERE s.run = ? AND s.stream = ?",
      ).raw(true),
      hasKey: eng.stmt("SELECT 1 FROM run_keys WHERE run = ? AND stream = ? AND key_id = ?").pluck(),
      console: eng.stmt("SELECT n, ts, stream, text FROM console_lines WHERE run = ? AND n > ? ORDER BY n LIMIT ?"),
    };
  }

  async listKeys(r: RunRef, stream: Stream): Promise<string[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    return this.keysOf(run, streamCode(stream)).map((k) => k[0]);
  }

  async query(
    r: RunRef, stream: Stream, keys: readonly string[] | undefined, range: SeriesRange, maxPoints: number,
  ): Promise<SeriesColumns[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    const code = streamCode(stream);
    let wanted: [string, number][];
    if (keys === undefined) {
      wanted = this.keysOf(run, code);
    } else {
      wanted = [];
      for (const key of new Set(keys)) {
        const id = this.ids.keyId(key);
        if (id !== undefined && this.s.hasKey.get(run, code, id) !== undefined) wanted.push([key, id]);
      }
    }
    const lo = range.min ?? -Infinity;
    const hi = range.max ?? Infinity;
    const cap = Math.max(2, Math.floor(maxPoints));
    // One read snapshot for all keys, so concurrent ingest cannot skew one series against another.
    const read = this.eng.db.transaction(() => wanted.map(([key, id]): SeriesColumns => {
      const pts = this.points.read(code, run, id, lo, hi);
      const b = bucketMinMax(pts.x, pts.y, cap);
      return { key, x: b.x, y: b.y, count: pts.x.length, sampled: b.sampled };
    }));
    return read.deferred();
  }

  async historyRows(r: RunRef, minStep: number, limit: number): Promise<{ rows: Record<string, number>[]; nextMinStep: number | null }> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return { rows: [], nextMinStep: null };
    const max = Math.max(1, Math.floor(limit));
    const read = this.eng.db.transaction(() => {
      const steps = this.points.steps(run, Math.max(0, minStep), max + 1);
      const nextMinStep = steps.length > max ? steps[max].step : null;
      if (steps.length > max) steps.length = max;
      if (steps.length === 0) return { rows: [], nextMinStep };
      const rows: Record<string, number>[] = [];
      const byStep = new Map<number, Record<string, number>>();
      for (const s of steps) {
        const row: Record<string, number> = { _step: s.step, _timestamp: s.ts / 1000, _runtime: s.runtime };
        rows.push(row);
        byStep.set(s.step, row);
      }
      const first = steps[0].step;
      const last = steps[steps.length - 1].step;
      for (const [key, id] of this.keysOf(run, HISTORY)) {
        const pts = this.points.read(HISTORY, run, id, first, last);
        for (let i = 0; i < pts.x.length; i++) {
          const row = byStep.get(pts.x[i]);
          if (row !== undefined) setOwn(row, key, pts.y[i]);
        }
      }
      return { rows, nextMinStep };
    });
    return read.deferred();
  }

  async consoleLines(r: RunRef, after: number, limit: number): Promise<ConsoleLine[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    return this.s.console.all(run, after, Math.max(1, Math.floor(limit))) as ConsoleLine[];
  }

  /** [key, id] pairs of a run's stream, sorted by key (JavaScript string order). */
  private keysOf(run: number, code: number): [string, number][] {
    const rows = this.s.keys.all(run, code) as [string, number][];
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
