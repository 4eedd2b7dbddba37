import { describe, expect, it } from "vitest";
import { alignToGrid, extentX, nearestIndex } from "./align";

const drawn = (ys: (number | null)[]) => ys.filter((v): v is number => v !== null);

describe("alignToGrid", () => {
  it("bucketing keeps a single-point spike", () => {
    const n = 100_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = i; y[i] = 1; }
    y[54_321] = 1000;
    const a = alignToGrid([{ x, y }], 0, n - 1, 200);
    expect(Math.max(...drawn(a.ys[0]!))).toBe(1000);
    expect(a.points[0]).toBe(n);
    expect(a.x.length).toBe(402);
  });

  it("keeps each column's min and max in the order they occur", () => {
    const a = alignToGrid([{ x: [0, 0.1, 0.2, 0.3], y: [5, 9, 1, 4] }], 0, 10, 10);
    expect(a.ys[0]!.slice(1, 3)).toEqual([9, 1]);
    const b = alignToGrid([{ x: [0, 0.1, 0.2], y: [5, 1, 9] }], 0, 10, 10);
    expect(b.ys[0]!.slice(1, 3)).toEqual([1, 9]);
  });

  it("puts every series on the same x array", () => {
    const a = alignToGrid([{ x: [0, 10], y: [1, 2] }, { x: [3, 7], y: [3, 4] }], 0, 10, 50);
    expect(a.ys.every((ys) => ys.length === a.x.length)).toBe(true);
    expect(drawn(a.ys[1]!)).toEqual([3, 4]);
  });

  it("a run with a gap keeps its line continuous (nulls between its points, for spanGaps)", () => {
    const a = alignToGrid([{ x: [0, 1, 90, 100], y: [1, 2, 3, 4] }], 0, 100, 100);
    expect(drawn(a.ys[0]!)).toEqual([1, 2, 3, 4]);
    expect(a.ys[0]!.some((v) => v === null)).toBe(true);
  });

  it("skips NaN and infinite values", () => {
    const a = alignToGrid([{ x: [0, 1, 2], y: [1, NaN, Infinity] }], 0, 2, 10);
    expect(drawn(a.ys[0]!)).toEqual([1]);
    expect(a.points[0]).toBe(1);
  });

  it("drops non-positive values in log mode", () => {
    const a = alignToGrid([{ x: [0, 1, 2], y: [1, 0, -3] }], 0, 2, 10, { dropNonPositive: true });
    expect(drawn(a.ys[0]!)).toEqual([1]);
  });

  it("reports the largest x drawn", () => {
    expect(alignToGrid([{ x: [0, 5, 7], y: [1, 2, NaN] }], 0, 10, 10).maxX).toBe(5);
  });

  it("continues a line that crosses the zoomed range's edges along the crossing segment", () => {
    const a = alignToGrid([{ x: [0, 100], y: [0, 100] }], 40, 60, 20);
    const left = a.ys[0]![0]!;
    const right = a.ys[0]![a.x.length - 1]!;
    expect(left).toBeCloseTo(a.x[0]!);
    expect(right).toBeCloseTo(a.x[a.x.length - 1]!);
    expect(a.points[0]).toBe(0);
  });

  it("handles a single x value", () => {
    const a = alignToGrid([{ x: [3], y: [1] }], 3, 3, 10);
    expect(drawn(a.ys[0]!)).toEqual([1]);
  });
});

describe("extentX and nearestIndex", () => {
  it("finds the x range of drawable points", () => {
    expect(extentX([{ x: [1, 2, 3], y: [NaN, 1, 1] }, { x: [5], y: [0] }])).toEqual([2, 5]);
    expect(extentX([{ x: [5], y: [0] }], { dropNonPositive: true })).toBeNull();
  });

  it("finds the nearest x by binary search", () => {
    const x = [0, 10, 20, 30];
    expect(nearestIndex(x, -5)).toBe(0);
    expect(nearestIndex(x, 14)).toBe(1);
    expect(nearestIndex(x, 16)).toBe(2);
    expect(nearestIndex(x, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});
