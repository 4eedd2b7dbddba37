import { describe, expect, it } from "vitest";
import { paramImportance, pearson, ranks, spearman } from "./importance";
import type { ParamDim } from "./trials";

/** Deterministic uniform numbers for building trials. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe("correlations", () => {
  it("pearson is 1 for a straight rising line, -1 for a falling one, and null when a side is constant", () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1, 1, 1], [1, 2, 3, 4])).toBeNull();
  });

  it("spearman is 1 for any monotone relation, where pearson is less", () => {
    const x = [1, 2, 3, 4, 5, 6];
    const y = x.map((v) => Math.exp(v));
    expect(spearman(x, y)).toBeCloseTo(1, 12);
    expect(pearson(x, y)!).toBeLessThan(0.95);
  });

  it("tied values share their mean rank", () => {
    expect(ranks([10, 20, 20, 30])).toEqual([0, 1.5, 1.5, 3]);
  });
});

describe("parameter importance", () => {
  const dims: ParamDim[] = [
    { name: "lr", kind: "log" },
    { name: "dropout", kind: "linear" },
    { name: "opt", kind: "categorical", categories: ["adam", "sgd", "rmsprop"] },
    { name: "seed", kind: "constant" },
  ];

  function trials(n: number, f: (p: { lr: number; dropout: number; opt: string }) => number) {
    const r = lcg(7);
    const params: Record<string, unknown>[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = { lr: 10 ** (-5 + 4 * r()), dropout: r() * 0.5, opt: ["adam", "sgd", "rmsprop"][Math.floor(r() * 3)]! };
      params.push({ ...p, seed: 0 });
      values.push(f(p));
    }
    return { params, values };
  }

  it("credits nearly all of the importance to the one parameter the metric depends on", () => {
    const res = paramImportance(dims, trials(200, (p) => Math.log10(p.lr) ** 2));
    expect(res[0]!.name).toBe("lr");
    expect(res[0]!.importance).toBeGreaterThan(0.8);
    expect(res.reduce((a, b) => a + b.importance, 0)).toBeCloseTo(1, 9);
  });

  it("finds a categorical parameter's effect and gives it no correlation", () => {
    const res = paramImportance(dims, trials(200, (p) => (p.opt === "sgd" ? 1 : 0) + 0.01 * p.dropout));
    const opt = res.find((r) => r.name === "opt")!;
    expect(res[0]!.name).toBe("opt");
    expect(opt.pearson).toBeNull();
    expect(opt.spearman).toBeNull();
  });

  it("measures a log-scaled parameter's correlation in log space", () => {
    const res = paramImportance(dims, trials(100, (p) => -Math.log10(p.lr)));
    const lr = res.find((r) => r.name === "lr")!;
    expect(lr.pearson).toBeCloseTo(-1, 9);
    expect(lr.spearman).toBeCloseTo(-1, 9);
  });

  it("leaves constant parameters out and gives the same answer for the same trials", () => {
    const t = trials(80, (p) => p.dropout + p.lr * 100);
    const a = paramImportance(dims, t);
    expect(a.map((r) => r.name)).not.toContain("seed");
    expect(paramImportance(dims, t)).toEqual(a);
  });

  it("reports zero importance rather than dividing by zero when the metric never varies", () => {
    const res = paramImportance(dims, trials(30, () => 0.5));
    expect(res.every((r) => r.importance === 0)).toBe(true);
  });

  it("computes a correlation from the trials that carry a conditional parameter", () => {
    const res = paramImportance([{ name: "momentum", kind: "linear" }], {
      params: [{ momentum: 0.1 }, {}, { momentum: 0.5 }, { momentum: 0.9 }, {}, { momentum: 0.3 }],
      values: [1, 7, 5, 9, -3, 3],
    });
    expect(res[0]!.pearson).toBeCloseTo(1, 9);
  });
});
