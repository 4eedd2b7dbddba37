// Owns the per (run, stream, key) running aggregates (count, NaN count, min, max, sum, last x and
// value) kept on ingest, so summaries and key listings never scan points. Overwriting a point
// adjusts them incrementally; only when the overwritten value was an extreme (or infinite) are they
// recomputed from the points, which points.ts provides.
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import type { Stream } from "../interfaces.js";

export const HISTORY = 0;
export const SYSTEM = 1;
export type StreamCode = typeof HISTORY | typeof SYSTEM;
export const streamCode = (s: Stream): StreamCode => (s === "history" ? HISTORY : SYSTEM);

export interface Aggregate {
  count: number;
  nanCount: number;
  /** NaN when no non-NaN value has been seen. */
  min: number;
  max: number;
  /** Sum of the non-NaN values. */
  sum: number;
}

export interface KeyStats extends Aggregate {
  keyId: number;
  stream: StreamCode;
  /** Highest x seen, and the value there (the later write wins a tie). */
  lastX: number;
  lastValue: number;
  recompute: boolean;
}

type StatsRow = [number, number, number | null, number | null, number | null, number, number | null];

/** Adds a point that did not exist before. */
export function addPoint(e: KeyStats, x: number, v: number): void {
  e.count++;
  include(e, v);
  if (e.count === 1 || x >= e.lastX) { e.lastX = x; e.lastValue = v; }
}

/** Replaces the value `old` of an existing point at x by v. */
export function replacePoint(e: KeyStats, x: number, old: number, v: number): void {
  if (old !== old) e.nanCount--;
  else if (old === e.min || old === e.max || !Number.isFinite(old)) e.recompute = true;
  else e.sum -= old;
  include(e, v);
  if (x >= e.lastX) { e.lastX = x; e.lastValue = v; }
}

function include(e: KeyStats, v: number): void {
  if (v !== v) { e.nanCount++; return; }
  if (!(e.min <= v)) e.min = v;
  if (!(e.max >= v)) e.max = v;
  e.sum += v;
}

/** The stats touched by one batch of one run; loaded on first touch, written by flush(). */
export class StatsBatch {
  private readonly touched: [Map<number, KeyStats>, Map<number, KeyStats>] = [new Map(), new Map()];

  constructor(private readonly s: StatsStatements, private readonly run: number) {}

  get(stream: StreamCode, keyId: number): KeyStats {
    const m = this.touched[stream];
    let e = m.get(keyId);
    if (e === undefined) {
      const row = this.s.select.get(this.run, stream, keyId) as StatsRow | undefined;
      e = row === undefined
        ? { keyId, stream, count: 0, nanCount: 0, min: NaN, max: NaN, sum: 0, lastX: 0, lastValue: NaN, recompute: false }
        : {
            keyId, stream, count: row[0], nanCount: row[1], min: fromDb(row[2]), max: fromDb(row[3]),
            sum: fromDb(row[4]), lastX: row[5], lastValue: fromDb(row[6]), recompute: false,
          };
      m.set(keyId, e);
    }
    return e;
  }

  flush(recompute: (stream: StreamCode, keyId: number) => Aggregate): void {
    for (const m of this.touched) {
      for (const e of m.values()) {
        if (e.recompute) Object.assign(e, recompute(e.stream, e.keyId));
        this.s.upsert.run(this.run, e.stream, e.keyId, e.count, e.nanCount, e.min, e.max, e.sum, e.lastX, e.lastValue);
      }
    }
  }
}

export class StatsStatements {
  readonly select: Stmt;
  readonly upsert: Stmt;
  constructor(eng: Engine) {
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
