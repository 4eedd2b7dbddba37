// Owns the read side of metrics and console: key listings, ranged series reduced by min/max
// bucketing, W&B-style history rows rebuilt from the series, console lines. Point layout stays
// behind points.ts; what a reduced read decodes is decided in series/assemble.ts.
import type { ConsoleLine } from "@orrery/protocol";
import type { RunRef, SeriesColumns, SeriesRange, SeriesStore, StepColumn, Stream } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import type { Ids } from "./ids.js";
import { setOwn } from "./json.js";
import type { Points } from "./points.js";
import { HISTORY, streamCode } from "./stats.js";

export class SqliteSeries implements SeriesStore {
  private readonly s: Record<"keys" | "hasKey" | "console" | "consoleTail", Stmt>;

  constructor(private readonly eng: Engine, private readonly ids: Ids, private readonly points: Points) {
    this.s = {
      keys: eng.stmt(
        "SELECT k.key, k.id FROM run_keys s JOIN metric_keys k ON k.id = s.key_id WHERE s.run = ? AND s.stream = ?",
      ).raw(true),
      hasKey: eng.stmt("SELECT 1 FROM run_keys WHERE run = ? AND stream = ? AND key_id = ?").pluck(),
      console: eng.stmt("SELECT n, ts, stream, text FROM console_lines WHERE run = ? AND n > ? ORDER BY n LIMIT ?"),
      consoleTail: eng.stmt("SELECT n, ts, stream, text FROM console_lines WHERE run = ? ORDER BY n DESC LIMIT ?"),
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
    // One read snapshot for all keys, so concurrent ingest or materialization cannot skew one
    // series against another (or show a batch both in the tail and in chunks).
    const read = this.eng.db.transaction(() => wanted.map(([key, keyId]): SeriesColumns => {
      const b = this.points.query({ run, stream: code, keyId }, lo, hi, maxPoints);
      return { key, x: b.x, y: b.y, count: b.count, sampled: b.sampled };
    }));
    return read.deferred();
  }

  async stepColumn(r: RunRef, column: StepColumn, range: SeriesRange, maxPoints: number): Promise<SeriesColumns | undefined> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return undefined;
    const keyId = column === "_timestamp" ? this.points.timestampKeyId : this.points.runtimeKeyId;
    const read = this.eng.db.transaction(() =>
      this.points.query({ run, stream: HISTORY, keyId }, range.min ?? -Infinity, range.max ?? Infinity, maxPoints));
    const b = read.deferred();
    // Stored in ms; bucketing keeps real points, so scaling afterwards is exact.
    return { key: column, x: b.x, y: b.y.map((v) => v / 1000), count: b.count, sampled: b.sampled };
  }

  async historyRows(r: RunRef, minStep: number, limit: number): Promise<{ rows: Record<string, number>[]; nextMinStep: number | null }> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return { rows: [], nextMinStep: null };
    const max = Math.max(1, Math.floor(limit));
    const points = this.points;
    const read = this.eng.db.transaction(() => {
      // The steps are the x of the _timestamp series, which every history record writes.
      const steps = points.readFirst({ run, stream: HISTORY, keyId: points.timestampKeyId }, Math.max(0, minStep), max + 1);
      const nextMinStep = steps.x.length > max ? steps.x[max] : null;
      const n = Math.min(steps.x.length, max);
      if (n === 0) return { rows: [], nextMinStep };
      const rows: Record<string, number>[] = new Array(n);
      for (let i = 0; i < n; i++) rows[i] = { _step: steps.x[i], _timestamp: steps.y[i] / 1000, _runtime: 0 };
      const first = steps.x[0];
      const last = steps.x[n - 1];
      const fill = (keyId: number, set: (row: Record<string, number>, v: number) => void): void => {
        const pts = points.read({ run, stream: HISTORY, keyId }, first, last);
        // Both are sorted by step: walk them together.
        for (let i = 0, j = 0; i < pts.x.length; i++) {
          while (j < n && steps.x[j] < pts.x[i]) j++;
          if (j === n) break;
          if (steps.x[j] === pts.x[i]) set(rows[j], pts.y[i]);
        }
      };
      fill(points.runtimeKeyId, (row, v) => { row._runtime = v / 1000; });
      for (const [key, id] of this.keysOf(run, HISTORY)) fill(id, (row, v) => setOwn(row, key, v));
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

  async consoleTail(r: RunRef, limit: number): Promise<ConsoleLine[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    return (this.s.consoleTail.all(run, Math.max(1, Math.floor(limit))) as ConsoleLine[]).reverse();
  }

  /** [key, id] pairs of a run's stream, sorted by key (JavaScript string order). */
  private keysOf(run: number, code: number): [string, number][] {
    const rows = this.s.keys.all(run, code) as [string, number][];
    return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
