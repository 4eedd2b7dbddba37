// Owns the random-forest regression surrogate behind parameter importance (pure, no I/O, seeded):
// CART trees on bootstrap samples, each split chosen among a random third of the features, and
// Breiman's permutation importance measured on each tree's out-of-bag rows.
//
// Every feature arrives binned to at most MAX_BINS small integer codes (importance.ts does that),
// so a node finds its best split from per-bin sums in one pass over its rows instead of sorting:
// ordered features (numbers; code 0 = missing, below every value) split at a threshold, unordered
// ones (categories) by Breiman's rule for regression: order the bins by mean target, then split that
// order at a threshold, which finds the best of all 2^k subsets. 5,000 rows x 100 features x 100
// trees fit in about a second.
import { mulberry32, type Rng } from "@orrery/sweeps";

/** Codes per feature (a split is a set of codes going left, kept as one byte per code). */
export const MAX_BINS = 64;

export interface Feature {
  /** Per row, the feature's bin, 0 <= code < MAX_BINS. */
  codes: Uint8Array;
  /** Numbers: bins are in value order and splits are thresholds. Categories: any subset. */
  ordered: boolean;
}

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  /** Fewest rows a leaf may hold. */
  minLeaf: number;
  seed: number;
}

export const DEFAULT_FOREST: ForestOptions = { trees: 100, maxDepth: 10, minLeaf: 3, seed: 0x5eed };

interface Tree {
  /** Per node: the split feature, or -1 for a leaf. */
  feature: number[];
  left: number[];
  right: number[];
  value: number[];
  /** Per node, MAX_BINS bytes: 1 where that code goes left. */
  goesLeft: Uint8Array;
}

export interface ForestResult {
  /** Per feature: the mean over trees of the rise in out-of-bag squared error when its values are shuffled. */
  importance: number[];
  /** R² of the out-of-bag predictions (each row predicted by the trees that did not see it); null when undefined. */
  oobR2: number | null;
  /** Predicts one row given its codes per feature (for tests). */
  predict(codes: readonly number[]): number;
}

export function fitForest(features: readonly Feature[], y: Float64Array, o: ForestOptions = DEFAULT_FOREST): ForestResult {
  const n = y.length;
  const p = features.length;
  const rng = mulberry32(o.seed);
  const mtry = splitCandidates(p);
  const importance = new Array<number>(p).fill(0);
  const oobSum = new Float64Array(n);
  const oobCount = new Uint32Array(n);
  const trees: Tree[] = [];
  const inBag = new Uint8Array(n);
  for (let t = 0; t < o.trees; t++) {
    inBag.fill(0);
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = Math.floor(rng() * n);
      rows[i] = r;
      inBag[r] = 1;
    }
    const tree = grow(features, y, rows, mtry, o, rng);
    trees.push(tree);
    const oob: number[] = [];
    for (let i = 0; i < n; i++) if (inBag[i] === 0) oob.push(i);
    if (oob.length === 0) continue;
    // Out-of-bag error of this tree, then again with each feature it splits on shuffled among the
    // out-of-bag rows. Shuffling a feature changes only the predictions of rows whose path splits
    // on it (a feature the tree never uses scores 0), so only those rows are predicted again.
    const m = oob.length;
    const baseErr = new Float64Array(m);
    const affected = new Map<number, number[]>();
    for (let k = 0; k < m; k++) {
      const i = oob[k]!;
      let node = 0;
      for (;;) {
        const f = tree.feature[node]!;
        if (f < 0) break;
        let list = affected.get(f);
        if (list === undefined) affected.set(f, (list = []));
        if (list[list.length - 1] !== k) list.push(k);
        node = tree.goesLeft[node * MAX_BINS + features[f]!.codes[i]!] === 1 ? tree.left[node]! : tree.right[node]!;
      }
      const pred = tree.value[node]!;
      oobSum[i] += pred;
      oobCount[i]++;
      baseErr[k] = (y[i]! - pred) ** 2;
    }
    // Features in a fixed order, so the random stream (and the answer) is the same every time.
    for (const f of [...affected.keys()].sort((a, b) => a - b)) {
      const codes = features[f]!.codes;
      const shuffled = oob.map((i) => codes[i]!);
      shuffle(shuffled, rng);
      let rise = 0;
      for (const k of affected.get(f)!) {
        const i = oob[k]!;
        rise += (y[i]! - predictRow(tree, features, i, f, shuffled[k]!)) ** 2 - baseErr[k]!;
      }
      importance[f]! += rise / m;
    }
  }
  for (let f = 0; f < p; f++) importance[f] = importance[f]! / Math.max(1, o.trees);
  return {
    importance,
    oobR2: r2(y, oobSum, oobCount),
    predict(codes) {
      let s = 0;
      for (const tree of trees) {
        let node = 0;
        while (tree.feature[node]! >= 0) node = tree.goesLeft[node * MAX_BINS + codes[tree.feature[node]!]!] ? tree.left[node]! : tree.right[node]!;
        s += tree.value[node]!;
      }
      return s / trees.length;
    },
  };
}

/**
 * Features tried per split: a third of them (Breiman's rule for regression), but at least 8 (or all
 * when fewer): with a handful of keys and a few hundred runs, a third means most splits go to noise
 * keys and the fit suffers.
 */
export function splitCandidates(p: number): number {
  return Math.max(1, Math.ceil(p / 3), Math.min(p, 8));
}

