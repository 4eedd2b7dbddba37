import { describe, expect, it } from "vitest";
import { buildGrid, nearest } from "./grid";

describe("the scatter's spatial grid", () => {
  it("finds the nearest point within the radius, across cell borders", () => {
    const px = Float32Array.from([10, 15.5, 100, NaN]);
    const py = Float32Array.from([10, 16.5, 50, 5]);
    const g = buildGrid(px, py, 200, 100, 8);
    expect(g.items.length).toBe(3);
    expect(nearest(g, 11, 11, 8)).toBe(0);
    expect(nearest(g, 16, 17, 8)).toBe(1);
    expect(nearest(g, 99, 52, 8)).toBe(2);
    expect(nearest(g, 60, 60, 8)).toBe(-1);
  });

  it("prefers the point drawn on top among equally near ones", () => {
    const px = Float32Array.from([10, 10]);
    const py = Float32Array.from([10, 10]);
    const g = buildGrid(px, py, 50, 50, 8);
    expect(nearest(g, 10, 10, 5, Uint32Array.from([1, 0]))).toBe(0);
    expect(nearest(g, 10, 10, 5, Uint32Array.from([0, 1]))).toBe(1);
  });

  it("leaves out points outside the plot", () => {
    const g = buildGrid(Float32Array.from([-1, 500]), Float32Array.from([1, 1]), 100, 100, 8);
    expect(g.items.length).toBe(0);
  });

  it("answers a hover among 100,000 points in well under a millisecond on average", () => {
    const n = 100_000;
    const px = new Float32Array(n);
    const py = new Float32Array(n);
    for (let i = 0; i < n; i++) { px[i] = (i * 7919) % 1200; py[i] = (i * 104729) % 300; }
    const g = buildGrid(px, py, 1200, 300, 8);
    const t = performance.now();
    let found = 0;
    for (let k = 0; k < 1000; k++) if (nearest(g, (k * 37) % 1200, (k * 11) % 300, 8) >= 0) found++;
    expect(found).toBeGreaterThan(500);
    expect((performance.now() - t) / 1000).toBeLessThan(1);
  });
});
