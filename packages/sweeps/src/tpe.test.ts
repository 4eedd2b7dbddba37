import { describe, expect, it } from "vitest";
import { branin, mixed } from "./bench/functions.js";
import { mulberry32, parseSweepConfig, suggest, type SweepConfig, type Trial } from "./index.js";

function run(config: SweepConfig, f: (p: Record<string, unknown>) => number, budget: number, seed: number, batch = 1): Trial[] {
  const rng = mulberry32(seed);
  const trials: Trial[] = [];
  while (trials.length < budget) {
    for (const params of suggest(config, trials, Math.min(batch, budget - trials.length), rng)) trials.push({ params, value: f(params), state: "finished" });
  }
  return trials;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe("tpe", () => {
  it("beats random search on Branin over a few seeds", () => {
    const cfg = (method: string) => parseSweepConfig({ method, metric: { name: "y" }, parameters: branin.parameters });
    const tpe = [1, 2, 3, 4, 5].map((s) => Math.min(...run(cfg("tpe"), branin.f, 60, s).map((t) => t.value!)));
    const random = [1, 2, 3, 4, 5].map((s) => Math.min(...run(cfg("random"), branin.f, 60, s).map((t) => t.value!)));
    expect(median(tpe)).toBeLessThan(median(random));
    expect(median(tpe) - branin.optimum).toBeLessThan(0.5);
  });

  it("returns valid, distinct mixed-type points in a batch", () => {
    const config = parseSweepConfig({ method: "tpe", metric: { name: "y" }, parameters: mixed.parameters });
    const trials = run(config, mixed.f, 40, 3, 8);
    for (const t of trials) {
      expect(Number.isInteger(t.params.layers)).toBe(true);
      expect([16, 32, 64, 128, 256]).toContain(t.params.batch);
    }
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(40);
  });
});