/** One CART tree on the rows of a bootstrap sample (rows may repeat), grown depth first. */
function grow(features: readonly Feature[], yAll: Float64Array, rows: Int32Array, mtry: number, o: ForestOptions, rng: Rng): Tree {
  const tree: Tree = { feature: [], left: [], right: [], value: [], goesLeft: new Uint8Array(0) };
  const masks: Uint8Array[] = [];
  const codesOf = features.map((f) => f.codes);
  // Targets in the order of rows, partitioned with them: the split search reads them sequentially.
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = yAll[rows[i]!]!;
  const count = new Int32Array(MAX_BINS);
  // Zero between uses: each split search clears the bins it touched.
  const sum = new Float64Array(MAX_BINS);
  const order = new Int32Array(MAX_BINS);
  const means = new Float64Array(MAX_BINS);
  const candidates = Array.from({ length: features.length }, (_, i) => i);

  const build = (lo: number, hi: number, depth: number): number => {
    const node = tree.feature.length;
    let total = 0;
    for (let i = lo; i < hi; i++) total += y[i]!;
    const n = hi - lo;
    tree.feature.push(-1);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(total / n);
    masks.push(EMPTY_MASK);
    if (depth >= o.maxDepth || n < 2 * o.minLeaf) return node;

    let bestGain = 1e-12 * Math.max(1, n);
    let bestFeature = -1;
    let bestMask: Uint8Array | undefined;
    const parent = (total * total) / n;
    // A random mtry of the features, by a partial shuffle.
    for (let k = 0; k < mtry; k++) {
      const j = k + Math.floor(rng() * (candidates.length - k));
      const f = candidates[j]!;
      candidates[j] = candidates[k]!;
      candidates[k] = f;
      const codes = codesOf[f]!;
      // Per-bin counts and sums; only the bins this node touches are listed (and later cleared),
      // so small nodes deep in the tree cost what their rows cost, not MAX_BINS per feature.
      let bins = 0;
      for (let i = lo; i < hi; i++) {
        const c = codes[rows[i]!]!;
        if (count[c]!++ === 0) order[bins++] = c;
        sum[c]! += y[i]!;
      }
      if (bins >= 2) {
        for (let b = 0; b < bins; b++) means[order[b]!] = sum[order[b]!]! / count[order[b]!]!;
        if (!features[f]!.ordered) sortBy(order, bins, means);
        else sortBy(order, bins, CODE_ORDER);
      }
      const done = (): void => {
        for (let b = 0; b < bins; b++) {
          count[order[b]!] = 0;
          sum[order[b]!] = 0;
        }
      };
      if (bins < 2) {
        done();
        continue;
      }
      let nl = 0;
      let sl = 0;
      for (let b = 0; b < bins - 1; b++) {
        const c = order[b]!;
        nl += count[c]!;
        sl += sum[c]!;
        const nr = n - nl;
        if (nl < o.minLeaf || nr < o.minLeaf) continue;
        const sr = total - sl;
        const gain = (sl * sl) / nl + (sr * sr) / nr - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestMask = new Uint8Array(MAX_BINS);
          for (let q = 0; q <= b; q++) bestMask[order[q]!] = 1;
        }
      }
      done();
    }
    if (bestFeature < 0 || bestMask === undefined) return node;
    // Partition rows[lo, hi) so the rows going left come first.
    const codes = codesOf[bestFeature]!;
    let mid = lo;
    for (let i = lo; i < hi; i++) {
      if (bestMask[codes[rows[i]!]!] === 1) {
        const tmp = rows[i]!;
        rows[i] = rows[mid]!;
        rows[mid] = tmp;
        const ty = y[i]!;
        y[i] = y[mid]!;
        y[mid] = ty;
        mid++;
      }
    }
    tree.feature[node] = bestFeature;
    masks[node] = bestMask;
    tree.left[node] = build(lo, mid, depth + 1);
    tree.right[node] = build(mid, hi, depth + 1);
    return node;
  };
  build(0, rows.length, 0);
  tree.goesLeft = new Uint8Array(masks.length * MAX_BINS);
  masks.forEach((m, i) => tree.goesLeft.set(m, i * MAX_BINS));
  return tree;
}

const EMPTY_MASK = new Uint8Array(MAX_BINS);

/** A row's prediction, reading feature `swap`'s code as `code` instead of the row's own. */
function predictRow(tree: Tree, features: readonly Feature[], row: number, swap: number, code: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node]!;
    if (f < 0) return tree.value[node]!;
    const c = f === swap ? code : features[f]!.codes[row]!;
    node = tree.goesLeft[node * MAX_BINS + c] === 1 ? tree.left[node]! : tree.right[node]!;
  }
}

/** Each code's own value: sorting by it puts codes in value order. */
const CODE_ORDER = Float64Array.from({ length: MAX_BINS }, (_, i) => i);

/** Insertion sort of the first `n` codes by key, ties by code (n <= 64), so fits repeat. */
function sortBy(order: Int32Array, n: number, key: Float64Array): void {
  for (let i = 1; i < n; i++) {
    const c = order[i]!;
    let j = i - 1;
    while (j >= 0 && (key[order[j]!]! > key[c]! || (key[order[j]!]! === key[c]! && order[j]! > c))) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = c;
  }
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function r2(y: Float64Array, sum: Float64Array, count: Uint32Array): number | null {
  let m = 0;
  let k = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < y.length; i++) {
    if (count[i]! > 0) {
      m += y[i]!;
      k++;
      lo = Math.min(lo, y[i]!);
      hi = Math.max(hi, y[i]!);
    }
  }
  // A constant target has no variance to explain (compared exactly: its mean may round).
  if (k < 2 || lo === hi) return null;
  m /= k;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    if (count[i]! === 0) continue;
    sse += (y[i]! - sum[i]! / count[i]!) ** 2;
    sst += (y[i]! - m) ** 2;
  }
  return sst === 0 ? null : 1 - sse / sst;
}
