import { describe, expect, it } from "vitest";
import type { RunRow } from "@orrery/protocol";
import { appendPage, chartRunsFrom, indexRows, mergeFirstPage, mergeLive, replaceRows, rowCountText } from "./rows";

const row = (id: string, over: Partial<RunRow> = {}): RunRow => ({
  id, entity: "e", project: "p", name: `run-${id}`, group: null, jobType: null, tags: [], notes: "", state: "running",
  createdAt: "2026-01-01T00:00:00.000Z", startedAt: null, endedAt: null, heartbeatAt: null, runtime: 1, exitCode: null,
  lastStep: 10, lastSeq: 10, values: { "summary.loss": 0.5 }, ...over,
});

describe("rows", () => {
  it("merges live rows in place, keeping column values and reporting stale and unknown runs", () => {
    const rows = [row("a"), row("b")];
    const m = mergeLive(rows, indexRows(rows), [
      row("b", { state: "finished", lastStep: 20, lastSeq: 25, runtime: 9, values: {} }),
      row("c"),
    ]);
    expect(m.changed).toEqual(["b"]);
    expect(m.stale).toEqual(["b"]);
    expect(m.unknown).toEqual(["c"]);
    expect(m.rows[1]).toMatchObject({ state: "finished", lastStep: 20, runtime: 9, values: { "summary.loss": 0.5 } });
    expect(m.rows[0]).toBe(rows[0]);
    expect(rows[1]!.state).toBe("running");
  });

  it("returns the same array when a live event changes nothing", () => {
    const rows = [row("a")];
    const m = mergeLive(rows, indexRows(rows), [row("a", { values: {} })]);
    expect(m.rows).toBe(rows);
    expect(m.changed).toEqual([]);
  });

  it("replaces refetched rows where they are", () => {
    const rows = [row("a"), row("b")];
    const out = replaceRows(rows, indexRows(rows), [row("b", { values: { "summary.loss": 0.1 } }), row("zz")]);
    expect(out.map((r) => r.values["summary.loss"])).toEqual([0.5, 0.1]);
  });

  it("appends pages without duplicating runs", () => {
    const rows = [row("a"), row("b")];
    expect(appendPage(rows, indexRows(rows), [row("b"), row("c")]).map((r) => r.id)).toEqual(["a", "b", "c"]);
  });

  it("puts a fresh first page on top of the loaded rows", () => {
    const rows = [row("a"), row("b"), row("c")];
    expect(mergeFirstPage(rows, [row("n"), row("a"), row("b")]).map((r) => r.id)).toEqual(["n", "a", "b", "c"]);
  });

  it("charts the first n runs minus the hidden ones", () => {
    const rows = ["a", "b", "c", "d"].map((id) => row(id));
    expect(chartRunsFrom(rows, 3, new Set(["b"])).map((r) => r.id)).toEqual(["a", "c"]);
    expect(chartRunsFrom(rows, 2, new Set(), () => "g")[0]).toMatchObject({ id: "a", group: "g", lastStep: 10 });
  });

  it("counts rows from the total when known", () => {
    expect(rowCountText(1000, 100000, true)).toBe("100000 runs");
    expect(rowCountText(1000, null, true)).toBe("1000 runs (more…)");
    expect(rowCountText(1, null, false)).toBe("1 run");
  });
});
