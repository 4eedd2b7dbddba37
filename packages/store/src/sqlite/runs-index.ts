// Owns the write side of the runs index (tables in schema-runs.ts): a run's config, stored only
// here as typed leaves, and a typed copy of its summary, both kept current by ingest. Every change
// is a subtree replace of one top-level key (or of one key under a path), touching only the rows of
// that key: storing a config never re-reads or re-writes the rest of it, so a config of a million
// keys arriving in a hundred records costs a hundred small writes, not a hundred full rewrites.
// Queries live in runs-index-query.ts. Runs are never deleted, so neither are dictionary rows.
import type { SummaryMode } from "@orrery/protocol";
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import { parseObject, type JsonObject } from "./json.js";
import {
  AFTER, CONFIG, flatten, SEP, SUMMARY, type Kind, type Leaf, type ValueType,
} from "./runs-index-values.js";
import { summaryValue } from "./summary.js";

/** What the summary flush needs of the run's JSON columns, when the batch already loaded them. */
export interface LoadedJson { summary_overrides?: JsonObject; metric_modes?: JsonObject }

type OldLeaf = [id: number, key: string, t: number, v: unknown];
type StatsRow = [count: number, nanCount: number, min: number | null, max: number | null, sum: number | null, lastValue: number | null];

export class RunsIndexWriter {
  private readonly s: Record<
    "subtree" | "exact" | "upsertKey" | "adjust" | "upsertValue" | "deleteValue" | "configKeys" | "addConfigKeys" |
    "stats" | "summaryJson" | "backfillRuns" | "historyKeys" | "backfillDone" | "hasBackfill" | "clearConfig",
    Stmt
  >;
  /** Top-level summary keys touched per run row since its last flush. */
  private readonly pending = new Map<number, Set<string>>();
  /** The keys of the last history row noted (and its run), which are in that run's pending set. */
  private readonly lastKeys: string[] = [];
  private lastRun = -1;

  constructor(private readonly eng: Engine) {
    this.s = {
      // A key's own row and its subtree: key = K or K\u0001 <= key < K\u0002 (one range: nothing
      // sorts between K and K\u0001 but keys holding U+0000).
      subtree: eng.stmt(
        `SELECT k.id, k.key, v.t, v.v FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
         WHERE k.project_id = ? AND k.kind = ? AND k.key >= ? AND k.key < ?`,
      ).raw(true),
      exact: eng.stmt(
        `SELECT k.id, k.key, v.t, v.v FROM index_keys k JOIN run_values v ON v.run = ? AND v.key_id = k.id
         WHERE k.project_id = ? AND k.kind = ? AND k.key = ?`,
      ).raw(true),
      upsertKey: eng.stmt(
        `INSERT INTO index_keys (project_id, kind, key, n1, n2, n3, n4, n5, n6, n7)
         VALUES (:p, :kind, :key, :t = 1, :t = 2, :t = 3, :t = 4, :t = 5, :t = 6, :t = 7)
         ON CONFLICT (project_id, kind, key) DO UPDATE SET
           n1 = n1 + excluded.n1, n2 = n2 + excluded.n2, n3 = n3 + excluded.n3, n4 = n4 + excluded.n4,
           n5 = n5 + excluded.n5, n6 = n6 + excluded.n6, n7 = n7 + excluded.n7
         RETURNING id`,
      ).pluck(),
      // Moves one run's count from type :old to type :new (0 = none).
      adjust: eng.stmt(
        `UPDATE index_keys SET
           n1 = n1 - (:old = 1) + (:new = 1), n2 = n2 - (:old = 2) + (:new = 2), n3 = n3 - (:old = 3) + (:new = 3),
           n4 = n4 - (:old = 4) + (:new = 4), n5 = n5 - (:old = 5) + (:new = 5), n6 = n6 - (:old = 6) + (:new = 6),
           n7 = n7 - (:old = 7) + (:new = 7)
         WHERE id = :id`,
      ),
      upsertValue: eng.stmt(
        `INSERT INTO run_values (run, key_id, t, v) VALUES (?, ?, ?, ?)
         ON CONFLICT (run, key_id) DO UPDATE SET t = excluded.t, v = excluded.v`,
      ),
      deleteValue: eng.stmt("DELETE FROM run_values WHERE run = ? AND key_id = ?"),
      configKeys: eng.stmt("SELECT config_keys FROM runs WHERE id = ?").pluck(),
      addConfigKeys: eng.stmt("UPDATE runs SET config_keys = config_keys + ? WHERE id = ?"),
      stats: eng.stmt(
        `SELECT s.count, s.nan_count, s.min, s.max, s.sum, s.last_value FROM run_keys s
         WHERE s.run = ? AND s.stream = 0 AND s.key_id = (SELECT id FROM metric_keys WHERE key = ?)`,
      ).raw(true),
      summaryJson: eng.stmt("SELECT summary_overrides, metric_modes FROM runs WHERE id = ?").raw(true),
      hasBackfill: eng.stmt("SELECT 1 FROM runs_index_state WHERE name = 'backfill'").pluck(),
      backfillRuns: eng.stmt(
        "SELECT id, project_id, config, summary_overrides FROM runs WHERE id > ? ORDER BY id LIMIT ?",
      ).raw(true),
      historyKeys: eng.stmt(
        `SELECT k.key FROM run_keys s JOIN metric_keys k ON k.id = s.key_id
         WHERE s.run = ? AND s.stream = 0 AND k.key NOT IN ('_timestamp', '_runtime', '_step')`,
      ).pluck(),
      clearConfig: eng.stmt("UPDATE runs SET config = '{}' WHERE id = ?"),
      backfillDone: eng.stmt("DELETE FROM runs_index_state WHERE name = 'backfill'"),
    };
    if (this.s.hasBackfill.get() !== undefined) this.backfill();
  }

