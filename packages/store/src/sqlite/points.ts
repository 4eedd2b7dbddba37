// Owns the physical layout of metric points: one row per (run, key, x) in WITHOUT ROWID tables,
// plus one row per history step holding _timestamp and _runtime. Ingest and queries reach points
// only through this file, so the planned compressed-chunk layout can replace it alone.
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import type { Aggregate, StreamCode } from "./stats.js";

export interface StepRow { step: number; ts: number; runtime: number }

interface StreamStmts {
  insert: Stmt;
  upsert: Stmt;
  value: Stmt;
  range: Stmt;
  aggregate: Stmt;
}

function streamStmts(eng: Engine, table: string, x: string): StreamStmts {
  return {
    insert: eng.stmt(`INSERT INTO ${table} (run, key_id, ${x}, value) VALUES (?, ?, ?, ?)`),
    upsert: eng.stmt(
      `INSERT INTO ${table} (run, key_id, ${x}, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (run, key_id, ${x}) DO UPDATE SET value = excluded.value`,
    ),
    value: eng.stmt(`SELECT value FROM ${table} WHERE run = ? AND key_id = ? AND ${x} = ?`).pluck(),
    range: eng.stmt(
      `SELECT ${x}, value FROM ${table} WHERE run = ? AND key_id = ? AND ${x} >= ? AND ${x} <= ? ORDER BY ${x}`,
    ).raw(true),
    aggregate: eng.stmt(
      `SELECT count(*), count(*) - count(value), min(value), max(value), total(value)
       FROM ${table} WHERE run = ? AND key_id = ?`,
    ).raw(true),
  };
}

export class Points {
  private readonly streams: [StreamStmts, StreamStmts];
  private readonly upsertStep: Stmt;
  private readonly selSteps: Stmt;

  constructor(eng: Engine) {
    this.streams = [streamStmts(eng, "history_points", "step"), streamStmts(eng, "system_points", "ts")];
    this.upsertStep = eng.stmt(
      `INSERT INTO history_steps (run, step, ts, runtime) VALUES (?, ?, ?, ?)
       ON CONFLICT (run, step) DO UPDATE SET ts = excluded.ts, runtime = excluded.runtime`,
    );
    this.selSteps = eng.stmt(
      "SELECT step, ts, runtime FROM history_steps WHERE run = ? AND step >= ? ORDER BY step LIMIT ?",
    ).raw(true);
  }

  /** Writes a point known not to exist yet (x beyond every x of the key). */
  insert(stream: StreamCode, run: number, keyId: number, x: number, v: number): void {
    this.streams[stream].insert.run(run, keyId, x, v);
  }

  /** Writes a point that may already exist; returns the value it replaced, undefined if none. */
  upsert(stream: StreamCode, run: number, keyId: number, x: number, v: number): number | undefined {
    const s = this.streams[stream];
    const old = s.value.get(run, keyId, x) as number | null | undefined;
    s.upsert.run(run, keyId, x, v);
    return old === undefined ? undefined : fromDb(old);
  }

  /** Sets a history step's _timestamp (epoch ms) and _runtime (s); the later write wins. */
  writeStep(run: number, step: number, ts: number, runtime: number): void {
    this.upsertStep.run(run, step, ts, runtime);
  }

  aggregate(stream: StreamCode, run: number, keyId: number): Aggregate {
    const r = this.streams[stream].aggregate.get(run, keyId) as [number, number, number | null, number | null, number | null];
    return { count: r[0], nanCount: r[1], min: fromDb(r[2]), max: fromDb(r[3]), sum: fromDb(r[4]) };
  }

  /** Points of one key with lo <= x <= hi, in x order. */
  read(stream: StreamCode, run: number, keyId: number, lo: number, hi: number): { x: number[]; y: number[] } {
    const rows = this.streams[stream].range.all(run, keyId, lo, hi) as [number, number | null][];
    const n = rows.length;
    const x = new Array<number>(n);
    const y = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      x[i] = r[0];
      y[i] = r[1] === null ? NaN : r[1];
    }
    return { x, y };
  }

  /** Up to `limit` history steps from minStep on, in order. */
  steps(run: number, minStep: number, limit: number): StepRow[] {
    const rows = this.selSteps.all(run, minStep, limit) as [number, number, number][];
    return rows.map((r) => ({ step: r[0], ts: r[1], runtime: r[2] }));
  }
}
