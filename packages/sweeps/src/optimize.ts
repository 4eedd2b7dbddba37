// A small box-constrained L-BFGS (projected, with backtracking) used to fit GP hyperparameters and
// to maximize the acquisition. Dependency-free on purpose: this package has no native deps.

export type Objective = (x: Float64Array, grad: Float64Array) => number;

export function minimizeBox(f: Objective, x0: Float64Array, lo: Float64Array, hi: Float64Array, maxIter = 30, memory = 6): { x: Float64Array; f: number } {
  const n = x0.length;
  const x = Float64Array.from(x0, (v, i) => Math.min(hi[i], Math.max(lo[i], v)));
  const g = new Float64Array(n);
  let fx = f(x, g);
  if (!Number.isFinite(fx)) return { x, f: fx };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const d = new Float64Array(n);
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  for (let it = 0; it < maxIter; it++) {
    // Projected gradient: components that push against an active bound are dropped.
    for (let i = 0; i < n; i++) d[i] = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0) ? 0 : g[i];
    // Two-loop recursion.
    const alpha = new Array<number>(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      const rho = 1 / dot(Y[k], S[k]);
      alpha[k] = rho * dot(S[k], d);
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * Y[k][i];
    }
    if (S.length) {
      const k = S.length - 1;
      const gamma = dot(S[k], Y[k]) / dot(Y[k], Y[k]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const rho = 1 / dot(Y[k], S[k]);
      const beta = rho * dot(Y[k], d);
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - beta);
    }
    for (let i = 0; i < n; i++) d[i] = -d[i];
    let slope = dot(d, g);
    if (!(slope < 0)) {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -dot(g, g);
      S.length = 0;
      Y.length = 0;
      if (!(slope < 0)) break;
    }
    let t = 1;
    if (S.length === 0) t = Math.min(1, 0.1 / Math.sqrt(-slope));
    let fn = Infinity;
    let ok = false;
    for (let ls = 0; ls < 20; ls++) {
      for (let i = 0; i < n; i++) xn[i] = Math.min(hi[i], Math.max(lo[i], x[i] + t * d[i]));
      fn = f(xn, gn);
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i] * (xn[i] - x[i]);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * dec) {
        ok = true;
        break;
      }
      t *= 0.5;
    }
    if (!ok) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      if (S.length > memory) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = fx - fn;
    x.set(xn);
    g.set(gn);
    fx = fn;
    if (improvement < 1e-9 * Math.max(1, Math.abs(fx))) break;
  }
  return { x, f: fx };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
