// Owns the table value type on the wire: the Table a client logs (columns of numbers, text,
// booleans, class labels and images, as rows), its limits, the checks JSON Schema cannot express
// (tableProblem, shared by server and SDKs), and the replies of the table routes (keys, a page,
// a cross-run comparison, a confusion matrix). The filter grammar of a page lives in
// filter/table-filter.ts; storage and decoding are the store's and the server's.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../limits.js";

/** Rows one table may hold; larger tables are refused by the SDKs and the server alike. */
export const MAX_TABLE_ROWS = 100_000;
/** Columns one table may hold. */
export const MAX_TABLE_COLUMNS = 1_000;
/** Characters of a column name. */
export const MAX_TABLE_COLUMN_NAME = 256;
/** Rows one page (or one comparison page) may return. */
export const MAX_TABLE_PAGE = 1_000;
export const DEFAULT_TABLE_PAGE = 100;
/** Runs one comparison may join. */
export const MIN_TABLE_COMPARE_RUNS = 2;
export const MAX_TABLE_COMPARE_RUNS = 4;
/** Distinct labels a confusion matrix may have. */
export const MAX_CONFUSION_LABELS = 1_000;
/** Bytes of one image cell's decoded data. */
export const MAX_TABLE_IMAGE_BYTES = 4 * 1024 * 1024;

export const TABLE_COLUMN_TYPES = ["number", "string", "bool", "class", "image"] as const;
export type TableColumnType = (typeof TABLE_COLUMN_TYPES)[number];

export const TableColumn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: MAX_TABLE_COLUMN_NAME }),
    type: Type.Union(TABLE_COLUMN_TYPES.map((t) => Type.Literal(t)), {
      description: "number (finite, or \"NaN\"/\"Infinity\"/\"-Infinity\"), string, bool, class (an integer id or a label), image",
    }),
  },
  { additionalProperties: false },
);
export type TableColumn = Static<typeof TableColumn>;

/** An image cell as logged: the bytes travel base64-encoded and are moved to the blob store on ingest. */
export interface TableImageCell { format: "png" | "jpeg"; data: string; width: number; height: number }
/** A logged cell; which kinds a column accepts depends on its type (see tableProblem). */
export type TableCell = number | string | boolean | null | TableImageCell;

export const TableValue = Type.Object(
  {
    columns: Type.Array(TableColumn, { minItems: 1, maxItems: MAX_TABLE_COLUMNS }),
    rows: Type.Array(Type.Array(Type.Unknown()), {
      maxItems: MAX_TABLE_ROWS,
      description: `at most ${MAX_TABLE_ROWS.toLocaleString("en")} rows, each with one cell per column (null = missing)`,
    }),
    classes: Type.Optional(Type.Record(Type.String(), Type.String(), {
      description: "labels of class ids, {\"0\": \"cat\", \"1\": \"dog\"}, used by class columns",
    })),
  },
  { additionalProperties: false },
);
export interface TableValue { columns: TableColumn[]; rows: TableCell[][]; classes?: Record<string, string> }

export const TableRecord = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    ts: Type.Number({ minimum: 0, maximum: 8.64e15 }),
    type: Type.Literal("table"),
    step: Type.Integer({ minimum: 0, maximum: LIMITS.maxStep }),
    values: Type.Record(Type.String({ minLength: 1, maxLength: LIMITS.maxKeyLength }), TableValue, { maxProperties: 64 }),
  },
  {
    $id: "TableRecord", additionalProperties: false,
    description:
      "tables at one step, one per key (example predictions, say): each is stored whole, and a table for a (key, step) " +
      "that already exists is replaced by the later write. Image cells are moved to the blob store.",
  },
);
export type TableRecord = Static<typeof TableRecord>;

const IMAGE_FIELDS = new Set(["format", "data", "width", "height"]);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What is wrong with one cell of a column of `type`, if anything (a message without the path). */
export function tableCellProblem(type: TableColumnType, c: unknown): string | undefined {
  if (c === null) return undefined;
  switch (type) {
    case "number":
      if (typeof c === "number" ? Number.isFinite(c) : c === "NaN" || c === "Infinity" || c === "-Infinity") return undefined;
      return `must be a number (or "NaN", "Infinity", "-Infinity", or null) in number column; got ${shown(c)}`;
    case "string":
      return typeof c === "string" ? undefined : `must be text (or null) in string column; got ${shown(c)}: convert it with String(value)`;
    case "bool":
      return typeof c === "boolean" ? undefined : `must be true, false or null in bool column; got ${shown(c)}`;
    case "class":
      if ((typeof c === "number" && Number.isSafeInteger(c)) || typeof c === "string") return undefined;
      return `must be an integer class id or a label string (or null) in class column; got ${shown(c)}`;
    case "image": {
      if (typeof c !== "object" || Array.isArray(c)) return `must be an image {format, data, width, height} (or null) in image column; got ${shown(c)}`;
      const o = c as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!IMAGE_FIELDS.has(k)) return `has field "${k.slice(0, 40)}": an image cell has only format, data, width, height`;
      if (o.format !== "png" && o.format !== "jpeg") return `format must be "png" or "jpeg"; got ${shown(o.format)}`;
      if (typeof o.data !== "string" || o.data.length === 0 || o.data.length % 4 !== 0 || !BASE64.test(o.data)) {
        return "data must be the image bytes, base64-encoded (standard alphabet, padded)";
      }
      if (o.data.length / 4 * 3 > MAX_TABLE_IMAGE_BYTES + 2) return `data is larger than ${MAX_TABLE_IMAGE_BYTES} bytes: downscale the image`;
      for (const d of ["width", "height"] as const) {
        const n = o[d];
        if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > 65535) return `${d} must be an integer from 1 to 65535; got ${shown(n)}`;
      }
      return undefined;
    }
  }
}

