// Owns how a table page reads: a cell's text by its column type (numbers formatted, class ids turned
// into their labels), the paging caption, the sort a header click gives, and writing filter text in
// the tables' grammar (columns by name, backticks around names that are not plain words). Pure.
import { formatNumber, toNumber } from "../api/values";
import { quoteText } from "../workspace/filterText";
import type { TableCell, TableColumn } from "./wire";

export type ClassMap = Record<string, string> | null | undefined;

/** An image cell as the server pages it. */
export function isImageCell(v: TableCell | undefined): v is { image: string } {
  return typeof v === "object" && v !== null && typeof (v as { image?: unknown }).image === "string";
}

/** The label of a class cell: an int id looked up in `classes` (the id itself when unknown), a label as is. */
export function classLabel(v: TableCell | undefined, classes: ClassMap): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return classes?.[String(v)] ?? String(v);
  if (typeof v === "string") return classes?.[v] ?? v;
  return isImageCell(v) ? "" : String(v);
}

/** A cell as text for its column: numbers formatted ("NaN"/"Infinity" strings too), classes as labels, null empty. */
export function cellText(v: TableCell | undefined, column: TableColumn, classes: ClassMap): string {
  if (v === null || v === undefined) return "";
  if (isImageCell(v)) return "";
  if (column.type === "class") return classLabel(v, classes);
  if (column.type === "number" || typeof v === "number") {
    const n = toNumber(v);
    if (n !== null) return formatNumber(n);
  }
  return String(v);
}

const fmt = new Intl.NumberFormat("en");

/** "1–100 of 100,000" for rows offset+1 .. offset+count of total; "0 of 0" when nothing matches. */
export function pageInfo(offset: number, count: number, total: number): string {
  if (total === 0 || count === 0) return `0 of ${fmt.format(total)}`;
  return `${fmt.format(offset + 1)}–${fmt.format(offset + count)} of ${fmt.format(total)}`;
}

/** The offset of the last page (the one holding row `total`). */
export function lastPageOffset(total: number, limit: number): number {
  return total <= 0 ? 0 : Math.floor((total - 1) / limit) * limit;
}

export type SortDir = "asc" | "desc";
export interface TableSort { col: string; dir: SortDir }

/** `col:asc|desc` (the server's sort=) as a sort, null when empty or malformed. */
export function parseSort(s: string): TableSort | null {
  const i = s.lastIndexOf(":");
  if (i <= 0) return null;
  const dir = s.slice(i + 1);
  return dir === "asc" || dir === "desc" ? { col: s.slice(0, i), dir } : null;
}

/** After clicking a header: numbers biggest first, text A→Z first; a second click flips; a third clears. */
export function nextSort(current: string, column: TableColumn): string {
  const first: SortDir = column.type === "number" ? "desc" : "asc";
  const now = parseSort(current);
  if (!now || now.col !== column.name) return `${column.name}:${first}`;
  return now.dir === first ? `${column.name}:${first === "asc" ? "desc" : "asc"}` : "";
}

const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(["and", "or", "not", "in", "contains", "exists", "true", "false", "null"]);

/** A column name as the filter grammar takes it: plain words bare, anything else in backticks. */
export function columnRef(name: string): string {
  if (WORD.test(name) && !KEYWORDS.has(name.toLowerCase())) return name;
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** A value as filter text: finite numbers and booleans as typed, everything else quoted. */
export function literal(v: string | number | boolean): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v === "boolean") return String(v);
  return quoteText(String(v));
}

/** `col = value`. */
export function equals(column: string, v: string | number | boolean): string {
  return `${columnRef(column)} = ${literal(v)}`;
}
