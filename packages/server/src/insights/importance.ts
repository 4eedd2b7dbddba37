// Owns turning run values into the Importance answer (pure, no I/O): the seeded sample of runs, the
// choice of config keys that vary, binning each key into forest features (numbers by value, with
// quantile bins past 63 distinct values; categories by frequency), the surrogate fit (forest.ts),
// normalizing its permutation importances, Pearson correlations, and the honest message saying what
// the numbers rest on. routes/insights.ts reads the values.
import {
  CORRELATION_MIN_RUNS, IMPORTANCE_MIN_RUNS, type Importance, type ParamImportance, type RunValue,
} from "@orrery/protocol";
import { mulberry32 } from "@orrery/sweeps";
import { DEFAULT_FOREST, fitForest, MAX_BINS, splitCandidates, type Feature, type ForestOptions } from "./forest.js";

/**
 * Rows x split candidates x trees one answer may cost: 100 trees up to 5,000 runs x 24 keys; past
 * that, fewer trees (never under MIN_TREES), so 5,000 runs x 100 keys still answer in about a second.
 */
const WORK = 5_000 * 8 * 100;
const MIN_TREES = 25;

/** Code 0 of every feature: the run has no value for the key. */
const MISSING = 0;

export interface ImportanceInput {
  metric: string;
  runsTotal: number;
  runsUsed: number;
  /** The metric of each run the surrogate sees (finite), and each param's values for the same runs. */
  y: readonly number[];
  params: readonly { key: string; values: readonly RunValue[] }[];
  /** Sentences about how the runs were chosen (sampling, truncation), put first in message. */
  notes: readonly string[];
  forest?: ForestOptions;
}

export function method(trees: number): string {
  return `random forest regression surrogate (${trees} CART trees on bootstrap samples, depth <= ${DEFAULT_FOREST.maxDepth}, ` +
    "a third of the keys (at least 8) tried per split, categories split by mean metric) fitted to the metric; importance = " +
    "rise in out-of-bag squared error when the key's values are shuffled (permutation importance), normalized to sum 1; " +
    "correlation = Pearson's r with the metric";
}

/** Trees for n runs and p keys, within the work budget. */
export function treesFor(n: number, p: number): number {
  const fit = Math.floor(WORK / Math.max(1, n * splitCandidates(p)));
  return Math.max(MIN_TREES, Math.min(DEFAULT_FOREST.trees, fit));
}

