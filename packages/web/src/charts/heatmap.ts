// Owns turning a series of histograms (each with its own bin edges) into one heatmap grid: every
// histogram re-binned onto a common value axis (rows), one column per step, plus the geometry the
// panel needs (column pixel edges, hit-testing) and the colour scale. Pure: no DOM, no fetching.

export interface Hist { readonly bins: readonly number[]; readonly counts: readonly number[] }

export interface Heatmap {
  /** The step of each column, ascending. */
  steps: readonly number[];
  /** The common value axis: rows split [lo, hi] into equal bands, row 0 the lowest. */
  lo: number;
  hi: number;
  rows: number;
  /** cells[col * rows + row]: the count that falls in that band at that step. */
  cells: Float64Array;
  /** The largest cell (0 when every count is 0). */
  max: number;
}

export const DEFAULT_ROWS = 64;

/** The value range covering every histogram's edges; a zero-width range is widened by 0.5 each side. */
export function valueRange(histograms: readonly Hist[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of histograms) {
    const n = h.bins.length;
    if (n === 0) continue;
    if (h.bins[0]! < lo) lo = h.bins[0]!;
    if (h.bins[n - 1]! > hi) hi = h.bins[n - 1]!;
  }
  if (!(lo <= hi)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Adds histogram `h` into `out[offset .. offset + rows)`, the bands of [lo, hi]. Each source bin's
 * count is shared among the bands it overlaps in proportion to the overlap (counts are assumed
 * spread evenly within a bin), so the column's total equals the histogram's; a zero-width bin goes
 * whole to the band holding its edge. Parts outside [lo, hi] are clamped into the end bands.
 */
export function rebin(h: Hist, lo: number, hi: number, rows: number, out: Float64Array, offset = 0): void {
  const band = (hi - lo) / rows;
  const rowOf = (v: number): number => Math.min(rows - 1, Math.max(0, Math.floor((v - lo) / band)));
  const n = Math.min(h.counts.length, h.bins.length - 1);
  for (let i = 0; i < n; i++) {
    const c = h.counts[i]!;
    if (!(c > 0)) continue;
    const a = Math.max(lo, h.bins[i]!);
    const b = Math.min(hi, h.bins[i + 1]!);
    if (!(b > a)) {
      out[offset + rowOf(h.bins[i]!)]! += c;
      continue;
    }
    const r0 = rowOf(a);
    let r1 = rowOf(b);
    // A bin ending exactly on a band's lower edge does not reach into that band.
    if (r1 > r0 && lo + r1 * band >= b) r1--;
    if (r0 === r1) {
      out[offset + r0]! += c;
      continue;
    }
    const per = c / (b - a);
    let given = 0;
    for (let r = r0; r < r1; r++) {
      const share = (Math.min(b, lo + (r + 1) * band) - Math.max(a, lo + r * band)) * per;
      if (share > 0) {
        out[offset + r]! += share;
        given += share;
      }
    }
    // The last band takes the rest, so rounding never loses or invents counts.
    const rest = c - given;
    if (rest > c * 1e-9) out[offset + r1]! += rest;
  }
}

/** Re-bins every histogram onto one common axis of `rows` bands: columns follow `steps`. */
export function buildHeatmap(steps: readonly number[], histograms: readonly Hist[], rows = DEFAULT_ROWS): Heatmap {
  const [lo, hi] = valueRange(histograms);
  const cols = Math.min(steps.length, histograms.length);
  const cells = new Float64Array(cols * rows);
  for (let c = 0; c < cols; c++) rebin(histograms[c]!, lo, hi, rows, cells, c * rows);
  let max = 0;
  for (let i = 0; i < cells.length; i++) if (cells[i]! > max) max = cells[i]!;
  return { steps: steps.slice(0, cols), lo, hi, rows, cells, max };
}

/**
 * Pixel edges of the columns across `width` pixels: n + 1 ascending numbers from 0 to width, the
 * boundary between two columns halfway between their steps, so x stays proportional to step even
 * where sampling left gaps.
 */
export function columnEdges(steps: readonly number[], width: number): number[] {
  const n = steps.length;
  if (n === 0) return [0];
  if (n === 1) return [0, width];
  const first = steps[0]!;
  const last = steps[n - 1]!;
  const pad = (last - first) / (n - 1) / 2;
  const span = last - first + 2 * pad;
  const x = (s: number) => ((s - first + pad) / span) * width;
  const edges = [0];
  for (let i = 0; i < n - 1; i++) edges.push(x((steps[i]! + steps[i + 1]!) / 2));
  edges.push(width);
  return edges;
}

/** The column under pixel x (edges from columnEdges), or -1 outside. */
export function columnAt(edges: readonly number[], x: number): number {
  if (edges.length < 2 || x < edges[0]! || x >= edges[edges.length - 1]!) return -1;
  let a = 0;
  let b = edges.length - 2;
  while (a < b) {
    const m = (a + b + 1) >> 1;
    if (edges[m]! <= x) a = m;
    else b = m - 1;
  }
  return a;
}

export interface Cell { step: number; lo: number; hi: number; count: number }

/** What one cell holds: its step, its value band and its (re-binned) count. */
export function cellAt(hm: Heatmap, col: number, row: number): Cell | null {
  if (col < 0 || col >= hm.steps.length || row < 0 || row >= hm.rows) return null;
  const band = (hm.hi - hm.lo) / hm.rows;
  return { step: hm.steps[col]!, lo: hm.lo + row * band, hi: row === hm.rows - 1 ? hm.hi : hm.lo + (row + 1) * band, count: hm.cells[col * hm.rows + row]! };
}

/**
 * Colour strength of a count, 0 to 1, on a log-like scale (log1p), so a few outlying counts stay
 * visible beside a tall peak; 0 only for an empty cell.
 */
export function intensity(count: number, max: number): number {
  if (!(count > 0) || !(max > 0)) return 0;
  return Math.min(1, Math.log1p(count) / Math.log1p(max));
}

// Light blue to dark indigo: an empty cell stays the panel's background.
const STOPS: readonly (readonly [number, number, number])[] = [
  [231, 238, 252], [158, 188, 240], [84, 128, 220], [52, 72, 180], [28, 30, 110],
];

/** RGB of a strength from intensity(): t = 0 is background (null), anything above a visible shade. */
export function colourOf(t: number): [number, number, number] | null {
  if (!(t > 0)) return null;
  const x = Math.min(1, t) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}
