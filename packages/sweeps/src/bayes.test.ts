import { describe, expect, it } from "vitest";
import { branin, mixed } from "./bench/functions.js";
import { mulberry32, parseSweepConfig, searchSpace, suggest, warmStartTrials, type SweepConfig, type Trial } from "./index.js";

const braninConfig = (method: "bayes" | "tpe" | "random"): SweepConfig =>
  parseSweepConfig({ method, metric: { name: "y", goal: "minimize" }, parameters: branin.parameters });

function run(config: SweepConfig, f: (p: Record<string, unknown>) => number, budget: number, seed: number, batch = 1): Trial[] {
  const rng = mulberry32(seed);
  const trials: Trial[] = [];
  while (trials.length < budget) {
    const ps = suggest(config, trials, Math.min(batch, budget - trials.length), rng);
    for (const params of ps) trials.push({ params, value: f(params), state: "finished" });
  }
  return trials;
}

const bestOf = (trials: Trial[]) => Math.min(...trials.map((t) => t.value!));
// Branin's box is 15 x 15; scale distances to the unit square.
const dist = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Math.hypot(((a.x1 as number) - (b.x1 as number)) / 15, ((a.x2 as number) - (b.x2 as number)) / 15);

describe("bayes", () => {
  it("finds Branin's minimum region faster than random search", () => {
    for (const seed of [1, 2]) {
      const bayes = bestOf(run(braninConfig("bayes"), branin.f, 30, seed));
      const random = bestOf(run(braninConfig("random"), branin.f, 30, seed));
      expect(bayes - branin.optimum).toBeLessThan(0.1);
      expect(bayes).toBeLessThan(random);
    }
  });

  it("gives 8 agents asking at once 8 distinct, spread-out points", () => {
    const trials = run(braninConfig("bayes"), branin.f, 20, 3);
    const batch = suggest(braninConfig("bayes"), trials, 8, mulberry32(4));
    expect(batch).toHaveLength(8);
    expect(new Set(batch.map((p) => JSON.stringify(p))).size).toBe(8);
    let minD = Infinity;
    for (let i = 0; i < 8; i++) for (let j = 0; j < i; j++) minD = Math.min(minD, dist(batch[i], batch[j]));
    // Near-duplicates would be ~1e-3 apart; kriging believer keeps them well apart.
    expect(minD).toBeGreaterThan(0.02);
  });

  it("treats running trials as pending: a new suggestion avoids them", () => {
    const trials = run(braninConfig("bayes"), branin.f, 15, 5);
    const [first] = suggest(braninConfig("bayes"), trials, 1, mulberry32(6));
    const [second] = suggest(braninConfig("bayes"), [...trials, { params: first, value: null, state: "running" }], 1, mulberry32(6));
    expect(dist(first, second)).toBeGreaterThan(0.01);
  });

  it("handles categorical, integer and log-scaled parameters and returns valid values", () => {
    const config = parseSweepConfig({ method: "bayes", metric: { name: "y", goal: "minimize" }, parameters: mixed.parameters });
    const trials = run(config, mixed.f, 40, 7, 4);
    for (const t of trials) {
      expect(["sgd", "adam", "rmsprop"]).toContain(t.params.optimizer);
      expect(Number.isInteger(t.params.layers)).toBe(true);
      expect(t.params.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(t.params.lr as number).toBeLessThanOrEqual(1);
      expect([16, 32, 64, 128, 256]).toContain(t.params.batch);
    }
    expect(bestOf(trials)).toBeLessThan(0.3);
  });

  it("maximizes when the goal is maximize", () => {
    const config = parseSweepConfig({ method: "bayes", metric: { name: "y", goal: "maximize" }, parameters: branin.parameters });
    const trials = run(config, (p) => -branin.f(p), 30, 8);
    // Minimizing by mistake would head for Branin's maximum (about -300 here).
    expect(Math.max(...trials.map((t) => t.value!))).toBeGreaterThan(-branin.optimum - 0.5);
  });

  it("keeps working with thousands of trials (subsampled model)", () => {
    const rng = mulberry32(9);
    const config = braninConfig("bayes");
    const trials: Trial[] = suggest(braninConfig("random"), [], 2000, rng).map((params) => ({ params, value: branin.f(params), state: "finished" }));
    const [p] = suggest(config, trials, 1, rng);
    expect(branin.f(p)).toBeLessThan(5);
  });
});

describe("warm start", () => {
  it("keeps prior trials that fit the space, fills missing dims and drops out-of-range ones", () => {
    const space = searchSpace(parseSweepConfig({ method: "bayes", metric: { name: "y" }, parameters: { x1: { distribution: "uniform", min: -5, max: 10 }, k: { values: ["a", "b"] }, c: { value: 3 } } }));
    const kept = warmStartTrials(space, [
      { params: { x1: 1.5, k: "b" }, value: 2, state: "finished" },
      { params: { x1: 1.5 }, value: 3, state: "finished" },
      { params: { x1: 50, k: "a" }, value: 1, state: "finished" },
      { params: { x1: 1, k: "zzz" }, value: 1, state: "finished" },
      { params: { other: 1 }, value: 1, state: "finished" },
      { params: { x1: 2, k: "a" }, value: null, state: "failed" },
    ]);
    expect(kept).toEqual([
      { params: { x1: 1.5, k: "b", c: 3 }, value: 2, state: "finished" },
      { params: { x1: 1.5, k: "a", c: 3 }, value: 3, state: "finished" },
    ]);
  });

  it("seeds the model: with a prior sweep's trials the first suggestions start near the optimum", () => {
    const prior = run(braninConfig("bayes"), branin.f, 30, 10);
    const space = searchSpace(braninConfig("bayes"));
    const seeded = warmStartTrials(space, prior);
    const ps = suggest(braninConfig("bayes"), seeded, 3, mulberry32(11));
    expect(Math.min(...ps.map(branin.f)) - branin.optimum).toBeLessThan(0.5);
  });
});
