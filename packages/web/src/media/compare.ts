// Owns the pure part of comparing media across runs: which image keys two or more runs share, and
// the steps a shared slider offers (every step any of the runs logged for the key).
import type { Run } from "../api/client";
import type { MediaKey } from "./wire";

export interface SharedKey { key: string; runs: Run[]; lastStep: number }

/** The keys at least two of `runs` logged, by key, each with those runs (in compare order) and the largest last step. */
export function sharedKeys(runs: readonly Run[], byRun: ReadonlyMap<string, readonly MediaKey[]>): SharedKey[] {
  const out = new Map<string, SharedKey>();
  for (const run of runs) {
    for (const k of byRun.get(run.id) ?? []) {
      const s = out.get(k.key) ?? { key: k.key, runs: [], lastStep: k.lastStep };
      s.runs.push(run);
      s.lastStep = Math.max(s.lastStep, k.lastStep);
      out.set(k.key, s);
    }
  }
  return [...out.values()].filter((s) => s.runs.length >= 2).sort((a, b) => a.key.localeCompare(b.key));
}

/** Every step in any of the lists, once, ascending. */
export function unionSteps(lists: readonly (readonly number[])[]): number[] {
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
