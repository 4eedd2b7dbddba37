// Owns turning a sweep's config and trials into what its page shows: flat parameter names, each
// parameter's axis kind (log, linear, categorical) read from the config's distributions, the
// best-so-far series, table sorting, and the progress bar's segments. Pure: no React, no fetching.
import type { Goal, Sweep, SweepTrial, TrialState } from "./wire";

/** Nested params to dotted names ({optimizer: {lr}} → "optimizer.lr"); arrays stay values. */
export function flattenParams(nested: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(nested)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flattenParams(v as Record<string, unknown>, name, out);
    else out[name] = v;
  }
  return out;
}

export type DimKind = "linear" | "log" | "categorical" | "constant";

export interface ParamDim {
  name: string;
  kind: DimKind;
  /** Categorical: the categories in the config's order (then any others seen, sorted). */
  categories?: string[];
}

/** W&B distributions whose values spread over orders of magnitude: drawn and modelled in log space. */
const LOG_DISTRIBUTIONS = new Set([
  "log_uniform", "log_uniform_values", "q_log_uniform", "q_log_uniform_values", "inv_log_uniform",
  "inv_log_uniform_values", "log_normal", "q_log_normal",
]);

/** The display string of a categorical value (objects and arrays by their JSON). */
export function categoryKey(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function dimFromSpec(name: string, spec: Record<string, unknown>): ParamDim {
  const dist = typeof spec.distribution === "string" ? spec.distribution : null;
  if (dist === "constant" || (dist === null && "value" in spec)) return { name, kind: "constant" };
  if (dist === "categorical" || dist === "categorical_w_probabilities" || (dist === null && Array.isArray(spec.values))) {
    const values = Array.isArray(spec.values) ? spec.values : [];
    // A categorical of numbers is still drawn as categories: the search treats it as unordered.
    return { name, kind: "categorical", categories: values.map(categoryKey) };
  }
  if (dist !== null && LOG_DISTRIBUTIONS.has(dist)) return { name, kind: "log" };
  return { name, kind: "linear" };
}

function collectSpecs(params: Record<string, unknown>, prefix: string, out: ParamDim[]): void {
  for (const [k, raw] of Object.entries(params)) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) continue;
    const spec = raw as Record<string, unknown>;
    const name = prefix ? `${prefix}.${k}` : k;
    const nested = spec.parameters;
    if (nested !== null && typeof nested === "object" && !Array.isArray(nested)) collectSpecs(nested as Record<string, unknown>, name, out);
    else out.push(dimFromSpec(name, spec));
  }
}

/**
 * One dimension per searched parameter: from the config's `parameters` (nested ones dotted), plus
 * any parameter the trials carry that the config does not name (kind guessed from the values).
 * Categories seen in trials but missing from the config are appended, sorted.
 */
export function paramDims(config: Record<string, unknown>, flatTrials: Record<string, unknown>[]): ParamDim[] {
  const dims: ParamDim[] = [];
  const params = config.parameters;
  if (params !== null && typeof params === "object" && !Array.isArray(params)) collectSpecs(params as Record<string, unknown>, "", dims);
  const known = new Map(dims.map((d) => [d.name, d]));
  const seen = new Map<string, unknown[]>();
  for (const t of flatTrials) {
    for (const [k, v] of Object.entries(t)) {
      let list = seen.get(k);
      if (!list) seen.set(k, (list = []));
      list.push(v);
    }
  }
  for (const [name, values] of seen) {
    let dim = known.get(name);
    if (!dim) {
      const numeric = values.every((v) => typeof v === "number");
      dim = numeric ? { name, kind: "linear" } : { name, kind: "categorical", categories: [] };
      dims.push(dim);
      known.set(name, dim);
    }
    if (dim.kind === "categorical") {
      const have = new Set(dim.categories);
      const extra = [...new Set(values.filter((v) => v !== undefined).map(categoryKey))].filter((c) => !have.has(c)).sort();
      dim.categories = [...(dim.categories ?? []), ...extra];
    }
  }
  return dims;
}

