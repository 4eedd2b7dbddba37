import { describe, expect, it } from "vitest";
import { groupStats, sampleColumns } from "./groups";

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

describe("sampleColumns", () => {
  it("averages a run's points within a column", () => {
    const s = sampleColumns({ x: [0, 0.5], y: [1, 3] }, 0, 10, 10);
    expect(s[0]).toBe(2);
  });
});
