// Owns migration 9: logged tables. A table is stored whole as one content-addressed blob (its body:
// columnar JSON, see table-body.ts) plus one row per (run, key, step) here, written by tables.ts
// inside the ingest transaction, so a table is durable and idempotent by seq like the rest of its batch.
import type { Migration } from "./migrations.js";

export const TABLES_MIGRATION: Migration = {
  version: 9,
  name: "tables",
  sql: `
    -- key_id comes from metric_keys, the dictionary every key uses. A later write of the same
    -- (run, key, step) replaces the row. columns is the JSON list [{name, type}] so listing keys
    -- never reads a body.
    CREATE TABLE tables (
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      step INTEGER NOT NULL,
      digest TEXT NOT NULL,
      rows INTEGER NOT NULL,
      columns TEXT NOT NULL,
      PRIMARY KEY (run, key_id, step)
    ) WITHOUT ROWID;

    -- Every blob a stored table needs (its body and the images of its image cells): what gc keeps,
    -- and what a run may serve as a table image.
    CREATE TABLE table_blobs (
      digest TEXT NOT NULL,
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      step INTEGER NOT NULL,
      PRIMARY KEY (digest, run, key_id, step)
    ) WITHOUT ROWID;
    CREATE INDEX table_blobs_by_table ON table_blobs (run, key_id, step);
    CREATE INDEX table_blobs_by_run ON table_blobs (run, digest);
  `,
};