  /**
   * A config or run record's config: sets each key of `values` on the object at `path` (the top
   * level when path is empty), replacing that key's whole previous value. Objects along the path
   * are created; a leaf met on the path (a number, or {}) becomes an object.
   */
  setConfig(run: number, project: number, values: Readonly<JsonObject>, path: readonly string[] = []): void {
    const keys = Object.keys(values);
    if (keys.length === 0 && path.length === 0) return;
    const fresh = path.length === 0 && (this.s.configKeys.get(run) as number) === 0;
    let delta = 0;
    let prefix = "";
    if (path.length > 0) {
      // A leaf at an ancestor of the target (e.g. the {} that cleared it) gives way to the object.
      for (let i = 0; i < path.length; i++) {
        prefix = i === 0 ? path[0]! : prefix + SEP + path[i]!;
        for (const old of this.s.exact.all(run, project, CONFIG, prefix) as OldLeaf[]) {
          this.remove(run, old);
          delta--;
        }
      }
      prefix += SEP;
    }
    const leaves: Leaf[] = [];
    for (const key of keys) {
      leaves.length = 0;
      flatten(values[key], prefix + key, leaves);
      delta += this.replace(run, project, CONFIG, prefix + key, leaves, fresh);
    }
    if (delta !== 0) this.s.addConfigKeys.run(delta, run);
  }

  /** A history record: the summary of each of its keys is refreshed at the batch's flush. */
  noteHistory(run: number, values: Readonly<Record<string, unknown>>): void {
    // Training loops log the same keys row after row: comparing with the previous row's keys costs
    // far less per point than adding each key to the set again.
    const last = this.lastKeys;
    let j = 0;
    let same = this.lastRun === run;
    for (const key in values) {
      if (same && last[j] !== key) same = false;
      j++;
    }
    if (same && j === last.length) return;
    const set = this.touched(run);
    last.length = 0;
    for (const key in values) {
      set.add(key);
      last.push(key);
    }
    this.lastRun = run;
  }

  /** A summary or define_metric record: these top-level summary keys are refreshed at flush. */
  noteSummary(run: number, keys: readonly string[]): void {
    const set = this.touched(run);
    for (const key of keys) set.add(key);
  }

  /**
   * Call once per run and batch, after the batch's metric stats are written: rewrites the summary
   * index of every top-level key the batch touched. A key's summary is the user's override when
   * there is one, else its automatic value (summary.ts), else nothing.
   */
  flush(run: number, project: number, loaded: LoadedJson): void {
    const keys = this.pending.get(run);
    if (keys === undefined) return;
    this.pending.delete(run);
    if (this.lastRun === run) this.lastRun = -1;
    let overrides = loaded.summary_overrides;
    let modes = loaded.metric_modes;
    if (overrides === undefined || modes === undefined) {
      const row = this.s.summaryJson.get(run) as [string, string] | undefined;
      overrides ??= row === undefined || row[0] === "{}" ? {} : parseObject(row[0]);
      modes ??= row === undefined || row[1] === "{}" ? {} : parseObject(row[1]);
    }
    const leaves: Leaf[] = [];
    for (const key of keys) {
      leaves.length = 0;
      const value = this.summaryOf(run, key, overrides, modes as Record<string, SummaryMode>);
      if (value !== undefined) flatten(value, key, leaves);
      this.replace(run, project, SUMMARY, key, leaves, false);
    }
  }

