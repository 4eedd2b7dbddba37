// Owns histogram series in SQLite: writing a histogram inside the ingest transaction (ingest.ts
// decides when) and reading a key's histograms back by step, sampled evenly down to maxSteps.
// Edges and counts are stored exactly as logged; re-binning for display is the dashboard's job.
import type { Histogram, HistogramColumns, HistogramStore, RunRef, SeriesRange } from "../interfaces.js";
import { toFloat64 } from "../series/rollup.js";
import type { Engine, Stmt } from "./engine.js";
import type { Ids } from "./ids.js";

/**
 * Indices of `max` positions spread evenly over 0..n-1, first and last included, ascending and
 * distinct; every index when n <= max.
 */
export function pickEvenly(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return max === 1 ? [n - 1] : [];
  const out: number[] = new Array(max);
  // With n > max the spacing is > 1, so rounding never yields the same index twice.
  for (let i = 0; i < max; i++) out[i] = Math.round((i * (n - 1)) / (max - 1));
  return out;
}

export class SqliteHistograms implements HistogramStore {
  private readonly s: Record<"put" | "noteKey" | "keys" | "hasKey" | "count" | "rows" | "steps" | "at", Stmt>;

  constructor(private readonly eng: Engine, private readonly ids: Ids) {
    this.s = {
      put: eng.stmt("INSERT OR REPLACE INTO histograms (run, key_id, step, bins, counts) VALUES (?, ?, ?, ?, ?)"),
      noteKey: eng.stmt("INSERT OR IGNORE INTO histogram_keys (run, key_id) VALUES (?, ?)"),
      keys: eng.stmt("SELECT k.key FROM histogram_keys h JOIN metric_keys k ON k.id = h.key_id WHERE h.run = ?").pluck(),
      hasKey: eng.stmt("SELECT 1 FROM histogram_keys WHERE run = ? AND key_id = ?").pluck(),
      count: eng.stmt("SELECT count(*) FROM histograms WHERE run = ? AND key_id = ? AND step BETWEEN ? AND ?").pluck(),
      rows: eng.stmt(
        "SELECT step, bins, counts FROM histograms WHERE run = ? AND key_id = ? AND step BETWEEN ? AND ? ORDER BY step",
      ).raw(true),
      steps: eng.stmt("SELECT step FROM histograms WHERE run = ? AND key_id = ? AND step BETWEEN ? AND ? ORDER BY step").pluck(),
      at: eng.stmt("SELECT bins, counts FROM histograms WHERE run = ? AND key_id = ? AND step = ?").raw(true),
    };
  }

  /** Stores one validated histogram, replacing any at the same step. Call inside the ingest transaction. */
  write(run: number, keyId: number, step: number, h: Histogram): void {
    this.s.put.run(run, keyId, step, f64(h.bins), f64(h.counts));
    this.s.noteKey.run(run, keyId);
  }

  async listKeys(r: RunRef): Promise<string[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    return (this.s.keys.all(run) as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async query(r: RunRef, key: string, range: SeriesRange, maxSteps: number): Promise<HistogramColumns> {
    this.eng.assertOpen();
    const empty: HistogramColumns = { key, steps: [], histograms: [], count: 0 };
    const run = this.ids.runRowId(r);
    const keyId = this.ids.keyId(key);
    if (run === undefined || keyId === undefined || this.s.hasKey.get(run, keyId) === undefined) return empty;
    const lo = range.min ?? 0;
    const hi = range.max ?? Number.MAX_SAFE_INTEGER;
    const max = Math.max(1, Math.floor(maxSteps));
    // One snapshot: the count and the histograms agree even while a batch commits.
    const read = this.eng.db.transaction((): HistogramColumns => {
      const count = this.s.count.get(run, keyId, lo, hi) as number;
      if (count === 0) return empty;
      const steps: number[] = [];
      const histograms: Histogram[] = [];
      if (count <= max) {
        for (const [step, bins, counts] of this.s.rows.all(run, keyId, lo, hi) as [number, Buffer, Buffer][]) {
          steps.push(step);
          histograms.push(unpack(bins, counts));
        }
      } else {
        const all = this.s.steps.all(run, keyId, lo, hi) as number[];
        for (const i of pickEvenly(all.length, max)) {
          const step = all[i]!;
          const [bins, counts] = this.s.at.get(run, keyId, step) as [Buffer, Buffer];
          steps.push(step);
          histograms.push(unpack(bins, counts));
        }
      }
      return { key, steps, histograms, count };
    });
    return read.deferred();
  }
}

function f64(values: readonly number[]): Buffer {
  const a = Float64Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function unpack(bins: Buffer, counts: Buffer): Histogram {
  return { bins: Array.from(toFloat64(bins)), counts: Array.from(toFloat64(counts)) };
}
