// Owns the client-side shape of fetched history: per run and key, an x and a y Float64Array decoded
// straight from the wire columns, how they are appended to when a live run grows, and how a big
// query is split into requests the server accepts.
import { decodeColumn } from "../api/values";
import type { MultiSeriesResponse } from "../api/client";

export interface Column {
  x: Float64Array;
  y: Float64Array;
}

export const EMPTY_COLUMN: Column = { x: new Float64Array(0), y: new Float64Array(0) };

/** Most runs one history request may name (the server's limit). */
export const MAX_RUNS_PER_REQUEST = 100;
/** Budget of keys x runs x maxPoints per request, so one reply stays a few tens of MB at most. */
export const MAX_POINTS_PER_REQUEST = 2_000_000;

export interface PlannedRequest {
  runs: string[];
  keys: string[];
}

/** Splits runs x keys into requests of at most 100 runs and at most 2,000,000 points. */
export function planRequests(runs: readonly string[], keys: readonly string[], maxPoints: number): PlannedRequest[] {
  if (runs.length === 0 || keys.length === 0) return [];
  const out: PlannedRequest[] = [];
  for (let r = 0; r < runs.length; r += MAX_RUNS_PER_REQUEST) {
    const runChunk = runs.slice(r, r + MAX_RUNS_PER_REQUEST);
    const perKey = runChunk.length * Math.max(1, maxPoints);
    const keysPer = Math.max(1, Math.floor(MAX_POINTS_PER_REQUEST / perKey));
    for (let k = 0; k < keys.length; k += keysPer) out.push({ runs: runChunk, keys: keys.slice(k, k + keysPer) });
  }
  return out;
}

/** Decodes a reply into run → key → column; each run's keys asked for but absent become empty. */
export function decodeReply(reply: MultiSeriesResponse, keys: readonly string[]): Map<string, Map<string, Column>> {
  const out = new Map<string, Map<string, Column>>();
  for (const run of reply.runs) {
    const byKey = new Map<string, Column>();
    for (const s of run.series) byKey.set(s.key, { x: Float64Array.from(s.x), y: decodeColumn(s.y) });
    for (const k of keys) if (!byKey.has(k)) byKey.set(k, EMPTY_COLUMN);
    out.set(run.runId, byKey);
  }
  return out;
}

/** Largest x in a column (-Infinity when empty); columns come sorted by x. */
export function lastX(c: Column): number {
  return c.x.length ? c.x[c.x.length - 1]! : -Infinity;
}

/** The column with `more`'s points after `after` appended (points at or before it are already there). */
export function appendColumn(base: Column, more: Column, after = lastX(base)): Column {
  let start = 0;
  while (start < more.x.length && !(more.x[start]! > after)) start++;
  const add = more.x.length - start;
  if (add <= 0) return base;
  const x = new Float64Array(base.x.length + add);
  const y = new Float64Array(base.y.length + add);
  x.set(base.x);
  y.set(base.y);
  x.set(more.x.subarray(start), base.x.length);
  y.set(more.y.subarray(start), base.y.length);
  return { x, y };
}
