// Tables in the TypeScript SDK: Table builds the wire table (types given or inferred, non-finite
// numbers as the protocol's strings, Image cells encoded), refuses what the server would refuse
// with the row and column named, and log() writes it as a table record of the step, read back
// from the spool.
import { describe, expect, it } from "vitest";
import { tableProblem } from "@orrery/protocol";
import { Image, OrreryValueError, Table, type Run } from "../src/index.js";
import { offlineRunPerTest, spoolRecords } from "./helpers.js";

const PNG_1x1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

describe("Table", () => {
  it("infers column types from the first non-empty cell and encodes non-finite numbers", () => {
    const t = new Table({ columns: ["id", "name", "ok", "score"], data: [[1, "a", true, NaN], [2, null, false, Infinity]] });
    t.addRow(3, "c", null, 0.5);
    const wire = t.toJSON();
    expect(wire.columns).toEqual([
      { name: "id", type: "number" }, { name: "name", type: "string" }, { name: "ok", type: "bool" }, { name: "score", type: "number" },
    ]);
    expect(wire.rows).toEqual([[1, "a", true, "NaN"], [2, null, false, "Infinity"], [3, "c", null, 0.5]]);
    expect(tableProblem(wire)).toBeUndefined();
    expect(t.rowCount).toBe(3);
  });

  it("takes class columns with a classes mapping, and Image cells", () => {
    const t = new Table({
      columns: ["id", { name: "label", type: "class" }, "img"],
      data: [[0, 1, new Image(PNG_1x1)], [1, "dog", null]],
      classes: { 0: "cat", 1: "dog" },
    });
    const wire = t.toJSON();
    expect(wire.columns.map((c) => c.type)).toEqual(["number", "class", "image"]);
    expect(wire.classes).toEqual({ 0: "cat", 1: "dog" });
    expect(wire.rows[0]![2]).toEqual({ format: "png", data: PNG_1x1.toString("base64"), width: 1, height: 1 });
  });

  it("refuses rows of the wrong length and cells their column cannot hold, naming them", () => {
    expect(() => new Table({ columns: ["a", "b"], data: [[1]] })).toThrow(/row 0 has 1 cells but there are 2 columns/);
    const t = new Table({ columns: ["id", { name: "label", type: "class" }], data: [[1, 2.5]] });
    expect(() => t.toJSON()).toThrow(OrreryValueError);
    expect(() => t.toJSON()).toThrow(/row 0, column "label" must be an integer class id/);
    expect(() => new Table({ columns: [{ name: "x", type: "tensor" as "number" }] })).toThrow(/type must be one of/);
    expect(() => new Table({ columns: ["x"], data: [[[1, 2]]] }).toJSON()).toThrow(/cells are numbers, text/);
  });

  it("refuses more than 100,000 rows", () => {
    const t = new Table({ columns: ["x"] });
    for (let i = 0; i < 100_000; i++) t.addRow(i);
    expect(() => t.addRow(1)).toThrow(/100,000 rows, the limit/);
  });
});

describe("log() with tables", () => {
  let run: Run;
  const offline = offlineRunPerTest((r) => { run = r; });

  it("writes scalars as the row and each table as a table record of the same step", async () => {
    const preds = new Table({ columns: ["id", "pred"], data: [[0, "cat"], [1, "dog"]] });
    run.log({ acc: 0.9, eval: { preds } });
    run.log({ loss: 1 }, { step: 7 });
    run.log({ preds }, { step: 7 });
    await run.finish();
    const recs = spoolRecords(run.spoolDir).filter((r) => r.type === "history" || r.type === "table");
    expect(recs.map((r) => [r.type, r.step])).toEqual([["history", 0], ["table", 0], ["history", 7], ["table", 7]]);
    expect(recs[1]!.values).toEqual({ "eval.preds": preds.toJSON() });
    expect(Object.keys(recs[3]!.values as object)).toEqual(["preds"]);
  });

  it("throws for a bad table before writing anything of the call", async () => {
    const bad = new Table({ columns: [{ name: "x", type: "bool" }], data: [[1]] });
    expect(() => run.log({ acc: 1, bad })).toThrow(/row 0, column "x" must be true, false or null/);
    await run.finish();
    expect(spoolRecords(run.spoolDir).filter((r) => r.type === "history" || r.type === "table")).toEqual([]);
  });
});
