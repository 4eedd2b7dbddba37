// Owns merging point sets where a later write of an x replaces an earlier one: pure, no I/O. Used to
// normalize one batch's points, to combine tail rows, and to lay tail points over a decoded chunk.
import type { Points64 } from "./codec.js";

export const EMPTY: Points64 = { x: new Float64Array(0), y: new Float64Array(0) };

/**
 * Sorts points by x, keeping only the last-given value of each repeated x (later wins).
 * Input already strictly ascending is returned as typed copies without sorting.
 */
export function sortUnique(x: ArrayLike<number>, y: ArrayLike<number>): Points64 {
  const n = x.length;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(x[i] > x[i - 1])) { sorted = false; break; }
  }
  if (sorted) return { x: Float64Array.from(x), y: Float64Array.from(y) };
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Ties keep index order, so the last of equal x is the latest write.
  order.sort((a, b) => x[a] - x[b] || a - b);
  const ox = new Float64Array(n);
  const oy = new Float64Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (m > 0 && ox[m - 1] === x[i]) {
      oy[m - 1] = y[i];
    } else {
      ox[m] = x[i];
      oy[m] = y[i];
      m++;
    }
  }
  return { x: ox.subarray(0, m), y: oy.subarray(0, m) };
}

/** Merges two sorted, duplicate-free point sets; where both have an x, `later` wins. */
export function mergeLaterWins(earlier: Points64, later: Points64): Points64 {
  const a = earlier, b = later;
  const na = a.x.length, nb = b.x.length;
  if (nb === 0) return a;
  if (na === 0) return b;
  if (a.x[na - 1] < b.x[0]) return concat([a, b]);
  const x = new Float64Array(na + nb);
  const y = new Float64Array(na + nb);
  let i = 0, j = 0, m = 0;
  while (i < na && j < nb) {
    const xa = a.x[i], xb = b.x[j];
    if (xa < xb) { x[m] = xa; y[m++] = a.y[i++]; }
    else if (xb < xa) { x[m] = xb; y[m++] = b.y[j++]; }
    else { x[m] = xb; y[m++] = b.y[j++]; i++; }
  }
  while (i < na) { x[m] = a.x[i]; y[m++] = a.y[i++]; }
  while (j < nb) { x[m] = b.x[j]; y[m++] = b.y[j++]; }
  return { x: x.subarray(0, m), y: y.subarray(0, m) };
}

/**
 * Combines point sets given oldest first, each sorted and duplicate-free, into one; a later set
 * wins a repeated x. Sets that follow each other in x (the usual case) are simply concatenated.
 */
export function combineLaterWins(sets: readonly Points64[]): Points64 {
  if (sets.length === 0) return EMPTY;
  if (sets.length === 1) return sets[0];
  let ascending = true;
  for (let i = 1; i < sets.length && ascending; i++) {
    const prev = sets[i - 1].x, cur = sets[i].x;
    if (prev.length > 0 && cur.length > 0 && !(cur[0] > prev[prev.length - 1])) ascending = false;
  }
  if (ascending) return concat(sets);
  const all = concat(sets);
  return sortUnique(all.x, all.y);
}

export function concat(sets: readonly Points64[]): Points64 {
  let n = 0;
  for (const s of sets) n += s.x.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let at = 0;
  for (const s of sets) {
    x.set(s.x, at);
    y.set(s.y, at);
    at += s.x.length;
  }
  return { x, y };
}

/** First index i with x[i] >= v (x sorted ascending). */
export function lowerBound(x: Float64Array, v: number, from = 0, to = x.length): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with x[i] > v (x sorted ascending). */
export function upperBound(x: Float64Array, v: number, from = 0, to = x.length): number {
  let lo = from, hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points with lo <= x <= hi, as views (no copy). */
export function sliceRange(p: Points64, lo: number, hi: number): Points64 {
  const a = lowerBound(p.x, lo);
  const b = upperBound(p.x, hi, a);
  if (a === 0 && b === p.x.length) return p;
  return { x: p.x.subarray(a, b), y: p.y.subarray(a, b) };
}
