// Owns the physical layout of metric points, and is the one place ingest and queries reach them
// through. Per (run, stream, key) series, points live in two places:
//   - the tail (tail.ts): one row per ingest batch and key, packed float64 arrays, written inside the
//     ingest transaction, so acknowledging a batch costs a few row inserts, not one per point;
//   - chunks (chunks.ts): up to CHUNK_POINTS points each, compressed (series/codec.ts), with a
//     rollup row and a sketch, filled from the tail in the background by materializer.ts.
// Every read merges both (the tail is newer and wins a repeated x), so data is visible at once.
// A history row's _timestamp and _runtime are two more series of the history stream, under the
// reserved keys TIMESTAMP_KEY and RUNTIME_KEY (the runtime stored in ms, divided on read).
import { aggregate, readExact, reduce, type ChunkSource, type Reduced, type SeriesAggregate } from "../series/assemble.js";
import type { Points64 } from "../series/codec.js";
import { sortUnique } from "../series/merge.js";
import { Chunks, type StoredChunk } from "./chunks.js";
import type { Engine } from "./engine.js";
import { HISTORY } from "./stats.js";
import { Tail, type SeriesId } from "./tail.js";

export type { SeriesId } from "./tail.js";

/** Points per chunk: the materializer fills a key's last chunk up to this and starts the next. */
export const CHUNK_POINTS = 4096;
export const TIMESTAMP_KEY = "_timestamp";
export const RUNTIME_KEY = "_runtime";

export class Points {
  readonly tail: Tail;
  readonly chunks: Chunks;
  /** metric_keys ids of the reserved history series. */
  readonly timestampKeyId: number;
  readonly runtimeKeyId: number;

  constructor(eng: Engine) {
    this.tail = new Tail(eng);
    const keyId = (key: string): number => {
      const id = eng.stmt("SELECT id FROM metric_keys WHERE key = ?").pluck().get(key) as number | undefined;
      if (id === undefined) throw new Error(`metric key "${key}" is missing from metric_keys: the series migration did not run`);
      return id;
    };
    this.timestampKeyId = keyId(TIMESTAMP_KEY);
    this.runtimeKeyId = keyId(RUNTIME_KEY);
    const ts = this.timestampKeyId, rt = this.runtimeKeyId;
    this.chunks = new Chunks(eng, (id) => id.stream === HISTORY && (id.keyId === ts || id.keyId === rt));
  }

  /**
   * Writes one batch's points of a key as a tail row. x may come in any order and repeat: the last
   * given value of an x wins. Call inside the ingest transaction.
   */
  append(id: SeriesId, x: ArrayLike<number>, y: ArrayLike<number>, now: number): void {
    const p = sortUnique(x, y);
    // -0 and 0 are one x; keep the one the REAL columns can hold.
    for (let i = 0; i < p.x.length; i++) if (p.x[i] === 0) p.x[i] = 0;
    this.tail.append(id, p, now);
  }

  /** Points with lo <= x <= hi reduced to at most maxPoints by min/max bucketing (series/assemble.ts). */
  query(id: SeriesId, lo: number, hi: number, maxPoints: number): Reduced {
    const list = this.chunks.inRange(id, lo, hi);
    return reduce(this.source(list), this.tail.read(id, lo, hi), lo, hi, maxPoints);
  }

  /** Every point with lo <= x <= hi, in x order. */
  read(id: SeriesId, lo: number, hi: number): Points64 {
    const list = this.chunks.inRange(id, lo, hi);
    return readExact(this.source(list), this.tail.read(id, lo, hi), lo, hi);
  }

  /** The first `limit` points with x >= lo, in x order. */
  readFirst(id: SeriesId, lo: number, limit: number): Points64 {
    const list: StoredChunk[] = [];
    let inRange = 0;
    let cursor = lo;
    const first = this.chunks.inRange(id, lo, lo);
    if (first.length > 0) {
      list.push(first[0]);
      if (first[0].xMin >= lo) inRange += first[0].count;
      cursor = first[0].xMin;
    }
    // Points only ever add to or replace chunk points, so once the chunks alone hold `limit`
    // points from lo on, nothing beyond the last of them can be among the first `limit`.
    while (inRange < limit) {
      const more = this.chunks.after(id, cursor, 16);
      for (const c of more) {
        list.push(c);
        inRange += c.count;
        if (inRange >= limit) break;
      }
      if (more.length < 16) break;
      cursor = list[list.length - 1].xMin;
    }
    const hi = inRange >= limit ? list[list.length - 1].xMax : Infinity;
    const all = readExact(this.source(list), this.tail.read(id, lo, hi), lo, hi);
    if (all.x.length <= limit) return all;
    return { x: all.x.subarray(0, limit), y: all.y.subarray(0, limit) };
  }

  /** count, NaN count, min, max, sum and last of the whole series, from rollups plus the tail. */
  aggregate(id: SeriesId): SeriesAggregate {
    return aggregate(this.source(this.chunks.inRange(id, -Infinity, Infinity)), this.tail.read(id, -Infinity, Infinity));
  }

  private source(list: StoredChunk[]): ChunkSource {
    const chunks = this.chunks;
    return { chunks: list, data: (i) => chunks.data(list[i]), sketch: (i) => chunks.sketch(list[i]) };
  }
}
