import { describe, expect, it } from "vitest";
import { DEFAULT_WORKSPACE, MAX_CHART_RUNS, parseWorkspace, workspacePatch, type WorkspaceState } from "./workspace";

function roundTrip(change: Partial<WorkspaceState>): WorkspaceState {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(workspacePatch(change))) if (v !== null) p.set(k, v);
  return parseWorkspace(new URLSearchParams(p.toString()));
}

describe("workspace state in the URL", () => {
  it("an empty query gives the defaults", () => {
    expect(parseWorkspace(new URLSearchParams())).toEqual(DEFAULT_WORKSPACE);
  });

  it("every setting survives a trip through the query string", () => {
    const state: WorkspaceState = {
      columns: ["config.optimizer.lr", "summary.val/acc"], pinned: ["summary.val/acc"],
      filter: "config.optimizer.lr < 0.01 and state = finished", search: "resnet", sort: "summary.val/acc:desc",
      groupBy: ["config.optimizer.name", "config.lr"], band: "std", hidden: ["r1", "r2"], selected: ["r3", "r1"], chartRuns: 25, smoothing: 0.6, xAxis: "_runtime",
      logY: ["train/loss"], panelSearch: "val", collapsed: ["train"],
      insights: "pc:config.lr%3Alog,summary.val/acc|summary.val/acc~sc:config.lr,summary.val/acc", brush: "summary.val/acc:0.8:0.95",
    };
    expect(roundTrip(state)).toEqual(state);
  });

  it("settings at their defaults leave the query string", () => {
    expect(workspacePatch({ chartRuns: 10, smoothing: 0, xAxis: "_step", filter: "" })).toEqual({ runs: null, smooth: null, x: null, filter: null });
  });

  it("removing every column is kept apart from a first visit", () => {
    const patch = workspacePatch({ columns: [] });
    expect(patch.cols).not.toBeNull();
    const p = new URLSearchParams({ cols: patch.cols! });
    expect(p.has("cols")).toBe(true);
    expect(parseWorkspace(p).columns).toEqual([]);
  });

  it("out-of-range numbers are clamped and junk falls back to the defaults", () => {
    expect(parseWorkspace(new URLSearchParams({ runs: "5000", smooth: "3" }))).toMatchObject({ chartRuns: MAX_CHART_RUNS, smoothing: 0.99 });
    expect(parseWorkspace(new URLSearchParams({ runs: "ten", smooth: "x" }))).toMatchObject({ chartRuns: 10, smoothing: 0 });
  });

  it("groups by several keys, ~-separated in the URL, in the order chosen", () => {
    expect(workspacePatch({ groupBy: ["config.optimizer", "config.lr"] })).toEqual({ group: "config.optimizer~config.lr" });
    expect(parseWorkspace(new URLSearchParams({ group: "config.optimizer~config.lr" })).groupBy).toEqual(["config.optimizer", "config.lr"]);
    // A link from before multi-key grouping still opens grouped by its one key.
    expect(parseWorkspace(new URLSearchParams({ group: "state" })).groupBy).toEqual(["state"]);
  });

  it("drops repeated and empty group keys, and no keys leaves the URL", () => {
    expect(parseWorkspace(new URLSearchParams({ group: "state~~state~group" })).groupBy).toEqual(["state", "group"]);
    expect(workspacePatch({ groupBy: [] })).toEqual({ group: null });
  });

  it("the band is min/max unless the URL asks for std", () => {
    expect(parseWorkspace(new URLSearchParams({ band: "std" })).band).toBe("std");
    expect(parseWorkspace(new URLSearchParams({ band: "bogus" })).band).toBe("minmax");
    expect(workspacePatch({ band: "minmax" })).toEqual({ band: null });
  });

  it("pins that name no visible column are dropped", () => {
    expect(parseWorkspace(new URLSearchParams({ cols: "config.a", pin: "config.a~config.b" })).pinned).toEqual(["config.a"]);
  });
});
