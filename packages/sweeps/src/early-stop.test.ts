import { describe, expect, it } from "vitest";
import { brackets, earlyStop, parseSweepConfig, type RunHistory } from "./index.js";

const cfg = (et: Record<string, unknown>, goal = "minimize") =>
  parseSweepConfig({ method: "random", metric: { name: "loss", goal }, parameters: { a: { values: [1] } }, early_terminate: et });

describe("hyperband (W&B semantics)", () => {
  it("places brackets at min_iter * eta^k, or below max_iter by dividing by eta s times", () => {
    expect(brackets(cfg({ type: "hyperband", min_iter: 3 }).early_terminate!).slice(0, 4)).toEqual([3, 9, 27, 81]);
    expect(brackets(cfg({ type: "hyperband", max_iter: 27, s: 2 }).early_terminate!)).toEqual([3, 9]);
    expect(brackets(cfg({ type: "hyperband", max_iter: 5, s: 2, eta: 2 }).early_terminate!)).toEqual([1, 2]);
  });

  it("reproduces W&B's documented example (max_iter 5, eta 2, s 2)", () => {
    // The runs of W&B's hyperband_stop_runs docstring. With W&B's current indexing (the value at
    // iteration b is history[b - 1]) b stops, and c sits exactly at the threshold and continues.
    const runs: RunHistory[] = [
      { runId: "a", values: [10, 9], running: false },
      { runId: "b", values: [10, 10], running: true },
      { runId: "c", values: [10, 8, 8], running: true },
      { runId: "d", values: [10, 7, 7], running: true },
      { runId: "e", values: [10, 6, 6], running: false },
    ];
    // bands [1, 2]; thresholds: iter 1 -> sorted [10 x5][floor(5/2)] = 10; iter 2 -> [6,7,8,9,10][2] = 8.
    const strict = earlyStop(cfg({ type: "hyperband", max_iter: 5, eta: 2, s: 2 }), runs);
    expect(strict.sort()).toEqual(["b"]);
    // Non-strict compares the best value so far: b's best (10) is still worse than 8.
    expect(earlyStop(cfg({ type: "hyperband", max_iter: 5, eta: 2, s: 2, strict: false }), runs)).toEqual(["b"]);
  });

  it("stops the running runs below the (1/eta) quantile at their latest bracket", () => {
    // min_iter 2, eta 3 -> brackets 2, 6, 18. Nine runs reach iteration 2 with values 1..9;
    // threshold = sorted[floor(9/3)] = 4: a run with value > 4 at iteration 2 stops.
    const runs: RunHistory[] = Array.from({ length: 9 }, (_, i) => ({ runId: `r${i + 1}`, values: [20, i + 1], running: true }));
    const stopped = earlyStop(cfg({ type: "hyperband", min_iter: 2 }), runs);
    expect(stopped.sort()).toEqual(["r5", "r6", "r7", "r8", "r9"]);
  });

  it("judges only runs that reached a bracket and never finished ones", () => {
    const runs: RunHistory[] = [
      { runId: "young", values: [100], running: true },
      { runId: "good", values: [5, 1], running: true },
      { runId: "done", values: [50, 50], running: false },
      { runId: "bad", values: [9, 9], running: true },
    ];
    // bracket 2: values [1, 50, 9] -> sorted [1, 9, 50], threshold index floor(3/3)=1 -> 9; 9 > 9 is false.
    expect(earlyStop(cfg({ type: "hyperband", min_iter: 2 }), runs)).toEqual([]);
    runs.push({ runId: "worse", values: [3, 12], running: true });
    // now [1, 9, 12, 50] -> threshold sorted[1] = 9: "worse" (12) stops, "bad" (9) does not.
    expect(earlyStop(cfg({ type: "hyperband", min_iter: 2 }), runs)).toEqual(["worse"]);
  });

  it("negates a maximized metric", () => {
    const runs: RunHistory[] = Array.from({ length: 6 }, (_, i) => ({ runId: `r${i}`, values: [i], running: true }));
    // maximize: -values sorted [-5..0], threshold index floor(6/3)=2 -> -3: runs with acc < 3 stop.
    expect(earlyStop(cfg({ type: "hyperband", min_iter: 1 }, "maximize"), runs).sort()).toEqual(["r0", "r1", "r2"]);
  });

  it("ignores NaN values in the history, as W&B filters invalid ones", () => {
    const runs: RunHistory[] = [
      { runId: "a", values: [NaN, 1], running: true },
      { runId: "b", values: [2], running: true },
      { runId: "c", values: [3], running: true },
    ];
    // a's history is [1]; threshold at iteration 1 = sorted [1, 2, 3][1] = 2; only c is worse.
    expect(earlyStop(cfg({ type: "hyperband", min_iter: 1 }), runs)).toEqual(["c"]);
  });
});

describe("ASHA", () => {
  it("keeps the top 1/eta of the runs at the highest rung each run reached", () => {
    const runs: RunHistory[] = Array.from({ length: 6 }, (_, i) => ({ runId: `r${i}`, values: [i], running: true }));
    // rung 1: 6 runs, keep floor(6/3) = 2: r0 and r1 continue.
    expect(earlyStop(cfg({ type: "asha", min_iter: 1 }), runs).sort()).toEqual(["r2", "r3", "r4", "r5"]);
  });

  it("does not stop a run that is alone at its rung, nor runs before the first rung", () => {
    const runs: RunHistory[] = [
      { runId: "lead", values: [5, 5, 5], running: true },
      { runId: "late", values: [1], running: true },
    ];
    // rungs 3, 9: lead is alone at rung 3; late has not reached it.
    expect(earlyStop(cfg({ type: "asha", min_iter: 3 }), runs)).toEqual([]);
  });

  it("judges a run at its latest rung, where finished runs count too", () => {
    const runs: RunHistory[] = [
      { runId: "f1", values: [1, 1, 1], running: false },
      { runId: "f2", values: [2, 2, 2], running: false },
      { runId: "f3", values: [3, 3, 3], running: false },
      { runId: "x", values: [9, 2.5, 2.5], running: true },
      { runId: "y", values: [0.5, 0.5, 0.5], running: true },
    ];
    // eta 2, min_iter 1 -> rungs 1, 2, 4. Rung 2: [0.5, 1, 2, 2.5, 3] keep floor(5/2)=2 -> x (2.5) stops, y stays.
    expect(earlyStop(cfg({ type: "asha", min_iter: 1, eta: 2 }), runs)).toEqual(["x"]);
  });
});
