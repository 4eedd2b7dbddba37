// Seeded randomness and the few special functions the samplers and models need (normal CDF/PDF,
// inverse normal CDF, gamma/beta variates). Everything random in this package flows from a
// caller-supplied `() => number` so results are reproducible.

export type Rng = () => number;

/** mulberry32: a tiny, fast 32-bit generator; good enough for sampling, not for cryptography. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal variate (Box-Muller). */
export function randNormal(rng: Rng): number {
  let u = rng();
  while (u <= 1e-300) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, 1) variate (Marsaglia-Tsang; shape < 1 boosted). */
export function randGamma(rng: Rng, shape: number): number {
  if (shape < 1) return randGamma(rng, shape + 1) * Math.pow(Math.max(rng(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = randNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function randBeta(rng: Rng, a: number, b: number): number {
  const x = randGamma(rng, a);
  const y = randGamma(rng, b);
  return x / (x + y);
}

const SQRT2PI = Math.sqrt(2 * Math.PI);
export const normPdf = (z: number): number => Math.exp(-0.5 * z * z) / SQRT2PI;

/** Standard normal CDF via erfc (W. J. Cody-style rational approximation, ~1e-7 relative). */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes erfcc: fractional error < 1.2e-7 everywhere.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Inverse standard normal CDF (Acklam's algorithm, ~1e-9 relative). */
export function normInv(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Points of a scrambled Halton sequence in [0,1)^d: quasi-random, so candidate sets cover the box evenly. */
export function halton(n: number, d: number, rng: Rng): Float64Array[] {
  const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];
  const shift = Array.from({ length: d }, () => rng());
  const start = Math.floor(rng() * 1000);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const p = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const base = primes[j % primes.length];
      let f = 1, r = 0, k = i + start + 1;
      while (k > 0) {
        f /= base;
        r += f * (k % base);
        k = Math.floor(k / base);
      }
      // Dimensions past the prime table fall back to plain random; a random shift scrambles the rest.
      p[j] = j < primes.length ? (r + shift[j]) % 1 : rng();
    }
    out.push(p);
  }
  return out;
}
