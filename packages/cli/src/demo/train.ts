// Owns the demo's model: a real one-hidden-layer MLP trained with minibatch SGD and momentum on a
// generated, seeded data set of four overlapping classes. Pure computation, no tracking: the
// demo and the crash example drive it and log what it reports.

export const CLASSES = ["circle", "square", "triangle", "star"] as const;
const DIM = 8;

/** Mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export interface Dataset { x: Float64Array; y: Int32Array; n: number }

export function makeData(n: number, seed: number): Dataset {
  const r = rng(seed);
  const centres = rng(7); // same class centres for every split
  const mu = CLASSES.map(() => Array.from({ length: DIM }, () => (centres() - 0.5) * 3));
  const x = new Float64Array(n * DIM);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Rare classes make per-class accuracy interesting: "star" is 10% of the data.
    const u = r();
    const c = u < 0.35 ? 0 : u < 0.65 ? 1 : u < 0.9 ? 2 : 3;
    y[i] = c;
    for (let d = 0; d < DIM; d++) x[i * DIM + d] = mu[c][d] + gauss(r) * (1.1 + 0.3 * c) + (d === 0 ? Math.sin(mu[c][1] * 2) : 0);
  }
  return { x, y, n };
}

export interface Hyper { lr: number; batchSize: number; hidden: number; momentum: number; seed: number }

export interface MlpWeights { hyper: Hyper; w1: number[]; b1: number[]; w2: number[]; b2: number[] }

export class Mlp {
  private readonly w1: Float64Array; private readonly b1: Float64Array;
  private readonly w2: Float64Array; private readonly b2: Float64Array;
  private readonly v: Float64Array[];
  private readonly k = CLASSES.length;
  constructor(private readonly h: Hyper) {
    const r = rng(h.seed);
    const init = (len: number, fanIn: number) => Float64Array.from({ length: len }, () => gauss(r) * Math.sqrt(2 / fanIn));
    this.w1 = init(DIM * h.hidden, DIM); this.b1 = new Float64Array(h.hidden);
    this.w2 = init(h.hidden * this.k, h.hidden); this.b2 = new Float64Array(this.k);
    this.v = [this.w1, this.b1, this.w2, this.b2].map((p) => new Float64Array(p.length));
  }

  /** Forward pass for one example; fills hidden activations and returns class probabilities. */
  private forward(x: Float64Array, off: number, hid: Float64Array, probs: Float64Array): void {
    const H = this.h.hidden;
    for (let j = 0; j < H; j++) {
      let s = this.b1[j];
      for (let d = 0; d < DIM; d++) s += x[off + d] * this.w1[d * H + j];
      hid[j] = s > 0 ? s : 0;
    }
    let max = -Infinity;
    for (let c = 0; c < this.k; c++) {
      let s = this.b2[c];
      for (let j = 0; j < H; j++) s += hid[j] * this.w2[j * this.k + c];
      probs[c] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let c = 0; c < this.k; c++) { probs[c] = Math.exp(probs[c] - max); z += probs[c]; }
    for (let c = 0; c < this.k; c++) probs[c] /= z;
  }

  /** One SGD step on examples idx[from, to); returns mean loss and accuracy of the batch. */
  step(data: Dataset, idx: Int32Array, from: number, to: number): { loss: number; acc: number } {
    const H = this.h.hidden, K = this.k;
    const g = [this.w1, this.b1, this.w2, this.b2].map((p) => new Float64Array(p.length));
    const hid = new Float64Array(H), probs = new Float64Array(K), dh = new Float64Array(H);
    let loss = 0, correct = 0;
    for (let t = from; t < to; t++) {
      const i = idx[t], off = i * DIM, yi = data.y[i];
      this.forward(data.x, off, hid, probs);
      loss -= Math.log(Math.max(probs[yi], 1e-12));
      let arg = 0;
      for (let c = 1; c < K; c++) if (probs[c] > probs[arg]) arg = c;
      if (arg === yi) correct++;
      dh.fill(0);
      for (let c = 0; c < K; c++) {
        const d = probs[c] - (c === yi ? 1 : 0);
        g[3][c] += d;
        for (let j = 0; j < H; j++) { g[2][j * K + c] += d * hid[j]; dh[j] += d * this.w2[j * K + c]; }
      }
      for (let j = 0; j < H; j++) {
        if (hid[j] <= 0) continue;
        g[1][j] += dh[j];
        for (let d = 0; d < DIM; d++) g[0][d * H + j] += dh[j] * data.x[off + d];
      }
    }
    const n = to - from;
    const params = [this.w1, this.b1, this.w2, this.b2];
    for (let p = 0; p < params.length; p++) {
      const w = params[p], v = this.v[p], gp = g[p];
      for (let i = 0; i < w.length; i++) { v[i] = this.h.momentum * v[i] - (this.h.lr * gp[i]) / n; w[i] += v[i]; }
    }
    return { loss: loss / n, acc: correct / n };
  }

  /** The weights as plain arrays: what the demo saves as its model artifact. */
  toJSON(): MlpWeights {
    return { hyper: this.h, w1: [...this.w1], b1: [...this.b1], w2: [...this.w2], b2: [...this.b2] };
  }

  static fromJSON(w: MlpWeights): Mlp {
    const m = new Mlp(w.hyper);
    const target = [m.w1, m.b1, m.w2, m.b2];
    [w.w1, w.b1, w.w2, w.b2].forEach((src, p) => {
      if (src.length !== target[p].length) throw new Error(`model weights do not fit hidden=${w.hyper.hidden}: layer ${p} has ${src.length} values`);
      target[p].set(src);
    });
    return m;
  }

  /** Predicted class and its probability for every example. */
  predict(data: Dataset): { pred: Int32Array; conf: Float64Array } {
    const hid = new Float64Array(this.h.hidden), probs = new Float64Array(this.k);
    const pred = new Int32Array(data.n), conf = new Float64Array(data.n);
    for (let i = 0; i < data.n; i++) {
      this.forward(data.x, i * DIM, hid, probs);
      let arg = 0;
      for (let c = 1; c < this.k; c++) if (probs[c] > probs[arg]) arg = c;
      pred[i] = arg;
      conf[i] = probs[arg];
    }
    return { pred, conf };
  }

  evaluate(data: Dataset): { loss: number; acc: number; perClass: number[] } {
    const hid = new Float64Array(this.h.hidden), probs = new Float64Array(this.k);
    const hits = new Array<number>(this.k).fill(0), counts = new Array<number>(this.k).fill(0);
    let loss = 0, correct = 0;
    for (let i = 0; i < data.n; i++) {
      this.forward(data.x, i * DIM, hid, probs);
      const yi = data.y[i];
      loss -= Math.log(Math.max(probs[yi], 1e-12));
      let arg = 0;
      for (let c = 1; c < this.k; c++) if (probs[c] > probs[arg]) arg = c;
      counts[yi]++;
      if (arg === yi) { correct++; hits[yi]++; }
    }
    return { loss: loss / data.n, acc: correct / data.n, perClass: hits.map((h, c) => (counts[c] ? h / counts[c] : 0)) };
  }
}

export function shuffled(n: number, r: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); const t = idx[i]; idx[i] = idx[j]; idx[j] = t; }
  return idx;
}
