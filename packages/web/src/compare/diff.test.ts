import { describe, expect, it } from "vitest";
import { compareRuns, differingCells, flatten, sameValue, visibleRows } from "./diff";

describe("flatten", () => {
  it("turns nested objects into dotted paths, keeping arrays and empty objects as leaves", () => {
    const f = flatten({ lr: 0.1, optimizer: { name: "adam", betas: [0.9, 0.99] }, extra: {} });
    expect([...f.entries()]).toEqual([["lr", 0.1], ["optimizer.name", "adam"], ["optimizer.betas", [0.9, 0.99]], ["extra", {}]]);
  });
  it("backtick-quotes segments that contain dots, so a.b and a→b stay apart", () => {
    const f = flatten({ "a.b": 1, a: { b: 2 } });
    expect(f.get("`a.b`")).toBe(1);
    expect(f.get("a.b")).toBe(2);
  });
  it("can skip top-level keys", () => {
    expect([...flatten({ _step: 3, loss: 1 }, (k) => k.startsWith("_")).keys()]).toEqual(["loss"]);
  });
});

describe("sameValue", () => {
  it("treats NaN as equal to NaN, in numbers and wire strings alike", () => {
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue("NaN", NaN)).toBe(true);
    expect(sameValue("Infinity", Infinity)).toBe(true);
    expect(sameValue(Infinity, -Infinity)).toBe(false);
  });
  it("compares objects and arrays by content, ignoring key order", () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue({ a: NaN }, { a: "NaN" })).toBe(true);
  });
  it("keeps types apart and a missing key apart from null", () => {
    expect(sameValue(1, "1")).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
    expect(sameValue(undefined, undefined)).toBe(true);
    expect(sameValue(0, -0)).toBe(true);
    expect(sameValue(null, {})).toBe(false);
  });
});

describe("compareRuns", () => {
  const runs = [
    { config: { lr: 0.1, seed: 1, opt: { name: "adam" } }, summary: { "val/acc": 0.9, _step: 10, loss: NaN } },
    { config: { lr: 0.1, seed: 2, opt: { name: "adam" }, extra: true }, summary: { "val/acc": 0.8, _step: 20, loss: "NaN" } },
  ];
  const rows = compareRuns(runs);

  it("lists config keys then summary keys in natural order, without _ summary keys", () => {
    expect(rows.map((r) => r.key)).toEqual([
      "config.extra", "config.lr", "config.opt.name", "config.seed", "summary.loss", "summary.val/acc",
    ]);
  });
  it("marks rows whose values differ, a key only some runs have included", () => {
    const differs = Object.fromEntries(rows.map((r) => [r.key, r.differs]));
    expect(differs).toEqual({
      "config.extra": true, "config.lr": false, "config.opt.name": false, "config.seed": true,
      "summary.loss": false, "summary.val/acc": true,
    });
    expect(rows[0]!.values).toEqual([undefined, true]);
  });
  it("orders numbered keys naturally", () => {
    const r = compareRuns([{ config: { layer10: 1, layer2: 1, layer1: 1 }, summary: {} }]);
    expect(r.map((x) => x.path)).toEqual(["layer1", "layer2", "layer10"]);
  });
  it("shows differing rows by default, all with showAll, and filters by key text", () => {
    expect(visibleRows(rows, { showAll: false, search: "" }).map((r) => r.key)).toEqual(["config.extra", "config.seed", "summary.val/acc"]);
    expect(visibleRows(rows, { showAll: true, search: "" })).toHaveLength(6);
    expect(visibleRows(rows, { showAll: true, search: "VAL" }).map((r) => r.key)).toEqual(["summary.val/acc"]);
  });
});

describe("differingCells", () => {
  it("highlights nothing when all runs agree", () => {
    expect(differingCells([1, 1, 1])).toEqual([false, false, false]);
    expect(differingCells([NaN, "NaN"])).toEqual([false, false]);
  });
  it("highlights the odd ones out against the value most runs share", () => {
    expect(differingCells([0.1, 0.1, 0.3, 0.1])).toEqual([false, false, true, false]);
    expect(differingCells([1, 1, undefined])).toEqual([false, false, true]);
  });
  it("highlights every cell when no value is the most common", () => {
    expect(differingCells([1, 2])).toEqual([true, true]);
    expect(differingCells([1, 1, 2, 2])).toEqual([true, true, true, true]);
  });
});
