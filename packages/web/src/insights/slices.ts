// Owns slice metrics: finding summary keys named with a slice path (val/acc/pedestrian,
// val/acc/cyclist, val/acc/snow share the prefix val/acc), deciding which slice is a run's worst
// (lowest for accuracy-like metrics, highest for loss-like ones), the slices panel's config string,
// and the runs table's computed `slice.worst:<prefix>` column. Pure, so it is tested without a browser.
import type { RunKey } from "@orrery/protocol";

export interface SlicePrefix {
  /** The summary path before the last "/", e.g. val/acc. */
  prefix: string;
  /** The slice names under it, e.g. cyclist, pedestrian, snow (sorted). */
  slices: string[];
}

/** Which end of a metric is bad: "low" means the lowest value is the worst slice (accuracy), "high" the highest (loss). */
export type WorstEnd = "low" | "high";

/** A prefix needs at least this many slices to be worth a panel or a column. */
export const MIN_SLICES = 2;

/** The summary field of one slice: summary.val/acc/snow. */
export const sliceField = (prefix: string, slice: string): string => `summary.${prefix}/${slice}`;

/**
 * Prefixes of numeric summary keys with at least two direct children. A key is a child of the
 * path before its last "/" only, so val/acc/snow belongs to val/acc, never to val.
 */
export function slicePrefixes(summary: readonly RunKey[]): SlicePrefix[] {
  const by = new Map<string, Set<string>>();
  for (const k of summary) {
    if (k.scope !== "summary" || k.path.length !== 1) continue;
    if (!((k.types["number"] ?? 0) > 0)) continue;
    const name = k.path[0]!;
    const i = name.lastIndexOf("/");
    if (i <= 0 || i === name.length - 1) continue;
    const prefix = name.slice(0, i);
    if (prefix.startsWith("_")) continue;
    let set = by.get(prefix);
    if (!set) by.set(prefix, (set = new Set()));
    set.add(name.slice(i + 1));
  }
  return [...by]
    .filter(([, s]) => s.size >= MIN_SLICES)
    .map(([prefix, s]) => ({ prefix, slices: [...s].sort() }))
    .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

// Names whose larger values are worse. Matched against path segments and their _-separated words.
const LOWER_IS_BETTER = new Set([
  "loss", "err", "error", "errors", "mse", "mae", "rmse", "mape", "nll", "perplexity", "ppl", "wer", "cer",
  "fpr", "fnr", "latency", "time", "runtime", "distance", "regret", "miss", "fp", "fn", "ece",
]);

/** The end of a metric that is bad, guessed from its name: loss-like names are minimized, anything else maximized. */
export function defaultWorstEnd(prefix: string): WorstEnd {
  const words = prefix.toLowerCase().split(/[/._\-\s]+/).filter(Boolean);
  return words.some((w) => LOWER_IS_BETTER.has(w)) ? "high" : "low";
}

export interface SliceValue { slice: string; value: number | null }

/** The worst slice among those with a finite value (ties: the first in order); null when none has one. */
export function worstSlice(values: readonly SliceValue[], end: WorstEnd): { slice: string; value: number } | null {
  let best: { slice: string; value: number } | null = null;
  for (const v of values) {
    if (v.value === null || !Number.isFinite(v.value)) continue;
    if (!best || (end === "low" ? v.value < best.value : v.value > best.value)) best = { slice: v.slice, value: v.value };
  }
  return best;
}

/** A row's slice values under a prefix, from its columnar values (numbers only; anything else is missing). */
export function sliceValues(values: Readonly<Record<string, unknown>>, prefix: SlicePrefix): SliceValue[] {
  return prefix.slices.map((slice) => {
    const v = values[sliceField(prefix.prefix, slice)];
    return { slice, value: typeof v === "number" && Number.isFinite(v) ? v : null };
  });
}

// The slices panel's config: the prefix, optionally followed by "|low" or "|high" when the user
// chose which end is worst (absent: guessed from the name). Prefixes never contain "|" in practice;
// the split is at the last one so a prefix that does still round-trips.
export interface SliceConfig { prefix: string; end: WorstEnd | null }

export function parseSliceConfig(config: string): SliceConfig {
  const i = config.lastIndexOf("|");
  if (i >= 0) {
    const tail = config.slice(i + 1);
    if (tail === "low" || tail === "high") return { prefix: config.slice(0, i), end: tail };
  }
  return { prefix: config, end: null };
}

export function formatSliceConfig(c: SliceConfig): string {
  return c.end ? `${c.prefix}|${c.end}` : c.prefix;
}

// The runs table's computed column. Its id is kept in the URL's cols= like any other column.
const WORST_COLUMN = "slice.worst:";

export const worstColumnId = (prefix: string): string => `${WORST_COLUMN}${prefix}`;

/** The prefix of a slice.worst:<prefix> column, else null. */
export function worstColumnPrefix(id: string): string | null {
  return id.startsWith(WORST_COLUMN) && id.length > WORST_COLUMN.length ? id.slice(WORST_COLUMN.length) : null;
}

/**
 * The server columns the table must request for its chosen columns: computed slice columns are
 * replaced by their slices' summary fields (known prefixes only: an unknown one asks for nothing).
 * Deduplicated and sorted, so the request changes only when the set does.
 */
export function serverColumns(columns: readonly string[], prefixes: readonly SlicePrefix[]): string[] {
  const out = new Set<string>();
  for (const c of columns) {
    const p = worstColumnPrefix(c);
    if (p === null) {
      out.add(c);
      continue;
    }
    const found = prefixes.find((x) => x.prefix === p);
    for (const s of found?.slices ?? []) out.add(sliceField(p, s));
  }
  return [...out].sort();
}
