// Owns the table's row list as the virtualizer sees it: run rows, placeholders for rows not loaded
// yet, and in the grouped view group rows followed by their runs when expanded. Pure.
import type { RunGroup, RunRow } from "@orrery/protocol";
import { formatValue } from "../api/values";

export type DisplayItem =
  | { kind: "run"; row: RunRow; inGroup: boolean }
  | { kind: "placeholder" }
  | { kind: "group"; group: RunGroup; id: string; label: string; expanded: boolean }
  | { kind: "groupStatus"; group: RunGroup; id: string; status: "loading" | "more" | "error"; message?: string };

/** How many rows past the loaded ones to show as placeholders when the total is unknown. */
export const UNKNOWN_TAIL = 20;

/** Rows the flat table scrolls over: the total when known, else what is loaded plus a tail of placeholders. */
export function flatRowCount(loaded: number, total: number | null, more: boolean): number {
  if (!more) return loaded;
  return Math.max(total ?? 0, loaded + UNKNOWN_TAIL);
}

/** The separator between a multi-key group's values in its label ("adam · 0.01"). */
export const GROUP_LABEL_SEP = " · ";

/** A group's value as the label on its row and in charts (null is the group of runs without a value). */
export function groupLabel(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return typeof value === "string" ? value : formatValue(value);
}

/** A group's label for several keys: each key's value, outermost first. */
export function groupKeyLabel(key: Readonly<Record<string, unknown>>, by: readonly string[]): string {
  return by.map((b) => groupLabel(key[b] ?? null)).join(GROUP_LABEL_SEP);
}

export interface ExpandedGroup { rows: readonly RunRow[]; nextCursor: string | null; loading: boolean; error: unknown }

export function groupedItems(
  groups: readonly RunGroup[], by: readonly string[], expanded: ReadonlyMap<string, ExpandedGroup>, idOf: (g: RunGroup) => string,
): DisplayItem[] {
  const out: DisplayItem[] = [];
  for (const group of groups) {
    const id = idOf(group);
    const e = expanded.get(id);
    out.push({ kind: "group", group, id, label: groupKeyLabel(group.key, by), expanded: !!e });
    if (!e) continue;
    for (const row of e.rows) out.push({ kind: "run", row, inGroup: true });
    if (e.error) out.push({ kind: "groupStatus", group, id, status: "error", message: e.error instanceof Error ? e.error.message : String(e.error) });
    else if (e.loading) out.push({ kind: "groupStatus", group, id, status: "loading" });
    else if (e.nextCursor) out.push({ kind: "groupStatus", group, id, status: "more" });
  }
  return out;
}
