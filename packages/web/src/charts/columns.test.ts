import { describe, expect, it } from "vitest";
import { appendColumn, decodeReply, planRequests } from "./columns";

describe("planRequests", () => {
  it("asks for every key of up to 100 runs in one request when small", () => {
    expect(planRequests(["a", "b"], ["k1", "k2"], 1000)).toEqual([{ runs: ["a", "b"], keys: ["k1", "k2"] }]);
  });

  it("splits more than 100 runs", () => {
    const runs = Array.from({ length: 250 }, (_, i) => `r${i}`);
    expect(planRequests(runs, ["k"], 100).map((r) => r.runs.length)).toEqual([100, 100, 50]);
  });

  it("splits keys so keys x runs x maxPoints stays within 2,000,000", () => {
    const runs = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const plan = planRequests(runs, keys, 1000);
    expect(plan.every((p) => p.runs.length * p.keys.length * 1000 <= 2_000_000)).toBe(true);
    expect(plan.flatMap((p) => p.keys)).toEqual(keys);
  });
});

describe("decodeReply and appendColumn", () => {
  it("decodes wire strings and gives absent keys empty columns", () => {
    const m = decodeReply({ xAxis: "_step", runs: [{ runId: "a", series: [{ key: "k", x: [0, 1], y: [1, "NaN"], count: 2, sampled: false }] }] }, ["k", "j"]);
    expect(Number.isNaN(m.get("a")!.get("k")!.y[1]!)).toBe(true);
    expect(m.get("a")!.get("j")!.x.length).toBe(0);
  });

  it("appends only points past what the column already has", () => {
    const base = { x: Float64Array.from([0, 1]), y: Float64Array.from([5, 6]) };
    const more = { x: Float64Array.from([1, 2, 3]), y: Float64Array.from([6, 7, 8]) };
    const out = appendColumn(base, more);
    expect([...out.x]).toEqual([0, 1, 2, 3]);
    expect([...out.y]).toEqual([5, 6, 7, 8]);
    expect(appendColumn(out, { x: Float64Array.from([3]), y: Float64Array.from([1]) })).toBe(out);
  });
});
