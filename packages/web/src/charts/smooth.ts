// Owns chart smoothing: a debiased exponential moving average, the same as TensorBoard's, so a
// smoothed line starts at the first value instead of climbing up from zero.

/**
 * ema_t = w * ema_{t-1} + (1 - w) * y_t, shown as ema_t / (1 - w^t) where t counts the finite
 * points so far. NaN and ±Infinity points are skipped (they stay NaN in the output, so the line
 * passes over them) rather than poisoning every later value.
 */
export function smoothEma(y: ArrayLike<number>, weight: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  const w = Math.min(Math.max(weight, 0), 0.999999);
  if (w === 0) {
    for (let i = 0; i < n; i++) out[i] = Number.isFinite(y[i]!) ? y[i]! : NaN;
    return out;
  }
  let ema = 0;
  let debias = 1; // w^t
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) {
      out[i] = NaN;
      continue;
    }
    ema = w * ema + (1 - w) * v;
    debias *= w;
    out[i] = ema / (1 - debias);
  }
  return out;
}
