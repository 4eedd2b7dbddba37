// Owns the mapping from SQLite rows to the API's Run, RunRow and Project shapes (epoch ms -> ISO
// strings, JSON columns -> objects, runtime). Reading the rows (and the config) is meta.ts's job.
import { CONFIG_INLINE_MAX_KEYS, type Project, type Run, type RunState } from "@orrery/protocol";
import { parseObject } from "./json.js";

export const RUN_COLUMNS =
  "r.id, r.run_id, r.name, r.grp, r.job_type, r.tags, r.notes, r.state, r.created_at, r.started_at, " +
  "r.ended_at, r.heartbeat_at, r.last_ts, r.exit_code, r.last_step, r.last_seq, r.config_keys, r.metadata, " +
  "r.summary_overrides, r.metric_modes, p.entity, p.name AS project";

export interface RunRow {
  id: number;
  run_id: string;
  name: string;
  grp: string | null;
  job_type: string | null;
  tags: string;
  notes: string;
  state: RunState;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  heartbeat_at: number | null;
  last_ts: number | null;
  exit_code: number | null;
  last_step: number | null;
  last_seq: number;
  /** Flattened config keys; the config itself lives in the runs index (runs-index.ts). */
  config_keys: number;
  metadata: string;
  summary_overrides: string;
  metric_modes: string;
  entity: string;
  project: string;
}

export interface ProjectRow {
  entity: string;
  name: string;
  created_at: number;
  last_activity: number | null;
  run_count: number;
}

// Record timestamps are bounded by the wire schema; a value outside Date's range (older data, a
// foreign writer) is clamped rather than allowed to break every listing that includes the run.
const MAX_DATE_MS = 8.64e15;
export const iso = (ms: number): string => new Date(Number.isFinite(ms) ? Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, ms)) : 0).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** A run's own fields, as a table row carries them (no config, summary or metadata). */
export function toRunBase(row: RunRow): Omit<Run, "config" | "configKeyCount" | "configTruncated" | "summary" | "metadata"> {
  const end = row.ended_at ?? row.last_ts;
  const runtime = row.started_at === null || end === null ? 0 : Math.max(0, (end - row.started_at) / 1000);
  return {
    id: row.run_id,
    entity: row.entity,
    project: row.project,
    name: row.name,
    group: row.grp,
    jobType: row.job_type,
    tags: JSON.parse(row.tags) as string[],
    notes: row.notes,
    state: row.state,
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    endedAt: isoOrNull(row.ended_at),
    heartbeatAt: isoOrNull(row.heartbeat_at),
    runtime,
    exitCode: row.exit_code,
    lastStep: row.last_step,
    lastSeq: row.last_seq,
  };
}

/** `config` holds at most CONFIG_INLINE_MAX_KEYS leaves; configTruncated says when there are more. */
export function toRun(row: RunRow, summary: Record<string, unknown>, config: Record<string, unknown>): Run {
  return {
    ...toRunBase(row),
    config,
    configKeyCount: row.config_keys,
    configTruncated: row.config_keys > CONFIG_INLINE_MAX_KEYS,
    summary,
    metadata: parseObject(row.metadata),
  };
}

export function toProject(row: ProjectRow): Project {
  return {
    entity: row.entity,
    name: row.name,
    createdAt: iso(row.created_at),
    runCount: row.run_count,
    lastActivity: isoOrNull(row.last_activity),
  };
}
