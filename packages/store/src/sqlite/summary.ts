// Owns how a run's summary is assembled (pure, no I/O): per history key its last value or the
// aggregate chosen by define_metric, then the user's overrides on top. Non-finite numbers leave as
// their wire strings ("NaN", "Infinity", "-Infinity") because the summary is a JSON object.
import type { SummaryMode } from "@orrery/protocol";
import { encodeForJson } from "./float.js";
import { setOwn } from "./json.js";

export interface KeySummaryInput {
  key: string;
  count: number;
  nanCount: number;
  min: number;
  max: number;
  sum: number;
  lastValue: number;
}

export function summaryValue(k: KeySummaryInput, mode: SummaryMode): number | undefined {
  switch (mode) {
    case "none": return undefined;
    case "min": return k.min;
    case "max": return k.max;
    case "mean": return k.count > k.nanCount ? k.sum / (k.count - k.nanCount) : NaN;
    case "last": return k.lastValue;
  }
}

export function buildSummary(
  keys: readonly KeySummaryInput[],
  modes: Readonly<Record<string, SummaryMode>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const mode = Object.hasOwn(modes, k.key) ? modes[k.key] : "last";
    const v = summaryValue(k, mode);
    if (v !== undefined) setOwn(out, k.key, encodeForJson(v));
  }
  for (const key of Object.keys(overrides)) setOwn(out, key, overrides[key]);
  return out;
}
