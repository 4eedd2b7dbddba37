// Owns the SQLite schema as numbered migrations. Each migration runs once, in one transaction with
// its row in schema_migrations, so a crash mid-upgrade leaves the previous schema intact. Never edit
// a released migration: add the next number.
import type { Db } from "./engine.js";
import { SERIES_MIGRATION } from "./schema-series.js";
import { RUNS_INDEX_MIGRATION } from "./schema-runs.js";
import { HISTOGRAMS_MIGRATION } from "./schema-histograms.js";
import { SWEEPS_MIGRATION } from "./schema-sweeps.js";
import { ARTIFACTS_MIGRATION } from "./schema-artifacts.js";
import { MEDIA_MIGRATION } from "./schema-media.js";
import { VIEWS_MIGRATION } from "./schema-views.js";
import { TABLES_MIGRATION } from "./schema-tables.js";

export interface Migration { version: number; name: string; sql: string }

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        entity TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_activity INTEGER,
        run_count INTEGER NOT NULL DEFAULT 0,
        UNIQUE (entity, name)
      );

      -- Times are epoch ms. JSON columns hold objects; summary values are not stored here but
      -- computed from run_keys (auto part) plus summary_overrides (what the user set).
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        grp TEXT,
        job_type TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        notes TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'finished', 'failed', 'crashed')),
        created_at INTEGER NOT NULL,
        started_at REAL,
        ended_at REAL,
        heartbeat_at INTEGER,
        last_ts REAL,
        exit_code INTEGER,
        last_step INTEGER,
        last_seq INTEGER NOT NULL DEFAULT 0,
        console_lines INTEGER NOT NULL DEFAULT 0,
        opened INTEGER NOT NULL DEFAULT 0,
        config TEXT NOT NULL DEFAULT '{}',
        metadata TEXT NOT NULL DEFAULT '{}',
        summary_overrides TEXT NOT NULL DEFAULT '{}',
        metric_modes TEXT NOT NULL DEFAULT '{}',
        UNIQUE (project_id, run_id)
      );
      CREATE INDEX runs_by_created ON runs (project_id, created_at DESC, run_id DESC);
      CREATE INDEX runs_by_state_created ON runs (project_id, state, created_at DESC, run_id DESC);
      CREATE INDEX runs_running_heartbeat ON runs (heartbeat_at) WHERE state = 'running';

      -- One dictionary for every metric key of every run, so points carry a small integer.
      CREATE TABLE metric_keys (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE
      );

      -- Per (run, stream, key) running aggregates, kept on ingest so summaries never scan points.
      -- stream 0 = history (x = step), 1 = system (x = ts). NULL in a REAL column means NaN.
      CREATE TABLE run_keys (
        run INTEGER NOT NULL REFERENCES runs(id),
        stream INTEGER NOT NULL,
        key_id INTEGER NOT NULL REFERENCES metric_keys(id),
        count INTEGER NOT NULL,
        nan_count INTEGER NOT NULL,
        min REAL,
        max REAL,
        sum REAL,
        last_x REAL NOT NULL,
        last_value REAL,
        PRIMARY KEY (run, stream, key_id)
      ) WITHOUT ROWID;

      CREATE TABLE history_points (
        run INTEGER NOT NULL,
        key_id INTEGER NOT NULL,
        step INTEGER NOT NULL,
        value REAL,
        PRIMARY KEY (run, key_id, step)
      ) WITHOUT ROWID;

      CREATE TABLE history_steps (
        run INTEGER NOT NULL,
        step INTEGER NOT NULL,
        ts REAL NOT NULL,
        runtime REAL NOT NULL,
        PRIMARY KEY (run, step)
      ) WITHOUT ROWID;

      CREATE TABLE system_points (
        run INTEGER NOT NULL,
        key_id INTEGER NOT NULL,
        ts REAL NOT NULL,
        value REAL,
        PRIMARY KEY (run, key_id, ts)
      ) WITHOUT ROWID;

      CREATE TABLE console_lines (
        run INTEGER NOT NULL,
        n INTEGER NOT NULL,
        ts REAL NOT NULL,
        stream TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr')),
        text TEXT NOT NULL,
        PRIMARY KEY (run, n)
      ) WITHOUT ROWID;

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );
    `,
  },
  SERIES_MIGRATION,
  RUNS_INDEX_MIGRATION,
  HISTOGRAMS_MIGRATION,
  SWEEPS_MIGRATION,
  ARTIFACTS_MIGRATION,
  VIEWS_MIGRATION,
  MEDIA_MIGRATION,
  TABLES_MIGRATION,
];

/** Applies every migration newer than the database, each atomically. Safe to call on every open. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied: number[] = [];
  const current = (): number =>
    (db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations").pluck().get() as number);
  const known = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  const step = db.transaction((m: Migration) => {
    // Re-check inside the write lock: another process may have migrated meanwhile.
    if (current() >= m.version) return;
    db.exec(m.sql);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
      .run(m.version, m.name, Date.now());
    applied.push(m.version);
  });
  const have = current();
  if (have > known) {
    throw new Error(
      `this database has schema version ${have}, newer than this Orrery understands (${known}): upgrade Orrery to open it`,
    );
  }
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version > have) step.immediate(m);
  }
  return applied;
}
