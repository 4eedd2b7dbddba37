import { describe, expect, it } from "vitest";
import { checkTableFilter, parseTableFilter } from "@orrery/protocol";
import { cellFilter, defaultPair, labelColumns, maxCount, shade } from "./confusion";
import type { TableColumn } from "./wire";

const cols = (...c: [string, TableColumn["type"]][]): TableColumn[] => c.map(([name, type]) => ({ name, type }));

describe("the confusion matrix", () => {
  it("offers class and string columns only", () => {
    const c = cols(["id", "number"], ["label", "class"], ["caption", "string"], ["img", "image"]);
    expect(labelColumns(c).map((x) => x.name)).toEqual(["label", "caption"]);
  });

  it("starts with conventionally named actual and predicted columns", () => {
    expect(defaultPair(cols(["pred", "class"], ["caption", "string"], ["label", "class"]))).toEqual({ actual: "label", predicted: "pred" });
    expect(defaultPair(cols(["y_true", "string"], ["y_pred", "string"]))).toEqual({ actual: "y_true", predicted: "y_pred" });
  });

  it("falls back to the first two class columns, and to nothing with fewer than two", () => {
    expect(defaultPair(cols(["caption", "string"], ["a", "class"], ["b", "class"]))).toEqual({ actual: "a", predicted: "b" });
    expect(defaultPair(cols(["a", "class"], ["n", "number"]))).toBeNull();
  });

  it("filters a cell's rows by both labels", () => {
    expect(cellFilter("label", "pred", "car", "cyclist")).toBe('label = "car" and pred = "cyclist"');
    expect(cellFilter("true class", "pred", "car", "car")).toBe('`true class` = "car" and pred = "car"');
  });

  it("writes a filter the tables' grammar accepts for the table's columns", () => {
    const src = cellFilter("true class", "pred", 'say "x"', "car");
    const node = parseTableFilter(src);
    expect(node).not.toBeNull();
    expect(() => checkTableFilter(src, node!, cols(["true class", "class"], ["pred", "class"]))).not.toThrow();
  });

  it("shades white at zero and full accent at the largest count", () => {
    expect(shade(0, 10).background).toBe("rgb(255, 255, 255)");
    expect(shade(10, 10)).toEqual({ background: "rgb(59, 91, 219)", color: "#fff" });
    expect(shade(5, 0).background).toBe("rgb(255, 255, 255)");
    expect(maxCount([[1, 9], [4, 2]])).toBe(9);
  });
});
