import { describe, expect, it } from "vitest";
import { mulberry32, parseSweepConfig, suggest } from "./index.js";

const N = 20_000;

function draw(spec: Record<string, unknown>, seed = 7): unknown[] {
  const c = parseSweepConfig({ method: "random", parameters: { p: spec } });
  return suggest(c, [], N, mulberry32(seed)).map((s) => s.p);
}

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/** Mean within 5 standard errors, variance within 6%. */
function expectMoments(xs: number[], mean: number, variance: number): void {
  const m = moments(xs);
  expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / xs.length));
  expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.06);
}

const nums = (xs: unknown[]): number[] => xs as number[];
const logs = (xs: unknown[]): number[] => nums(xs).map(Math.log);

describe("random search samples each distribution with the right moments", () => {
  it("uniform", () => expectMoments(nums(draw({ distribution: "uniform", min: 2, max: 5 })), 3.5, 0.75));

  it("int_uniform draws every integer in [min, max] evenly", () => {
    const xs = nums(draw({ min: 1, max: 6 }));
    expect(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 6)).toBe(true);
    expect(new Set(xs).size).toBe(6);
    expectMoments(xs, 3.5, 35 / 12);
  });

  it("q_uniform lands on multiples of q", () => {
    const xs = nums(draw({ distribution: "q_uniform", min: 0, max: 10, q: 2 }));
    expect(xs.every((x) => x % 2 === 0 && x >= 0 && x <= 10)).toBe(true);
    expect(moments(xs).mean).toBeCloseTo(5, 0);
  });

  it("log_uniform takes min and max as natural-log exponents", () => {
    const xs = draw({ distribution: "log_uniform", min: -3, max: 0 });
    expectMoments(logs(xs), -1.5, 9 / 12);
  });

  it("log_uniform_values takes min and max as values", () => {
    const xs = draw({ distribution: "log_uniform_values", min: 1e-4, max: 1 });
    const a = Math.log(1e-4);
    expect(nums(xs).every((x) => x >= 1e-4 && x <= 1)).toBe(true);
    expectMoments(logs(xs), a / 2, (a * a) / 12);
  });

  it("q_log_uniform_values gives quantized values in range", () => {
    const xs = nums(draw({ distribution: "q_log_uniform_values", min: 1, max: 1000, q: 1 }));
    expect(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 1000)).toBe(true);
    expect(moments(logs(xs)).mean).toBeGreaterThan(3.2);
    expect(moments(logs(xs)).mean).toBeLessThan(3.7);
  });

  it("q_log_uniform quantizes exp(U(min, max))", () => {
    const xs = nums(draw({ distribution: "q_log_uniform", min: 0, max: 5, q: 5 }));
    expect(xs.every((x) => x % 5 === 0 && x <= Math.exp(5) + 5)).toBe(true);
  });

  it("inv_log_uniform is exp(-U(min, max))", () => {
    const xs = draw({ distribution: "inv_log_uniform", min: 0, max: 3 });
    expect(nums(xs).every((x) => x <= 1 && x >= Math.exp(-3))).toBe(true);
    expectMoments(logs(xs), -1.5, 0.75);
  });

  it("inv_log_uniform_values spans [min, max] as values", () => {
    const xs = draw({ distribution: "inv_log_uniform_values", min: 0.1, max: 10 });
    const w = 2 * Math.log(10);
    expectMoments(logs(xs), 0, (w * w) / 12);
  });

  it("normal and q_normal", () => {
    expectMoments(nums(draw({ distribution: "normal", mu: 2, sigma: 3 })), 2, 9);
    const q = nums(draw({ distribution: "q_normal", mu: 10, sigma: 3, q: 2 }));
    expect(q.every((x) => x % 2 === 0)).toBe(true);
    expect(Math.abs(moments(q).mean - 10)).toBeLessThan(0.15);
  });

  it("log_normal and q_log_normal", () => {
    expectMoments(logs(draw({ distribution: "log_normal", mu: 0, sigma: 0.5 })), 0, 0.25);
    const q = nums(draw({ distribution: "q_log_normal", mu: 3, sigma: 0.5, q: 1 }));
    expect(q.every((x) => Number.isInteger(x) && x > 0)).toBe(true);
  });

  it("beta and q_beta", () => {
    expectMoments(nums(draw({ distribution: "beta", a: 2, b: 5 })), 2 / 7, 10 / (49 * 8));
    const q = nums(draw({ distribution: "q_beta", a: 2, b: 2, q: 0.1 }));
    expect(q.every((x) => x >= 0 && x <= 1 && Math.abs(x * 10 - Math.round(x * 10)) < 1e-9)).toBe(true);
  });

  it("categorical picks each value evenly, and by its probability when given", () => {
    const even = draw({ values: ["a", "b", "c", "d"] });
    for (const v of ["a", "b", "c", "d"]) expect(Math.abs(even.filter((x) => x === v).length / N - 0.25)).toBeLessThan(0.015);
    const weighted = draw({ values: ["a", "b", "c"], probabilities: [0.7, 0.2, 0.1] });
    [0.7, 0.2, 0.1].forEach((p, i) => expect(Math.abs(weighted.filter((x) => x === "abc"[i]).length / N - p)).toBeLessThan(0.015));
  });

  it("constant always gives its value", () => {
    expect(new Set(draw({ value: { nested: true } }).map((x) => JSON.stringify(x)))).toEqual(new Set(['{"nested":true}']));
  });

  it("nested parameters come back under dotted names", () => {
    const c = parseSweepConfig({ method: "random", parameters: { optimizer: { parameters: { lr: { min: 0.0, max: 1.5 }, name: { values: ["adam"] } } } } });
    const [p] = suggest(c, [], 1, mulberry32(1));
    expect(Object.keys(p)).toEqual(["optimizer.lr", "optimizer.name"]);
  });
});
