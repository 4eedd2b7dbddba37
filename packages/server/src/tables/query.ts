// Owns what a page of a table means: compiling a parsed filter (protocol table-filter.ts) into a
// row predicate, sorting rows by one column (missing and NaN last in both directions, ties in
// logged order), and cutting the page. Works on any set of decoded columns, so a comparison
// across runs (compare.ts) pages exactly like one table. Pure: no I/O.
import {
  asciiLower, checkTableFilter, columnRef, compareText, FilterSyntaxError, OrreryError, parseTableFilter,
  type TableFilterNode, type TableLiteral,
} from "@orrery/protocol";
import type { Cell, DecodedColumn } from "./decode.js";

/** Rows and columns to page over; sorts caches sort orders across requests when given. */
export interface Frame { rows: number; cols: DecodedColumn[]; sorts?: Map<string, Uint32Array> }

export interface PageRequest { sort?: string; filter?: string; offset: number; limit: number }
export interface PageResult { total: number; index: number[] }

type Pred = (row: number) => boolean;

/** Parses and checks the filter against the frame's columns; 400 (field filter) when bad. */
export function compileFilter(src: string | undefined, cols: readonly DecodedColumn[]): Pred | null {
  if (src === undefined || src.trim() === "") return null;
  let node: TableFilterNode | null;
  try {
    node = parseTableFilter(src);
    if (node === null) return null;
    checkTableFilter(src, node, cols);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new OrreryError("invalid_filter", err.message, "filter");
    throw err;
  }
  const byName = new Map(cols.map((c) => [c.name, c]));
  return build(node, byName);
}

function build(n: TableFilterNode, byName: Map<string, DecodedColumn>): Pred {
  switch (n.type) {
    case "and": {
      const items = n.items.map((i) => build(i, byName));
      return (r) => items.every((p) => p(r));
    }
    case "or": {
      const items = n.items.map((i) => build(i, byName));
      return (r) => items.some((p) => p(r));
    }
    case "not": {
      const item = build(n.item, byName);
      return (r) => !item(r);
    }
    case "cond": {
      const other = columnRef(n.value, byName);
      const col = byName.get(n.column)!;
      return other === undefined ? condition(col, n.op, n.value) : columns(col, n.op, other);
    }
  }
}

/** Literal text as a text column sees it: quoted text as written, bare words and numbers by their source. */
function textOf(v: TableLiteral): string {
  return v.kind === "string" ? v.value : v.text;
}

function condition(col: DecodedColumn, op: string, v: TableLiteral): Pred {
  const vals = col.values;
  if (v.kind === "null") return op === "=" ? (r) => vals[r] === null : (r) => vals[r] !== null;
  // Comparisons with a missing cell are false, as in SQL: `pred != cat` keeps rows that have a pred.
  switch (col.type) {
    case "number": {
      const x = (v as { value: number }).value;
      const cmp = numberOp(op, x);
      return (r) => { const c = vals[r]; return typeof c === "number" && cmp(c); };
    }
    case "bool": {
      const b = (v as { value: boolean }).value;
      return op === "=" ? (r) => vals[r] === b : (r) => vals[r] !== null && vals[r] !== b;
    }
    case "string": {
      const t = textOf(v);
      const cmp = textOp(op, t);
      return (r) => { const c = vals[r]; return typeof c === "string" && cmp(c); };
    }
    case "class": {
      const t = textOf(v);
      const classes = col.classes;
      // A class cell matches by its id or its label, whichever the filter names.
      const names = (c: number | string): [string, string] => {
        const id = String(c);
        return [id, typeof c === "number" ? classes[id] ?? id : c];
      };
      if (op === "contains") {
        const needle = asciiLower(t);
        return (r) => { const c = vals[r]; return (typeof c === "number" || typeof c === "string") && asciiLower(names(c)[1]).includes(needle); };
      }
      const eq = (c: number | string): boolean => { const [id, label] = names(c); return id === t || label === t; };
      return op === "=" ? (r) => { const c = vals[r]; return (typeof c === "number" || typeof c === "string") && eq(c); }
        : (r) => { const c = vals[r]; return (typeof c === "number" || typeof c === "string") && !eq(c); };
    }
    case "image":
      return () => false; // checkTableFilter allows only null checks on images
  }
}

/** The text a text or class cell compares by: its label (a class id through the classes), else itself. */
function labelText(col: DecodedColumn, c: Cell): string | undefined {
  if (typeof c === "string") return c;
  if (typeof c === "number" && col.type === "class") return col.classes[String(c)] ?? String(c);
  return undefined;
}

/** A condition between two columns of one row (checkTableFilter made sure their types fit). */
function columns(a: DecodedColumn, op: string, b: DecodedColumn): Pred {
  const x = a.values;
  const y = b.values;
  if (a.type === "number" || a.type === "bool") {
    return (r) => {
      const p = x[r];
      const q = y[r];
      if (p === null || q === null || typeof p === "object" || typeof q === "object") return false;
      switch (op) {
        case "=": return p === q;
        case "!=": return p !== q && !(typeof p === "number" && Number.isNaN(p)) && !(typeof q === "number" && Number.isNaN(q));
        case "<": return p < q;
        case "<=": return p <= q;
        case ">": return p > q;
        default: return p >= q;
      }
    };
  }
  // Two class columns with ids compare ids (the same classes label both); otherwise labels.
  return (r) => {
    const p = x[r]!;
    const q = y[r]!;
    if (typeof p === "number" && typeof q === "number") return op === "=" ? p === q : op === "!=" ? p !== q : false;
    const s = labelText(a, p);
    const t = labelText(b, q);
    if (s === undefined || t === undefined) return false;
    if (op === "contains") return asciiLower(s).includes(asciiLower(t));
    return textOp(op, t)(s);
  };
}

