import { describe, expect, it } from "vitest";
import { pickStep, stepBy, stepIndex } from "./steps";

const STEPS = [0, 5, 10];

describe("pickStep", () => {
  it("shows the last step when none is asked", () => {
    expect(pickStep(STEPS, null)).toBe(10);
  });
  it("shows the asked step when it has images", () => {
    expect(pickStep(STEPS, 5)).toBe(5);
  });
  it("falls back to the last step at or before the asked one", () => {
    expect(pickStep(STEPS, 7)).toBe(5);
    expect(pickStep(STEPS, 99)).toBe(10);
  });
  it("falls back to the first step when the asked one is before them all", () => {
    expect(pickStep(STEPS, -3)).toBe(0);
    expect(pickStep([4, 8], 1)).toBe(4);
  });
  it("has nothing to show without steps", () => {
    expect(pickStep([], 3)).toBeNull();
  });
});

describe("stepping", () => {
  it("finds a step's position, 0 for an unknown one", () => {
    expect(stepIndex(STEPS, 10)).toBe(2);
    expect(stepIndex(STEPS, 3)).toBe(0);
    expect(stepIndex(STEPS, null)).toBe(0);
  });
  it("moves to the neighbouring steps that have images, clamped at the ends", () => {
    expect(stepBy(STEPS, 0, 1)).toBe(5);
    expect(stepBy(STEPS, 5, 1)).toBe(10);
    expect(stepBy(STEPS, 10, 1)).toBe(10);
    expect(stepBy(STEPS, 5, -1)).toBe(0);
    expect(stepBy(STEPS, 0, -1)).toBe(0);
    expect(stepBy(STEPS, 7, 1)).toBe(10);
    expect(stepBy([], 7, 1)).toBeNull();
  });
});
