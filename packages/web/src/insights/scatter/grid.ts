// Owns finding the point under the mouse among 100,000: a uniform grid over the plot's pixels
// (cells of `cell` px) holding each point's index, built in two O(n) passes (count, then fill, as
// a CSR layout in typed arrays), so a hover looks at the few cells around the pointer only. Pure.

export interface SpatialGrid {
  cell: number;
  cols: number;
  rows: number;
  /** Points of cell c are items[starts[c] .. starts[c + 1]). */
  starts: Uint32Array;
  items: Uint32Array;
  px: Float32Array;
  py: Float32Array;
}

/** Indexes points at pixel (px[i], py[i]) (NaN: not drawn, not indexed) inside width x height. */
export function buildGrid(px: Float32Array, py: Float32Array, width: number, height: number, cell = 8): SpatialGrid {
  const cols = Math.max(1, Math.ceil(width / cell));
  const rows = Math.max(1, Math.ceil(height / cell));
  const n = px.length;
  const cellOf = new Int32Array(n);
  const starts = new Uint32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) {
    const x = px[i]!;
    const y = py[i]!;
    if (x !== x || y !== y || x < 0 || y < 0 || x >= width || y >= height) { cellOf[i] = -1; continue; }
    const c = ((y / cell) | 0) * cols + ((x / cell) | 0);
    cellOf[i] = c;
    starts[c + 1]!++;
  }
  for (let c = 0; c < cols * rows; c++) starts[c + 1] = starts[c + 1]! + starts[c]!;
  const items = new Uint32Array(starts[cols * rows]!);
  const fill = starts.slice(0, cols * rows);
  for (let i = 0; i < n; i++) { const c = cellOf[i]!; if (c >= 0) items[fill[c]!++] = i; }
  return { cell, cols, rows, starts, items, px, py };
}

/**
 * The point nearest (x, y) within `radius` px, or -1. Among equally near points the one drawn last
 * (the larger `onTop[i]`, its place in the draw order) wins.
 */
export function nearest(g: SpatialGrid, x: number, y: number, radius: number, onTop?: Uint32Array): number {
  const r = Math.ceil(radius / g.cell);
  const cx = Math.floor(x / g.cell);
  const cy = Math.floor(y / g.cell);
  let best = -1;
  let bestD = radius * radius;
  for (let row = Math.max(0, cy - r); row <= Math.min(g.rows - 1, cy + r); row++) {
    for (let col = Math.max(0, cx - r); col <= Math.min(g.cols - 1, cx + r); col++) {
      const c = row * g.cols + col;
      for (let k = g.starts[c]!; k < g.starts[c + 1]!; k++) {
        const i = g.items[k]!;
        const dx = g.px[i]! - x;
        const dy = g.py[i]! - y;
        const d = dx * dx + dy * dy;
        if (d < bestD || (d === bestD && best >= 0 && onTop !== undefined && onTop[i]! > onTop[best]!)) {
          best = i;
          bestD = d;
        }
      }
    }
  }
  return best;
}
