// Owns the JSON encoding of metric values. JSON has no NaN or Infinity, yet training curves do,
// so a non-finite float64 travels as one of three strings; every finite value is a JSON number.
// Server, SDKs and dashboard all encode and decode through these two functions.

export type EncodedMetric = number | "NaN" | "Infinity" | "-Infinity";

export function encodeMetric(v: number): EncodedMetric {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}

export function decodeMetric(v: EncodedMetric): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  return v === "Infinity" ? Infinity : -Infinity;
}

/** JSON text for one metric value, without going through a replacer (used on the hot path). */
export function metricJson(v: number): string {
  if (Number.isFinite(v)) return String(v);
  if (v !== v) return '"NaN"';
  return v > 0 ? '"Infinity"' : '"-Infinity"';
}
