// Owns the series tail table: rows of packed (x, y) float64 arrays written by ingest, one per
// (batch, run, stream, key), read back merged (a higher id is a later write and wins a repeated x),
// and handed to the materializer oldest first. Chunks are chunks.ts's business.
import type { Points64 } from "../series/codec.js";
import { combineLaterWins, EMPTY, sliceRange } from "../series/merge.js";
import { toFloat64 } from "../series/rollup.js";
import type { Engine, Stmt } from "./engine.js";

/** A key's series: (run row id, stream code, metric key id). */
export interface SeriesId { run: number; stream: number; keyId: number }

/** One tail row as the materializer's scan sees it. */
export interface TailHead { id: number; run: number; stream: number; keyId: number; n: number; createdAt: number }

type HeadRow = [number, number, number, number, number, number];
type DataRow = [number, Buffer, Buffer];

export class Tail {
  /**
   * Points in the tail (as written, repeats included), as far as this process knows: counted from
   * the table on open, then kept up to date by append and takePrefix. Another process writing the
   * same database makes it drift; it only steers how eagerly the materializer works.
   */
  points: number;
  private readonly s: Record<"insert" | "inRange" | "all" | "head" | "prefix" | "drop" | "anyFor", Stmt>;

  constructor(eng: Engine) {
    this.s = {
      insert: eng.stmt(
        "INSERT INTO series_tail (run, stream, key_id, n, x_min, x_max, created_at, xs, ys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      inRange: eng.stmt(
        `SELECT xs, ys FROM series_tail WHERE run = ? AND stream = ? AND key_id = ? AND x_max >= ? AND x_min <= ?
         ORDER BY id`,
      ).raw(true),
      all: eng.stmt("SELECT xs, ys FROM series_tail WHERE run = ? AND stream = ? AND key_id = ? ORDER BY id").raw(true),
      head: eng.stmt("SELECT id, run, stream, key_id, n, created_at FROM series_tail ORDER BY id LIMIT ?").raw(true),
      prefix: eng.stmt(
        "SELECT id, xs, ys FROM series_tail WHERE run = ? AND stream = ? AND key_id = ? AND id <= ? ORDER BY id",
      ).raw(true),
      drop: eng.stmt("DELETE FROM series_tail WHERE run = ? AND stream = ? AND key_id = ? AND id <= ?"),
      anyFor: eng.stmt("SELECT 1 FROM series_tail WHERE run = ? AND stream = ? AND key_id = ? LIMIT 1").pluck(),
    };
    this.points = eng.stmt("SELECT coalesce(sum(n), 0) FROM series_tail").pluck().get() as number;
  }

  /** Writes one row; `p` must be sorted and duplicate-free (sortUnique). */
  append(id: SeriesId, p: Points64, now: number): void {
    const n = p.x.length;
    if (n === 0) return;
    this.s.insert.run(id.run, id.stream, id.keyId, n, p.x[0], p.x[n - 1], now, bytes(p.x), bytes(p.y));
    this.points += n;
  }

  /** The key's tail points with lo <= x <= hi, merged (later rows win). */
  read(id: SeriesId, lo: number, hi: number): Points64 {
    const rows = (lo === -Infinity && hi === Infinity
      ? this.s.all.all(id.run, id.stream, id.keyId)
      : this.s.inRange.all(id.run, id.stream, id.keyId, lo, hi)) as [Buffer, Buffer][];
    if (rows.length === 0) return EMPTY;
    const merged = combineLaterWins(rows.map((r) => unpack(r[0], r[1])));
    return sliceRange(merged, lo, hi);
  }

  /** Whether the key has any tail row. */
  has(id: SeriesId): boolean {
    return this.s.anyFor.get(id.run, id.stream, id.keyId) !== undefined;
  }

  /** The oldest `limit` rows of the whole tail (no data), oldest first. */
  head(limit: number): TailHead[] {
    return (this.s.head.all(limit) as HeadRow[]).map((r) => ({ id: r[0], run: r[1], stream: r[2], keyId: r[3], n: r[4], createdAt: r[5] }));
  }

  /**
   * The key's oldest rows, oldest first, up to id `maxId`, stopping once `budget` points are taken
   * (at least one row). Returns their merged points, how many points the rows held, and the last id taken.
   */
  takePrefix(id: SeriesId, maxId: number, budget: number): { points: Points64; rowPoints: number; lastId: number } | undefined {
    const sets: Points64[] = [];
    let lastId = -1;
    let taken = 0;
    for (const r of this.s.prefix.iterate(id.run, id.stream, id.keyId, maxId) as IterableIterator<DataRow>) {
      const p = unpack(r[1], r[2]);
      sets.push(p);
      lastId = r[0];
      taken += p.x.length;
      if (taken >= budget) break;
    }
    if (sets.length === 0) return undefined;
    return { points: combineLaterWins(sets), rowPoints: taken, lastId };
  }

  /** Deletes the key's rows with id <= lastId (a prefix taken by takePrefix). */
  dropPrefix(id: SeriesId, lastId: number, rowPoints: number): void {
    this.s.drop.run(id.run, id.stream, id.keyId, lastId);
    this.points = Math.max(0, this.points - rowPoints);
  }
}

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function unpack(xs: Buffer, ys: Buffer): Points64 {
  return { x: toFloat64(xs), y: toFloat64(ys) };
}
