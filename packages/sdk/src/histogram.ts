// Owns histogram values in the SDK: histogram() bins raw numbers into the wire shape (N + 1 edges,
// N counts), and asHistogram() recognises such a value inside log(), so history.ts can route it to
// a histogram record instead of the metrics row. Validation is the protocol's, shared with the server.
import { DEFAULT_HISTOGRAM_BINS, histogramProblem, MAX_HISTOGRAM_BINS, type HistogramValue } from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";

export type { HistogramValue };

/**
 * Bins `values` into `bins` equal-width bins spanning their finite range (NaN and ±Infinity are
 * left out), like numpy.histogram; a single distinct value gets the range value ± 0.5, and no
 * finite value the range [0, 1]. Log the result as a value: `run.log({ "grad/fc1": histogram(g) })`.
 */
export function histogram(values: ArrayLike<number>, bins: number = DEFAULT_HISTOGRAM_BINS): HistogramValue {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_HISTOGRAM_BINS) {
    throw new OrreryValueError("bins", `orrery: histogram() bins must be an integer from 1 to ${MAX_HISTOGRAM_BINS}, got ${describe(bins)}`);
  }
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new OrreryValueError("values", `orrery: histogram() takes an array of numbers, got ${describe(values)}`);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== "number") throw new OrreryValueError("values", `orrery: histogram() values must be numbers; element ${i} is ${describe(v)}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Comparisons skip NaN; infinities are not part of the range.
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = finiteRange(values);
  if (lo > hi) [lo, hi] = [0, 1];
  else if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const width = (hi - lo) / bins;
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = lo + i * width;
  edges[bins] = hi;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b < 0 ? 0 : b]!++;
  }
  return { bins: edges, counts };
}

function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * The histogram a log() value is, if it has the histogram shape ({bins: [...], counts: [...]});
 * undefined for anything else. A value with that shape that is not a valid histogram throws.
 */
export function asHistogram(key: string, v: object): HistogramValue | undefined {
  const o = v as { bins?: unknown; counts?: unknown };
  if (!Array.isArray(o.bins) || !Array.isArray(o.counts)) return undefined;
  const problem = histogramProblem(v);
  if (problem !== undefined) {
    throw new OrreryValueError(key, `orrery: log() histogram "${key}": ${problem.path || "value"} ${problem.message}`);
  }
  return v as HistogramValue;
}
