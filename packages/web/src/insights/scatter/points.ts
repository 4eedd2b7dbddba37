// Owns the scatter's pixels: where each run's point goes (categories spread over their band with a
// fixed jitter so equal values do not hide each other), and drawing many points into a pixel buffer
// as small squares, back to front. Pure (no DOM).
import { position, type Column, type Scale } from "../scale";

/** A fixed pseudo-random offset in [-0.5, 0.5) per run, so a redraw puts points in the same place. */
function jitter(i: number): number {
  return ((Math.imul(i + 1, 2654435761) >>> 0) / 4294967296) - 0.5;
}

/** Pixel coordinate of each run along one axis: from + pos * span (NaN where the run has no position). */
export function pixelAxis(col: Column, s: Scale, from: number, span: number): Float32Array {
  const n = col.kind === "number" ? col.values.length : col.codes.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let p: number;
    if (col.kind === "category") {
      p = position(s, col.codes[i]!);
      if (p === p) p += (jitter(i) * 0.6) / Math.max(1, s.count) * (s.flip ? -1 : 1);
    } else {
      p = position(s, col.values[i]!);
    }
    out[i] = p !== p ? NaN : from + p * span;
  }
  return out;
}

/** Draws `size` x `size` squares centred on (px, py) in `order` (back to front); returns how many were drawn. */
export function drawPoints(
  buf: Uint32Array, width: number, height: number, px: Float32Array, py: Float32Array, order: Uint32Array, colors: Uint32Array, size: number,
): number {
  const h = size >> 1;
  let drawn = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const x = px[i]!;
    const y = py[i]!;
    if (x !== x || y !== y) continue;
    drawn++;
    const c = colors[i]!;
    const x0 = Math.max(0, (x | 0) - h);
    const x1 = Math.min(width, (x | 0) - h + size);
    const y0 = Math.max(0, (y | 0) - h);
    const y1 = Math.min(height, (y | 0) - h + size);
    for (let r = y0; r < y1; r++) buf.fill(c, r * width + x0, r * width + x1);
  }
  return drawn;
}
