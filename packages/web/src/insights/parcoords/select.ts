// Owns which runs lie inside every brush, fast enough to redo on each pointer move at 100,000 runs:
// each axis keeps its runs sorted by value once (a per-axis sorted index), so a range brush is two
// binary searches and a walk over the runs inside it, and a category brush is a walk over its
// categories' runs. The selection is a Uint8Array mask, recomputed in O(n) typed-array passes.
// Pure.
import type { Brush } from "../context";
import { brushAccepts } from "../brush";
import type { Cell, Column } from "../scale";

export interface SortedIndex {
  key: string;
  column: Column;
  /** Run indices with a value, ascending by value (numbers) or by category code. */
  order: Uint32Array;
  /** Numbers: the values in `order`'s order (for binary search). */
  sorted: Float64Array;
  /** Categories: order[starts[c] .. starts[c + 1]) are category c's runs. */
  starts: Uint32Array;
}

export function buildIndex(column: Column): SortedIndex {
  if (column.kind === "category") {
    // Counting sort by code: O(n).
    const k = column.categories.length;
    const starts = new Uint32Array(k + 1);
    const codes = column.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) starts[codes[i]! + 1]!++;
    for (let c = 0; c < k; c++) starts[c + 1] = starts[c + 1]! + starts[c]!;
    const order = new Uint32Array(starts[k]!);
    const fill = starts.slice(0, k);
    for (let i = 0; i < codes.length; i++) { const c = codes[i]!; if (c >= 0) order[fill[c]!++] = i; }
    return { key: column.key, column, order, sorted: new Float64Array(0), starts };
  }
  const v = column.values;
  let m = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) m++;
  const order = new Uint32Array(m);
  for (let i = 0, j = 0; i < v.length; i++) if (v[i] === v[i]) order[j++] = i;
  order.sort((a, b) => v[a]! - v[b]!);
  const sorted = new Float64Array(m);
  for (let j = 0; j < m; j++) sorted[j] = v[order[j]!]!;
  return { key: column.key, column, order, sorted, starts: new Uint32Array(0) };
}

/** First position whose value is >= x (or > x with `after`). */
function bound(a: Float64Array, x: number, after: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (after ? a[mid]! <= x : a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The runs one brush keeps, as spans of `index.order` ([from, to) pairs). */
export function brushSpans(index: SortedIndex, brush: Brush): [number, number][] | null {
  const col = index.column;
  if (brush.kind === "range" && col.kind === "number") return [[bound(index.sorted, brush.lo, false), bound(index.sorted, brush.hi, true)]];
  if (brush.kind === "cats" && col.kind === "category") {
    const spans: [number, number][] = [];
    for (const lit of brush.values) {
      const c = col.categories.indexOf(lit);
      if (c >= 0) spans.push([index.starts[c]!, index.starts[c + 1]!]);
    }
    return spans;
  }
  // A brush of the other kind (the key's values changed type since the link was made).
  return null;
}

export interface BrushInput {
  brush: Brush;
  /** The brushed key's index, or null when only raw cells are at hand. */
  index: SortedIndex | null;
  cells: readonly Cell[];
}

/**
 * Marks in `mask` (length n) the runs inside every brush and returns how many there are. `counts`
 * is scratch space of length n, reused between calls to spare the garbage collector on drags.
 */
export function selectBrushed(n: number, brushes: readonly BrushInput[], mask: Uint8Array, counts: Uint8Array): number {
  if (!brushes.length) {
    mask.fill(1, 0, n);
    return n;
  }
  counts.fill(0, 0, n);
  for (const b of brushes) {
    const spans = b.index ? brushSpans(b.index, b.brush) : null;
    if (spans) {
      const order = b.index!.order;
      for (const [from, to] of spans) for (let p = from; p < to; p++) counts[order[p]!]!++;
    } else {
      for (let i = 0; i < n; i++) if (brushAccepts(b.brush, b.cells[i])) counts[i]!++;
    }
  }
  const need = brushes.length;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const inside = counts[i] === need ? 1 : 0;
    mask[i] = inside;
    count += inside;
  }
  return count;
}
