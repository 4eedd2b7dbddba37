import { describe, expect, it } from "vitest";
import { formatValue, isTableValue } from "../api/values";
import { compareRuns } from "../compare/diff";

const confusion = { _type: "table", columns: ["actual", "0", "1"], data: [["0", 10, 2], ["1", 1, 12]] };

describe("table values", () => {
  it("a {_type: table, columns, data} object is a table value, and shows as its size in short text", () => {
    expect(isTableValue(confusion)).toBe(true);
    expect(formatValue(confusion)).toBe("table 2×3");
    expect(isTableValue({ _type: "table", columns: [], data: [1] })).toBe(false);
    expect(isTableValue({ _type: "tablet", columns: [], data: [] })).toBe(false);
    expect(isTableValue([confusion])).toBe(false);
  });

  it("compare keeps a table value as one row instead of flattening its parts", () => {
    const rows = compareRuns([
      { config: {}, summary: { confusion_matrix: confusion, acc: 0.9 } },
      { config: {}, summary: { confusion_matrix: { ...confusion, data: [["0", 11, 1], ["1", 1, 12]] }, acc: 0.9 } },
    ]);
    expect(rows.map((r) => [r.key, r.differs])).toEqual([["summary.acc", false], ["summary.confusion_matrix", true]]);
  });
});
