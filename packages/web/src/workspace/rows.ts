// Owns the loaded runs-table rows as plain data: appending pages, merging live updates in place,
// folding a fresh first page into what is loaded, and picking the runs the charts draw. Pure.
import type { RunRow, RunState } from "@orrery/protocol";

export interface LiveMerge {
  rows: RunRow[];
  /** Loaded runs whose fields changed. */
  changed: string[];
  /** Loaded runs that logged records since we fetched their column values (summary/config may differ). */
  stale: string[];
  /** Runs in the event that are not loaded. */
  unknown: string[];
}

export function indexRows(rows: readonly RunRow[]): Map<string, number> {
  const m = new Map<string, number>();
  rows.forEach((r, i) => m.set(r.id, i));
  return m;
}

/** Appends a page, dropping runs already loaded (a run can move between pages while we page). */
export function appendPage(rows: readonly RunRow[], index: ReadonlyMap<string, number>, page: readonly RunRow[]): RunRow[] {
  const out = rows.slice();
  for (const r of page) if (!index.has(r.id)) out.push(r);
  return out;
}

/** A live row over a loaded one: live events carry the run's own fields and no column values (values is {}). */
export function mergeLiveRow(old: RunRow, live: RunRow): RunRow {
  return { ...old, ...live, values: { ...old.values, ...live.values } };
}

function sameFields(a: RunRow, b: RunRow): boolean {
  return a.state === b.state && a.runtime === b.runtime && a.lastStep === b.lastStep && a.lastSeq === b.lastSeq &&
    a.name === b.name && a.group === b.group && a.jobType === b.jobType && a.notes === b.notes &&
    a.endedAt === b.endedAt && a.heartbeatAt === b.heartbeatAt && a.exitCode === b.exitCode &&
    a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);
}

/** Live rows merged into the loaded ones, in place by position (the array is new only if something changed). */
export function mergeLive(rows: readonly RunRow[], index: ReadonlyMap<string, number>, live: readonly RunRow[]): LiveMerge {
  let out: RunRow[] | null = null;
  const changed: string[] = [];
  const stale: string[] = [];
  const unknown: string[] = [];
  for (const l of live) {
    const i = index.get(l.id);
    if (i === undefined) {
      unknown.push(l.id);
      continue;
    }
    const old = rows[i]!;
    if (l.lastSeq !== old.lastSeq) stale.push(l.id);
    if (sameFields(old, l)) continue;
    out ??= rows.slice();
    out[i] = mergeLiveRow(old, l);
    changed.push(l.id);
  }
  return { rows: out ?? (rows as RunRow[]), changed, stale, unknown };
}

/** Rows refetched by id (with fresh column values) put back where they are. */
export function replaceRows(rows: readonly RunRow[], index: ReadonlyMap<string, number>, fresh: readonly RunRow[]): RunRow[] {
  let out: RunRow[] | null = null;
  for (const f of fresh) {
    const i = index.get(f.id);
    if (i === undefined) continue;
    out ??= rows.slice();
    out[i] = f;
  }
  return out ?? (rows as RunRow[]);
}

/**
 * A refetched first page in front of the loaded rows (new runs appear on top of a newest-first
 * table); loaded runs it also holds take their fresh version and position. The cursor of the last
 * loaded page stays valid because cursors are positions in the sort order, not offsets.
 */
export function mergeFirstPage(rows: readonly RunRow[], first: readonly RunRow[]): RunRow[] {
  const fresh = new Set(first.map((r) => r.id));
  return [...first, ...rows.filter((r) => !fresh.has(r.id))];
}

export interface ChartRunData { id: string; name: string; state: RunState; lastStep: number | null; group?: string | null }

/**
 * The runs the charts draw: the table's first `n` runs, minus hidden ones (hiding a run removes
 * its line rather than pulling the next run in, so the charts follow what the user sees on top).
 */
export function chartRunsFrom(rows: readonly RunRow[], n: number, hidden: ReadonlySet<string>, groupOf?: (r: RunRow) => string | null): ChartRunData[] {
  return rows.slice(0, n).filter((r) => !hidden.has(r.id)).map((r) => ({
    id: r.id, name: r.name, state: r.state, lastStep: r.lastStep, ...(groupOf ? { group: groupOf(r) } : {}),
  }));
}

/** What the row counter says: the total when the server knows it, else what is loaded and whether there is more. */
export function rowCountText(loaded: number, total: number | null, more: boolean): string {
  if (total !== null) return `${total} ${total === 1 ? "run" : "runs"}`;
  return more ? `${loaded} runs (more…)` : `${loaded} ${loaded === 1 ? "run" : "runs"}`;
}
