// Owns the series writes of one run's batch: its points, buffered per (stream, key) and written by
// flush() as one tail row each (points.ts), and the per (run, stream, key) running aggregates
// (count, NaN count, min, max, sum, last x and value) kept in run_keys, so summaries and key
// listings never scan points. A point beyond the key's last x updates them incrementally; any other
// write (an out-of-order or repeated x) makes flush() recompute the key's aggregate from chunk
// rollups plus the tail, which decodes only chunks the tail overwrites.
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import type { Points } from "./points.js";
import type { Stream } from "../interfaces.js";
import type { SeriesAggregate } from "../series/assemble.js";

export const HISTORY = 0;
export const SYSTEM = 1;
export type StreamCode = typeof HISTORY | typeof SYSTEM;
export const streamCode = (s: Stream): StreamCode => (s === "history" ? HISTORY : SYSTEM);

/** Running aggregates of one series (same shape as the pure core's; see series/assemble.ts). */
export type Aggregate = SeriesAggregate;

export interface KeyStats extends Aggregate {
  keyId: number;
  stream: StreamCode;
  recompute: boolean;
}

type StatsRow = [number, number, number | null, number | null, number | null, number, number | null];

/** Accounts for a write of v at x: a new last point counts at once; anything else is recomputed at flush. */
export function notePoint(e: KeyStats, x: number, v: number): void {
  if (e.recompute) return;
  if (e.count > 0 && !(x > e.lastX)) { e.recompute = true; return; }
  e.count++;
  e.lastX = x;
  e.lastValue = v;
  if (v !== v) { e.nanCount++; return; }
  if (!(e.min <= v)) e.min = v;
  if (!(e.max >= v)) e.max = v;
  e.sum += v;
}

/** A key touched by the batch: its aggregate, and its points of this batch in arrival order. */
interface Touched extends KeyStats { x: number[]; y: number[] }

/** The series writes of one batch of one run; stats are loaded on first touch, everything is written by flush(). */
export class StatsBatch {
  private readonly touched: [Map<number, Touched>, Map<number, Touched>] = [new Map(), new Map()];
  private steps: { x: number[]; ts: number[]; runtime: number[] } | undefined;

  constructor(private readonly s: StatsStatements, private readonly run: number) {}

  /** The key's aggregate as of this point of the batch. */
  get(stream: StreamCode, keyId: number): KeyStats {
    return this.entry(stream, keyId);
  }

  /** Writes v at x (step or epoch ms) for a metric key; the later write of an x wins. */
  write(stream: StreamCode, keyId: number, x: number, v: number): void {
    const e = this.entry(stream, keyId);
    notePoint(e, x, v);
    e.x.push(x);
    e.y.push(v);
  }

  /** Sets a history step's _timestamp (epoch ms) and _runtime (ms since the run started); the later write wins. */
  writeStep(step: number, ts: number, runtimeMs: number): void {
    const s = (this.steps ??= { x: [], ts: [], runtime: [] });
    s.x.push(step);
    s.ts.push(ts);
    s.runtime.push(runtimeMs);
  }

  /** Writes the batch's points as tail rows, then the touched aggregates (recomputed where needed). */
  flush(now = Date.now()): void {
    const { points, upsert } = this.s;
    const run = this.run;
    if (this.steps !== undefined) {
      points.append({ run, stream: HISTORY, keyId: points.timestampKeyId }, this.steps.x, this.steps.ts, now);
      points.append({ run, stream: HISTORY, keyId: points.runtimeKeyId }, this.steps.x, this.steps.runtime, now);
      this.steps = undefined;
    }
    for (const m of this.touched) {
      for (const e of m.values()) if (e.x.length > 0) points.append({ run, stream: e.stream, keyId: e.keyId }, e.x, e.y, now);
    }
    for (const m of this.touched) {
      for (const e of m.values()) {
        if (e.recompute) {
          const a = points.aggregate({ run, stream: e.stream, keyId: e.keyId });
          e.count = a.count; e.nanCount = a.nanCount; e.min = a.min; e.max = a.max; e.sum = a.sum;
          e.lastX = a.lastX; e.lastValue = a.lastValue; e.recompute = false;
        }
        upsert.run(run, e.stream, e.keyId, e.count, e.nanCount, e.min, e.max, e.sum, e.lastX, e.lastValue);
      }
      m.clear();
    }
  }

  private entry(stream: StreamCode, keyId: number): Touched {
    const m = this.touched[stream];
    let e = m.get(keyId);
    if (e === undefined) {
      const row = this.s.select.get(this.run, stream, keyId) as StatsRow | undefined;
      e = row === undefined
        ? { keyId, stream, count: 0, nanCount: 0, min: NaN, max: NaN, sum: 0, lastX: 0, lastValue: NaN, recompute: false, x: [], y: [] }
        : {
            keyId, stream, count: row[0], nanCount: row[1], min: fromDb(row[2]), max: fromDb(row[3]),
            sum: fromDb(row[4]), lastX: row[5], lastValue: fromDb(row[6]), recompute: false, x: [], y: [],
          };
      m.set(keyId, e);
    }
    return e;
  }
}

export class StatsStatements {
  readonly select: Stmt;
  readonly upsert: Stmt;
  constructor(eng: Engine, readonly points: Points) {
    this.select = eng.stmt(
      "SELECT count, nan_count, min, max, sum, last_x, last_value FROM run_keys WHERE run = ? AND stream = ? AND key_id = ?",
    ).raw(true);
    this.upsert = eng.stmt(`
      INSERT INTO run_keys (run, stream, key_id, count, nan_count, min, max, sum, last_x, last_value)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run, stream, key_id) DO UPDATE SET
        count = excluded.count, nan_count = excluded.nan_count, min = excluded.min, max = excluded.max,
        sum = excluded.sum, last_x = excluded.last_x, last_value = excluded.last_value`);
  }
}
