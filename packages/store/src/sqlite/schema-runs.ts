// Owns migration 3: the runs index's tables (written by runs-index.ts, read by runs-index-query.ts).
//
// - index_keys: the key dictionary. Every config and summary key of a project, flattened to its path
//   (segments joined by U+0001, so a key's subtree is one contiguous range), with how many runs
//   hold it per value type (n1..n7, see VALUE_TYPES in runs-index-values.ts).
// - run_values: one typed value per (run, key): t is the type, v the value (a REAL, TEXT or
//   INTEGER as the type needs; v has no declared type so SQLite keeps each as given). It is the
//   only home of a run's config (runs.config stays '{}'), and a copy of its summary made on ingest.
//   Its primary key serves point lookups (does run R match config.lr < 0.01?); run_values_by_key
//   (key_id, t, v, run) serves range filters, ordered scans for sorting, and group-by.
// - run_tags, runs_text: tags and names kept by triggers for tag filters and free-text search
//   (trigram full-text index: substring search without scanning every run).
// - runs indexes for sorting by name, state, group, job type and runtime without a full sort.
// - runs_index_state: 'backfill' is present until runs stored before this migration are indexed
//   (done in JavaScript on open, see RunsIndexWriter.backfill).
import type { Migration } from "./migrations.js";

/** runtime in ms, exactly as rows.ts computes it (0 until the run has a start and a later record). */
export const RUNTIME_MS_SQL = "coalesce(max(0, coalesce(r.ended_at, r.last_ts) - r.started_at), 0)";

export const RUNS_INDEX_MIGRATION: Migration = {
  version: 3,
  name: "runs_index",
  sql: `
    CREATE TABLE index_keys (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
      key TEXT NOT NULL,
      n1 INTEGER NOT NULL DEFAULT 0,
      n2 INTEGER NOT NULL DEFAULT 0,
      n3 INTEGER NOT NULL DEFAULT 0,
      n4 INTEGER NOT NULL DEFAULT 0,
      n5 INTEGER NOT NULL DEFAULT 0,
      n6 INTEGER NOT NULL DEFAULT 0,
      n7 INTEGER NOT NULL DEFAULT 0,
      UNIQUE (project_id, kind, key)
    );
    -- Keys whose segments themselves contain ".", found by their dotted spelling
    -- (summary.train.loss names the metric "train.loss").
    CREATE INDEX index_keys_dotted ON index_keys (project_id, kind, replace(key, char(1), '.'))
      WHERE instr(key, '.') > 0;

    CREATE TABLE run_values (
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      t INTEGER NOT NULL,
      v,
      PRIMARY KEY (run, key_id)
    ) WITHOUT ROWID;
    CREATE INDEX run_values_by_key ON run_values (key_id, t, v);

    ALTER TABLE runs ADD COLUMN config_keys INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX runs_by_project ON runs (project_id);
    CREATE INDEX runs_by_name ON runs (project_id, name);
    CREATE INDEX runs_by_state ON runs (project_id, state);
    CREATE INDEX runs_by_group ON runs (project_id, grp);
    CREATE INDEX runs_by_job_type ON runs (project_id, job_type);
    CREATE INDEX runs_by_runtime ON runs (project_id, (${RUNTIME_MS_SQL.replace(/r\./g, "")}));

    CREATE TABLE run_tags (
      run INTEGER NOT NULL,
      tag TEXT NOT NULL,
      project_id INTEGER NOT NULL,
      PRIMARY KEY (run, tag)
    ) WITHOUT ROWID;
    CREATE INDEX run_tags_by_tag ON run_tags (project_id, tag);

    CREATE VIRTUAL TABLE runs_text USING fts5(name, tags, tokenize = 'trigram');

    CREATE TRIGGER runs_index_insert AFTER INSERT ON runs BEGIN
      INSERT OR IGNORE INTO run_tags (run, tag, project_id)
        SELECT new.id, value, new.project_id FROM json_each(new.tags) WHERE new.tags <> '[]';
      INSERT INTO runs_text (rowid, name, tags)
        VALUES (new.id, new.name, (SELECT group_concat(value, char(10)) FROM json_each(new.tags)));
    END;
    CREATE TRIGGER runs_index_update AFTER UPDATE OF name, tags ON runs
      WHEN old.name IS NOT new.name OR old.tags IS NOT new.tags BEGIN
      DELETE FROM run_tags WHERE run = new.id;
      INSERT OR IGNORE INTO run_tags (run, tag, project_id)
        SELECT new.id, value, new.project_id FROM json_each(new.tags) WHERE new.tags <> '[]';
      DELETE FROM runs_text WHERE rowid = new.id;
      INSERT INTO runs_text (rowid, name, tags)
        VALUES (new.id, new.name, (SELECT group_concat(value, char(10)) FROM json_each(new.tags)));
    END;

    INSERT OR IGNORE INTO run_tags (run, tag, project_id)
      SELECT r.id, j.value, r.project_id FROM runs r, json_each(r.tags) j WHERE r.tags <> '[]';
    INSERT INTO runs_text (rowid, name, tags)
      SELECT r.id, r.name, (SELECT group_concat(value, char(10)) FROM json_each(r.tags)) FROM runs r;

    CREATE TABLE runs_index_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO runs_index_state (name, value) SELECT 'backfill', 1 WHERE EXISTS (SELECT 1 FROM runs);
  `,
};
