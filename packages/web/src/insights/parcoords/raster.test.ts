import { describe, expect, it } from "vitest";
import { drawLinesOpaque, drawOrder, pixelYs } from "./raster";

const W = 20;
const H = 10;
const RED = 0xff0000ff;
const BLUE = 0xffff0000;
const scratch = () => new Int32Array(4 * H * H);

function geometry(ys: number[][], xs = [0, 10, 19]) {
  return { width: W, height: H, xs: Int32Array.from(xs), ys: ys.map((a) => Float32Array.from(a)) };
}

/** The reference: every selected line's segments drawn back to front, no skipping. */
function naive(g: ReturnType<typeof geometry>, order: number[], colors: number[]): Uint32Array {
  const buf = new Uint32Array(W * H);
  for (const i of order) {
    // One line at a time through the real raster: with a single line nothing can be skipped.
    const single = { ...g, ys: g.ys.map((a) => Float32Array.from([a[i]!])) };
    drawLinesOpaque(buf, single, Uint32Array.from([0]), null, Uint32Array.from([colors[i]!]), scratch());
  }
  return buf;
}

describe("the line raster", () => {
  it("turns 0..1 positions into whole pixel rows, top = 1, and keeps missing values missing", () => {
    expect(Array.from(pixelYs(Float32Array.from([0, 1, 0.5, NaN, 2, 0.26]), 2, 6))).toEqual([8, 2, 5, NaN, 2, 6]);
  });

  it("draws a flat line across every column between the first and last axis", () => {
    const buf = new Uint32Array(W * H);
    drawLinesOpaque(buf, geometry([[4], [4], [4]]), Uint32Array.from([0]), null, RED, scratch());
    const row = Array.from(buf.subarray(4 * W, 5 * W));
    expect(row.slice(0, 19).every((p) => p === RED)).toBe(true);
    expect(buf.filter((p) => p !== 0).length).toBe(19);
  });

  it("draws steep segments one pixel per row, without gaps", () => {
    const buf = new Uint32Array(W * H);
    drawLinesOpaque(buf, geometry([[0], [9]], [5, 7]), Uint32Array.from([0]), null, RED, scratch());
    for (let r = 0; r < 9; r++) expect(Array.from(buf.subarray(r * W, (r + 1) * W)).some((p) => p === RED), `row ${r}`).toBe(true);
  });

  it("breaks a line where an axis has no value and skips unselected lines", () => {
    const buf = new Uint32Array(W * H);
    drawLinesOpaque(buf, geometry([[1, 8], [NaN, 8], [1, 8]]), Uint32Array.from([0, 1]), Uint8Array.from([1, 0]), RED, scratch());
    expect(buf.every((p) => p === 0)).toBe(true);
  });

  it("draws only the topmost of segments with the same end rows, and the picture is what drawing them all gives", () => {
    // Lines 0 and 2 share both segments' rows; line 1 crosses them; draw order 0, 1, 2.
    const g = geometry([[2, 7, 2], [6, 3, 6], [6, 3, 6]]);
    const colors = [RED, BLUE, 0xff00ff00];
    const buf = new Uint32Array(W * H);
    const segments = drawLinesOpaque(buf, g, Uint32Array.from([0, 1, 2]), null, Uint32Array.from(colors), scratch());
    expect(segments).toBe(4);
    expect(Array.from(buf)).toEqual(Array.from(naive(g, [0, 1, 2], colors)));
  });

  it("matches the line-by-line picture on random lines with a mask", () => {
    let a = 9;
    const r = () => { a = (a * 16807) % 2147483647; return a / 2147483647; };
    const n = 200;
    const g = geometry([0, 1, 2].map(() => Array.from({ length: n }, () => Math.floor(r() * 4) * 3)));
    const colors = Array.from({ length: n }, (_, i) => 0xff000000 + i);
    const mask = Uint8Array.from({ length: n }, () => (r() < 0.6 ? 1 : 0));
    const order = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
    const buf = new Uint32Array(W * H);
    drawLinesOpaque(buf, g, Uint32Array.from(order), mask, Uint32Array.from(colors), scratch());
    expect(Array.from(buf)).toEqual(Array.from(naive(g, order.filter((i) => mask[i] === 1), colors)));
  });

  it("orders lines by rank, lowest first and missing ranks before all", () => {
    expect(Array.from(drawOrder(Float32Array.from([0.9, -1, 0.1, 0.5, 0.1])))).toEqual([1, 2, 4, 3, 0]);
  });
});
