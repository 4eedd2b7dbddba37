import { describe, expect, it } from "vitest";
import { smoothEma } from "./smooth";

describe("smoothEma", () => {
  it("debiased EMA starts at the first value", () => {
    expect(smoothEma([5, 5, 5], 0.9)[0]).toBeCloseTo(5);
    expect(smoothEma([5, 5, 5], 0.9)[2]).toBeCloseTo(5);
  });

  it("follows the TensorBoard formula", () => {
    const w = 0.5;
    const out = smoothEma([1, 3], w);
    // ema1 = 0.5, ema2 = 0.25 + 1.5 = 1.75, debiased by 1 - 0.25
    expect(out[1]).toBeCloseTo(1.75 / 0.75);
  });

  it("skips NaN and infinite points without poisoning later values", () => {
    const out = smoothEma([1, NaN, Infinity, 1], 0.6);
    expect(Number.isNaN(out[1]!)).toBe(true);
    expect(Number.isNaN(out[2]!)).toBe(true);
    expect(out[3]).toBeCloseTo(1);
  });

  it("returns the values unchanged with weight 0", () => {
    expect([...smoothEma([1, 2, 3], 0)]).toEqual([1, 2, 3]);
  });
});