  private summaryOf(run: number, key: string, overrides: JsonObject, modes: Record<string, SummaryMode>): unknown {
    if (Object.hasOwn(overrides, key)) return overrides[key];
    const r = this.s.stats.get(run, key) as StatsRow | undefined;
    if (r === undefined) return undefined;
    const mode = Object.hasOwn(modes, key) ? modes[key]! : "last";
    return summaryValue(
      { key, count: r[0], nanCount: r[1], min: fromDb(r[2]), max: fromDb(r[3]), sum: fromDb(r[4]), lastValue: fromDb(r[5]) },
      mode,
    );
  }

  private touched(run: number): Set<string> {
    let set = this.pending.get(run);
    if (set === undefined) {
      set = new Set();
      this.pending.set(run, set);
    }
    return set;
  }

  /**
   * Makes `leaves` the whole subtree at `key` for the run; returns the change in the run's leaf
   * count. `fresh` promises the run has no leaves of this kind yet (skips reading old ones).
   */
  private replace(run: number, project: number, kind: Kind, key: string, leaves: readonly Leaf[], fresh: boolean): number {
    const old = fresh ? [] : (this.s.subtree.all(run, project, kind, key, key + AFTER) as OldLeaf[]);
    let delta = 0;
    let byKey: Map<string, OldLeaf> | undefined;
    if (old.length === 1 && leaves.length === 1 && old[0]![1] === leaves[0]!.key) {
      // The common case (a metric's summary, a scalar config value): the same single leaf.
      this.update(run, old[0]!, leaves[0]!);
      return 0;
    }
    if (old.length > 0) byKey = new Map(old.map((o) => [o[1], o]));
    for (const leaf of leaves) {
      const prev = byKey?.get(leaf.key);
      if (prev !== undefined) {
        byKey!.delete(leaf.key);
        this.update(run, prev, leaf);
      } else {
        const id = this.s.upsertKey.get({ p: project, kind, key: leaf.key, t: leaf.t }) as number;
        this.s.upsertValue.run(run, id, leaf.t, leaf.v);
        delta++;
      }
    }
    if (byKey !== undefined) {
      for (const o of byKey.values()) {
        this.remove(run, o);
        delta--;
      }
    }
    return delta;
  }

  private update(run: number, old: OldLeaf, leaf: Leaf): void {
    if (old[2] === leaf.t && old[3] === leaf.v) return;
    if (old[2] !== leaf.t) this.s.adjust.run({ id: old[0], old: old[2], new: leaf.t as ValueType });
    this.s.upsertValue.run(run, old[0], leaf.t, leaf.v);
  }

  private remove(run: number, old: OldLeaf): void {
    this.s.adjust.run({ id: old[0], old: old[2], new: 0 });
    this.s.deleteValue.run(run, old[0]);
  }

  /**
   * Indexes runs stored before migration 3: moves each run's config JSON into the index and builds
   * its summary rows. Idempotent (a crash midway is resumed on the next open), in transactions of
   * a few hundred runs.
   */
  private backfill(): void {
    let after = 0;
    const step = this.eng.db.transaction((): boolean => {
      const rows = this.s.backfillRuns.all(after, 200) as [number, number, string, string][];
      for (const [id, project, config, overrides] of rows) {
        after = id;
        const cfg = parseObject(config);
        if (Object.keys(cfg).length > 0) {
          this.setConfig(id, project, cfg);
          this.s.clearConfig.run(id);
        }
        const keys = new Set(this.s.historyKeys.all(id) as string[]);
        for (const k of Object.keys(parseObject(overrides))) keys.add(k);
        if (keys.size > 0) {
          this.noteSummary(id, [...keys]);
          this.flush(id, project, {});
        }
      }
      return rows.length > 0;
    });
    while (step.immediate()) { /* next chunk */ }
    this.s.backfillDone.run();
  }
}
