// Owns comparing one table across runs on the compare page: the table keys every run logged, the
// default join column (an `id` column, else the row index), which column to compare and the rows
// where the runs disagree on it, as a filter the server applies: class and boolean columns are
// written out over their known values (labels, true/false); other columns compare the runs'
// columns with each other (`a/score != b/score`), which the grammar allows for bare column names.
// Only a column whose run-qualified names need backticks is left to be judged per page. Pure.
import { columnRef, literal } from "./cells";
import type { CompareColumn, TableCell, TableColumn, TableKey } from "./wire";

/** Table keys every run logged, in the first run's order. */
export function commonKeys(perRun: readonly (readonly TableKey[])[]): string[] {
  if (perRun.length === 0) return [];
  const rest = perRun.slice(1).map((keys) => new Set(keys.map((k) => k.key)));
  return perRun[0].map((k) => k.key).filter((k) => rest.every((s) => s.has(k)));
}

export const INDEX_JOIN = "_index";

/** `id` (any case) when the table has such a column, else the row index. */
export function defaultJoin(columns: readonly TableColumn[]): string {
  return columns.find((c) => c.name.toLowerCase() === "id" && c.type !== "image")?.name ?? INDEX_JOIN;
}

const PREDICTED = ["pred", "prediction", "predicted", "y_pred"];

/** Column names that appear once per run (every non-join column), in order. */
export function perRunNames(columns: readonly CompareColumn[]): string[] {
  return [...new Set(columns.filter((c) => c.run !== null).map((c) => c.name))];
}

/** The column whose values the runs should agree on: a prediction column, else the first class column, else the first per-run one. */
export function defaultCompared(columns: readonly CompareColumn[]): string | null {
  const names = perRunNames(columns);
  const pred = names.find((n) => PREDICTED.includes(n.toLowerCase()));
  if (pred) return pred;
  return columns.find((c) => c.run !== null && c.type === "class")?.name ?? names[0] ?? null;
}

function same(a: TableCell | undefined, b: TableCell | undefined): boolean {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) return a.image === b.image;
  return a === b;
}

/** Whether the runs' values of column `name` differ in this row (a run without the row counts as different). */
export function disagrees(row: readonly TableCell[], columns: readonly CompareColumn[], name: string): boolean {
  const idx = columns.flatMap((c, i) => (c.run !== null && c.name === name ? [i] : []));
  return idx.some((i) => !same(row[i], row[idx[0]]));
}

/** The server's filter length limit (TableCompareQuery.filter). */
export const MAX_FILTER_CHARS = 10_000;

/**
 * A filter keeping the joined rows where the runs' values of column `name` differ. With known
 * values (`values`: every class label, or true/false): some run differs from the first one on a
 * known value, or exactly one of them is missing. Without: the runs' columns compared directly.
 * Null when it cannot be written (fewer than two runs, a name needing backticks, or too long).
 */
export function disagreementFilter(columns: readonly CompareColumn[], name: string, values: readonly (string | boolean)[]): string | null {
  const cols = columns.filter((c) => c.run !== null && c.name === name);
  if (cols.length < 2) return null;
  if (values.length === 0) return columnsDiffer(cols);
  const first = columnRef(cols[0]!.key);
  const terms: string[] = [];
  for (const other of cols.slice(1)) {
    const ref = columnRef(other.key);
    for (const v of values) terms.push(`(${first} = ${literal(v)} and ${ref} != ${literal(v)})`);
    terms.push(`(${first} = null and ${ref} != null)`, `(${first} != null and ${ref} = null)`);
  }
  const text = terms.join(" or ");
  return text.length <= MAX_FILTER_CHARS ? text : null;
}

/** A word the table filter reads as a column name when it stands where a value goes. */
const BARE_NAME = /^[\p{L}\p{N}_\-/.:+@]+$/u;

/** Some run's column differs from the first run's, or exactly one of the two is missing; null when a name needs backticks. */
function columnsDiffer(cols: readonly CompareColumn[]): string | null {
  if (!cols.every((c) => BARE_NAME.test(c.key))) return null;
  const first = cols[0]!.key;
  const text = cols.slice(1)
    .flatMap((o) => [`${first} != ${o.key}`, `(${first} = null and ${o.key} != null)`, `(${first} != null and ${o.key} = null)`])
    .join(" or ");
  return text.length <= MAX_FILTER_CHARS ? text : null;
}

/** The known values of a compared column: class labels from the runs' class maps, or true/false. */
export function knownValues(column: CompareColumn | undefined, classMaps: readonly Record<string, string>[]): (string | boolean)[] {
  if (!column) return [];
  if (column.type === "bool") return [true, false];
  if (column.type !== "class") return [];
  return [...new Set(classMaps.flatMap((m) => Object.values(m)))];
}

/** Both filters, each parenthesized, ANDed; either may be empty. */
export function andFilters(a: string, b: string | null): string {
  const parts = [a.trim(), (b ?? "").trim()].filter(Boolean);
  return parts.length < 2 ? parts[0] ?? "" : parts.map((p) => `(${p})`).join(" and ");
}
