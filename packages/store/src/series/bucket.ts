// Owns chart downsampling: a pure function, no I/O. Points are split into equal-width x buckets and
// each bucket keeps its minimum and its maximum (in x order), so a one-point spike survives any
// zoom level and the output never exceeds maxPoints.

export interface Columns { x: number[]; y: number[] }

/**
 * Reduces sorted (x, y) columns to at most maxPoints points (maxPoints >= 2).
 * NaN values are ignored for min/max; a bucket holding only NaN keeps one NaN point so gaps show.
 * Input shorter than maxPoints is returned unchanged (same arrays).
 */
export function bucketMinMax(x: number[], y: number[], maxPoints: number): Columns & { sampled: boolean } {
  const n = x.length;
  if (n <= maxPoints) return { x, y, sampled: false };
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const x0 = x[0];
  const span = x[n - 1] - x0;
  const outX: number[] = [];
  const outY: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    // Last bucket is closed so the final point always lands somewhere.
    const hi = b === buckets - 1 ? Infinity : x0 + (span * (b + 1)) / buckets;
    let minI = -1, maxI = -1, nanI = -1;
    for (; i < n && x[i] < hi; i++) {
      const v = y[i];
      if (v !== v) { if (nanI < 0) nanI = i; continue; }
      if (minI < 0 || v < y[minI]) minI = i;
      if (maxI < 0 || v > y[maxI]) maxI = i;
    }
    if (minI < 0) {
      if (nanI >= 0) { outX.push(x[nanI]); outY.push(NaN); }
      continue;
    }
    const first = minI < maxI ? minI : maxI;
    const second = minI < maxI ? maxI : minI;
    outX.push(x[first]); outY.push(y[first]);
    if (second !== first) { outX.push(x[second]); outY.push(y[second]); }
  }
  return { x: outX, y: outY, sampled: true };
}