/** A trial with its flat params and its 1-based position in creation order. */
export interface FlatTrial extends SweepTrial {
  number: number;
  flat: Record<string, unknown>;
}

export function flatTrials(trials: readonly SweepTrial[]): FlatTrial[] {
  return trials.map((t, i) => ({ ...t, number: i + 1, flat: flattenParams(t.params) }));
}

/** Finished trials with a finite value: the ones the plots and importance use. */
export function scored(trials: readonly FlatTrial[]): (FlatTrial & { value: number })[] {
  return trials.filter((t): t is FlatTrial & { value: number } => t.state === "finished" && t.value !== null && Number.isFinite(t.value));
}

export const better = (goal: Goal, a: number, b: number): boolean => (goal === "maximize" ? a > b : a < b);

/**
 * The best-so-far chart's columns, x = trial number: every scored trial's value, and the best value
 * among the scored trials up to each of them (a step line that only ever improves).
 */
export function bestSoFar(trials: readonly FlatTrial[], goal: Goal): { x: number[]; values: number[]; best: number[] } {
  const x: number[] = [];
  const values: number[] = [];
  const best: number[] = [];
  let b: number | null = null;
  for (const t of scored(trials)) {
    if (b === null || better(goal, t.value, b)) b = t.value;
    x.push(t.number);
    values.push(t.value);
    best.push(b);
  }
  return { x, values, best };
}

export type SortKey = "number" | "runId" | "state" | "value" | `param:${string}`;
export interface TrialSort { key: SortKey; dir: "asc" | "desc" }

function sortValue(t: FlatTrial, key: SortKey): unknown {
  if (key.startsWith("param:")) return t.flat[key.slice(6)];
  return t[key as "number" | "runId" | "state" | "value"];
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return categoryKey(a).localeCompare(categoryKey(b), "en", { numeric: true });
}

/** Sorted copy; missing values (no metric yet, a param the trial lacks) go last either way. */
export function sortTrials(trials: readonly FlatTrial[], sort: TrialSort): FlatTrial[] {
  const sign = sort.dir === "asc" ? 1 : -1;
  return trials.slice().sort((ta, tb) => {
    const a = sortValue(ta, sort.key);
    const b = sortValue(tb, sort.key);
    const ma = a === null || a === undefined;
    const mb = b === null || b === undefined;
    if (ma || mb) return ma === mb ? ta.number - tb.number : ma ? 1 : -1;
    return sign * compare(a, b) || ta.number - tb.number;
  });
}

/** Clicking a header: a new column sorts ascending (value: best first), the same column flips. */
export function nextTrialSort(cur: TrialSort, key: SortKey, goal: Goal | null): TrialSort {
  if (cur.key === key) return { key, dir: cur.dir === "asc" ? "desc" : "asc" };
  return { key, dir: key === "value" && goal === "maximize" ? "desc" : "asc" };
}

export interface ProgressSegment { state: TrialState | "remaining"; count: number }

/**
 * The progress bar: trials by state (running counts assigned ones too), then what is left of
 * run_cap (or of the grid). The bar's whole is run_cap (or the grid size) when set and not already
 * passed, else the trials so far. Configurations queued to be offered again are not trials yet.
 */
export function progressSegments(sweep: Pick<Sweep, "counts" | "runCap" | "gridSize">): { segments: ProgressSegment[]; whole: number } {
  const c = sweep.counts;
  const segments: ProgressSegment[] = [
    { state: "finished", count: c.finished },
    { state: "running", count: c.running },
    { state: "failed", count: c.failed },
    { state: "crashed", count: c.crashed },
    { state: "stopped", count: c.stopped },
    { state: "lost", count: c.lost },
  ];
  const used = segments.reduce((a, s) => a + s.count, 0);
  const limit = sweep.runCap ?? sweep.gridSize;
  const whole = limit !== null && limit > used ? limit : used;
  if (whole > used) segments.push({ state: "remaining", count: whole - used });
  return { segments: segments.filter((s) => s.count > 0), whole };
}
