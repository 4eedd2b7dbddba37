// Owns parameter importance for a sweep's finished trials, as W&B's panel shows it: an importance
// share per parameter from an extra-trees regression forest (mean impurity decrease, normalised to
// sum to 1), and each numeric parameter's Pearson and Spearman correlation with the metric.
// Pure and seeded: the same trials give the same bars on every load.
import { categoryKey, type ParamDim } from "./trials";

export interface ImportanceInput {
  /** Flat (dotted) params per trial. */
  params: Record<string, unknown>[];
  /** The metric per trial, same order; finite numbers only. */
  values: number[];
}

export interface ParamImportance {
  name: string;
  /** Share of the forest's variance reduction credited to this parameter, 0..1 (all sum to 1, or all 0). */
  importance: number;
  /** Pearson correlation with the metric (log-scaled params in log space); null for categorical or constant ones. */
  pearson: number | null;
  /** Spearman rank correlation with the metric; null for categorical or constant ones. */
  spearman: number | null;
}

export interface ForestOptions {
  trees?: number;
  /** Trials beyond this are subsampled (evenly, seeded) so the panel stays fast on huge sweeps. */
  maxRows?: number;
  minLeaf?: number;
  maxDepth?: number;
  seed?: number;
}

/** A small seeded generator (mulberry32), local so the dashboard does not need the sweeps package. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  if (sxx <= 0 || syy <= 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks with ties sharing their mean rank, as Spearman's coefficient needs. */
export function ranks(x: readonly number[]): number[] {
  const idx = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]!] === x[idx[i]!]) j++;
    for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(ranks(x), ranks(y));
}

/**
 * Numeric features for the trees. Categories are replaced by their rank of mean metric (the
 * classic encoding that lets a binary split separate any group of categories optimally); a
 * missing value (a conditional param the trial lacks) becomes the feature's median.
 */
function encode(dim: ParamDim, raw: unknown[], y: readonly number[]): { feature: number[]; /** NaN where missing */ numeric: number[] | null } {
  if (dim.kind === "categorical") {
    const sums = new Map<string, { s: number; n: number }>();
    raw.forEach((v, i) => {
      if (v === undefined) return;
      const k = categoryKey(v);
      const e = sums.get(k) ?? { s: 0, n: 0 };
      e.s += y[i]!; e.n++;
      sums.set(k, e);
    });
    const order = [...sums.entries()].sort((a, b) => a[1].s / a[1].n - b[1].s / b[1].n).map(([k]) => k);
    const code = new Map(order.map((k, i) => [k, i]));
    const mid = (order.length - 1) / 2;
    return { feature: raw.map((v) => (v === undefined ? mid : code.get(categoryKey(v))!)), numeric: null };
  }
  const nums = raw.map((v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return NaN;
    return dim.kind === "log" ? (v > 0 ? Math.log(v) : NaN) : v;
  });
  const present = nums.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const median = present.length ? present[Math.floor(present.length / 2)]! : 0;
  const feature = nums.map((v) => (Number.isNaN(v) ? median : v));
  return { feature, numeric: nums };
}

/** Grows one extremely randomised tree, adding each split's weighted variance reduction to `gain`. */
function growTree(
  X: number[][], y: readonly number[], rows: number[], depth: number, o: Required<ForestOptions>, next: () => number, gain: number[],
): void {
  const n = rows.length;
  if (n < 2 * o.minLeaf || depth >= o.maxDepth) return;
  let mean = 0;
  for (const r of rows) mean += y[r]!;
  mean /= n;
  let sse = 0;
  for (const r of rows) sse += (y[r]! - mean) ** 2;
  if (sse <= 1e-12) return;
  let best: { f: number; t: number; gain: number } | null = null;
  for (let f = 0; f < X.length; f++) {
    const col = X[f]!;
    let lo = Infinity, hi = -Infinity;
    for (const r of rows) { const v = col[r]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    if (!(hi > lo)) continue;
    // Extra-trees: one random threshold per feature, the best of those wins.
    const t = lo + (hi - lo) * next();
    let nl = 0, sl = 0, sl2 = 0, nr = 0, sr = 0, sr2 = 0;
    for (const r of rows) {
      const v = y[r]!;
      if (col[r]! <= t) { nl++; sl += v; sl2 += v * v; } else { nr++; sr += v; sr2 += v * v; }
    }
    if (nl < o.minLeaf || nr < o.minLeaf) continue;
    const child = sl2 - (sl * sl) / nl + sr2 - (sr * sr) / nr;
    const g = sse - child;
    if (!best || g > best.gain) best = { f, t, gain: g };
  }
  if (!best || best.gain <= 0) return;
  gain[best.f] = gain[best.f]! + best.gain;
  const left: number[] = [];
  const right: number[] = [];
  const col = X[best.f]!;
  for (const r of rows) (col[r]! <= best.t ? left : right).push(r);
  growTree(X, y, left, depth + 1, o, next, gain);
  growTree(X, y, right, depth + 1, o, next, gain);
}

/** Importance and correlations for each searched (non-constant) parameter, most important first. */
export function paramImportance(dims: readonly ParamDim[], input: ImportanceInput, options: ForestOptions = {}): ParamImportance[] {
  const o: Required<ForestOptions> = { trees: 48, maxRows: 2000, minLeaf: 2, maxDepth: 10, seed: 1, ...options };
  const next = rng(o.seed);
  const searched = dims.filter((d) => d.kind !== "constant");
  let rows = input.values.map((_, i) => i).filter((i) => Number.isFinite(input.values[i]!));
  if (rows.length > o.maxRows) {
    const step = rows.length / o.maxRows;
    rows = Array.from({ length: o.maxRows }, (_, k) => rows[Math.floor(k * step)]!);
  }
  const y = rows.map((i) => input.values[i]!);
  const encoded = searched.map((d) => encode(d, rows.map((i) => input.params[i]![d.name]), y));
  const X = encoded.map((e) => e.feature);
  const gain = new Array<number>(searched.length).fill(0);
  const all = y.map((_, i) => i);
  if (y.length >= 2 * o.minLeaf) {
    for (let t = 0; t < o.trees; t++) {
      // Each tree sees a bootstrap sample so the credit is not one lucky split's.
      const sample = all.map(() => all[Math.floor(next() * all.length)]!);
      growTree(X, y, sample, 0, o, next, gain);
    }
  }
  const total = gain.reduce((a, b) => a + b, 0);
  return searched
    .map((d, k) => {
      // Correlations use only the trials that carry the parameter.
      const num = encoded[k]!.numeric;
      const keep = num ? y.map((_, i) => i).filter((i) => !Number.isNaN(num[i]!)) : [];
      const xs = keep.map((i) => num![i]!);
      const ys = keep.map((i) => y[i]!);
      return {
        name: d.name,
        importance: total > 0 ? gain[k]! / total : 0,
        pearson: num ? pearson(xs, ys) : null,
        spearman: num ? spearman(xs, ys) : null,
      };
    })
    .sort((a, b) => b.importance - a.importance || a.name.localeCompare(b.name));
}
