// Owns migration 4: histogram series. One row per (run, key, step) holding the histogram as logged
// (N + 1 edges and N counts, float64 little-endian), written by histograms.ts inside the ingest
// transaction, so a histogram is durable and idempotent by seq exactly like the rest of its batch.
import type { Migration } from "./migrations.js";

export const HISTOGRAMS_MIGRATION: Migration = {
  version: 4,
  name: "histograms",
  sql: `
    -- key_id comes from metric_keys, the dictionary every metric key uses. A later write of the
    -- same (run, key, step) replaces the row.
    CREATE TABLE histograms (
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      step INTEGER NOT NULL,
      bins BLOB NOT NULL,
      counts BLOB NOT NULL,
      PRIMARY KEY (run, key_id, step)
    ) WITHOUT ROWID;
    -- The same order without the arrays: sampling walks a key's steps here instead of through
    -- every histogram's bytes.
    CREATE INDEX histograms_steps ON histograms (run, key_id, step);

    -- The keys a run has histograms for, so listing them never walks the histograms themselves.
    CREATE TABLE histogram_keys (
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      PRIMARY KEY (run, key_id)
    ) WITHOUT ROWID;
  `,
};
