// Owns the Table value in the SDK: columns of numbers, text, booleans, class labels and images
// built up row by row, checked with the protocol's tableProblem (the server's own rules) and
// encoded to the wire Table that run.log() sends as a `table` record. Column types are given or
// inferred from the first non-empty cell; images are Image objects (media.ts) or already-encoded
// {format, data, width, height} cells.
import {
  encodeMetric, LIMITS, MAX_TABLE_ROWS, TABLE_COLUMN_TYPES, tableProblem,
  type TableCell, type TableColumn, type TableColumnType, type TableValue,
} from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";
import { isPlainObject } from "./json-values.js";
import { Image } from "./media.js";

export type { TableColumnType, TableValue };

/** A column: its name (type inferred), or its name and type. */
export type TableColumnSpec = string | { name: string; type?: TableColumnType };

export interface TableOptions {
  columns: readonly TableColumnSpec[];
  /** Rows, one cell per column. More can be added with addRow. */
  data?: readonly (readonly unknown[])[];
  /** Labels of class ids used by class columns: `{ 0: "cat", 1: "dog" }`. */
  classes?: Readonly<Record<string | number, string>>;
}

/** Room for a table in one record, leaving space for the record's other fields. */
export const TABLE_RECORD_BYTES = LIMITS.maxRecordBytes - 4 * 1024;

/**
 * A table to log: `run.log({ preds: new Table({ columns: ["id", "label"], data: [[0, "cat"]] }) })`.
 * Logged tables are stored whole per (key, step): a later log of the same step replaces it.
 * At most 100,000 rows and 8 MB of JSON per table; toJSON() and log() throw OrreryValueError
 * naming the cell when a value does not fit its column.
 */
export class Table {
  readonly columns: string[];
  private readonly types: (TableColumnType | undefined)[];
  private readonly data: unknown[][] = [];
  private readonly classes: Record<string, string> | undefined;

  constructor(options: TableOptions) {
    if (!isPlainObject(options) || !Array.isArray(options.columns)) {
      throw new OrreryValueError("table", `orrery: Table takes { columns, data?, classes? }, got ${describe(options)}`);
    }
    this.columns = [];
    this.types = [];
    for (const [i, c] of options.columns.entries()) {
      const spec = typeof c === "string" ? { name: c } : c;
      if (!isPlainObject(spec) || typeof spec.name !== "string") {
        throw new OrreryValueError("table", `orrery: Table column ${i} must be a name or { name, type }, got ${describe(c)}`);
      }
      const type = spec.type as TableColumnType | undefined;
      if (type !== undefined && !TABLE_COLUMN_TYPES.includes(type)) {
        throw new OrreryValueError("table", `orrery: Table column "${spec.name}" type must be one of ${TABLE_COLUMN_TYPES.join(", ")}, got ${describe(type)}`);
      }
      this.columns.push(spec.name);
      this.types.push(type);
    }
    if (options.classes !== undefined) {
      if (!isPlainObject(options.classes)) throw new OrreryValueError("table", `orrery: Table classes must be an object { id: label }, got ${describe(options.classes)}`);
      this.classes = Object.fromEntries(Object.entries(options.classes).map(([k, v]) => [k, String(v)]));
    }
    for (const row of options.data ?? []) this.addRow(...row);
  }

  /** Appends one row: a cell per column, in column order (null for a missing cell). */
  addRow(...cells: unknown[]): void {
    if (cells.length !== this.columns.length) {
      throw new OrreryValueError("table", `orrery: Table row ${this.data.length} has ${cells.length} cells but there are ${this.columns.length} columns (${this.columns.join(", ")})`);
    }
    if (this.data.length >= MAX_TABLE_ROWS) {
      throw new OrreryValueError("table", `orrery: Table has ${MAX_TABLE_ROWS.toLocaleString("en")} rows, the limit: log a sample, or split it over several keys`);
    }
    this.data.push(cells);
  }

  get rowCount(): number {
    return this.data.length;
  }

  /** The wire Table (protocol TableValue); throws OrreryValueError for a cell its column cannot hold. */
  toJSON(): TableValue {
    const types = this.types.map((t, c) => t ?? this.infer(c));
    const rows: TableCell[][] = this.data.map((row) => row.map((cell, c) => wireCell(types[c]!, cell)));
    const value: TableValue = { columns: this.columns.map((name, c): TableColumn => ({ name, type: types[c]! })), rows };
    if (this.classes !== undefined) value.classes = this.classes;
    const problem = tableProblem(value);
    if (problem !== undefined) {
      const m = /^rows\[(\d+)\]\[(\d+)\]$/.exec(problem.path);
      const where = m === null ? problem.path || "value" : `row ${m[1]}, column "${this.columns[Number(m[2])]}"`;
      throw new OrreryValueError("table", `orrery: Table ${where} ${problem.message}`);
    }
    return value;
  }

  /** JSON text of the wire Table, refused when it could not fit one record. */
  encode(key: string): string {
    const json = JSON.stringify(this.toJSON());
    if (json.length > TABLE_RECORD_BYTES) {
      throw new OrreryValueError(key, `orrery: Table "${key}" is ${(json.length / 2 ** 20).toFixed(1)} MiB of JSON; one table may take ${(TABLE_RECORD_BYTES / 2 ** 20).toFixed(1)} MiB: log fewer rows or smaller images`);
    }
    return json;
  }

  private infer(c: number): TableColumnType {
    for (const row of this.data) {
      const v = row[c];
      if (v === null || v === undefined) continue;
      if (typeof v === "number") return "number";
      if (typeof v === "string") return "string";
      if (typeof v === "boolean") return "bool";
      if (v instanceof Image || (isPlainObject(v) && typeof v.format === "string" && typeof v.data === "string")) return "image";
      throw new OrreryValueError("table", `orrery: Table column "${this.columns[c]}" holds ${describe(v)}; cells are numbers, text, booleans, images or null`);
    }
    return "string";
  }
}

function wireCell(type: TableColumnType, v: unknown): TableCell {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" && type === "number") return encodeMetric(v);
  if (v instanceof Image) {
    const w = v.toJSON();
    return { format: w.format, data: w.data, width: w.width, height: w.height };
  }
  return v as TableCell;
}
