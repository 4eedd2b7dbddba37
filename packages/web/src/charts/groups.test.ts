import { describe, expect, it } from "vitest";
import { bandEdges, groupStats, sampleColumns } from "./groups";

describe("groupStats", () => {
  it("takes mean, min and max across runs per column", () => {
    const g = groupStats([{ x: [0, 10], y: [1, 1] }, { x: [0, 10], y: [3, 3] }], 0, 10, 5);
    expect([...g.mean]).toEqual([2, 2, 2, 2, 2]);
    expect([...g.lo]).toEqual([1, 1, 1, 1, 1]);
    expect([...g.hi]).toEqual([3, 3, 3, 3, 3]);
    expect(g.runs).toBe(2);
  });

  it("interpolates runs whose points fall in different columns", () => {
    const g = groupStats([{ x: [0, 10], y: [0, 10] }, { x: [5], y: [5] }], 0, 10, 10);
    expect(g.mean[5]).toBeCloseTo((5.5 + 5) / 2, 5);
  });

  it("leaves columns outside every run's data empty", () => {
    const g = groupStats([{ x: [0, 4], y: [1, 1] }], 0, 10, 10);
    expect(Number.isNaN(g.mean[9]!)).toBe(true);
    expect(g.mean[0]).toBe(1);
  });
});

describe("standard deviation bands", () => {
  it("gives the population standard deviation across runs per column", () => {
    const g = groupStats([{ x: [0, 10], y: [1, 1] }, { x: [0, 10], y: [3, 3] }, { x: [0, 10], y: [5, 5] }], 0, 10, 2);
    expect(g.sd[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(g.sd[1]).toBeCloseTo(Math.sqrt(8 / 3), 12);
  });

  it("is zero for a single run and NaN where no run has a value", () => {
    const g = groupStats([{ x: [0, 4], y: [2, 2] }], 0, 10, 10);
    expect(g.sd[0]).toBe(0);
    expect(Number.isNaN(g.sd[9]!)).toBe(true);
  });

  it("stays exact for large values close together", () => {
    const g = groupStats([{ x: [0, 1], y: [1e9 + 1, 1e9 + 1] }, { x: [0, 1], y: [1e9 + 3, 1e9 + 3] }], 0, 1, 1);
    expect(g.sd[0]).toBe(1);
  });

  it("draws mean ± one SD for std bands and min/max otherwise", () => {
    const g = groupStats([{ x: [0, 10], y: [0, 0] }, { x: [0, 10], y: [10, 10] }, { x: [0, 10], y: [2, 2] }], 0, 10, 1);
    const mm = bandEdges(g, "minmax");
    expect([mm.lo[0], mm.hi[0]]).toEqual([0, 10]);
    const std = bandEdges(g, "std");
    const sd = Math.sqrt(((0 - 4) ** 2 + (10 - 4) ** 2 + (2 - 4) ** 2) / 3);
    expect(std.lo[0]).toBeCloseTo(4 - sd, 12);
    expect(std.hi[0]).toBeCloseTo(4 + sd, 12);
  });
});

describe("sampleColumns", () => {
  it("averages a run's points within a column", () => {
    const s = sampleColumns({ x: [0, 0.5], y: [1, 3] }, 0, 10, 10);
    expect(s[0]).toBe(2);
  });
});
