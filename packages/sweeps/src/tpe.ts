// Owns `method: tpe`: a multivariate Tree-structured Parzen Estimator. Observations split into the
// best gamma fraction ("good") and the rest; each side is a mixture of product kernels (Gaussian in
// the unit box per continuous dim, a sticky categorical per categorical dim) plus a uniform prior
// component. Candidates drawn from the good density are ranked by l(x)/g(x). Unlike Optuna's
// default (independent per-dim estimators) the joint kernel keeps interactions between dims.
// Pending trials and the batch's own picks join the "bad" side (a constant liar), so batches spread.
import type { SweepConfig } from "./config.js";
import { encodeAll, encodeObs, Encoder, splitTrials, TakenSet, type Encoded, type Trial } from "./encode.js";
import { initialDesignSize } from "./bayes.js";
import { randNormal, type Rng } from "./rng.js";
import { searchSpace } from "./space.js";

// 24 candidates (Optuna's default): more of them over-favours empty regions, where the prior
// component makes the density ratio large.
const N_CANDIDATES = 24;
/** The "bad" density is a mixture over at most this many points (a random subset): it keeps the cost flat at 10,000 trials. */
const MAX_BAD = 300;
const CAT_STICK = 0.75;

interface Parzen {
  pts: Encoded[];
  bw: Float64Array;
}

export function tpeSuggest(config: SweepConfig, trials: Trial[], n: number, rng: Rng): Record<string, unknown>[] {
  const space = searchSpace(config);
  const enc = new Encoder(space);
  const { obs, pending: rawPending } = splitTrials(config, trials);
  const taken = new TakenSet(space, trials.map((t) => t.params));
  const dc = enc.cont.length, dk = enc.cats.length;
  const out: Record<string, unknown>[] = [];
  const random = (): Encoded => ({
    x: Float64Array.from(enc.cont, () => rng()),
    c: Int32Array.from(enc.cats, (_, k) => Math.floor(rng() * enc.nCats(k))),
  });
  const push = (e: Encoded) => {
    let p = enc.decode(e);
    for (let t = 0; t < 20 && taken.has(p); t++) p = enc.decode(random());
    taken.add(p);
    out.push(p);
    return p;
  };
  let designLeft = Math.max(0, initialDesignSize(dc + dk) - obs.length - rawPending.length);
  while (out.length < n && (obs.length < 2 || designLeft > 0)) {
    push(random());
    designLeft--;
  }
  if (out.length >= n) return out;

  const sorted = [...obs].sort((a, b) => a.y - b.y);
  const nGood = Math.max(1, Math.min(25, Math.ceil(0.15 * sorted.length)));
  const good = encodeObs(enc, sorted.slice(0, nGood)).map((o) => o.e);
  // Keep the newest pending points (they steer batches away); a random subset of the rest.
  const pending = encodeAll(enc, rawPending.slice(-64));
  const rest = sorted.slice(nGood);
  const keep = Math.min(rest.length, MAX_BAD - pending.length);
  for (let i = 0; i < keep; i++) {
    const j = i + Math.floor(rng() * (rest.length - i));
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  const bad = [...encodeObs(enc, rest.slice(0, keep)).map((o) => o.e), ...pending];
  const D = dc + dk;
  const l = parzen(good, dc, D);
  while (out.length < n) {
    const g = parzen(bad, dc, D);
    let bestE: Encoded | null = null;
    let bestScore = -Infinity;
    for (let i = 0; i < N_CANDIDATES; i++) {
      const e = sampleParzen(l, enc, rng);
      const score = logDensity(l, enc, e) - logDensity(g, enc, e);
      if (score > bestScore) {
        bestScore = score;
        bestE = e;
      }
    }
    const p = push(bestE ?? random());
    const e = enc.encode(p);
    if (e) bad.push(e);
  }
  return out;
}

function parzen(pts: Encoded[], dc: number, D: number): Parzen {
  // A spread-based width over-smooths the few good points; a fixed one (0.2 of the box, shrinking
  // with m as Scott's rule does) measured better on Branin, Hartmann-6 and Rosenbrock-4.
  const width = Math.max(0.02, 0.2 * Math.pow(Math.max(pts.length, 1), -1 / (D + 4)));
  return { pts, bw: new Float64Array(dc).fill(width) };
}

/** Draws from the mixture: a kernel around a random point, or (with weight 1/(m+1)) the uniform prior. */
function sampleParzen(p: Parzen, enc: Encoder, rng: Rng): Encoded {
  const m = p.pts.length;
  const j = Math.floor(rng() * (m + 1));
  const dc = enc.cont.length;
  if (j >= m) {
    return { x: Float64Array.from({ length: dc }, () => rng()), c: Int32Array.from(enc.cats, (_, k) => Math.floor(rng() * enc.nCats(k))) };
  }
  const c0 = p.pts[j];
  const x = new Float64Array(dc);
  for (let k = 0; k < dc; k++) {
    let v = c0.x[k] + p.bw[k] * randNormal(rng);
    for (let t = 0; t < 10 && (v < 0 || v > 1); t++) v = c0.x[k] + p.bw[k] * randNormal(rng);
    x[k] = Math.min(1, Math.max(0, v));
  }
  const c = Int32Array.from(c0.c, (v, k) => (rng() < CAT_STICK ? v : Math.floor(rng() * enc.nCats(k))));
  return { x, c };
}

function logDensity(p: Parzen, enc: Encoder, e: Encoded): number {
  const m = p.pts.length;
  const dc = enc.cont.length, dk = enc.cats.length;
  // Uniform prior component: density 1 in the box, 1/K per categorical.
  let priorLog = 0;
  for (let k = 0; k < dk; k++) priorLog -= Math.log(enc.nCats(k));
  const terms: number[] = [priorLog];
  let logNorm = 0;
  for (let k = 0; k < dc; k++) logNorm -= Math.log(p.bw[k] * Math.sqrt(2 * Math.PI));
  for (const q of p.pts) {
    let s = logNorm;
    for (let k = 0; k < dc; k++) {
      const z = (e.x[k] - q.x[k]) / p.bw[k];
      s -= 0.5 * z * z;
    }
    for (let k = 0; k < dk; k++) {
      const K = enc.nCats(k);
      s += Math.log((q.c[k] === e.c[k] ? CAT_STICK : 0) + (1 - CAT_STICK) / K);
    }
    terms.push(s);
  }
  let mx = -Infinity;
  for (const t of terms) mx = Math.max(mx, t);
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - mx);
  return mx + Math.log(sum) - Math.log(m + 1);
}
