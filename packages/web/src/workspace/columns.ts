// Owns which columns the runs table shows and how they map to server fields: the fixed run
// columns, the first-visit default of config/summary columns, pinned-first order, and the sort
// cycle of a header click. Pure.
import type { RunKey } from "@orrery/protocol";

export interface RunColumn {
  /** data-col of the header and cells. */
  id: string;
  label: string;
  /** The server field for sort= and filter; the column is not sortable when sortable is false. */
  field: string;
  sortable: boolean;
  width: number;
}

/** The run's own columns after name (name itself is always first, after the row controls). */
export const RUN_COLUMNS: readonly RunColumn[] = [
  { id: "state", label: "State", field: "state", sortable: true, width: 96 },
  { id: "created", label: "Created", field: "createdAt", sortable: true, width: 150 },
  { id: "runtime", label: "Runtime", field: "runtime", sortable: true, width: 88 },
  // The server refuses to sort by tags (a list); it still filters on them.
  { id: "tags", label: "Tags", field: "tags", sortable: false, width: 150 },
  { id: "group", label: "Group", field: "group", sortable: true, width: 120 },
];
export const NAME_COLUMN: RunColumn = { id: "name", label: "Name", field: "name", sortable: true, width: 200 };
export const FIELD_COLUMN_WIDTH = 120;

export const DEFAULT_SORT = "createdAt:desc";

/** Text fields sort A→Z first; numbers and times biggest/newest first. */
const TEXT_FIELDS = new Set(["name", "state", "group", "jobType"]);

/** The server field of a column id (run columns by their id, key columns are their own field). */
export function columnField(id: string): string {
  if (id === NAME_COLUMN.id) return NAME_COLUMN.field;
  return RUN_COLUMNS.find((c) => c.id === id)?.field ?? id;
}

export function columnSortable(id: string): boolean {
  if (id === NAME_COLUMN.id) return true;
  return RUN_COLUMNS.find((c) => c.id === id)?.sortable ?? true;
}

export interface SortState { field: string; dir: "asc" | "desc" }

/** field:asc|desc from the URL; the split is at the last colon because keys may hold colons. */
export function parseSortParam(sort: string): SortState | null {
  const i = sort.lastIndexOf(":");
  if (i <= 0) return sort ? { field: sort, dir: TEXT_FIELDS.has(sort) ? "asc" : "desc" } : null;
  const dir = sort.slice(i + 1);
  if (dir !== "asc" && dir !== "desc") return { field: sort, dir: TEXT_FIELDS.has(sort) ? "asc" : "desc" };
  return { field: sort.slice(0, i), dir };
}

/** The sort after clicking a header: first click picks the natural direction, then flips, then goes back to the default. */
export function nextSort(current: string, field: string): string {
  const cur = parseSortParam(current || DEFAULT_SORT)!;
  const first: "asc" | "desc" = TEXT_FIELDS.has(field) ? "asc" : "desc";
  if (cur.field !== field) return `${field}:${first}`;
  if (!current) return `${field}:${cur.dir === "asc" ? "desc" : "asc"}`; // clicking the default's column
  if (cur.dir === first) return `${field}:${first === "asc" ? "desc" : "asc"}`;
  return "";
}

function isReserved(k: RunKey): boolean {
  return (k.path[0] ?? "").startsWith("_");
}

/** Columns for a first visit: the first few summary metrics (not reserved _ keys), then the first few config keys. */
export function defaultColumns(keys: readonly RunKey[], perScope = 4): string[] {
  const summary = keys.filter((k) => k.scope === "summary" && !isReserved(k)).slice(0, perScope);
  const config = keys.filter((k) => k.scope === "config").slice(0, perScope);
  return [...summary, ...config].map((k) => k.field);
}

/** Pinned columns first (in pin order), then the rest in their order. */
export function orderColumns(columns: readonly string[], pinned: readonly string[]): string[] {
  const pins = pinned.filter((p) => columns.includes(p));
  return [...pins, ...columns.filter((c) => !pins.includes(c))];
}

/** config.optimizer.lr → "optimizer.lr" with its scope apart, for compact headers. */
export function fieldLabel(field: string): { scope: string; name: string } {
  const i = field.indexOf(".");
  const scope = field.slice(0, i);
  if (i > 0 && (scope === "config" || scope === "summary")) return { scope, name: field.slice(i + 1) };
  return { scope: "", name: field };
}

export function toggleIn(list: readonly string[], item: string): string[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}
