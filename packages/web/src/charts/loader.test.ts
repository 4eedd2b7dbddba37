import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HistoryQuery, MultiSeriesResponse } from "../api/client";
import { ChartLoader } from "./loader";

/** A fake server: every run logged `k` and `j` at steps 0..last[run]. */
function fakeServer(last: Record<string, number>) {
  const calls: HistoryQuery[] = [];
  const fetch = async (q: HistoryQuery): Promise<MultiSeriesResponse> => {
    calls.push(q);
    return {
      xAxis: q.x ?? "_step",
      runs: q.runs.filter((r) => r in last).map((runId) => ({
        runId,
        series: q.keys.map((key) => {
          const x: number[] = [];
          for (let s = q.min ?? 0; s <= last[runId]!; s++) x.push(s);
          return { key, x, y: x.map((v) => v * 2), count: x.length, sampled: false };
        }),
      })),
    };
  };
  return { calls, fetch };
}

describe("ChartLoader", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] }));
  afterEach(() => vi.useRealTimers());

  it("loads all visible keys of all runs in one request", async () => {
    const srv = fakeServer({ a: 3, b: 4 });
    const l = new ChartLoader(srv.fetch, "_step");
    l.setRuns([{ id: "a", lastStep: 3, state: "finished" }, { id: "b", lastStep: 4, state: "finished" }]);
    l.setVisible("k", true);
    l.setVisible("j", true);
    expect(l.loading("k")).toBe(true);
    await vi.runAllTimersAsync();
    expect(srv.calls).toHaveLength(1);
    expect(srv.calls[0]!.runs).toEqual(["a", "b"]);
    expect(srv.calls[0]!.keys.sort()).toEqual(["j", "k"]);
    expect([...l.column("b", "k")!.x]).toEqual([0, 1, 2, 3, 4]);
    expect(l.loading("k")).toBe(false);
  });

  it("fetches only the new range of a run whose lastStep grew and appends it", async () => {
    const last = { a: 3 };
    const srv = fakeServer(last);
    const l = new ChartLoader(srv.fetch, "_step");
    l.setRuns([{ id: "a", lastStep: 3, state: "running" }]);
    l.setVisible("k", true);
    await vi.runAllTimersAsync();
    const v = l.version("k");
    last.a = 6;
    l.setRuns([{ id: "a", lastStep: 6, state: "running" }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(srv.calls).toHaveLength(2);
    expect(srv.calls[1]).toMatchObject({ runs: ["a"], keys: ["k"], min: 4 });
    expect([...l.column("a", "k")!.x]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(l.version("k")).toBeGreaterThan(v);
  });

  it("fetches a growing run at most once a second", async () => {
    const last = { a: 1 };
    const srv = fakeServer(last);
    const l = new ChartLoader(srv.fetch, "_step");
    l.setRuns([{ id: "a", lastStep: 1, state: "running" }]);
    l.setVisible("k", true);
    await vi.runAllTimersAsync();
    for (let s = 2; s < 7; s++) {
      last.a = s;
      l.setRuns([{ id: "a", lastStep: s, state: "running" }]);
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(3000);
    expect(srv.calls.length).toBeLessThanOrEqual(4);
    expect([...l.column("a", "k")!.x]).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("does not fetch keys that no panel shows", async () => {
    const srv = fakeServer({ a: 1 });
    const l = new ChartLoader(srv.fetch, "_step");
    l.setRuns([{ id: "a", lastStep: 1, state: "finished" }]);
    await vi.runAllTimersAsync();
    expect(srv.calls).toHaveLength(0);
  });
});
