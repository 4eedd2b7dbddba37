// The forest surrogate on synthetic data: it must find the parameter the target depends on, fit
// it, handle categories and missing values, and give the same answer for the same seed.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "@orrery/sweeps";
import { fitForest, type Feature } from "./forest.js";

/** n rows: a, b, c uniform in 0..63 (as codes); y = f(a, b, c) plus a little noise. */
function synthetic(n: number, seed: number, f: (a: number, b: number, c: number) => number) {
  const rng = mulberry32(seed);
  const cols = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const col of cols) col[i] = 1 + Math.floor(rng() * 62);
    y[i] = f(cols[0]![i]!, cols[1]![i]!, cols[2]![i]!) + 0.01 * (rng() - 0.5);
  }
  return { features: cols.map((codes): Feature => ({ codes, ordered: true })), y };
}

const small = { trees: 40, maxDepth: 8, minLeaf: 3, seed: 7 };

describe("fitForest", () => {
  it("finds that y depends on a and not on b or c", () => {
    const { features, y } = synthetic(600, 1, (a) => Math.sin(a / 10));
    const fit = fitForest(features, y, small);
    expect(fit.importance[0]).toBeGreaterThan(20 * Math.max(fit.importance[1]!, fit.importance[2]!, 1e-9));
    expect(fit.oobR2).toBeGreaterThan(0.9);
  });

  it("weighs two informative parameters above a noise one", () => {
    const { features, y } = synthetic(800, 2, (a, b) => a / 64 + 0.5 * (b > 32 ? 1 : 0));
    const fit = fitForest(features, y, small);
    expect(fit.importance[0]).toBeGreaterThan(fit.importance[2]! * 5);
    expect(fit.importance[1]).toBeGreaterThan(fit.importance[2]! * 5);
  });

  it("splits categories by any subset, in any code order", () => {
    const rng = mulberry32(3);
    const n = 500;
    const cat = new Uint8Array(n);
    const noise = new Uint8Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      cat[i] = 1 + Math.floor(rng() * 6);
      noise[i] = 1 + Math.floor(rng() * 6);
      y[i] = cat[i] === 2 || cat[i] === 5 ? 1 : 0; // not a threshold of the codes
    }
    const fit = fitForest([{ codes: cat, ordered: false }, { codes: noise, ordered: false }], y, small);
    expect(fit.importance[0]).toBeGreaterThan(50 * Math.max(fit.importance[1]!, 1e-9));
    expect(fit.predict([5, 1])).toBeCloseTo(1, 1);
    expect(fit.predict([3, 1])).toBeCloseTo(0, 1);
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const { features, y } = synthetic(300, 4, (a, b) => a + b / 4);
    const one = fitForest(features, y, small);
    const two = fitForest(features, y, small);
    expect(two.importance).toEqual(one.importance);
    expect(two.oobR2).toBe(one.oobR2);
    expect(fitForest(features, y, { ...small, seed: 8 }).importance).not.toEqual(one.importance);
  });

  it("gives no importance and no R² when the target is constant", () => {
    const { features } = synthetic(100, 5, () => 0);
    const fit = fitForest(features, new Float64Array(100).fill(0.7), small);
    expect(fit.importance).toEqual([0, 0, 0]);
    expect(fit.oobR2).toBeNull();
  });
});
