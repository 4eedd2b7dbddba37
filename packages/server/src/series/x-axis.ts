// Owns re-plotting a run's series against an x axis other than the step: wall time, runtime or
// any logged metric (epoch, samples seen). Pure functions over columns; the store answers by step
// and knows nothing of this. The x series is sampled at its own steps (possibly bucketed), and a
// point's x is that series linearly interpolated at the point's step.
//
// Assumption, stated in the API too: the x series grows with step (time, epochs, samples seen).
// Interpolation itself works for any x series; only turning an x range into a step range relies
// on it, and even then points are filtered by their x afterwards, so a zoomed reply never holds a
// point outside [min, max].
import type { SeriesColumns } from "@orrery/store";

/** An x series as (step, value) samples in step order, as the store returns it. */
export interface XSamples { x: readonly number[]; y: readonly number[] }

/** The samples whose value is finite: NaN or infinite values cannot place a point on an axis. */
export function finiteSamples(s: XSamples): XSamples {
  if (s.y.every(Number.isFinite)) return s;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < s.y.length; i++) if (Number.isFinite(s.y[i])) { x.push(s.x[i]!); y.push(s.y[i]!); }
  return { x, y };
}

/**
 * The step range to read for an x range, from the x series' samples: from the last sample before
 * the first one with x >= min, to the first sample after the last one with x <= max. Reaching one
 * sample beyond each end keeps points between two sparse (bucketed) samples; the caller filters by
 * x afterwards. Null when no sample lies in [min, max], so nothing can.
 */
export function stepRangeForX(samples: XSamples, min: number | undefined, max: number | undefined): { min: number; max: number } | null {
  const { x: steps, y: xs } = finiteSamples(samples);
  const n = steps.length;
  if (n === 0) return null;
  let first = 0;
  if (min !== undefined) {
    while (first < n && xs[first]! < min) first++;
    if (first === n) return null;
  }
  let last = n - 1;
  if (max !== undefined) {
    while (last >= 0 && xs[last]! > max) last--;
    if (last < 0) return null;
  }
  if (first > last) {
    // The x series does not grow with step: read every step that might hold a point in range.
    if (!xs.some((v) => (min === undefined || v >= min) && (max === undefined || v <= max))) return null;
    return { min: steps[0]!, max: steps[n - 1]! };
  }
  return { min: steps[Math.max(0, first - 1)]!, max: steps[Math.min(n - 1, last + 1)]! };
}

/**
 * The x series' value at a step, linear between its samples; undefined outside their steps.
 * `hint` is where the previous search ended, for points that come in step order.
 */
function interpolate(steps: readonly number[], xs: readonly number[], step: number, hint: { i: number }): number | undefined {
  const n = steps.length;
  if (n === 0 || step < steps[0]! || step > steps[n - 1]!) return undefined;
  let i = hint.i;
  if (i >= n || steps[i]! > step) i = 0;
  // Points arrive in step order, so a short forward walk usually finds the spot; else bisect.
  if (i + 8 < n && steps[i + 8]! <= step) {
    let lo = i, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid]! <= step) lo = mid; else hi = mid - 1;
    }
    i = lo;
  } else {
    while (i + 1 < n && steps[i + 1]! <= step) i++;
  }
  hint.i = i;
  const s0 = steps[i]!;
  if (s0 === step || i + 1 === n) return xs[i];
  const s1 = steps[i + 1]!;
  return xs[i]! + ((xs[i + 1]! - xs[i]!) * (step - s0)) / (s1 - s0);
}

/**
 * A series by step re-plotted against the x series: each point's x becomes the x series' value at
 * its step (interpolated). Points outside the x series' steps, or outside [min, max] when given,
 * are dropped; the rest come back sorted by x (stable: equal x keep step order). count stays the
 * store's count of points in the step range read, except that an unsampled series (every point
 * present) counts what is left.
 */
export function reindexByX(series: SeriesColumns, samples: XSamples, range: { min?: number; max?: number } = {}): SeriesColumns {
  const { x: steps, y: xs } = finiteSamples(samples);
  const outX: number[] = [];
  const outY: number[] = [];
  const hint = { i: 0 };
  let sorted = true;
  for (let i = 0; i < series.x.length; i++) {
    const v = interpolate(steps, xs, series.x[i]!, hint);
    if (v === undefined) continue;
    if ((range.min !== undefined && v < range.min) || (range.max !== undefined && v > range.max)) continue;
    if (outX.length > 0 && v < outX[outX.length - 1]!) sorted = false;
    outX.push(v);
    outY.push(series.y[i]!);
  }
  if (!sorted) {
    const order = outX.map((_, i) => i).sort((a, b) => outX[a]! - outX[b]!);
    const x = order.map((i) => outX[i]!);
    const y = order.map((i) => outY[i]!);
    return { key: series.key, x, y, count: series.sampled ? series.count : x.length, sampled: series.sampled };
  }
  return { key: series.key, x: outX, y: outY, count: series.sampled ? series.count : outX.length, sampled: series.sampled };
}
