// Owns the compare page's table logic: flattening configs and summaries to dotted keys, deciding
// whether runs' values are equal (NaN equals NaN, objects compare by content, a missing key differs
// from null), ordering the rows, and filtering them by search and "show equal rows". Pure.
import { formatPath } from "@orrery/protocol";
import { isTableValue } from "../api/values";

export type Scope = "config" | "summary";

export interface CompareRow {
  /** scope.path, e.g. config.optimizer.lr or summary.val/acc; unique per row. */
  key: string;
  scope: Scope;
  /** The path in filter syntax (segments needing it are `backtick-quoted`). */
  path: string;
  /** One value per run, in run order; undefined where the run lacks the key. */
  values: unknown[];
  differs: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaves of a nested object keyed by formatted path; arrays, empty objects and table values are leaves. */
export function flatten(obj: Obj, skipTop?: (key: string) => boolean): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (o: Obj, path: string[]) => {
    for (const [k, v] of Object.entries(o)) {
      if (path.length === 0 && skipTop?.(k)) continue;
      const p = [...path, k];
      if (isObj(v) && Object.keys(v).length > 0 && !isTableValue(v)) walk(v, p);
      else out.set(formatPath(p), v);
    }
  };
  walk(obj, []);
  return out;
}

/** The wire's non-finite strings as numbers, so "NaN" from one run equals NaN from another. */
function leaf(v: unknown): unknown {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return v;
}

/** JSON with object keys sorted, so {a,b} and {b,a} compare equal. */
function stable(v: unknown): string {
  const x = leaf(v);
  if (typeof x === "number") return Number.isNaN(x) ? '"NaN"' : !Number.isFinite(x) ? (x > 0 ? '"Infinity"' : '"-Infinity"') : JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(stable).join(",")}]`;
  if (isObj(x)) return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${stable(x[k])}`).join(",")}}`;
  return JSON.stringify(x) ?? "undefined";
}

/** Whether two runs' values for one key are the same; a missing key (undefined) equals only another missing key. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = leaf(a);
  const y = leaf(b);
  if (typeof x === "number" && typeof y === "number") return x === y || (Number.isNaN(x) && Number.isNaN(y));
  if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return x === y;
  return stable(x) === stable(y);
}

const collator = new Intl.Collator("en", { numeric: true });

export interface ComparedRun { config: Obj; summary: Obj }

/** Every config and summary key of the runs (summary keys starting with "_" left out), config first, each in natural key order. */
export function compareRuns(runs: readonly ComparedRun[]): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const scope of ["config", "summary"] as const) {
    const flat = runs.map((r) => flatten(r[scope], scope === "summary" ? (k) => k.startsWith("_") : undefined));
    const paths = new Set<string>();
    for (const f of flat) for (const k of f.keys()) paths.add(k);
    for (const path of [...paths].sort(collator.compare)) {
      const values = flat.map((f) => f.get(path));
      const differs = values.some((v) => !sameValue(v, values[0]));
      rows.push({ key: `${scope}.${path}`, scope, path, values, differs });
    }
  }
  return rows;
}

/** The rows to show: differing ones (or all with showAll) whose key contains the search text. */
export function visibleRows(rows: readonly CompareRow[], opts: { showAll: boolean; search: string }): CompareRow[] {
  const q = opts.search.trim().toLowerCase();
  return rows.filter((r) => (opts.showAll || r.differs) && (!q || r.key.toLowerCase().includes(q)));
}

/**
 * Which cells of a row to highlight: those that differ from the value most runs share. With no
 * single most common value (two runs that disagree, or a tie) every cell is highlighted.
 */
export function differingCells(values: readonly unknown[]): boolean[] {
  const groups: { value: unknown; count: number }[] = [];
  const groupOf = values.map((v) => {
    let g = groups.findIndex((x) => sameValue(x.value, v));
    if (g === -1) g = groups.push({ value: v, count: 0 }) - 1;
    groups[g]!.count++;
    return g;
  });
  if (groups.length <= 1) return values.map(() => false);
  const top = Math.max(...groups.map((g) => g.count));
  const tops = groups.filter((g) => g.count === top).length;
  return groupOf.map((g) => tops > 1 || groups[g]!.count !== top);
}
