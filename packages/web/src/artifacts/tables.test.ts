import { describe, expect, it } from "vitest";
import { cellText, jsonTable, pageOf, parseDelimited, parseJsonTable } from "./tables";

describe("table previews", () => {
  it("CSV with a header becomes columns and rows", () => {
    expect(parseDelimited("shape,sides\ntriangle,3\nsquare,4\n", ",")).toEqual({
      columns: ["shape", "sides"], rows: [["triangle", "3"], ["square", "4"]], more: false,
    });
  });

  it("quoted fields keep delimiters, newlines and doubled quotes", () => {
    const t = parseDelimited('name,note\r\n"a, b","say ""hi""\nthere"\r\nc,d', ",");
    expect(t.rows).toEqual([["a, b", 'say "hi"\nthere'], ["c", "d"]]);
    expect(t.more).toBe(false);
  });

  it("TSV splits on tabs only", () => {
    expect(parseDelimited("a\tb,c\n1\t2,3\n", "\t").rows).toEqual([["1", "2,3"]]);
  });

  it("a byte-order mark and blank lines are ignored", () => {
    expect(parseDelimited("\ufeffx,y\n\n1,2\n\n", ",")).toEqual({ columns: ["x", "y"], rows: [["1", "2"]], more: false });
  });

  it("rows wider than the header get numbered columns", () => {
    expect(parseDelimited("a\n1,2\n", ",").columns).toEqual(["a", "column 2"]);
  });

  it("only the first rows are kept, and the table says there are more", () => {
    const text = "n\n" + Array.from({ length: 30 }, (_, i) => `${i}\n`).join("");
    const t = parseDelimited(text, ",", false, 10);
    expect(t.rows).toHaveLength(10);
    expect(t.rows[9]).toEqual(["9"]);
    expect(t.more).toBe(true);
    const exact = parseDelimited("n\n" + Array.from({ length: 10 }, (_, i) => `${i}\n`).join(""), ",", false, 10);
    expect(exact.more).toBe(false);
  });

  it("a text cut off mid-file drops its partial last row", () => {
    const t = parseDelimited("a,b\n1,2\n3,4\n5,", ",", true);
    expect(t.rows).toEqual([["1", "2"], ["3", "4"]]);
    expect(t.more).toBe(true);
  });

  it("a JSON array of objects takes its columns from the keys in first-seen order", () => {
    expect(parseJsonTable('[{"a":1,"b":"x"},{"c":true,"a":2}]')).toEqual({
      columns: ["a", "b", "c"], rows: [[1, "x", undefined], [2, undefined, true]], more: false,
    });
  });

  it("a W&B-style {columns, data} table is read as it is", () => {
    expect(jsonTable({ _type: "table", columns: ["x", 2], data: [[1, 2], [3, 4]] })).toEqual({ columns: ["x", "2"], rows: [[1, 2], [3, 4]], more: false });
  });

  it("JSON that is not a table, or not JSON, is not a table", () => {
    expect(parseJsonTable('{"lr": 0.1}')).toBeNull();
    expect(parseJsonTable("[1, 2, 3]")).toBeNull();
    expect(parseJsonTable("[]")).toBeNull();
    expect(parseJsonTable("{not json")).toBeNull();
  });

  it("cells read as text: strings unchanged, missing empty, objects as JSON", () => {
    expect([cellText("a"), cellText(undefined), cellText(null), cellText(1.5), cellText({ k: [1] })]).toEqual(["a", "", "", "1.5", '{"k":[1]}']);
  });

  it("pages clamp to the rows there are", () => {
    const rows = Array.from({ length: 25 }, (_, i) => i);
    expect(pageOf(rows, 2, 10)).toEqual({ rows: [20, 21, 22, 23, 24], page: 2, pages: 3 });
    expect(pageOf(rows, 9, 10).page).toBe(2);
    expect(pageOf([], 0, 10)).toEqual({ rows: [], page: 0, pages: 1 });
  });
});
