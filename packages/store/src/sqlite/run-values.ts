// Owns run values for plots: one column per asked key over every run matching a filter (newest
// first), for parallel coordinates, scatter and the importance surrogate. Which runs match is the
// runs index's (runs-index-query.ts); this file is about reading 100,000 runs' values fast.
//
// What costs is not SQLite but building JavaScript values: better-sqlite3 spends about a microsecond
// per row array, so nothing here reads rows. The matching runs' ids, names and run fields come back
// as one JSON array per column from SQLite (json_group_array, parsed natively), and each key is read
// as single-column lists (pluck): either its whole slice of the run_values_by_key index, typed and
// in index order, with run row ids beside it to scatter the values into place (when the matching
// runs hold a good share of the key's values), or one primary-key lookup per matching run, in run
// order (when they are a small share, e.g. the newest 100,000 of a million runs).
import { OrreryError, type RunValue, type RunValues } from "@orrery/protocol";
import type { RunValuesOptions } from "../interfaces.js";
import type { Engine } from "./engine.js";
import { ATTRIBUTE_SQL, type RunsIndexQuery } from "./runs-index-query.js";
import { T_BOOL, T_NUMBER, T_STRING } from "./runs-index-values.js";

/** Scan a key's index slice when it holds at most this many values per matching run, else look up per run. */
const SCAN_RATIO = 4;
/** Finite doubles: the index keeps infinities as numbers, plots take them as missing. */
const FINITE = "BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308";

type Column = { kind: "attribute"; sql: string } | { kind: "key"; id: number | null };

export function readRunValues(
  eng: Engine, index: RunsIndexQuery, project: number | undefined, runCount: number, o: RunValuesOptions,
): RunValues {
  const texts = [...new Set(o.keys.map((k) => k.text))];
  const empty = (): RunValues => ({ total: 0, truncated: false, ids: [], names: [], columns: Object.fromEntries(texts.map((t) => [t, []])) });
  if (project === undefined) return empty();
  const columns = new Map<string, Column>();
  for (const { text, field } of o.keys) {
    if (columns.has(text)) continue;
    const f = index.resolve(project, field, "keys");
    if (f.kind === "attribute") {
      if (f.name === "tags") throw new OrreryError("invalid_filter", "keys: tags is a list, not one value per run: plot config, summary or other run fields", "keys");
      columns.set(text, { kind: "attribute", sql: f.name === "id" ? "r.run_id" : ATTRIBUTE_SQL[f.name] });
    } else {
      // A key naming an object (config.optimizer) has no plottable value: its column is all null.
      columns.set(text, { kind: "key", id: f.subtree ? null : f.id });
    }
  }
  // A driver is worth it when it enumerates at most an eighth of the runs (as group-by decides).
  const where = index.matching(project, o.filter ?? null, o.search, Math.max(1_000, Math.floor(runCount / 8)));
  if (where === null) return empty();
  const params = [...where.params];
  let cond = where.sql;
  if (o.runs !== undefined) {
    cond += " AND r.run_id IN (SELECT value FROM json_each(?))";
    params.push(JSON.stringify(o.runs));
  }
  const limit = Math.max(1, Math.floor(o.limit));
  // Newest first, as the runs listing: runs_by_created walks it without a sort.
  const ordered = (select: string, from = "runs r") =>
    `SELECT ${select} FROM ${from} WHERE ${cond} ORDER BY r.created_at DESC, r.run_id DESC LIMIT ${limit}`;

  const attrs = [...columns.entries()].filter(([, c]) => c.kind === "attribute") as [string, { kind: "attribute"; sql: string }][];
  const inner = ordered(["r.id", "r.run_id", "r.name", ...attrs.map(([, c], i) => `${c.sql} AS a${i}`)].join(", "));
  const base = eng.db.prepare(
    `SELECT count(*), json_group_array(id), json_group_array(run_id), json_group_array(name)${attrs.map((_, i) => `, json_group_array(a${i})`).join("")}
     FROM (${inner})`,
  ).raw(true).get(...params) as [number, string, string, string, ...string[]];
  const n = base[0];
  const rowIds = JSON.parse(base[1]) as number[];
  const ids = JSON.parse(base[2]) as string[];
  const names = JSON.parse(base[3]) as string[];

  let total: number;
  if (n < limit) total = n;
  else if (where.conditions === 0 && o.runs === undefined) total = runCount;
  else total = eng.db.prepare(`SELECT count(*) FROM runs r WHERE ${cond}`).pluck().get(...params) as number;

  const out = new Map<string, RunValue[]>();
  attrs.forEach(([text], i) => out.set(text, JSON.parse(base[4 + i] as string) as RunValue[]));

  let pos: Int32Array | undefined;
  const counts = eng.stmt("SELECT n1, n2, n3 FROM index_keys WHERE id = ?").raw(true);
  for (const [text, c] of columns) {
    if (c.kind !== "key") continue;
    const col = new Array<RunValue>(n).fill(null);
    out.set(text, col);
    if (c.id === null || n === 0) continue;
    const [numbers, strings, bools] = counts.get(c.id) as [number, number, number];
    if (numbers + strings + bools === 0) continue;
    if (numbers + strings + bools <= SCAN_RATIO * n) {
      if (pos === undefined) pos = positions(rowIds);
      const typed: [number, string, (v: unknown) => RunValue][] = [];
      if (numbers > 0) typed.push([T_NUMBER, `AND v ${FINITE}`, (v) => v as number]);
      if (strings > 0) typed.push([T_STRING, "", (v) => v as string]);
      if (bools > 0) typed.push([T_BOOL, "", (v) => v === 1]);
      for (const [t, range, decode] of typed) {
        // Two passes over the same index range, in the same (index) order: run row ids, then values.
        const w = `WHERE key_id = ${c.id} AND t = ${t} ${range} ORDER BY t, v, run`;
        const runs = eng.db.prepare(`SELECT run FROM run_values ${w}`).pluck().all() as number[];
        const values = eng.db.prepare(`SELECT v FROM run_values ${w}`).pluck().all() as unknown[];
        for (let i = 0; i < runs.length; i++) {
          const r = runs[i]!;
          const p = r < pos.length ? pos[r]! : -1;
          if (p >= 0) col[p] = decode(values[i]);
        }
      }
    } else {
      const join = `runs r LEFT JOIN run_values v ON v.run = r.id AND v.key_id = ${c.id}`;
      const cells = eng.db.prepare(ordered(
        `CASE v.t WHEN ${T_NUMBER} THEN CASE WHEN v.v ${FINITE} THEN v.v END WHEN ${T_STRING} THEN v.v END`, join,
      )).pluck().all(...params) as (number | string | null)[];
      for (let i = 0; i < n; i++) col[i] = cells[i]!;
      if (bools > 0) {
        const flags = eng.db.prepare(ordered(`CASE WHEN v.t = ${T_BOOL} THEN v.v END`, join)).pluck().all(...params) as (number | null)[];
        for (let i = 0; i < n; i++) if (flags[i] !== null) col[i] = flags[i] === 1;
      }
    }
  }
  const result: Record<string, RunValue[]> = {};
  for (const text of texts) Object.defineProperty(result, text, { value: out.get(text)!, enumerable: true, writable: true, configurable: true });
  return { total, truncated: total > n, ids, names, columns: result };
}

/** Row id -> index in the result (-1: not a matching run). */
function positions(rowIds: readonly number[]): Int32Array {
  let max = 0;
  for (const r of rowIds) if (r > max) max = r;
  const pos = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < rowIds.length; i++) pos[rowIds[i]!] = i;
  return pos;
}
