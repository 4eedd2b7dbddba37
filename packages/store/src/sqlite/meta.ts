// Owns project and run metadata reads and the few writes outside ingest: patching a run,
// heartbeats, marking silent runs crashed, and the runs table (query, groups, keys, config tree)
// served from the runs index. Row mapping lives in rows.ts, summary rules in summary.ts, index
// queries in runs-index-query.ts.
import {
  AGGREGATES, CONFIG_INLINE_MAX_KEYS, formatPath, type ConfigTreePage, type EncodedMetric, type Project, type Run, type RunGroupsPage,
  type RunKeyPage, type RunPatch, type RunQueryPage, type RunValues, type RunRow as RunRowWire, type SummaryMode,
} from "@orrery/protocol";
import type {
  ConfigTreeOptions, MetaStore, ProjectRef, RunGroupOptions, RunKeyOptions, RunListOptions, RunQueryOptions, RunRef,
  RunValuesOptions,
} from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { encodeForJson, fromDb } from "./float.js";
import type { Ids } from "./ids.js";
import { parseObject } from "./json.js";
import { RUN_COLUMNS, toProject, toRun, toRunBase, type ProjectRow, type RunRow } from "./rows.js";
import { RunsIndexQuery } from "./runs-index-query.js";
import { readRunValues } from "./run-values.js";
import { HISTORY } from "./stats.js";
import { buildSummary, type KeySummaryInput } from "./summary.js";

const RUN_FROM = `SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id`;

/** History keys the series store keeps for itself (a row's _timestamp and _runtime): never in a summary. */
const RESERVED_SERIES = "('_timestamp', '_runtime', '_step')";

interface StatsRow { key: string; count: number; nan_count: number; min: number | null; max: number | null; sum: number | null; last_value: number | null }

export class SqliteMeta implements MetaStore {
  private readonly s: Record<
    "projects" | "project" | "run" | "stats" | "runCount" | "patch" | "heartbeat" | "crash",
    Stmt
  >;
  private readonly index: RunsIndexQuery;

  constructor(private readonly eng: Engine, private readonly ids: Ids) {
    this.index = new RunsIndexQuery(eng);
    this.s = {
      projects: eng.stmt("SELECT entity, name, created_at, last_activity, run_count FROM projects ORDER BY entity, name"),
      project: eng.stmt("SELECT entity, name, created_at, last_activity, run_count FROM projects WHERE id = ?"),
      run: eng.stmt(`${RUN_FROM} WHERE r.id = ?`),
      stats: eng.stmt(
        `SELECT k.key, s.count, s.nan_count, s.min, s.max, s.sum, s.last_value
         FROM run_keys s JOIN metric_keys k ON k.id = s.key_id
         WHERE s.run = ? AND s.stream = ${HISTORY} AND k.key NOT IN ${RESERVED_SERIES} ORDER BY k.key`,
      ),
      runCount: eng.stmt("SELECT run_count FROM projects WHERE id = ?").pluck(),
      patch: eng.stmt(
        "UPDATE runs SET name = coalesce(?, name), notes = coalesce(?, notes), tags = coalesce(?, tags) WHERE id = ?",
      ),
      // A heartbeat comes only from a live process, so it also revives a run wrongly marked crashed
      // (the server was down, or the training loop blocked the event loop past the timeout).
      heartbeat: eng.stmt("UPDATE runs SET heartbeat_at = ?, state = 'running' WHERE id = ? AND state IN ('running', 'crashed')"),
      crash: eng.stmt("UPDATE runs SET state = 'crashed' WHERE state = 'running' AND heartbeat_at < ?"),
    };
  }

  async listProjects(): Promise<Project[]> {
    this.eng.assertOpen();
    return (this.s.projects.all() as ProjectRow[]).map(toProject);
  }

  async getProject(p: ProjectRef): Promise<Project | undefined> {
    this.eng.assertOpen();
    const id = this.ids.projectId(p);
    if (id === undefined) return undefined;
    const row = this.s.project.get(id) as ProjectRow | undefined;
    return row === undefined ? undefined : toProject(row);
  }

  async hasRun(r: RunRef): Promise<boolean> {
    this.eng.assertOpen();
    return this.ids.runRowId(r) !== undefined;
  }

  async getRun(r: RunRef): Promise<Run | undefined> {
    this.eng.assertOpen();
    return this.readRun(r);
  }

  async listRuns(p: ProjectRef, opts: RunListOptions): Promise<{ runs: Run[]; nextCursor: string | null; total: number }> {
    const page = await this.queryRuns(p, {
      limit: opts.limit,
      cursor: opts.cursor,
      filter: opts.state === undefined ? null : {
        type: "compare", op: "=", start: 0, end: 0,
        field: { kind: "attribute", name: "state", start: 0, end: 0 },
        value: { kind: "string", value: opts.state, quoted: true, start: 0, end: 0 },
      },
      countAll: true,
    });
    return { runs: page.runs as Run[], nextCursor: page.nextCursor, total: page.total ?? 0 };
  }

  async queryRuns(p: ProjectRef, opts: RunQueryOptions): Promise<RunQueryPage> {
    this.eng.assertOpen();
    const pid = this.ids.projectId(p);
    // Read the page, its count and the runs in one snapshot, so they agree.
    const read = this.eng.db.transaction((): RunQueryPage => {
      if (pid === undefined) return { runs: [], nextCursor: null, total: 0 };
      const page = this.index.page(pid, this.s.runCount.get(pid) as number, defaults(opts));
      const rows = page.ids.map((id) => this.s.run.get(id) as RunRow);
      let runs: (Run | RunRowWire)[];
      if (opts.columns !== undefined) {
        const values = this.index.values(pid, page.ids, opts.columns);
        runs = rows.map((row) => ({ ...toRunBase(row), values: values.get(row.id)! }));
      } else {
        runs = rows.map((row) => this.withSummary(row));
      }
      return { runs, nextCursor: page.nextCursor, total: page.total };
    });
    return read.deferred();
  }

