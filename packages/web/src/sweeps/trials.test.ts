import { describe, expect, it } from "vitest";
import { bestSoFar, flatTrials, flattenParams, nextTrialSort, paramDims, progressSegments, sortTrials } from "./trials";
import type { SweepTrial } from "./wire";

function trial(runId: string, state: SweepTrial["state"], value: number | null, params: Record<string, unknown>): SweepTrial {
  return { runId, state, value, params, attempt: 1, agentId: "a1", createdAt: "2026-01-01T00:00:00Z", endedAt: null, earlyStopped: false };
}

describe("sweep trials", () => {
  it("flattens nested params to dotted names and keeps arrays as values", () => {
    expect(flattenParams({ optimizer: { lr: 0.1, betas: [0.9, 0.99] }, layers: 3 })).toEqual({ "optimizer.lr": 0.1, "optimizer.betas": [0.9, 0.99], layers: 3 });
  });

  it("reads each parameter's axis kind from its distribution, inferred the way W&B infers it", () => {
    const config = {
      parameters: {
        optimizer: { parameters: { lr: { distribution: "log_uniform_values", min: 1e-5, max: 1e-1 }, name: { values: ["adam", "sgd"] } } },
        dropout: { min: 0.0, max: 0.5 },
        epochs: { value: 10 },
        batch: { distribution: "q_log_uniform_values", min: 16, max: 256, q: 16 },
      },
    };
    const dims = paramDims(config, [{ "optimizer.name": "lion" }]);
    expect(dims).toEqual([
      { name: "optimizer.lr", kind: "log" },
      { name: "optimizer.name", kind: "categorical", categories: ["adam", "sgd", "lion"] },
      { name: "dropout", kind: "linear" },
      { name: "epochs", kind: "constant" },
      { name: "batch", kind: "log" },
    ]);
  });

  it("adds parameters the config does not name, guessing numeric or categorical from the values", () => {
    const dims = paramDims({}, [{ a: 1, b: "x" }, { a: 2, b: "y" }]);
    expect(dims).toEqual([{ name: "a", kind: "linear" }, { name: "b", kind: "categorical", categories: ["x", "y"] }]);
  });

  it("the best-so-far line only improves and skips trials without a finished value", () => {
    const ts = flatTrials([
      trial("a", "finished", 0.5, {}), trial("b", "running", null, {}), trial("c", "finished", 0.7, {}),
      trial("d", "failed", 0.1, {}), trial("e", "finished", 0.6, {}),
    ]);
    expect(bestSoFar(ts, "minimize")).toEqual({ x: [1, 3, 5], values: [0.5, 0.7, 0.6], best: [0.5, 0.5, 0.5] });
    expect(bestSoFar(ts, "maximize").best).toEqual([0.5, 0.7, 0.7]);
  });

  it("sorts by a param column with missing values last in both directions", () => {
    const ts = flatTrials([trial("a", "finished", 1, { lr: 0.2 }), trial("b", "finished", 2, {}), trial("c", "finished", 3, { lr: 0.1 })]);
    expect(sortTrials(ts, { key: "param:lr", dir: "asc" }).map((t) => t.runId)).toEqual(["c", "a", "b"]);
    expect(sortTrials(ts, { key: "param:lr", dir: "desc" }).map((t) => t.runId)).toEqual(["a", "c", "b"]);
  });

  it("a first click on the value column puts the best trial first", () => {
    expect(nextTrialSort({ key: "number", dir: "asc" }, "value", "maximize")).toEqual({ key: "value", dir: "desc" });
    expect(nextTrialSort({ key: "value", dir: "desc" }, "value", "maximize")).toEqual({ key: "value", dir: "asc" });
  });

  it("the progress bar fills up to run_cap and shows what remains", () => {
    const counts = { pending: 3, running: 2, finished: 5, failed: 1, crashed: 0, stopped: 0, lost: 1, total: 9 };
    const p = progressSegments({ counts, runCap: 20, gridSize: null });
    expect(p.whole).toBe(20);
    expect(p.segments).toEqual([
      { state: "finished", count: 5 }, { state: "running", count: 2 }, { state: "failed", count: 1 }, { state: "lost", count: 1 }, { state: "remaining", count: 11 },
    ]);
    expect(progressSegments({ counts, runCap: null, gridSize: null }).whole).toBe(9);
  });
});

describe("sweep routes", () => {
  it("the sweeps list and a sweep's page parse back from their paths", async () => {
    const { parseRoute, paths } = await import("../state/router");
    expect(parseRoute(paths.sweeps("ada", "digits"))).toEqual({ page: "sweeps", entity: "ada", project: "digits" });
    expect(parseRoute(paths.sweep("ada", "digits", "sw 1"))).toEqual({ page: "sweep", entity: "ada", project: "digits", sweepId: "sw 1" });
  });
});
