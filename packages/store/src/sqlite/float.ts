// Owns how float64 metric values map onto SQLite REAL. SQLite turns NaN into NULL and keeps
// infinities, so a NULL read back from a value column means NaN (a missing point has no row).
import type { EncodedMetric } from "@orrery/protocol";

export function fromDb(v: number | null): number {
  return v === null ? NaN : v;
}

/** Decodes a wire metric value; undefined when it is not a metric at all. */
export function decodeWireMetric(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return undefined;
}

/** JSON-safe form of a number for API objects (summary): non-finite values as their wire strings. */
export function encodeForJson(v: number): number | EncodedMetric {
  if (Number.isFinite(v)) return v;
  if (v !== v) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}
