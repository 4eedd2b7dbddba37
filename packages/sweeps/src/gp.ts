// Owns the Gaussian process surrogate: Matern-5/2 kernel with one length scale per dimension
// (continuous dims by distance in [0,1], categorical dims by mismatch), constant mean, learned
// noise; hyperparameters fitted by maximizing the log marginal likelihood (analytic gradients,
// L-BFGS); posterior mean/variance with gradients; fantasy points appended by a rank-one Cholesky
// extension. Choosing points is bayes.ts's job.
import { minimizeBox } from "./optimize.js";

const SQRT5 = Math.sqrt(5);

export interface GPData {
  /** Continuous coordinates, row-major n x dc, in [0,1]. */
  X: Float64Array;
  /** Category indices, row-major n x dk. */
  C: Int32Array;
  /** Targets (already warped and standardized by the caller). */
  y: Float64Array;
  n: number;
  dc: number;
  dk: number;
}

export interface GPHyper {
  /** Length scales: dc continuous then dk categorical. */
  ls: Float64Array;
  sf2: number;
  noise: number;
}

// Bounds and priors on log-hyperparameters; the priors keep fits sane with few points.
const LOG_LS_LO = Math.log(0.02), LOG_LS_HI = Math.log(20);
const LOG_SF2_LO = Math.log(0.05), LOG_SF2_HI = Math.log(20);
const LOG_NOISE_LO = Math.log(1e-6), LOG_NOISE_HI = Math.log(0.5);
const LS_PRIOR_MU = Math.log(0.5), LS_PRIOR_SD = 1.0;
const NOISE_PRIOR_MU = Math.log(1e-3), NOISE_PRIOR_SD = 2.5;
// Targets are standardized, so the signal variance should stay near 1; a large one inflates the
// variance far from data and sends EI to the corners.
const SF2_PRIOR_MU = 0, SF2_PRIOR_SD = 0.7;

function sqDist(d: GPData, i: number, j: number, ls: Float64Array): number {
  let r2 = 0;
  const { X, C, dc, dk } = d;
  for (let k = 0; k < dc; k++) {
    const t = (X[i * dc + k] - X[j * dc + k]) / ls[k];
    r2 += t * t;
  }
  for (let k = 0; k < dk; k++) if (C[i * dk + k] !== C[j * dk + k]) r2 += 1 / (ls[dc + k] * ls[dc + k]);
  return r2;
}

