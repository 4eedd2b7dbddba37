// Importance from run values: binning, kinds, correlations, normalization, ordering, the honest
// message when there are too few runs, and determinism.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "@orrery/sweeps";
import { computeImportance, pearson, sampleIndices, varies } from "./importance.js";

function runs(n: number, seed: number) {
  const rng = mulberry32(seed);
  const lr: number[] = [];
  const s: number[] = [];
  const opt: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    lr.push(10 ** (-5 + 4 * rng()));
    s.push(Math.floor(rng() * 1000));
    opt.push(["adam", "sgd", "lion"][Math.floor(rng() * 3)]!);
    y.push(0.9 - 0.1 * Math.abs(Math.log10(lr[i]!) + 3) + (opt[i] === "sgd" ? -0.05 : 0) + 0.005 * rng());
  }
  return { lr, s, opt, y };
}

const base = { metric: "summary.val/acc", notes: [] as string[] };

describe("computeImportance", () => {
  it("ranks the key the metric depends on first and normalizes importance to 1", () => {
    const { lr, s, opt, y } = runs(300, 1);
    const out = computeImportance({
      ...base, runsTotal: 310, runsUsed: 300, y,
      params: [{ key: "config.seed", values: s }, { key: "config.opt", values: opt }, { key: "config.lr", values: lr }],
    });
    expect(out.enough).toBe(true);
    expect(out.params.map((p) => p.key)).toEqual(["config.lr", "config.opt", "config.seed"]);
    expect(out.params[0]!.importance!).toBeGreaterThan(0.6);
    expect(out.params.reduce((a, p) => a + p.importance!, 0)).toBeCloseTo(1, 9);
    expect(out.params.find((p) => p.key === "config.opt")).toMatchObject({ kind: "category", correlation: null, runs: 300 });
    expect(out.params.find((p) => p.key === "config.seed")!.kind).toBe("number");
    expect(out.message).toMatch(/out-of-bag R² is 0\.\d\d\./);
    expect(out.method).toMatch(/random forest/);
  });

  it("answers the same twice", () => {
    const { lr, s, y } = runs(200, 2);
    const input = { ...base, runsTotal: 200, runsUsed: 200, y, params: [{ key: "config.lr", values: lr }, { key: "config.seed", values: s }] };
    expect(computeImportance(input)).toEqual(computeImportance(input));
  });

  it("treats missing values as their own bin and counts the runs holding a key", () => {
    const { lr, y } = runs(100, 3);
    const partial = lr.map((v, i) => (i % 4 === 0 ? null : v));
    const out = computeImportance({ ...base, runsTotal: 100, runsUsed: 100, y, params: [{ key: "config.lr", values: partial }] });
    expect(out.params[0]).toMatchObject({ runs: 75, importance: 1 });
  });

  it("is honest with too few runs: no importance, correlations from 3 runs", () => {
    const out = computeImportance({ ...base, runsTotal: 12, runsUsed: 5, y: [1, 2, 3, 4, 5], params: [{ key: "config.a", values: [1, 2, 3, 4, 6] }, { key: "config.b", values: ["x", "y", "x", "y", "x"] }] });
    expect(out.enough).toBe(false);
    expect(out.message).toBe("Only 5 runs of the 12 matching runs have a finite summary.val/acc: importance needs at least 10, so only correlations are shown.");
    expect(out.params.map((p) => p.importance)).toEqual([null, null]);
    expect(out.params[0]!.correlation).toBeGreaterThan(0.9);
    const two = computeImportance({ ...base, runsTotal: 2, runsUsed: 2, y: [1, 2], params: [{ key: "config.a", values: [1, 2] }] });
    expect(two.params[0]!.correlation).toBeNull();
    expect(two.message).toMatch(/and correlation 3/);
  });

  it("says so when no key varies", () => {
    const out = computeImportance({ ...base, runsTotal: 50, runsUsed: 50, y: Array.from({ length: 50 }, (_, i) => i), params: [] });
    expect(out).toMatchObject({ enough: false, params: [] });
    expect(out.message).toMatch(/No config key varies across the 50 runs/);
  });

  it("keeps the sampling notes first in the message", () => {
    const { lr, y } = runs(50, 4);
    const out = computeImportance({ ...base, runsTotal: 9000, runsUsed: 8000, y, notes: ["Fitted on a sample."], params: [{ key: "config.lr", values: lr }] });
    expect(out.message).toMatch(/^Fitted on a sample\. The surrogate/);
  });
});

describe("helpers", () => {
  it("samples k distinct indices, ascending, repeatably", () => {
    const a = sampleIndices(10_000, 5_000, 9);
    expect(a).toHaveLength(5_000);
    expect(new Set(a).size).toBe(5_000);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(sampleIndices(10_000, 5_000, 9)).toEqual(a);
    expect(sampleIndices(3, 5, 9)).toEqual([0, 1, 2]);
  });

  it("sees variation only between present values", () => {
    expect(varies([null, 1, 1, null])).toBe(false);
    expect(varies([1, "1"])).toBe(true);
    expect(varies([true, false])).toBe(true);
  });

  it("computes Pearson's r over numeric pairs and refuses constant sides", () => {
    expect(pearson([1, 2, 3, "x"], [2, 4, 6, 100])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});
