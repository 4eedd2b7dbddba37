// Owns drawing a modest number of lines (a few thousand) with the canvas's own anti-aliased strokes,
// one path per colour, which looks better than the hand raster (raster.ts) and is fast enough there.
import { css } from "../scale";
import type { LineGeometry } from "./raster";

/** Strokes the lines of `order` whose mask byte is 1 (all without a mask), batched into one path per colour. */
export function strokeLines(
  ctx: CanvasRenderingContext2D, g: LineGeometry, order: Uint32Array, mask: Uint8Array | null, colors: Uint32Array | number, width: number, alpha: number,
): void {
  // Insertion order of the map keeps the draw order between colours (lowest rank first).
  const byColor = new Map<number, number[]>();
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (mask !== null && mask[i] === 0) continue;
    const c = typeof colors === "number" ? colors : colors[i]!;
    let list = byColor.get(c);
    if (!list) byColor.set(c, (list = []));
    list.push(i);
  }
  ctx.lineWidth = width;
  ctx.globalAlpha = alpha;
  ctx.lineJoin = "round";
  for (const [c, list] of byColor) {
    ctx.beginPath();
    for (const i of list) {
      let pen = false;
      for (let a = 0; a < g.xs.length; a++) {
        const y = g.ys[a]![i]!;
        if (y !== y) { pen = false; continue; }
        if (pen) ctx.lineTo(g.xs[a]! + 0.5, y);
        else ctx.moveTo(g.xs[a]! + 0.5, y);
        pen = true;
      }
    }
    ctx.strokeStyle = css(c);
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}
