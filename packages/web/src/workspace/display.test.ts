import { describe, expect, it } from "vitest";
import type { RunGroup, RunRow } from "@orrery/protocol";
import { flatRowCount, groupKeyLabel, groupedItems, groupLabel } from "./display";

const group = (v: unknown, count: number): RunGroup => ({ key: { "config.opt": v }, count, aggregates: {} });
const run = (id: string) => ({ id }) as RunRow;

describe("display rows", () => {
  it("scrolls over the total when known and a placeholder tail when not", () => {
    expect(flatRowCount(500, 100000, true)).toBe(100000);
    expect(flatRowCount(500, null, true)).toBe(520);
    expect(flatRowCount(20, 20, false)).toBe(20);
  });

  it("labels groups by value, with null for runs without one", () => {
    expect(groupLabel("adam")).toBe("adam");
    expect(groupLabel(0.01)).toBe("0.01");
    expect(groupLabel(null)).toBe("null");
    expect(groupLabel(true)).toBe("true");
  });

  it("lists expanded groups' runs under their group row, then their status", () => {
    const groups = [group("adam", 2), group("sgd", 3), group(null, 1)];
    const idOf = (g: RunGroup) => JSON.stringify(g.key["config.opt"]);
    const expanded = new Map([
      ['"adam"', { rows: [run("a"), run("b")], nextCursor: null, loading: false, error: null }],
      ["null", { rows: [], nextCursor: null, loading: true, error: null }],
    ]);
    const items = groupedItems(groups, ["config.opt"], expanded, idOf);
    expect(items.map((i) => (i.kind === "run" ? i.row.id : i.kind === "group" ? `${i.label}:${i.expanded}` : i.kind === "groupStatus" ? i.status : i.kind)))
      .toEqual(["adam:true", "a", "b", "sgd:false", "null:true", "loading"]);
  });

  it("labels a group of several keys by each key's value, outermost first", () => {
    const g: RunGroup = { key: { "config.opt": "adam", "config.lr": 0.01 }, count: 4, aggregates: {} };
    expect(groupKeyLabel(g.key, ["config.opt", "config.lr"])).toBe("adam · 0.01");
    expect(groupKeyLabel({ "config.opt": null }, ["config.opt", "config.lr"])).toBe("null · null");
    const items = groupedItems([g], ["config.opt", "config.lr"], new Map(), () => "x");
    expect(items).toEqual([{ kind: "group", group: g, id: "x", label: "adam · 0.01", expanded: false }]);
  });
});
