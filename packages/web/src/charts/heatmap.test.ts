import { describe, expect, it } from "vitest";
import { buildHeatmap, cellAt, colourOf, columnAt, columnEdges, intensity, rebin, valueRange } from "./heatmap";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);
const column = (cells: Float64Array, col: number, rows: number) => Array.from(cells.subarray(col * rows, (col + 1) * rows));

describe("re-binning histograms onto a common axis", () => {
  it("the value axis covers every histogram's edges", () => {
    expect(valueRange([{ bins: [-1, 0, 1], counts: [1, 1] }, { bins: [0, 3], counts: [2] }])).toEqual([-1, 3]);
    expect(valueRange([{ bins: [2, 2], counts: [5] }])).toEqual([1.5, 2.5]);
    expect(valueRange([])).toEqual([0, 1]);
  });

  it("a histogram whose bins match the bands is copied as it is", () => {
    const out = new Float64Array(4);
    rebin({ bins: [0, 1, 2, 3, 4], counts: [1, 2, 3, 4] }, 0, 4, 4, out);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });

  it("a wide bin is shared among the bands it covers in proportion to the overlap, and the total is kept", () => {
    const out = new Float64Array(4);
    rebin({ bins: [0, 3, 4], counts: [6, 1] }, 0, 4, 4, out);
    expect(Array.from(out)).toEqual([2, 2, 2, 1]);
    const half = new Float64Array(2);
    rebin({ bins: [0.5, 1.5], counts: [10] }, 0, 2, 2, half);
    expect(Array.from(half)).toEqual([5, 5]);
  });

  it("narrow bins add up inside one band, and a bin ending on a band edge leaves the next band empty", () => {
    const out = new Float64Array(2);
    rebin({ bins: [0, 0.25, 0.5, 1], counts: [1, 2, 3] }, 0, 2, 2, out);
    expect(Array.from(out)).toEqual([6, 0]);
  });

  it("a zero-width bin counts whole in the band holding it", () => {
    const out = new Float64Array(4);
    rebin({ bins: [1.5, 1.5], counts: [7] }, 0, 4, 4, out);
    expect(Array.from(out)).toEqual([0, 7, 0, 0]);
  });

  it("builds one column per step on the union of ranges, keeping each histogram's total", () => {
    const hm = buildHeatmap([0, 10, 20], [
      { bins: [-1, 1], counts: [4] },
      { bins: [-0.5, 0, 0.5], counts: [1, 3] },
      { bins: [0, 2, 3], counts: [2, 2] },
    ], 8);
    expect(hm.lo).toBe(-1);
    expect(hm.hi).toBe(3);
    expect(hm.steps).toEqual([0, 10, 20]);
    expect(hm.cells).toHaveLength(24);
    expect([0, 1, 2].map((c) => sum(column(hm.cells, c, 8)))).toEqual([4, 4, 4]);
    // [-1, 1] in 0.5-wide bands: one per band over four bands.
    expect(column(hm.cells, 0, 8)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(hm.max).toBe(3);
    expect(cellAt(hm, 2, 7)).toEqual({ step: 20, lo: 2.5, hi: 3, count: 1 });
    expect(cellAt(hm, 3, 0)).toBeNull();
  });

  it("keeps totals across thousands of random histograms", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const hs = Array.from({ length: 200 }, () => {
      const lo = rnd() * 10 - 5;
      const bins = [lo];
      for (let i = 0; i < 64; i++) bins.push(bins[i]! + rnd() * 0.3);
      return { bins, counts: Array.from({ length: 64 }, () => Math.floor(rnd() * 100)) };
    });
    const hm = buildHeatmap(hs.map((_, i) => i), hs, 64);
    for (let c = 0; c < hs.length; c++) expect(sum(column(hm.cells, c, 64))).toBeCloseTo(sum(hs[c]!.counts), 6);
  });
});

describe("heatmap geometry and colour", () => {
  it("columns split the width halfway between steps, so x stays proportional to step", () => {
    expect(columnEdges([0, 10, 20], 300)).toEqual([0, 100, 200, 300]);
    expect(columnEdges([5], 120)).toEqual([0, 120]);
    const e = columnEdges([0, 1, 10], 110);
    expect(e[0]).toBe(0);
    expect(e[3]).toBe(110);
    expect(e[2]! - e[1]!).toBeGreaterThan(e[1]! - e[0]!);
  });

  it("finds the column under a pixel and nothing outside the plot", () => {
    const e = columnEdges([0, 10, 20], 300);
    expect([0, 99.9, 100, 250, 299.9].map((x) => columnAt(e, x))).toEqual([0, 0, 1, 2, 2]);
    expect(columnAt(e, -1)).toBe(-1);
    expect(columnAt(e, 300)).toBe(-1);
  });

  it("colour strength grows with the count on a log scale, empty cells staying background", () => {
    expect(intensity(0, 100)).toBe(0);
    expect(intensity(100, 100)).toBe(1);
    expect(intensity(1, 1000)).toBeGreaterThan(0.09);
    expect(intensity(10, 100)).toBeGreaterThan(intensity(5, 100));
    expect(colourOf(0)).toBeNull();
    expect(colourOf(1)).toEqual([28, 30, 110]);
    const faint = colourOf(0.01)!;
    expect(faint[2]).toBeGreaterThan(200);
  });
});
