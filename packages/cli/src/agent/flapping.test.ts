import { describe, expect, it } from "vitest";
import { FlappingDetector } from "./flapping.js";

const rule = { startupWindowMs: 5_000, maxInitialFailures: 3, firstRuns: 5, maxConsecutiveFailures: 5 };

describe("the flapping rule", () => {
  it("counts only failures within the startup window as startup failures", () => {
    const d = new FlappingDetector(rule);
    expect(d.isStartupFailure(true, 200)).toBe(true);
    expect(d.isStartupFailure(true, 6_000)).toBe(false);
    expect(d.isStartupFailure(false, 200)).toBe(false);
  });

  it("stops on the third startup failure among the first five runs", () => {
    const d = new FlappingDetector(rule);
    expect([true, false, true].map((f) => d.record(f))).toEqual([null, null, null]);
    expect(d.record(true)).toMatch(/3 of the first 4 runs failed within 5s of starting/);
  });

  it("forgives early failures once five runs went by", () => {
    const d = new FlappingDetector(rule);
    for (const f of [true, true, false, false, false, true, true]) expect(d.record(f)).toBeNull();
  });

  it("stops on five startup failures in a row at any point", () => {
    const d = new FlappingDetector(rule);
    for (let i = 0; i < 10; i++) d.record(false);
    for (let i = 0; i < 4; i++) expect(d.record(true)).toBeNull();
    expect(d.record(true)).toMatch(/last 5 runs in a row/);
  });
});