function shown(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return v === null ? "null" : "an object";
  return String(v);
}

/**
 * What is wrong with a table, if anything: the offending part's path below the value ("columns[2].type",
 * "rows[17][3]") and a message that says how to fix it. Undefined for a valid table. Shared by the server
 * (ingest) and the SDKs (which refuse before writing), so both say the same thing.
 */
export function tableProblem(v: unknown): { path: string; message: string } | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { path: "", message: "must be a table {columns: [{name, type}], rows: [[...]], classes?}" };
  }
  const t = v as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (k !== "columns" && k !== "rows" && k !== "classes") return { path: k, message: "is not a table field: send columns, rows and classes" };
  }
  const { columns, rows, classes } = t;
  if (!Array.isArray(columns) || columns.length < 1 || columns.length > MAX_TABLE_COLUMNS) {
    return { path: "columns", message: `must be an array of 1 to ${MAX_TABLE_COLUMNS} columns {name, type}` };
  }
  const types: TableColumnType[] = [];
  const names = new Set<string>();
  for (let i = 0; i < columns.length; i++) {
    const c: unknown = columns[i];
    if (c === null || typeof c !== "object" || Array.isArray(c)) return { path: `columns[${i}]`, message: "must be {name, type}" };
    const { name, type } = c as Record<string, unknown>;
    for (const k of Object.keys(c)) if (k !== "name" && k !== "type") return { path: `columns[${i}].${k.slice(0, 40)}`, message: "is not a column field: send name and type" };
    if (typeof name !== "string" || name.length < 1 || name.length > MAX_TABLE_COLUMN_NAME) {
      return { path: `columns[${i}].name`, message: `must be text of 1 to ${MAX_TABLE_COLUMN_NAME} characters` };
    }
    if (names.has(name)) return { path: `columns[${i}].name`, message: `repeats the column name ${JSON.stringify(name)}: column names must be unique` };
    names.add(name);
    if (!TABLE_COLUMN_TYPES.includes(type as TableColumnType)) {
      return { path: `columns[${i}].type`, message: `must be one of ${TABLE_COLUMN_TYPES.join(", ")}; got ${shown(type)}` };
    }
    types.push(type as TableColumnType);
  }
  if (classes !== undefined) {
    if (classes === null || typeof classes !== "object" || Array.isArray(classes)) return { path: "classes", message: "must be an object {\"<id>\": \"<label>\"}" };
    for (const [id, label] of Object.entries(classes)) {
      if (!/^-?\d{1,15}$/.test(id)) return { path: `classes.${id.slice(0, 40)}`, message: "class ids must be integers" };
      if (typeof label !== "string") return { path: `classes.${id}`, message: "must be the label text" };
    }
  }
  if (!Array.isArray(rows)) return { path: "rows", message: "must be an array of rows (arrays of cells)" };
  if (rows.length > MAX_TABLE_ROWS) {
    return { path: "rows", message: `has ${rows.length.toLocaleString("en")} rows; the limit is ${MAX_TABLE_ROWS.toLocaleString("en")}: log a sample, or split it over several keys` };
  }
  const width = types.length;
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (!Array.isArray(row) || row.length !== width) {
      return { path: `rows[${r}]`, message: `must be an array of ${width} cells, one per column${Array.isArray(row) ? `; it has ${row.length}` : ""}` };
    }
    for (let c = 0; c < width; c++) {
      const problem = tableCellProblem(types[c]!, row[c]);
      if (problem !== undefined) return { path: `rows[${r}][${c}]`, message: problem };
    }
  }
  return undefined;
}

// ---- replies ---------------------------------------------------------------------------------

/** A cell in a reply: numbers as metrics travel ("NaN" and infinities as strings), images as a URL. */
// The reply schema leaves cells open (serializing a union per cell would cost more than the page);
// the type below is exact.
export const TableCellOut = Type.Unknown({
  description: "number | \"NaN\" | \"Infinity\" | \"-Infinity\" | string | boolean | null | {image: URL of the image bytes (image/png or image/jpeg)}",
});
export type TableCellOut = number | string | boolean | null | { image: string };

const Classes = Type.Record(Type.String(), Type.String(), { description: "labels of class ids as logged ({} when none)" });

