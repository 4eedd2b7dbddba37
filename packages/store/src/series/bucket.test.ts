import { describe, expect, it } from "vitest";
import { bucketMinMax } from "./bucket.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("bucketMinMax", () => {
  it("returns short input unchanged", () => {
    const r = bucketMinMax([1, 2, 3], [4, 5, 6], 10);
    expect(r).toEqual({ x: [1, 2, 3], y: [4, 5, 6], sampled: false });
  });

  it("never returns more points than asked", () => {
    for (const maxPoints of [2, 3, 10, 999, 1000]) {
      const xs = range(100_000);
      const r = bucketMinMax(xs, xs.map((i) => Math.sin(i / 50)), maxPoints);
      expect(r.x.length).toBeLessThanOrEqual(maxPoints);
      expect(r.y.length).toBe(r.x.length);
      expect(r.sampled).toBe(true);
    }
  });

  it("keeps a single-point spike", () => {
    const xs = range(1_000_000);
    const ys = xs.map(() => 1);
    ys[777_777] = 1e9;
    ys[123_456] = -5;
    const r = bucketMinMax(xs, ys, 500);
    expect(Math.max(...r.y)).toBe(1e9);
    expect(r.x[r.y.indexOf(1e9)]).toBe(777_777);
    expect(Math.min(...r.y)).toBe(-5);
  });

  it("keeps x in ascending order", () => {
    const xs = range(10_000);
    const r = bucketMinMax(xs, xs.map((i) => (i * 7919) % 101), 100);
    for (let i = 1; i < r.x.length; i++) expect(r.x[i]).toBeGreaterThan(r.x[i - 1]);
  });

  it("ignores NaN for min and max but shows an all-NaN bucket as a gap", () => {
    const xs = range(100);
    const ys = xs.map((i) => (i < 50 ? NaN : i === 60 ? Infinity : i));
    const r = bucketMinMax(xs, ys, 4);
    expect(Number.isNaN(r.y[0])).toBe(true);
    expect(r.y).toContain(Infinity);
    expect(r.y).toContain(50);
  });
});
