// Owns the chunk tables: a rollup row per chunk (series_chunks, scanned by coarse reads) and the
// compressed points with their sketch (series_chunk_data, read only when needed). Deciding what
// goes into which chunk is the materializer's job; the byte format is series/codec.ts's.
import { decodeChunk, encodeChunk, type Points64 } from "../series/codec.js";
import { buildSketch, rollup, type Rollup } from "../series/rollup.js";
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import type { SeriesId } from "./tail.js";

export interface StoredChunk extends Rollup { dataId: number }

const COLUMNS = "x_min, x_max, count, nan_count, min, x_of_min, max, x_of_max, sum, first, last, block_span, data_id";
type ChunkRow = [number, number, number, number, number | null, number, number | null, number, number | null, number | null, number | null, number, number];

const EMPTY_SKETCH = Buffer.alloc(0);
const KEY = "run = @run AND stream = @stream AND key_id = @keyId";

function toChunk(r: ChunkRow): StoredChunk {
  return {
    xMin: r[0], xMax: r[1], count: r[2], nanCount: r[3], min: fromDb(r[4]), xOfMin: r[5], max: fromDb(r[6]),
    xOfMax: r[7], sum: fromDb(r[8]), first: fromDb(r[9]), last: fromDb(r[10]), blockSpan: r[11], dataId: r[12],
  };
}

export class Chunks {
  private readonly s: Record<"inRange" | "all" | "last" | "after" | "sketch" | "data" | "insData" | "insChunk" | "delData" | "delChunk", Stmt>;

  /**
   * `plain(id)` names series that only ever get exact reads (the history row columns): their chunks
   * carry an empty sketch and an infinite block span, so no reduced read would ever ask for it.
   */
  constructor(eng: Engine, private readonly plain: (id: SeriesId) => boolean = () => false) {
    this.s = {
      // Chunks are disjoint, so the only one starting before lo that can reach into the range is
      // the last one starting at or before lo.
      inRange: eng.stmt(
        `SELECT ${COLUMNS} FROM series_chunks WHERE ${KEY}
           AND x_min >= coalesce((SELECT max(x_min) FROM series_chunks WHERE ${KEY} AND x_min <= @lo), @lo)
           AND x_min <= @hi
         ORDER BY x_min`,
      ).raw(true),
      all: eng.stmt(`SELECT ${COLUMNS} FROM series_chunks WHERE ${KEY} ORDER BY x_min`).raw(true),
      last: eng.stmt(`SELECT ${COLUMNS} FROM series_chunks WHERE ${KEY} ORDER BY x_min DESC LIMIT 1`).raw(true),
      after: eng.stmt(`SELECT ${COLUMNS} FROM series_chunks WHERE ${KEY} AND x_min > @after ORDER BY x_min LIMIT @limit`).raw(true),
      sketch: eng.stmt("SELECT sketch FROM series_chunk_data WHERE id = ?").pluck(),
      data: eng.stmt("SELECT data FROM series_chunk_data WHERE id = ?").pluck(),
      insData: eng.stmt("INSERT INTO series_chunk_data (sketch, data) VALUES (?, ?)"),
      insChunk: eng.stmt(
        `INSERT INTO series_chunks (run, stream, key_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      delData: eng.stmt("DELETE FROM series_chunk_data WHERE id = ?"),
      delChunk: eng.stmt(`DELETE FROM series_chunks WHERE ${KEY} AND x_min = @xMin`),
    };
  }

  /** The chunks of a key that may hold points with lo <= x <= hi, in x order. */
  inRange(id: SeriesId, lo: number, hi: number): StoredChunk[] {
    const rows = (lo === -Infinity && hi === Infinity
      ? this.s.all.all(id)
      : this.s.inRange.all({ ...id, lo, hi })) as ChunkRow[];
    const out = rows.map(toChunk);
    if (out.length > 0 && out[0].xMax < lo) out.shift();
    return out;
  }

  /** Up to `limit` chunks starting after x `after`, in x order. */
  after(id: SeriesId, after: number, limit: number): StoredChunk[] {
    return (this.s.after.all({ ...id, after, limit }) as ChunkRow[]).map(toChunk);
  }

  last(id: SeriesId): StoredChunk | undefined {
    const r = this.s.last.get(id) as ChunkRow | undefined;
    return r === undefined ? undefined : toChunk(r);
  }

  data(c: StoredChunk): Points64 {
    return decodeChunk(this.s.data.get(c.dataId) as Buffer);
  }

  sketch(c: StoredChunk): Buffer {
    return this.s.sketch.get(c.dataId) as Buffer;
  }

  /** Stores points[from, to) (sorted, duplicate-free) as one chunk. */
  write(id: SeriesId, p: Points64, from: number, to: number): void {
    const part: Points64 = from === 0 && to === p.x.length ? p : { x: p.x.subarray(from, to), y: p.y.subarray(from, to) };
    const r = rollup(part);
    const plain = this.plain(id);
    const sketch = plain ? EMPTY_SKETCH : buildSketch(part);
    const dataId = Number(this.s.insData.run(sketch, encodeChunk(part.x, part.y)).lastInsertRowid);
    this.s.insChunk.run(
      id.run, id.stream, id.keyId, r.xMin, r.xMax, r.count, r.nanCount, r.min, r.xOfMin, r.max, r.xOfMax, r.sum,
      r.first, r.last, plain ? Infinity : r.blockSpan, dataId,
    );
  }

  remove(id: SeriesId, c: StoredChunk): void {
    this.s.delChunk.run({ ...id, xMin: c.xMin });
    this.s.delData.run(c.dataId);
  }
}
