// Owns answering reads over one series stored as chunks plus a not-yet-chunked tail: pure, no I/O.
// The engine hands in the rollups of the chunks in range (with loaders for their sketches and data)
// and the tail points; this file decides, chunk by chunk, whether the rollup, the sketch or the
// decoded points are needed, and lays tail points over chunk points (the tail is newer, so it wins
// a repeated x). Chunks are disjoint in x and given in x order.
import type { Points64 } from "./codec.js";
import { MinMaxBuckets } from "./bucket.js";
import { concat, lowerBound, mergeLaterWins, sliceRange, upperBound } from "./merge.js";
import { addRollupPoints, addSketchPoints, type Rollup } from "./rollup.js";

export interface ChunkSource {
  /** Rollups of the chunks that may hold points of the range, in x order. */
  readonly chunks: readonly Rollup[];
  /** The decoded points of chunk i. */
  data(i: number): Points64;
  /** The sketch of chunk i (see rollup.ts). */
  sketch(i: number): Uint8Array;
}

export interface Reduced { x: number[]; y: number[]; count: number; sampled: boolean }

/** A stretch of the series in x order: one chunk with the tail points inside its x-span, or tail points between chunks. */
interface Segment { chunk: number; ta: number; tb: number }

function segments(chunks: readonly Rollup[], tail: Points64): Segment[] {
  const out: Segment[] = [];
  const tx = tail.x;
  let t = 0;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    const a = lowerBound(tx, c.xMin, t);
    if (a > t) out.push({ chunk: -1, ta: t, tb: a });
    const b = upperBound(tx, c.xMax, a);
    out.push({ chunk: i, ta: a, tb: b });
    t = b;
  }
  if (t < tx.length) out.push({ chunk: -1, ta: t, tb: tx.length });
  return out;
}

function tailPart(tail: Points64, s: Segment): Points64 {
  return { x: tail.x.subarray(s.ta, s.tb), y: tail.y.subarray(s.ta, s.tb) };
}

/** Points of chunk s with tail points laid over, restricted to [lo, hi]. */
function chunkPoints(src: ChunkSource, tail: Points64, s: Segment, lo: number, hi: number): Points64 {
  return mergeLaterWins(sliceRange(src.data(s.chunk), lo, hi), tailPart(tail, s));
}

/**
 * Every point with lo <= x <= hi, exactly. `tail` must be sorted, duplicate-free and within [lo, hi].
 */
export function readExact(src: ChunkSource, tail: Points64, lo: number, hi: number): Points64 {
  const parts: Points64[] = [];
  for (const s of segments(src.chunks, tail)) {
    parts.push(s.chunk < 0 ? tailPart(tail, s) : chunkPoints(src, tail, s, lo, hi));
  }
  return parts.length === 1 ? parts[0] : concat(parts);
}

/**
 * The points with lo <= x <= hi reduced to at most maxPoints (>= 2) by min/max bucketing, and how
 * many points the range holds. A chunk narrower than one bucket contributes its rollup's min and
 * max points, one whose sketch blocks are narrower contributes the sketch's; only chunks cut by the
 * range, touched by tail points, or wider than that are decoded. Every contributed point is a real
 * point, and a chunk's extremes always are among them, so spikes survive.
 * `tail` must be sorted, duplicate-free and within [lo, hi].
 */