/** `k` distinct indices of [0, n), ascending, the same for the same (n, k, seed). */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const rng = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** True when the runs hold at least two different values (missing counts as none). */
export function varies(values: readonly RunValue[]): boolean {
  let first: RunValue | undefined;
  for (const v of values) {
    if (v === null) continue;
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

export function computeImportance(input: ImportanceInput): Importance {
  const { metric, runsTotal, runsUsed, y } = input;
  const n = y.length;
  const described = input.params.map((p) => describe(p.key, p.values, y));
  const enough = n >= IMPORTANCE_MIN_RUNS && described.length > 0;
  const notes = [...input.notes];
  let importances: (number | null)[] = described.map(() => null);
  let trees = DEFAULT_FOREST.trees;
  if (n < IMPORTANCE_MIN_RUNS) {
    notes.push(
      `Only ${count(runsUsed, "run")} of the ${count(runsTotal, "matching run")} ${runsUsed === 1 ? "has" : "have"} a finite ${metric}: ` +
      `importance needs at least ${IMPORTANCE_MIN_RUNS}` +
      (n >= CORRELATION_MIN_RUNS ? ", so only correlations are shown." : ` (and correlation ${CORRELATION_MIN_RUNS}).`),
    );
  } else if (described.length === 0) {
    notes.push(`No config key varies across the ${count(n, "run")} used: there is nothing to weigh.`);
  } else {
    const forest = input.forest ?? { ...DEFAULT_FOREST, trees: treesFor(n, described.length) };
    trees = forest.trees;
    const fit = fitForest(described.map((d) => d.feature), Float64Array.from(y), forest);
    const raw = fit.importance.map((v) => Math.max(0, v));
    const total = raw.reduce((a, b) => a + b, 0);
    importances = raw.map((v) => (total > 0 ? v / total : 0));
    if (fit.oobR2 === null) {
      notes.push(`${metric} is the same in every run used: no key can explain it.`);
    } else {
      notes.push(`The surrogate's out-of-bag R² is ${fit.oobR2.toFixed(2)}` + (fit.oobR2 < 0.1
        ? `: it explains little of ${metric}, so treat these importances as weak evidence (more runs, or keys not listed, may matter).`
        : "."));
    }
  }
  const params: ParamImportance[] = described.map((d, i) => ({
    key: d.key, kind: d.kind, importance: importances[i]!, correlation: d.correlation, runs: d.runs,
  }));
  params.sort(byImportance);
  return { metric, runsTotal, runsUsed, enough, message: notes.length > 0 ? notes.join(" ") : null, method: method(trees), params };
}

interface Described { key: string; kind: "number" | "category"; feature: Feature; correlation: number | null; runs: number }

/** A key's values as a forest feature, with its kind, correlation and how many runs hold it. */
function describe(key: string, values: readonly RunValue[], y: readonly number[]): Described {
  let runs = 0;
  let numeric = true;
  for (const v of values) {
    if (v === null) continue;
    runs++;
    if (typeof v !== "number") numeric = false;
  }
  const codes = new Uint8Array(values.length);
  if (numeric) {
    const sorted = (values.filter((v) => v !== null) as number[]).sort((a, b) => a - b);
    const distinct = sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
    // Bin i + 1 holds values >= cuts[i - 1] and < cuts[i]: one bin per value when they fit, else quantiles.
    let cuts: number[];
    if (distinct.length <= MAX_BINS - 1) cuts = distinct.slice(1);
    else {
      cuts = [];
      for (let q = 1; q < MAX_BINS - 1; q++) {
        const c = sorted[Math.floor((q * sorted.length) / (MAX_BINS - 1))]!;
        if (c > sorted[0]! && (cuts.length === 0 || c > cuts[cuts.length - 1]!)) cuts.push(c);
      }
    }
    values.forEach((v, i) => { codes[i] = v === null ? MISSING : 1 + upperBound(cuts, v as number); });
    return { key, kind: "number", feature: { codes, ordered: true }, correlation: pearson(values, y), runs };
  }
  // Categories: the most frequent MAX_BINS - 2 values get their own code, the rest share the last.
  const freq = new Map<string, number>();
  const name = (v: RunValue): string => `${typeof v}:${String(v)}`;
  for (const v of values) if (v !== null) freq.set(name(v), (freq.get(name(v)) ?? 0) + 1);
  const top = [...freq.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_BINS - 2);
  const code = new Map(top.map(([k], i) => [k, i + 1]));
  values.forEach((v, i) => { codes[i] = v === null ? MISSING : code.get(name(v)) ?? MAX_BINS - 1; });
  return { key, kind: "category", feature: { codes, ordered: false }, correlation: null, runs };
}

/** How many of the sorted cuts are <= v. */
function upperBound(cuts: readonly number[], v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pearson's r over the runs holding a number; null under CORRELATION_MIN_RUNS or when either side is constant. */
export function pearson(values: readonly RunValue[], y: readonly number[]): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== "number") continue;
    n++;
    sx += x;
    sy += y[i]!;
  }
  if (n < CORRELATION_MIN_RUNS) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== "number") continue;
    const dx = x - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx <= 0 || syy <= 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function byImportance(a: ParamImportance, b: ParamImportance): number {
  if (a.importance !== b.importance) {
    if (a.importance === null) return 1;
    if (b.importance === null) return -1;
    return b.importance - a.importance;
  }
  const ca = a.correlation === null ? -1 : Math.abs(a.correlation);
  const cb = b.correlation === null ? -1 : Math.abs(b.correlation);
  if (ca !== cb) return cb - ca;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;
}