  async groupRuns(p: ProjectRef, opts: RunGroupOptions): Promise<RunGroupsPage> {
    this.eng.assertOpen();
    const pid = this.ids.projectId(p);
    if (pid === undefined) return { groups: [], nextCursor: null };
    const aggs = (opts.aggregates ?? []).map((a) => ({ ...a, fns: a.fns.length === 0 ? AGGREGATES : a.fns }));
    const read = this.eng.db.transaction(() => this.index.groups(
      pid, this.s.runCount.get(pid) as number, opts.by.map((b) => b.field), aggs, opts.filter ?? null, opts.search,
      Math.max(1, Math.floor(opts.limit)), opts.cursor,
    ));
    const { groups, nextCursor } = read.deferred();
    return {
      groups: groups.map((g) => {
        const key: Record<string, unknown> = {};
        opts.by.forEach((b, i) => define(key, b.text, g.key[i]));
        const aggregates: Record<string, Record<string, EncodedMetric | null>> = {};
        aggs.forEach((a, i) => {
          const values = g.aggregates[i]!;
          const out = aggregates[a.text] ?? {};
          for (const fn of a.fns) out[fn] = values[fn] === null ? null : encodeForJson(values[fn]!);
          define(aggregates, a.text, out);
        });
        return { key, count: g.count, aggregates };
      }),
      nextCursor,
    };
  }

  async listRunKeys(p: ProjectRef, opts: RunKeyOptions): Promise<RunKeyPage> {
    this.eng.assertOpen();
    const pid = this.ids.projectId(p);
    if (pid === undefined) return { keys: [], nextCursor: null };
    return this.index.keys(pid, opts.scope, opts.search, Math.max(1, Math.floor(opts.limit)), opts.cursor);
  }

  async configTree(r: RunRef, opts: ConfigTreeOptions): Promise<ConfigTreePage | undefined> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    const pid = this.ids.projectId(r);
    if (run === undefined || pid === undefined) return undefined;
    const read = this.eng.db.transaction(() => {
      const count = this.eng.stmt("SELECT config_keys FROM runs WHERE id = ?").pluck().get(run) as number;
      const page = this.index.configTree(run, pid, count, opts.prefix, opts.search, Math.max(1, Math.floor(opts.limit)), opts.cursor);
      return { prefix: formatPath(opts.prefix), entries: page.entries, nextCursor: page.nextCursor, configKeyCount: count };
    });
    return read.deferred();
  }

  async runValues(p: ProjectRef, opts: RunValuesOptions): Promise<RunValues> {
    this.eng.assertOpen();
    const pid = this.ids.projectId(p);
    // One snapshot: the count and the columns agree.
    const read = this.eng.db.transaction(() => readRunValues(
      this.eng, this.index, pid, pid === undefined ? 0 : (this.s.runCount.get(pid) as number), opts,
    ));
    return read.deferred();
  }

  async patchRun(r: RunRef, patch: RunPatch): Promise<Run | undefined> {
    this.eng.assertOpen();
    const id = this.ids.runRowId(r);
    if (id === undefined) return undefined;
    this.s.patch.run(patch.name ?? null, patch.notes ?? null, patch.tags === undefined ? null : JSON.stringify(patch.tags), id);
    return this.readRun(r);
  }

  async heartbeat(r: RunRef, now: number): Promise<boolean> {
    this.eng.assertOpen();
    const id = this.ids.runRowId(r);
    if (id === undefined) return false;
    this.s.heartbeat.run(now, id);
    return true;
  }

  async markCrashed(now: number, timeoutMs: number): Promise<number> {
    this.eng.assertOpen();
    return this.s.crash.run(now - timeoutMs).changes;
  }

  private readRun(r: RunRef): Run | undefined {
    const id = this.ids.runRowId(r);
    if (id === undefined) return undefined;
    const read = this.eng.db.transaction(() => {
      const row = this.s.run.get(id) as RunRow | undefined;
      return row === undefined ? undefined : this.withSummary(row);
    });
    return read.deferred();
  }

  private withSummary(row: RunRow): Run {
    const keys: KeySummaryInput[] = (this.s.stats.all(row.id) as StatsRow[]).map((s) => ({
      key: s.key, count: s.count, nanCount: s.nan_count, min: fromDb(s.min), max: fromDb(s.max), sum: fromDb(s.sum),
      lastValue: fromDb(s.last_value),
    }));
    const modes = parseObject(row.metric_modes) as Record<string, SummaryMode>;
    const config = row.config_keys === 0 ? {} : this.index.config(row.id, CONFIG_INLINE_MAX_KEYS);
    return toRun(row, buildSummary(keys, modes, parseObject(row.summary_overrides)), config);
  }
}

function defaults(o: RunQueryOptions): Parameters<RunsIndexQuery["page"]>[2] {
  return {
    filter: o.filter ?? null, search: o.search, sort: o.sort, limit: o.limit, cursor: o.cursor,
    countAll: o.countAll ?? false, plan: o.plan ?? "auto",
  };
}

function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