/** Fits hyperparameters by maximizing log marginal likelihood plus log priors, from `starts`. */
export function fitHyper(d: GPData, starts: GPHyper[], maxIter = 40): GPHyper {
  const D = d.dc + d.dk;
  const P = D + 2;
  const n = d.n;
  const lo = new Float64Array(P), hi = new Float64Array(P);
  for (let k = 0; k < D; k++) {
    lo[k] = LOG_LS_LO;
    hi[k] = LOG_LS_HI;
  }
  lo[D] = LOG_SF2_LO;
  hi[D] = LOG_SF2_HI;
  lo[D + 1] = LOG_NOISE_LO;
  hi[D + 1] = LOG_NOISE_HI;
  const K = new Float64Array(n * n);
  const R2 = new Float64Array(n * n);
  const Kinv = new Float64Array(n * n);
  const W = new Float64Array(n * n);
  const alpha = new Float64Array(n);
  const ls = new Float64Array(D);

  const objective = (theta: Float64Array, grad: Float64Array): number => {
    for (let k = 0; k < D; k++) ls[k] = Math.exp(theta[k]);
    const sf2 = Math.exp(theta[D]);
    const noise = Math.exp(theta[D + 1]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const r2 = i === j ? 0 : sqDist(d, i, j, ls);
        const r = Math.sqrt(r2);
        const kv = sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
        K[i * n + j] = K[j * n + i] = kv;
        R2[i * n + j] = R2[j * n + i] = r2;
      }
    }
    for (let i = 0; i < n; i++) K[i * n + i] += noise + 1e-8;
    const L = Float64Array.from(K);
    if (!cholesky(L, n, n)) return Infinity;
    // alpha = K^-1 y
    alpha.set(d.y);
    solveLower(L, n, n, alpha);
    solveUpper(L, n, n, alpha);
    let logdet = 0;
    for (let i = 0; i < n; i++) logdet += Math.log(L[i * n + i]);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += d.y[i] * alpha[i];
    invFromChol(L, n, Kinv);
    // W = K^-1 - alpha alpha^T ; dNLL/dtheta = 0.5 * sum(W .* dK/dtheta)
    for (let i = 0; i < n * n; i++) W[i] = Kinv[i] - alpha[Math.floor(i / n)] * alpha[i % n];
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const w = W[i * n + j];
        const r2 = R2[i * n + j];
        const r = Math.sqrt(r2);
        const e = Math.exp(-SQRT5 * r);
        // dk/dlog(l_k) = sf2 * 5/3 * (1 + sqrt5 r) e^{-sqrt5 r} * (delta_k / l_k)^2
        const common = sf2 * (5 / 3) * (1 + SQRT5 * r) * e * w; // w counted twice (i,j) and (j,i) -> *2 * 0.5
        for (let k = 0; k < d.dc; k++) {
          const t = (d.X[i * d.dc + k] - d.X[j * d.dc + k]) / ls[k];
          grad[k] += common * t * t;
        }
        for (let k = 0; k < d.dk; k++) {
          if (d.C[i * d.dk + k] !== d.C[j * d.dk + k]) grad[d.dc + k] += common / (ls[d.dc + k] * ls[d.dc + k]);
        }
        grad[D] += w * (K[i * n + j]);
      }
      grad[D] += 0.5 * W[i * n + i] * (K[i * n + i] - noise - 1e-8);
      grad[D + 1] += 0.5 * W[i * n + i] * noise;
    }
    let nll = 0.5 * quad + logdet + 0.5 * n * Math.log(2 * Math.PI);
    for (let k = 0; k < D; k++) {
      const z = (theta[k] - LS_PRIOR_MU) / LS_PRIOR_SD;
      nll += 0.5 * z * z;
      grad[k] += z / LS_PRIOR_SD;
    }
    const zs = (theta[D] - SF2_PRIOR_MU) / SF2_PRIOR_SD;
    nll += 0.5 * zs * zs;
    grad[D] += zs / SF2_PRIOR_SD;
    const zn = (theta[D + 1] - NOISE_PRIOR_MU) / NOISE_PRIOR_SD;
    nll += 0.5 * zn * zn;
    grad[D + 1] += zn / NOISE_PRIOR_SD;
    return nll;
  };

  let best: { x: Float64Array; f: number } | null = null;
  for (const s of starts) {
    const x0 = new Float64Array(P);
    for (let k = 0; k < D; k++) x0[k] = Math.log(s.ls[k]);
    x0[D] = Math.log(s.sf2);
    x0[D + 1] = Math.log(s.noise);
    const r = minimizeBox(objective, x0, lo, hi, maxIter);
    if (Number.isFinite(r.f) && (!best || r.f < best.f)) best = r;
  }
  if (!best) return starts[0];
  return { ls: Float64Array.from(best.x.subarray(0, D), Math.exp), sf2: Math.exp(best.x[D]), noise: Math.exp(best.x[D + 1]) };
}

/** A fitted posterior that can take fantasy points. */
export class GPPosterior {
  readonly dc: number;
  readonly dk: number;
  n: number;
  private cap: number;
  private X: Float64Array;
  private C: Int32Array;
  private y: Float64Array;
  private L: Float64Array; // cap x cap, lower triangle
  private alpha: Float64Array;
  readonly h: GPHyper;
  // Scratch buffers for predictions.
  private kv: Float64Array;
  private v: Float64Array;
  private dkdr: Float64Array;

