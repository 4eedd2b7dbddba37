// Owns what is precomputed per chunk so that coarse reads never decode it: the rollup (count, NaN
// count, min and max with the x where each first occurs, sum, first, last) and the sketch (the same
// min/max pairs per block of SKETCH_BLOCK points, for views between "whole chunk per bucket" and
// "every point"). Pure, no I/O; the engine stores them beside the chunk.
import type { Points64 } from "./codec.js";

/** Points per sketch block. A chart bucket wider than a block reads the sketch instead of the chunk. */
export const SKETCH_BLOCK = 128;

export interface Rollup {
  xMin: number;
  xMax: number;
  count: number;
  nanCount: number;
  /** NaN when every value is NaN; otherwise the smallest value, first occurrence (x order) at xOfMin. */
  min: number;
  xOfMin: number;
  max: number;
  xOfMax: number;
  /** Sum of the non-NaN values. */
  sum: number;
  /** Values at xMin and xMax. */
  first: number;
  last: number;
  /** Widest x-span of one sketch block. */
  blockSpan: number;
}

/** Rollup of points[from, to) (x ascending, to > from). */
export function rollup(p: Points64, from = 0, to = p.x.length): Rollup {
  const { x, y } = p;
  let nanCount = 0, minI = -1, maxI = -1, sum = 0;
  for (let i = from; i < to; i++) {
    const v = y[i];
    if (v !== v) { nanCount++; continue; }
    sum += v;
    if (minI < 0 || v < y[minI]) minI = i;
    if (maxI < 0 || v > y[maxI]) maxI = i;
  }
  let blockSpan = 0;
  for (let b = from; b < to; b += SKETCH_BLOCK) {
    const e = Math.min(b + SKETCH_BLOCK, to) - 1;
    if (x[e] - x[b] > blockSpan) blockSpan = x[e] - x[b];
  }
  return {
    xMin: x[from], xMax: x[to - 1], count: to - from, nanCount,
    min: minI < 0 ? NaN : y[minI], xOfMin: minI < 0 ? x[from] : x[minI],
    max: maxI < 0 ? NaN : y[maxI], xOfMax: maxI < 0 ? x[from] : x[maxI],
    sum, first: y[from], last: y[to - 1], blockSpan,
  };
}

/**
 * The sketch of points[from, to): per block, (x of min, min, x of max, max) as float64; a block of
 * only NaN stores (x of its first point, NaN, same x, NaN).
 */
export function buildSketch(p: Points64, from = 0, to = p.x.length): Buffer {
  const blocks = Math.ceil((to - from) / SKETCH_BLOCK);
  const out = new Float64Array(4 * blocks);
  const { x, y } = p;
  for (let k = 0, b = from; b < to; k++, b += SKETCH_BLOCK) {
    const e = Math.min(b + SKETCH_BLOCK, to);
    let minI = -1, maxI = -1;
    for (let i = b; i < e; i++) {
      const v = y[i];
      if (v !== v) continue;
      if (minI < 0 || v < y[minI]) minI = i;
      if (maxI < 0 || v > y[maxI]) maxI = i;
    }
    const o = 4 * k;
    if (minI < 0) {
      out[o] = out[o + 2] = x[b];
      out[o + 1] = out[o + 3] = NaN;
    } else {
      out[o] = x[minI]; out[o + 1] = y[minI];
      out[o + 2] = x[maxI]; out[o + 3] = y[maxI];
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Something that takes points in x order (series/bucket.ts's MinMaxBuckets). */
export interface PointSink { add(x: number, y: number): void }

/**
 * Adds a sketch's points in x order: each block's min and max (one point when they are the same
 * point, one NaN point for an all-NaN block).
 */
export function addSketchPoints(sketch: Uint8Array, out: PointSink): void {
  const f = toFloat64(sketch);
  for (let o = 0; o < f.length; o += 4) addPair(f[o], f[o + 1], f[o + 2], f[o + 3], out);
}

/** Adds a rollup's min and max points in x order. */
export function addRollupPoints(r: Rollup, out: PointSink): void {
  addPair(r.xOfMin, r.min, r.xOfMax, r.max, out);
}

function addPair(xa: number, a: number, xb: number, b: number, out: PointSink): void {
  if (xa === xb) { out.add(xa, a); return; }
  if (xa < xb) { out.add(xa, a); out.add(xb, b); }
  else { out.add(xb, b); out.add(xa, a); }
}

/** A float64 view of stored bytes, copying only when they are not 8-byte aligned. */
export function toFloat64(bytes: Uint8Array): Float64Array {
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3);
  return new Float64Array(Uint8Array.prototype.slice.call(bytes).buffer);
}
