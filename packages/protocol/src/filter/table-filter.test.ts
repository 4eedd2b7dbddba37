// The table filter grammar and the table value checks: what they accept, and what they refuse
// with a column (filters) or a path (tables) that points at the mistake.
import { describe, expect, it } from "vitest";
import { FilterSyntaxError } from "./errors.js";
import { checkTableFilter, parseTableFilter, type TableFilterColumn } from "./table-filter.js";
import { tableProblem } from "../wire/tables.js";

function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!["start", "end", "columnSpan", "text"].includes(k)) out[k] = shape(v);
  return out;
}

const COLUMNS: TableFilterColumn[] = [
  { name: "id", type: "number" }, { name: "label", type: "class" }, { name: "pred", type: "class" },
  { name: "confidence", type: "number" }, { name: "caption text", type: "string" }, { name: "ok", type: "bool" },
  { name: "img", type: "image" },
];

function fails(src: string, columns?: TableFilterColumn[]): FilterSyntaxError {
  try {
    const node = parseTableFilter(src);
    if (columns !== undefined && node !== null) checkTableFilter(src, node, columns);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
  throw new Error(`accepted: ${src}`);
}

describe("table filter grammar", () => {
  it("parses conditions joined by and, with and binding tighter than or", () => {
    expect(shape(parseTableFilter("label != pred or confidence < 0.5 and ok = true"))).toEqual({
      type: "or",
      items: [
        { type: "cond", column: "label", op: "!=", value: { kind: "string", value: "pred", quoted: false } },
        {
          type: "and",
          items: [
            { type: "cond", column: "confidence", op: "<", value: { kind: "number", value: 0.5 } },
            { type: "cond", column: "ok", op: "=", value: { kind: "bool", value: true } },
          ],
        },
      ],
    });
  });

  it("reads backticked column names with spaces, quoted text, contains, not and parentheses", () => {
    expect(shape(parseTableFilter('not (`caption text` contains "a cat" or id >= -3e2)'))).toEqual({
      type: "not",
      item: {
        type: "or",
        items: [
          { type: "cond", column: "caption text", op: "contains", value: { kind: "string", value: "a cat", quoted: true } },
          { type: "cond", column: "id", op: ">=", value: { kind: "number", value: -300 } },
        ],
      },
    });
  });

  it("treats an empty filter as no filter", () => {
    expect(parseTableFilter("   ")).toBeNull();
  });

  it("points at a missing value, a missing operator and an unclosed parenthesis", () => {
    expect(fails("confidence <").column).toBe(13);
    expect(fails("confidence 0.5").message).toMatch(/expected an operator/);
    expect(fails("(id = 1").message).toMatch(/expected "\)"/);
    expect(fails("id = 1 id = 2").message).toMatch(/expected "and", "or"/);
  });

  it("refuses unknown columns, naming the columns there are", () => {
    const e = fails("labl = cat", COLUMNS);
    expect(e.column).toBe(1);
    expect(e.message).toMatch(/unknown column "labl": the columns are id, label, pred, confidence, `caption text`/);
  });

  it("refuses operators and values that do not suit the column's type", () => {
    expect(fails("confidence = high", COLUMNS).message).toMatch(/holds numbers/);
    expect(fails("confidence contains 1", COLUMNS).message).toMatch(/contains needs a text column/);
    expect(fails("ok < true", COLUMNS).message).toMatch(/use = or !=/);
    expect(fails("label > 3", COLUMNS).message).toMatch(/holds class labels/);
    expect(fails("img = 3", COLUMNS).message).toMatch(/holds images/);
    expect(fails("id < null", COLUMNS).message).toMatch(/null only compares/);
  });

  it("compares two columns when a bare value names one, and refuses columns that cannot be compared", () => {
    const node = parseTableFilter("label != pred and confidence > id")!;
    expect(() => checkTableFilter("label != pred and confidence > id", node, COLUMNS)).not.toThrow();
    expect(fails("confidence = ok", COLUMNS).message).toMatch(/cannot be compared: quote "ok" to mean the text/);
    expect(fails("label < pred", COLUMNS).message).toMatch(/compare with = or != only/);
  });

  it("accepts null checks on any column and text comparisons on class columns", () => {
    for (const src of ["img != null", "label = cat", "pred contains do", "`caption text` >= b"]) {
      const node = parseTableFilter(src)!;
      expect(() => checkTableFilter(src, node, COLUMNS)).not.toThrow();
    }
  });
});

describe("tableProblem", () => {
  const cols = [{ name: "id", type: "number" }, { name: "label", type: "class" }, { name: "img", type: "image" }];
  const png = { format: "png", data: "iVBORw0KGgo=", width: 1, height: 1 };

  it("accepts a valid table, non-finite numbers and nulls included", () => {
    expect(tableProblem({ columns: cols, rows: [[1, 3, png], ["NaN", "cat", null], [null, null, null]], classes: { 3: "dog" } })).toBeUndefined();
  });

  it("names the row and cell at fault", () => {
    expect(tableProblem({ columns: cols, rows: [[1, 2, null], [1, 2]] })).toMatchObject({ path: "rows[1]" });
    expect(tableProblem({ columns: cols, rows: [[1, 2.5, null]] })).toMatchObject({ path: "rows[0][1]" });
    expect(tableProblem({ columns: cols, rows: [["x", 2, null]] })).toMatchObject({ path: "rows[0][0]" });
    expect(tableProblem({ columns: cols, rows: [[1, 2, { ...png, format: "gif" }]] })?.message).toMatch(/png" or "jpeg/);
  });

  it("refuses bad columns, repeated names and more than 100,000 rows", () => {
    expect(tableProblem({ columns: [{ name: "a", type: "tensor" }], rows: [] })).toMatchObject({ path: "columns[0].type" });
    expect(tableProblem({ columns: [{ name: "a", type: "number" }, { name: "a", type: "string" }], rows: [] })).toMatchObject({ path: "columns[1].name" });
    const rows = Array.from({ length: 100_001 }, () => [1]);
    expect(tableProblem({ columns: [{ name: "a", type: "number" }], rows })?.message).toMatch(/the limit is 100,000/);
  });
});