  constructor(d: GPData, h: GPHyper, extra: number) {
    this.dc = d.dc;
    this.dk = d.dk;
    this.h = h;
    this.n = d.n;
    this.cap = d.n + extra;
    this.X = new Float64Array(this.cap * d.dc);
    this.X.set(d.X.subarray(0, d.n * d.dc));
    this.C = new Int32Array(this.cap * Math.max(1, d.dk));
    this.C.set(d.C.subarray(0, d.n * d.dk));
    this.y = new Float64Array(this.cap);
    this.y.set(d.y.subarray(0, d.n));
    this.L = new Float64Array(this.cap * this.cap);
    const n = d.n, cap = this.cap;
    let jitter = 1e-8;
    for (let attempt = 0; attempt < 6; attempt++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) this.L[i * cap + j] = this.kern(this.X, this.C, i, this.X, this.C, j);
        this.L[i * cap + i] += h.noise + jitter;
      }
      if (cholesky(this.L, n, cap)) break;
      jitter *= 100;
    }
    this.alpha = new Float64Array(this.cap);
    this.kv = new Float64Array(this.cap);
    this.v = new Float64Array(this.cap);
    this.dkdr = new Float64Array(this.cap);
    this.refreshAlpha();
  }

  private kern(XA: Float64Array, CA: Int32Array, i: number, XB: Float64Array, CB: Int32Array, j: number): number {
    const { dc, dk } = this;
    const ls = this.h.ls;
    let r2 = 0;
    for (let k = 0; k < dc; k++) {
      const t = (XA[i * dc + k] - XB[j * dc + k]) / ls[k];
      r2 += t * t;
    }
    for (let k = 0; k < dk; k++) if (CA[i * dk + k] !== CB[j * dk + k]) r2 += 1 / (ls[dc + k] * ls[dc + k]);
    const r = Math.sqrt(r2);
    return this.h.sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
  }

  private refreshAlpha(): void {
    const a = this.alpha.subarray(0, this.n);
    a.set(this.y.subarray(0, this.n));
    solveLower(this.L, this.n, this.cap, a);
    solveUpper(this.L, this.n, this.cap, a);
  }

  /**
   * Posterior mean and variance at (x, c). With `grad` (length dc*2), fills d mean/dx into
   * grad[0..dc) and d var/dx into grad[dc..2dc).
   */
  predict(x: Float64Array, c: Int32Array, grad?: Float64Array): { mean: number; var: number } {
    const { n, dc, dk, cap } = this;
    const ls = this.h.ls, sf2 = this.h.sf2;
    const kv = this.kv, dkdr = this.dkdr;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let k = 0; k < dc; k++) {
        const t = (x[k] - this.X[i * dc + k]) / ls[k];
        r2 += t * t;
      }
      for (let k = 0; k < dk; k++) if (c[k] !== this.C[i * dk + k]) r2 += 1 / (ls[dc + k] * ls[dc + k]);
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      kv[i] = sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      // dk/dx_k = -sf2 * 5/3 (1 + sqrt5 r) e * (x_k - X_ik) / l_k^2 ; store the shared factor.
      dkdr[i] = -sf2 * (5 / 3) * (1 + SQRT5 * r) * e;
      mean += kv[i] * this.alpha[i];
    }
    const v = this.v.subarray(0, n);
    v.set(kv.subarray(0, n));
    solveLower(this.L, n, cap, v);
    let q = 0;
    for (let i = 0; i < n; i++) q += v[i] * v[i];
    const variance = Math.max(sf2 - q, 1e-12);
    if (grad) {
      solveUpper(this.L, n, cap, v); // v = K^-1 k
      grad.fill(0);
      for (let i = 0; i < n; i++) {
        const a = dkdr[i] * this.alpha[i];
        const w = dkdr[i] * v[i];
        for (let k = 0; k < dc; k++) {
          const diff = (x[k] - this.X[i * dc + k]) / (ls[k] * ls[k]);
          grad[k] += a * diff;
          grad[dc + k] -= 2 * w * diff;
        }
      }
    }
    return { mean, var: variance };
  }

  /** Appends an observation without refitting (rank-one extension of the Cholesky factor). */
  addPoint(x: Float64Array, c: Int32Array, y: number): void {
    if (this.n >= this.cap) return;
    const { n, dc, dk, cap } = this;
    this.X.set(x, n * dc);
    if (dk) this.C.set(c, n * dk);
    this.y[n] = y;
    const row = this.L.subarray(n * cap, n * cap + n);
    for (let j = 0; j < n; j++) row[j] = this.kern(this.X, this.C, n, this.X, this.C, j);
    solveLower(this.L, n, cap, row);
    let s = 0;
    for (let j = 0; j < n; j++) s += row[j] * row[j];
    const kxx = this.h.sf2 + this.h.noise + 1e-8;
    this.L[n * cap + n] = Math.sqrt(Math.max(kxx - s, 1e-10));
    this.n = n + 1;
    this.refreshAlpha();
  }
}

/** In-place lower Cholesky of the leading n x n block of a row-major matrix with row stride `stride`. */
export function cholesky(A: Float64Array, n: number, stride: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * stride;
    let s = A[rj + j];
    for (let k = 0; k < j; k++) s -= A[rj + k] * A[rj + k];
    if (!(s > 0)) return false;
    const djj = Math.sqrt(s);
    A[rj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * stride;
      let t = A[ri + j];
      for (let k = 0; k < j; k++) t -= A[ri + k] * A[rj + k];
      A[ri + j] = t / djj;
    }
  }
  return true;
}

/** Solves L z = b in place. */
export function solveLower(L: Float64Array, n: number, stride: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * stride;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
}

/** Solves L^T z = b in place. */
export function solveUpper(L: Float64Array, n: number, stride: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    b[i] /= L[i * stride + i];
    const bi = b[i];
    const ri = i * stride;
    for (let k = 0; k < i; k++) b[k] -= L[ri + k] * bi;
  }
}

/** K^-1 from its Cholesky factor (n x n, stride n). */
function invFromChol(L: Float64Array, n: number, out: Float64Array): void {
  // Linv (lower) by forward substitution on the identity, column by column.
  const Li = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    Li[j * n + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * n + k] * Li[k * n + j];
      Li[i * n + j] = s / L[i * n + i];
    }
  }
  // out = Li^T Li
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += Li[k * n + i] * Li[k * n + j];
      out[i * n + j] = out[j * n + i] = s;
    }
  }
}