export function reduce(src: ChunkSource, tail: Points64, lo: number, hi: number, maxPoints: number): Reduced {
  const cap = Math.max(2, Math.floor(maxPoints));
  const chunks = src.chunks;
  const segs = segments(chunks, tail);
  const decoded: (Points64 | undefined)[] = new Array(chunks.length);
  let count = 0;
  for (const s of segs) {
    if (s.chunk < 0) { count += s.tb - s.ta; continue; }
    const c = chunks[s.chunk];
    if (c.xMin < lo || c.xMax > hi || s.tb > s.ta) {
      const d = chunkPoints(src, tail, s, lo, hi);
      decoded[s.chunk] = d;
      count += d.x.length;
    } else {
      count += c.count;
    }
  }
  if (count <= cap) {
    const parts: Points64[] = segs.map((s) =>
      s.chunk < 0 ? tailPart(tail, s) : decoded[s.chunk] ?? src.data(s.chunk));
    const all = parts.length === 1 ? parts[0] : concat(parts);
    return { x: Array.from(all.x), y: Array.from(all.y), count, sampled: false };
  }

  // The range holds more than cap points, so at least three distinct x: x1 > x0.
  const ends = (s: Segment, first: boolean): number | undefined => {
    if (s.chunk < 0) return tail.x[first ? s.ta : s.tb - 1];
    const d = decoded[s.chunk];
    if (d === undefined) return first ? chunks[s.chunk].xMin : chunks[s.chunk].xMax;
    return d.x.length === 0 ? undefined : d.x[first ? 0 : d.x.length - 1];
  };
  let x0 = NaN, x1 = NaN;
  for (let k = 0; k < segs.length && x0 !== x0; k++) x0 = ends(segs[k], true) ?? NaN;
  for (let k = segs.length - 1; k >= 0 && x1 !== x1; k--) x1 = ends(segs[k], false) ?? NaN;
  const buckets = Math.max(1, Math.floor(cap / 2));
  const width = (x1 - x0) / buckets;

  const out = new MinMaxBuckets(buckets, x0, x1);
  const all = (p: Points64): void => out.addAll(p.x, p.y, 0, p.x.length);
  for (const s of segs) {
    if (s.chunk < 0) { out.addAll(tail.x, tail.y, s.ta, s.tb); continue; }
    const d = decoded[s.chunk];
    if (d !== undefined) { all(d); continue; }
    const c = chunks[s.chunk];
    if (c.xMax - c.xMin < width) addRollupPoints(c, out);
    else if (c.blockSpan < width) addSketchPoints(src.sketch(s.chunk), out);
    else all(src.data(s.chunk));
  }
  const b = out.finish();
  return { x: b.x, y: b.y, count, sampled: true };
}

export interface SeriesAggregate {
  count: number;
  nanCount: number;
  /** NaN when no non-NaN value exists. */
  min: number;
  max: number;
  /** Sum of the non-NaN values. */
  sum: number;
  /** Highest x and the value there; lastX is 0 and lastValue NaN for an empty series. */
  lastX: number;
  lastValue: number;
}

/**
 * count, NaN count, min, max, sum and last over the whole series (src holding every chunk), from
 * rollups wherever no tail point falls inside a chunk; only chunks the tail overwrites are decoded.
 */
export function aggregate(src: ChunkSource, tail: Points64): SeriesAggregate {
  const a: SeriesAggregate = { count: 0, nanCount: 0, min: NaN, max: NaN, sum: 0, lastX: 0, lastValue: NaN };
  const addPoints = (p: Points64): void => {
    const n = p.x.length;
    for (let i = 0; i < n; i++) {
      const v = p.y[i];
      if (v !== v) { a.nanCount++; continue; }
      a.sum += v;
      if (!(a.min <= v)) a.min = v;
      if (!(a.max >= v)) a.max = v;
    }
    a.count += n;
    if (n > 0) { a.lastX = p.x[n - 1]; a.lastValue = p.y[n - 1]; }
  };
  for (const s of segments(src.chunks, tail)) {
    if (s.chunk < 0) { addPoints(tailPart(tail, s)); continue; }
    if (s.tb > s.ta) { addPoints(chunkPoints(src, tail, s, -Infinity, Infinity)); continue; }
    const c = src.chunks[s.chunk];
    a.count += c.count;
    a.nanCount += c.nanCount;
    if (c.min === c.min) {
      a.sum += c.sum;
      if (!(a.min <= c.min)) a.min = c.min;
      if (!(a.max >= c.max)) a.max = c.max;
    }
    a.lastX = c.xMax;
    a.lastValue = c.last;
  }
  return a;
}
