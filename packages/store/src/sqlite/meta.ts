// Owns project and run metadata reads and the few writes outside ingest: patching a run,
// heartbeats, marking silent runs crashed. Row mapping lives in rows.ts, summary rules in summary.ts.
import { OrreryError, type Project, type Run, type RunPatch, type SummaryMode } from "@orrery/protocol";
import type { MetaStore, ProjectRef, RunListOptions, RunRef } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { fromDb } from "./float.js";
import type { Ids } from "./ids.js";
import { parseObject } from "./json.js";
import { RUN_COLUMNS, toProject, toRun, type ProjectRow, type RunRow } from "./rows.js";
import { HISTORY } from "./stats.js";
import { buildSummary, type KeySummaryInput } from "./summary.js";

const RUN_FROM = `SELECT ${RUN_COLUMNS} FROM runs r JOIN projects p ON p.id = r.project_id`;

interface StatsRow { key: string; count: number; nan_count: number; min: number | null; max: number | null; sum: number | null; last_value: number | null }

/** Opaque page cursor: the (createdAt, id) of the last run returned. */
function encodeCursor(createdAt: number, runId: string): string {
  return Buffer.from(JSON.stringify([createdAt, runId]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "string") {
      return [v[0], v[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new OrreryError("invalid_request", "cursor is not one this server issued: pass the nextCursor of the previous page, or omit it to start over", "cursor");
}

export class SqliteMeta implements MetaStore {
  private readonly s: Record<
    "projects" | "project" | "run" | "stats" | "page" | "pageState" | "count" | "countState" | "patch" | "heartbeat" | "crash",
    Stmt
  >;

  constructor(private readonly eng: Engine, private readonly ids: Ids) {
    this.s = {
      projects: eng.stmt("SELECT entity, name, created_at, last_activity, run_count FROM projects ORDER BY entity, name"),
      project: eng.stmt("SELECT entity, name, created_at, last_activity, run_count FROM projects WHERE id = ?"),
      run: eng.stmt(`${RUN_FROM} WHERE r.id = ?`),
      stats: eng.stmt(
        `SELECT k.key, s.count, s.nan_count, s.min, s.max, s.sum, s.last_value
         FROM run_keys s JOIN metric_keys k ON k.id = s.key_id WHERE s.run = ? AND s.stream = ${HISTORY} ORDER BY k.key`,
      ),
      page: eng.stmt(
        `${RUN_FROM} WHERE r.project_id = :p AND (r.created_at < :c OR (r.created_at = :c AND r.run_id < :id))
         ORDER BY r.created_at DESC, r.run_id DESC LIMIT :limit`,
      ),
      pageState: eng.stmt(
        `${RUN_FROM} WHERE r.project_id = :p AND r.state = :state AND (r.created_at < :c OR (r.created_at = :c AND r.run_id < :id))
         ORDER BY r.created_at DESC, r.run_id DESC LIMIT :limit`,
      ),
      count: eng.stmt("SELECT count(*) FROM runs WHERE project_id = ?").pluck(),
      countState: eng.stmt("SELECT count(*) FROM runs WHERE project_id = ? AND state = ?").pluck(),
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
    this.eng.assertOpen();
    const after = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
    const pid = this.ids.projectId(p);
    if (pid === undefined) return { runs: [], nextCursor: null, total: 0 };
    const limit = Math.max(1, Math.floor(opts.limit));
    // Read the whole page and its count in one snapshot, so total agrees with the rows.
    const read = this.eng.db.transaction(() => {
      const params = {
        p: pid, c: after === undefined ? Number.MAX_SAFE_INTEGER : after[0], id: after === undefined ? "" : after[1],
        limit: limit + 1, ...(opts.state === undefined ? {} : { state: opts.state }),
      };
      const rows = (opts.state === undefined ? this.s.page.all(params) : this.s.pageState.all(params)) as RunRow[];
      const total = (opts.state === undefined ? this.s.count.get(pid) : this.s.countState.get(pid, opts.state)) as number;
      return { rows, total };
    });
    const { rows, total } = read.deferred();
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    return {
      runs: rows.map((row) => this.withSummary(row)),
      nextCursor: more && last !== undefined ? encodeCursor(last.created_at, last.run_id) : null,
      total,
    };
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
    const row = this.s.run.get(id) as RunRow | undefined;
    return row === undefined ? undefined : this.withSummary(row);
  }

  private withSummary(row: RunRow): Run {
    const keys: KeySummaryInput[] = (this.s.stats.all(row.id) as StatsRow[]).map((s) => ({
      key: s.key, count: s.count, nanCount: s.nan_count, min: fromDb(s.min), max: fromDb(s.max), sum: fromDb(s.sum),
      lastValue: fromDb(s.last_value),
    }));
    const modes = parseObject(row.metric_modes) as Record<string, SummaryMode>;
    return toRun(row, buildSummary(keys, modes, parseObject(row.summary_overrides)));
  }
}