function numberOp(op: string, x: number): (c: number) => boolean {
  switch (op) {
    case "=": return Number.isNaN(x) ? (c) => Number.isNaN(c) : (c) => c === x;
    case "!=": return Number.isNaN(x) ? (c) => !Number.isNaN(c) : (c) => c !== x && !Number.isNaN(c);
    case "<": return (c) => c < x;
    case "<=": return (c) => c <= x;
    case ">": return (c) => c > x;
    default: return (c) => c >= x;
  }
}

function textOp(op: string, t: string): (c: string) => boolean {
  switch (op) {
    case "=": return (c) => c === t;
    case "!=": return (c) => c !== t;
    case "<": return (c) => compareText(c, t) < 0;
    case "<=": return (c) => compareText(c, t) <= 0;
    case ">": return (c) => compareText(c, t) > 0;
    case ">=": return (c) => compareText(c, t) >= 0;
    default: {
      const needle = asciiLower(t);
      return (c) => asciiLower(c).includes(needle);
    }
  }
}

/** `<column>:asc|desc` (asc when no suffix); the column is matched whole first, so names may hold ":". */
export function parseSortParam(sort: string, cols: readonly DecodedColumn[]): { col: DecodedColumn; desc: boolean } {
  const byName = new Map(cols.map((c) => [c.name, c]));
  let name = sort;
  let desc = false;
  const colon = sort.lastIndexOf(":");
  if (!byName.has(sort) && colon > 0) {
    const dir = sort.slice(colon + 1);
    if (dir !== "asc" && dir !== "desc") {
      throw new OrreryError("invalid_request", `sort ${JSON.stringify(sort)} ends in ":${dir}": write <column>:asc or <column>:desc`, "sort");
    }
    name = sort.slice(0, colon);
    desc = dir === "desc";
  }
  const col = byName.get(name);
  if (col === undefined) {
    const names = cols.slice(0, 12).map((c) => JSON.stringify(c.name)).join(", ");
    throw new OrreryError("invalid_request", `sort names the unknown column ${JSON.stringify(name)}: sort by one of ${names}${cols.length > 12 ? ", …" : ""}`, "sort");
  }
  if (col.type === "image") throw new OrreryError("invalid_request", `column ${JSON.stringify(name)} holds images, which have no order: sort by another column`, "sort");
  return { col, desc };
}

/** Row positions ordered by the column: values ascending (or descending), missing/NaN last, ties by position. */
export function sortOrder(col: DecodedColumn, rows: number, desc: boolean): Uint32Array {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const missing = new Uint8Array(rows);
  const vals = col.values;
  const sign = desc ? -1 : 1;
  if (col.type === "number" || col.type === "bool" || col.type === "class") {
    // Class cells: integer ids by value, then label strings by text.
    const num = new Float64Array(rows);
    const text: (string | undefined)[] = col.type === "class" ? new Array<string | undefined>(rows) : [];
    for (let i = 0; i < rows; i++) {
      const c = vals[i];
      if (typeof c === "number" && !Number.isNaN(c)) num[i] = c;
      else if (typeof c === "boolean") num[i] = c ? 1 : 0;
      else if (typeof c === "string" && col.type === "class") { missing[i] = 1; text[i] = c; }
      else missing[i] = 2;
    }
    order.sort((a, b) => {
      const ma = missing[a]!;
      const mb = missing[b]!;
      if (ma !== mb) return ma - mb;
      if (ma === 2) return a - b;
      const d = ma === 0 ? num[a]! - num[b]! : compareText(text[a]!, text[b]!);
      return d !== 0 ? sign * d : a - b;
    });
    return order;
  }
  for (let i = 0; i < rows; i++) if (typeof vals[i] !== "string") missing[i] = 1;
  order.sort((a, b) => {
    const ma = missing[a]!;
    const mb = missing[b]!;
    if (ma !== mb) return ma - mb;
    if (ma === 1) return a - b;
    const d = compareText(vals[a] as string, vals[b] as string);
    return d !== 0 ? sign * d : a - b;
  });
  return order;
}

/** The rows of one page: filtered, sorted, cut at [offset, offset + limit); total counts every match. */
export function page(frame: Frame, req: PageRequest): PageResult {
  const pred = compileFilter(req.filter, frame.cols);
  let order: Uint32Array | undefined;
  if (req.sort !== undefined && req.sort !== "") {
    const { col, desc } = parseSortParam(req.sort, frame.cols);
    const id = `${desc ? "d" : "a"}:${col.name}`;
    order = frame.sorts?.get(id);
    if (order === undefined) {
      order = sortOrder(col, frame.rows, desc);
      frame.sorts?.set(id, order);
    }
  }
  const index: number[] = [];
  const end = req.offset + req.limit;
  let total = 0;
  for (let i = 0; i < frame.rows; i++) {
    const r = order === undefined ? i : order[i]!;
    if (pred !== null && !pred(r)) continue;
    if (total >= req.offset && total < end) index.push(r);
    total++;
  }
  return { total, index };
}

/** A cell as the wire carries it: non-finite numbers as strings, images as a URL. */
export function cellOut(c: Cell, imageUrl: (digest: string) => string): number | string | boolean | null | { image: string } {
  if (typeof c === "number") return Number.isFinite(c) ? c : Number.isNaN(c) ? "NaN" : c > 0 ? "Infinity" : "-Infinity";
  if (c !== null && typeof c === "object") return { image: imageUrl(c.digest) };
  return c;
}
