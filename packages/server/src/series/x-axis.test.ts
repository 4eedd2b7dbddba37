// Re-plotting series against another x axis: interpolation between the x series' samples, points
// outside its steps dropped, x ranges turned into step ranges, and sorting for drawing.
import { describe, expect, it } from "vitest";
import type { SeriesColumns } from "@orrery/store";
import { finiteSamples, reindexByX, stepRangeForX } from "./x-axis.js";

const col = (x: number[], y: number[], extra: Partial<SeriesColumns> = {}): SeriesColumns =>
  ({ key: "loss", x, y, count: x.length, sampled: false, ...extra });

describe("reindexByX", () => {
  it("gives each point the x series' value at its step, interpolated linearly between samples", () => {
    const time = { x: [0, 10, 20], y: [100, 200, 400] };
    const out = reindexByX(col([0, 5, 10, 15, 20], [1, 2, 3, 4, 5]), time);
    expect(out).toEqual({ key: "loss", x: [100, 150, 200, 300, 400], y: [1, 2, 3, 4, 5], count: 5, sampled: false });
  });

  it("drops points whose step lies outside the x series' steps", () => {
    const epoch = { x: [10, 20], y: [1, 2] };
    const out = reindexByX(col([0, 10, 15, 20, 30], [9, 8, 7, 6, 5]), epoch);
    expect(out.x).toEqual([1, 1.5, 2]);
    expect(out.y).toEqual([8, 7, 6]);
    expect(out.count).toBe(3);
  });

  it("keeps the store's count when the series was bucketed", () => {
    const out = reindexByX(col([0, 50, 99], [1, 2, 3], { count: 100, sampled: true }), { x: [0, 99], y: [0, 9.9] });
    expect(out).toMatchObject({ count: 100, sampled: true });
    expect(out.x[1]).toBeCloseTo(5);
  });

  it("sorts by x for drawing, keeping step order among equal x", () => {
    // A wall clock that jumped back (a resumed run on another machine).
    const time = { x: [0, 1, 2, 3], y: [10, 20, 5, 20] };
    const out = reindexByX(col([0, 1, 2, 3], [0, 1, 2, 3]), time);
    expect(out.x).toEqual([5, 10, 20, 20]);
    expect(out.y).toEqual([2, 0, 1, 3]);
  });

  it("filters by x when a range is given, and handles NaN in either series", () => {
    const xs = { x: [0, 1, 2, 3, 4], y: [0, NaN, 2, 3, 4] };
    const out = reindexByX(col([0, 1, 2, 3, 4], [NaN, 1, Infinity, 3, 4]), xs, { min: 1, max: 3 });
    // The NaN sample is skipped: step 1 interpolates between steps 0 and 2.
    expect(out.x).toEqual([1, 2, 3]);
    expect(out.y).toEqual([1, Infinity, 3]);
  });

  it("returns an empty series when the x series has no samples", () => {
    expect(reindexByX(col([0, 1], [1, 2]), { x: [], y: [] })).toEqual({ key: "loss", x: [], y: [], count: 0, sampled: false });
  });

  it("finds its place in long series both by walking and by bisecting", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => i * 3);
    const xs = { x: steps, y: steps.map((s) => s / 3) };
    const points = [1, 2, 4, 5000, 5001, 29_996];
    const out = reindexByX(col(points, points.map(() => 0)), xs);
    expect(out.x).toEqual(points.map((p) => p / 3));
  });
});

describe("stepRangeForX", () => {
  const time = { x: [0, 10, 20, 30, 40], y: [100, 110, 120, 130, 140] };

  it("reaches one sample beyond each end of the x range", () => {
    expect(stepRangeForX(time, 115, 125)).toEqual({ min: 10, max: 30 });
    expect(stepRangeForX(time, 110, 130)).toEqual({ min: 0, max: 40 });
    expect(stepRangeForX(time, undefined, 105)).toEqual({ min: 0, max: 10 });
    expect(stepRangeForX(time, 135, undefined)).toEqual({ min: 30, max: 40 });
  });

  it("is null when no sample lies in the range", () => {
    expect(stepRangeForX(time, 150, 160)).toBeNull();
    expect(stepRangeForX(time, 10, 20)).toBeNull();
    expect(stepRangeForX({ x: [], y: [] }, 0, 1)).toBeNull();
  });

  it("reads every step when the x series does not grow with step", () => {
    expect(stepRangeForX({ x: [0, 1, 2], y: [5, 1, 3] }, 2, 4)).toEqual({ min: 0, max: 2 });
  });
});

describe("finiteSamples", () => {
  it("drops samples whose value is not finite and keeps the rest in order", () => {
    expect(finiteSamples({ x: [0, 1, 2, 3], y: [1, NaN, -Infinity, 4] })).toEqual({ x: [0, 3], y: [1, 4] });
  });
});