export const TableKeys = Type.Object(
  {
    keys: Type.Array(Type.Object({
      key: Type.String(),
      steps: Type.Array(Type.Integer(), { description: "ascending steps the key has a table at" }),
      rows: Type.Integer({ description: "rows of the table at the last step" }),
      columns: Type.Array(TableColumn, { description: "columns of the table at the last step" }),
    })),
  },
  { $id: "TableKeys" },
);
export type TableKeys = Static<typeof TableKeys>;

export const TablePage = Type.Object(
  {
    key: Type.String(),
    step: Type.Integer({ description: "the step shown: the one asked, else the last at or before it, else the first (default the last)" }),
    steps: Type.Array(Type.Integer()),
    columns: Type.Array(TableColumn),
    classes: Classes,
    total: Type.Integer({ description: "rows matching the filter" }),
    offset: Type.Integer(),
    index: Type.Array(Type.Integer(), { description: "position of each returned row in the logged table, from 0" }),
    rows: Type.Array(Type.Array(TableCellOut)),
  },
  { $id: "TablePage" },
);
export interface TablePage {
  key: string; step: number; steps: number[]; columns: TableColumn[]; classes: Record<string, string>;
  total: number; offset: number; index: number[]; rows: TableCellOut[][];
}

export const TableCompareColumn = Type.Object({
  name: Type.String({ description: "the column's name in each run's table" }),
  type: TableColumn.properties.type,
  run: Type.Union([Type.String(), Type.Null()], { description: "the run the column comes from; null for the join column" }),
  key: Type.String({ description: "how sort and filter name this column: the join column's name, else <runId>/<name>" }),
});
export type TableCompareColumn = Static<typeof TableCompareColumn>;

export const TableCompare = Type.Object(
  {
    key: Type.String(),
    join: Type.String({ description: "the join column, or _index for row position" }),
    runs: Type.Array(Type.Object({ runId: Type.String(), step: Type.Integer(), rows: Type.Integer(), classes: Classes })),
    columns: Type.Array(TableCompareColumn),
    total: Type.Integer({ description: "joined rows matching the filter" }),
    offset: Type.Integer(),
    rows: Type.Array(Type.Array(TableCellOut)),
  },
  { $id: "TableCompare" },
);
export interface TableCompare {
  key: string; join: string; runs: { runId: string; step: number; rows: number; classes: Record<string, string> }[];
  columns: TableCompareColumn[]; total: number; offset: number; rows: TableCellOut[][];
}

export const ConfusionMatrix = Type.Object(
  {
    labels: Type.Array(Type.String(), { description: "class labels, in class-id (else numeric, else text) order" }),
    matrix: Type.Array(Type.Array(Type.Integer()), { description: "matrix[i][j]: rows whose actual is labels[i] and predicted labels[j]" }),
    total: Type.Integer({ description: "rows counted (both cells present)" }),
  },
  { $id: "ConfusionMatrix" },
);
export type ConfusionMatrix = Static<typeof ConfusionMatrix>;

const filterParam = Type.String({
  maxLength: 10_000,
  description:
    "conditions <column> <op> <value> with = != < <= > >= contains, joined by and / or (not and parentheses too); " +
    "column names with spaces in `backticks`; text in \"quotes\" or bare; e.g. label != pred and confidence < 0.5",
});
const sortParam = Type.String({ maxLength: 1_000, description: "<column>:asc or <column>:desc (asc when the suffix is left out)" });
const offsetParam = Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 });
const limitParam = Type.Integer({ minimum: 1, maximum: MAX_TABLE_PAGE, default: DEFAULT_TABLE_PAGE });
const stepParam = Type.Integer({ minimum: 0, maximum: LIMITS.maxStep, description: "the step wanted (default the last)" });

export const TablePageQuery = Type.Object({
  step: Type.Optional(stepParam),
  sort: Type.Optional(sortParam),
  filter: Type.Optional(filterParam),
  offset: Type.Optional(offsetParam),
  limit: Type.Optional(limitParam),
}, { additionalProperties: false });
export type TablePageQuery = Static<typeof TablePageQuery>;

export const TableCompareQuery = Type.Object({
  runs: Type.String({ minLength: 1, maxLength: 1_000, description: `${MIN_TABLE_COMPARE_RUNS} to ${MAX_TABLE_COMPARE_RUNS} run ids, comma-separated` }),
  key: Type.String({ minLength: 1, maxLength: LIMITS.maxKeyLength }),
  step: Type.Optional(stepParam),
  join: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_TABLE_COLUMN_NAME, default: "_index", description: "column to join rows on, or _index (row position)" })),
  sort: Type.Optional(sortParam),
  filter: Type.Optional(filterParam),
  offset: Type.Optional(offsetParam),
  limit: Type.Optional(limitParam),
}, { additionalProperties: false });
export type TableCompareQuery = Static<typeof TableCompareQuery>;

export const ConfusionQuery = Type.Object({
  actual: Type.String({ minLength: 1, maxLength: MAX_TABLE_COLUMN_NAME, description: "column of true labels" }),
  predicted: Type.String({ minLength: 1, maxLength: MAX_TABLE_COLUMN_NAME, description: "column of predicted labels" }),
  step: Type.Optional(stepParam),
}, { additionalProperties: false });
export type ConfusionQuery = Static<typeof ConfusionQuery>;
