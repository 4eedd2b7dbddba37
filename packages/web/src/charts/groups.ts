// Owns the statistics of grouped charts: per pixel column of a grid, the mean, min, max and
// standard deviation over a group's runs, and the band (min/max or mean ± one SD) drawn around the mean. Runs rarely share x values, so each run is first sampled at every column (its
// points' mean there, else linear interpolation inside the run's own x range).
import type { XY } from "./align";

export interface GroupStats {
  /** Column centres. */
  x: Float64Array;
  /** NaN where no run of the group has a value. */
  mean: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  /** Population standard deviation across the runs with a value (0 for one run); NaN where none has one. */
  sd: Float64Array;
  /** Runs that had a value in at least one column. */
  runs: number;
}

/** One run's value per column over [xmin, xmax] (NaN outside its data). Input sorted by x. */
export function sampleColumns(s: XY, xmin: number, xmax: number, columns: number, out = new Float64Array(columns)): Float64Array {
  out.fill(NaN);
  const cols = out.length;
  const dx = (xmax - xmin) / cols || 1;
  const sum = new Float64Array(cols);
  const sumX = new Float64Array(cols);
  const cnt = new Uint32Array(cols);
  // Points just outside the range still anchor interpolation at the edge columns.
  let beforeX = NaN, beforeY = NaN, afterX = NaN, afterY = NaN;
  const anchorsX: number[] = [];
  const anchorsY: number[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const v = s.y[i]!;
    if (!Number.isFinite(v)) continue;
    const xv = s.x[i]!;
    if (xv < xmin) { beforeX = xv; beforeY = v; continue; }
    if (xv > xmax) { if (Number.isNaN(afterX)) { afterX = xv; afterY = v; } continue; }
    let c = Math.floor((xv - xmin) / dx);
    if (c >= cols) c = cols - 1;
    sum[c] += v;
    sumX[c] += xv;
    cnt[c]++;
  }
  if (!Number.isNaN(beforeX)) { anchorsX.push(beforeX); anchorsY.push(beforeY); }
  for (let c = 0; c < cols; c++) {
    if (cnt[c]) {
      out[c] = sum[c]! / cnt[c]!;
      anchorsX.push(sumX[c]! / cnt[c]!);
      anchorsY.push(out[c]!);
    }
  }
  if (!Number.isNaN(afterX)) { anchorsX.push(afterX); anchorsY.push(afterY); }
  // Fill empty columns between anchors (placed at their points' mean x) by interpolation.
  let a = 0;
  for (let c = 0; c < cols; c++) {
    if (cnt[c]) continue;
    const cx = xmin + (c + 0.5) * dx;
    while (a + 1 < anchorsX.length && anchorsX[a + 1]! < cx) a++;
    if (a + 1 >= anchorsX.length || anchorsX[a]! > cx) continue;
    const x0 = anchorsX[a]!, x1 = anchorsX[a + 1]!, y0 = anchorsY[a]!;
    out[c] = x1 === x0 ? y0 : y0 + ((anchorsY[a + 1]! - y0) * (cx - x0)) / (x1 - x0);
  }
  return out;
}

/** Mean, min, max and standard deviation across runs per column. */
export function groupStats(runs: readonly XY[], xmin: number, xmax: number, columns: number): GroupStats {
  const cols = Math.max(1, Math.round(columns));
  if (!(xmax > xmin)) {
    xmin -= 0.5;
    xmax += 0.5;
  }
  const dx = (xmax - xmin) / cols;
  const x = new Float64Array(cols);
  for (let c = 0; c < cols; c++) x[c] = xmin + (c + 0.5) * dx;
  // Welford's running mean and sum of squared deviations: no cancellation when values are large
  // and close together (timestamps, accuracies near 1).
  const mean = new Float64Array(cols);
  const m2 = new Float64Array(cols);
  const cnt = new Uint32Array(cols);
  const lo = new Float64Array(cols).fill(Infinity);
  const hi = new Float64Array(cols).fill(-Infinity);
  const buf = new Float64Array(cols);
  let used = 0;
  for (const r of runs) {
    sampleColumns(r, xmin, xmax, cols, buf);
    let any = false;
    for (let c = 0; c < cols; c++) {
      const v = buf[c]!;
      if (Number.isNaN(v)) continue;
      any = true;
      const n = ++cnt[c]!;
      const d = v - mean[c]!;
      mean[c] += d / n;
      m2[c] += d * (v - mean[c]!);
      if (v < lo[c]!) lo[c] = v;
      if (v > hi[c]!) hi[c] = v;
    }
    if (any) used++;
  }
  const sd = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    if (cnt[c]) sd[c] = Math.sqrt(Math.max(0, m2[c]! / cnt[c]!));
    else mean[c] = lo[c] = hi[c] = sd[c] = NaN;
  }
  return { x, mean, lo, hi, sd, runs: used };
}

/** How a group's band is drawn: its runs' min to max, or mean ± one standard deviation. */
export type BandKind = "minmax" | "std";

/** The band's lower and upper edges for the chosen kind. */
export function bandEdges(stats: GroupStats, kind: BandKind): { lo: Float64Array; hi: Float64Array } {
  if (kind === "minmax") return { lo: stats.lo, hi: stats.hi };
  const n = stats.mean.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    lo[c] = stats.mean[c]! - stats.sd[c]!;
    hi[c] = stats.mean[c]! + stats.sd[c]!;
  }
  return { lo, hi };
}
