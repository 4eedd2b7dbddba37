import { describe, expect, it } from "vitest";
import { gridSize, mulberry32, parseSweepConfig, suggest, type Trial } from "./index.js";

const config = parseSweepConfig({
  method: "grid",
  parameters: {
    a: { values: [1, 2, 3] },
    b: { value: "x" },
    opt: { parameters: { n: { min: 0, max: 1 }, q: { distribution: "q_uniform", min: 0, max: 1, q: 0.5 } } },
  },
});

describe("grid search", () => {
  it("counts the grid exactly", () => {
    expect(gridSize(config)).toBe(3 * 1 * 2 * 3);
    expect(gridSize(parseSweepConfig({ method: "random", parameters: { x: { min: 0.0, max: 1.5 } } }))).toBeNull();
  });

  it("enumerates every point once, in order, the last parameter varying fastest", () => {
    const all = suggest(config, [], 100, mulberry32(1));
    expect(all).toHaveLength(18);
    expect(new Set(all.map((p) => JSON.stringify(p))).size).toBe(18);
    expect(all[0]).toEqual({ a: 1, b: "x", "opt.n": 0, "opt.q": 0 });
    expect(all[1]).toEqual({ a: 1, b: "x", "opt.n": 0, "opt.q": 0.5 });
    expect(all[3]).toEqual({ a: 1, b: "x", "opt.n": 1, "opt.q": 0 });
    expect(all[17]).toEqual({ a: 3, b: "x", "opt.n": 1, "opt.q": 1 });
  });

  it("skips points already used and returns nothing once exhausted", () => {
    const rng = mulberry32(1);
    const trials: Trial[] = [];
    for (let round = 0; round < 5; round++) {
      for (const params of suggest(config, trials, 4, rng)) trials.push({ params, value: null, state: "running" });
    }
    expect(trials).toHaveLength(18);
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(18);
    expect(suggest(config, trials, 4, rng)).toEqual([]);
  });

  it("starts at gridIndex and still finds a skipped point by wrapping", () => {
    const all = suggest(config, [], 18, mulberry32(1));
    const used: Trial[] = all.slice(0, 10).filter((_, i) => i !== 4).map((params) => ({ params, value: 1, state: "finished" }));
    const next = suggest(config, used, 20, mulberry32(1), { gridIndex: 10 });
    expect(next[0]).toEqual(all[10]);
    expect(next).toHaveLength(9);
    expect(next[8]).toEqual(all[4]);
  });
});
