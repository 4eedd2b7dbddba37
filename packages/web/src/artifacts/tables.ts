// Owns turning a file's text into a table for the preview: CSV and TSV (quoted fields, doubled
// quotes, CRLF), JSON arrays of objects, and W&B-style `{columns, data}` tables. Only the first
// rows are kept; a text cut off mid-file drops its last, partial row. Pure, so it is unit-tested.

/** Rows a preview parses and shows at most. */
export const MAX_TABLE_ROWS = 1000;

export interface ParsedTable {
  columns: string[];
  rows: unknown[][];
  /** The file has rows past those kept (more than MAX_TABLE_ROWS, or the text was cut off). */
  more: boolean;
}

/**
 * Parses delimited text whose first row is the header. `partial` says the text is only the start
 * of the file, so its last row may be cut and is dropped.
 */
export function parseDelimited(text: string, delimiter: "," | "\t", partial = false, maxRows = MAX_TABLE_ROWS): ParsedTable {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  let more = false;
  let ended = true; // the text so far ends at a record boundary
  const endRecord = () => {
    record.push(field);
    field = "";
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };
  while (i < body.length) {
    const c = body[i]!;
    ended = false;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      endRecord();
      ended = true;
      // The header plus one row past the limit: enough to know there are more.
      if (records.length > maxRows + 1) {
        more = true;
        break;
      }
    } else field += c;
    i++;
  }
  if (!more && !ended) {
    // The last record has no newline: whole when the text is the whole file, cut off when partial.
    if (partial) more = true;
    else endRecord();
  }
  if (partial) more = true;
  const [header = [], ...rest] = records;
  const rows = rest.slice(0, maxRows);
  if (rest.length > maxRows) more = true;
  const width = Math.max(header.length, ...rows.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, k) => header[k] ?? `column ${k + 1}`);
  return { columns, rows, more };
}

/**
 * A JSON value as a table, or null when it is not one: an array of objects (columns are the keys
 * in first-seen order), or an object with `columns` (array) and `data` (array of arrays), as W&B
 * tables and Orrery's table values are.
 */
export function jsonTable(value: unknown, maxRows = MAX_TABLE_ROWS): ParsedTable | null {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every(isPlainObject)) return null;
    const columns: string[] = [];
    const seen = new Set<string>();
    const kept = (value as Record<string, unknown>[]).slice(0, maxRows);
    for (const row of kept) {
      for (const k of Object.keys(row)) {
        if (!seen.has(k)) {
          seen.add(k);
          columns.push(k);
        }
      }
    }
    return { columns, rows: kept.map((r) => columns.map((c) => (c in r ? r[c] : undefined))), more: value.length > maxRows };
  }
  if (isPlainObject(value) && Array.isArray(value.columns) && Array.isArray(value.data) && value.data.every(Array.isArray)) {
    const data = value.data as unknown[][];
    return { columns: value.columns.map((c) => cellText(c)), rows: data.slice(0, maxRows), more: data.length > maxRows };
  }
  return null;
}

/** Parses JSON text and returns it as a table when it is one; null when it is not JSON or not a table. */
export function parseJsonTable(text: string, maxRows = MAX_TABLE_ROWS): ParsedTable | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return jsonTable(value, maxRows);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** How a cell reads: strings as they are, missing as empty, anything else as compact JSON. */
export function cellText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** The rows of one page (0-based) of `pageSize`, and how many pages there are. */
export function pageOf<T>(rows: readonly T[], page: number, pageSize: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { rows: rows.slice(p * pageSize, (p + 1) * pageSize), page: p, pages };
}
