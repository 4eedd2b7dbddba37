import { describe, expect, it } from "vitest";
import type { RunKey } from "@orrery/protocol";
import {
  defaultWorstEnd, formatSliceConfig, parseSliceConfig, serverColumns, sliceValues, slicePrefixes, worstColumnId, worstColumnPrefix, worstSlice,
} from "./slices";

const key = (name: string, types: Record<string, number> = { number: 5 }): RunKey =>
  ({ field: `summary.${name}`, scope: "summary", path: [name], runs: 5, types });

describe("slice prefixes", () => {
  it("finds prefixes with at least two numeric slices, each slice under the path before its last slash", () => {
    const keys = [key("val/acc"), key("val/acc/pedestrian"), key("val/acc/cyclist"), key("val/acc/snow"), key("val/loss"), key("train/loss")];
    expect(slicePrefixes(keys)).toEqual([
      { prefix: "val", slices: ["acc", "loss"] },
      { prefix: "val/acc", slices: ["cyclist", "pedestrian", "snow"] },
    ]);
  });

  it("ignores lone slices, text keys, nested paths and reserved keys", () => {
    const keys = [
      key("test/acc/day"), key("val/name/a", { string: 3 }), key("val/name/b", { string: 3 }),
      { ...key("x"), path: ["x", "a"] }, { ...key("x"), path: ["x", "b"] }, key("_runtime/a"), key("_runtime/b"), key("val/acc/"),
    ];
    expect(slicePrefixes(keys)).toEqual([]);
  });
});

describe("the worst slice", () => {
  const vals = [{ slice: "pedestrian", value: 0.9 }, { slice: "snow", value: 0.4 }, { slice: "cyclist", value: null }, { slice: "fog", value: 0.95 }];

  it("is the lowest value for accuracy-like metrics and the highest for loss-like ones", () => {
    expect(worstSlice(vals, "low")).toEqual({ slice: "snow", value: 0.4 });
    expect(worstSlice(vals, "high")).toEqual({ slice: "fog", value: 0.95 });
  });

  it("skips missing values and is null when no slice has one", () => {
    expect(worstSlice([{ slice: "a", value: null }, { slice: "b", value: NaN }], "low")).toBeNull();
  });

  it("guesses the direction from the metric's name", () => {
    expect(defaultWorstEnd("val/acc")).toBe("low");
    expect(defaultWorstEnd("val/loss")).toBe("high");
    expect(defaultWorstEnd("eval/word_error")).toBe("high");
    expect(defaultWorstEnd("val/f1")).toBe("low");
    expect(defaultWorstEnd("val/closs")).toBe("low");
  });

  it("reads a row's slice values from its summary fields, numbers only", () => {
    const p = { prefix: "val/acc", slices: ["cyclist", "snow"] };
    expect(sliceValues({ "summary.val/acc/snow": 0.3, "summary.val/acc/cyclist": "NaN" }, p)).toEqual([
      { slice: "cyclist", value: null }, { slice: "snow", value: 0.3 },
    ]);
  });
});

describe("the slices panel's config", () => {
  it("round-trips a prefix with or without a chosen worst end", () => {
    for (const c of [{ prefix: "val/acc", end: null }, { prefix: "val/acc", end: "high" as const }, { prefix: "a|b", end: "low" as const }]) {
      expect(parseSliceConfig(formatSliceConfig(c))).toEqual(c);
    }
    expect(parseSliceConfig("val/acc|sideways")).toEqual({ prefix: "val/acc|sideways", end: null });
  });
});

describe("the worst-slice table column", () => {
  const prefixes = [{ prefix: "val/acc", slices: ["cyclist", "snow"] }];

  it("has an id that names its prefix", () => {
    expect(worstColumnId("val/acc")).toBe("slice.worst:val/acc");
    expect(worstColumnPrefix("slice.worst:val/acc")).toBe("val/acc");
    expect(worstColumnPrefix("summary.val/acc")).toBeNull();
    expect(worstColumnPrefix("slice.worst:")).toBeNull();
  });

  it("makes the table request its slices' summary fields instead of itself", () => {
    expect(serverColumns(["config.lr", "slice.worst:val/acc", "summary.val/acc/snow"], prefixes))
      .toEqual(["config.lr", "summary.val/acc/cyclist", "summary.val/acc/snow"]);
    expect(serverColumns(["slice.worst:gone"], prefixes)).toEqual([]);
  });
});
