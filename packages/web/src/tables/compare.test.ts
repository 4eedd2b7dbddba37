import { describe, expect, it } from "vitest";
import { checkTableFilter, parseTableFilter } from "@orrery/protocol";
import { andFilters, commonKeys, defaultCompared, defaultJoin, disagreementFilter, disagrees, knownValues, perRunNames } from "./compare";
import type { CompareColumn, TableKey } from "./wire";

const key = (k: string): TableKey => ({ key: k, steps: [0], rows: 1, columns: [] });
const col = (name: string, type: CompareColumn["type"], run: string | null): CompareColumn => ({ name, type, run, key: run ? `${run}/${name}` : name });
const columns: CompareColumn[] = [
  col("id", "number", null), col("label", "class", "a"), col("pred", "class", "a"), col("label", "class", "b"), col("pred", "class", "b"),
];

describe("comparing a table across runs", () => {
  it("lists the keys every run logged, in the first run's order", () => {
    expect(commonKeys([[key("val/p"), key("test/p")], [key("test/p"), key("val/p"), key("x")]])).toEqual(["val/p", "test/p"]);
    expect(commonKeys([[key("a")], []])).toEqual([]);
    expect(commonKeys([])).toEqual([]);
  });

  it("joins on an id column when there is one, else on the row index", () => {
    expect(defaultJoin([{ name: "ID", type: "number" }, { name: "x", type: "string" }])).toBe("ID");
    expect(defaultJoin([{ name: "x", type: "string" }])).toBe("_index");
  });

  it("compares the prediction column by default", () => {
    expect(perRunNames(columns)).toEqual(["label", "pred"]);
    expect(defaultCompared(columns)).toBe("pred");
    expect(defaultCompared(columns.filter((c) => c.name !== "pred"))).toBe("label");
  });

  it("finds the rows where the runs' values differ, a missing value included", () => {
    expect(disagrees([1, 0, 2, 0, 2], columns, "pred")).toBe(false);
    expect(disagrees([1, 0, 2, 0, 1], columns, "pred")).toBe(true);
    expect(disagrees([1, 0, 2, null, null], columns, "pred")).toBe(true);
    expect(disagrees([1, 0, 2, 0, 2], columns, "label")).toBe(false);
  });
});

describe("the disagreement filter for the server", () => {
  it("spells out every known value of the first run against each other run, and one-sided gaps", () => {
    expect(disagreementFilter(columns, "pred", ["car", "cyclist"])).toBe(
      '(`a/pred` = "car" and `b/pred` != "car") or (`a/pred` = "cyclist" and `b/pred` != "cyclist")' +
      " or (`a/pred` = null and `b/pred` != null) or (`a/pred` != null and `b/pred` = null)",
    );
  });

  it("parses and checks against the joined columns' run-qualified names", () => {
    const src = andFilters("`a/label` = car", disagreementFilter(columns, "pred", ["car", "cyclist", true]));
    const node = parseTableFilter(src);
    expect(node).not.toBeNull();
    expect(() => checkTableFilter(src, node!, [...columns.map((c) => ({ name: c.key, type: c.type }))])).not.toThrow();
  });

  it("compares the runs' columns with each other when the values are not a known set", () => {
    const scores = [col("id", "number", null), col("score", "number", "a"), col("score", "number", "b")];
    const src = disagreementFilter(scores, "score", [])!;
    expect(src).toBe("a/score != b/score or (a/score = null and b/score != null) or (a/score != null and b/score = null)");
    expect(() => checkTableFilter(src, parseTableFilter(src)!, scores.map((c) => ({ name: c.key, type: c.type })))).not.toThrow();
    expect(disagreementFilter([col("two words", "string", "a"), col("two words", "string", "b")], "two words", [])).toBeNull();
  });

  it("cannot be written for one run, or past the server's length limit", () => {
    expect(disagreementFilter(columns.slice(0, 3), "pred", ["car"])).toBeNull();
    expect(disagreementFilter(columns, "pred", Array.from({ length: 400 }, (_, i) => `label number ${i}`))).toBeNull();
  });

  it("takes class labels from the runs' class maps and true/false for booleans, nothing for text", () => {
    expect(knownValues(columns[2], [{ "0": "car", "1": "cyclist" }, { "0": "car", "2": "truck" }])).toEqual(["car", "cyclist", "truck"]);
    expect(knownValues(col("ok", "bool", "a"), [])).toEqual([true, false]);
    expect(knownValues(col("caption", "string", "a"), [{ "0": "car" }])).toEqual([]);
    expect(knownValues(undefined, [])).toEqual([]);
  });

  it("ANDs the user's filter with it, each in parentheses", () => {
    expect(andFilters("score > 0.5", "a = 1 or b = 2")).toBe("(score > 0.5) and (a = 1 or b = 2)");
    expect(andFilters("", "a = 1")).toBe("a = 1");
    expect(andFilters("x = 1", null)).toBe("x = 1");
  });
});
