// Owns migration 2: the series store's tables. One row per point (history_points, system_points)
// and one per step (history_steps) give way to a durable tail of packed batches plus compressed
// chunks with rollups; see points.ts for how they are used. There is no released data to carry
// over, so the old tables are dropped.
import type { Migration } from "./migrations.js";

export const SERIES_MIGRATION: Migration = {
  version: 2,
  name: "series_chunks",
  sql: `
    DROP TABLE history_points;
    DROP TABLE system_points;
    DROP TABLE history_steps;

    -- A history row's _timestamp (epoch ms) and _runtime (ms since the run started) are two
    -- series of the history stream under these reserved keys, written per row like any metric.
    INSERT OR IGNORE INTO metric_keys (key) VALUES ('_timestamp'), ('_runtime');

    -- Written inside the ingest transaction: one row per (batch, run, stream, key). xs and ys are
    -- float64 little-endian arrays, x strictly ascending within a row. Among rows of one key a
    -- higher id is a later write; every tail row is newer than every chunk. The materializer moves
    -- the oldest rows of a key into chunks and deletes them in one transaction.
    CREATE TABLE series_tail (
      id INTEGER PRIMARY KEY,
      run INTEGER NOT NULL,
      stream INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      n INTEGER NOT NULL,
      x_min REAL NOT NULL,
      x_max REAL NOT NULL,
      created_at INTEGER NOT NULL,
      xs BLOB NOT NULL,
      ys BLOB NOT NULL
    );
    CREATE INDEX series_tail_by_key ON series_tail (run, stream, key_id, id);

    -- One row per chunk (up to 4096 points, disjoint x-spans per key): its rollup, so coarse reads
    -- and aggregates never touch the compressed data. Value columns carry no type so that -0 and
    -- infinities are kept exactly; NULL means NaN (min/max are NULL only when every value is NaN).
    CREATE TABLE series_chunks (
      run INTEGER NOT NULL,
      stream INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      x_min REAL NOT NULL,
      x_max REAL NOT NULL,
      count INTEGER NOT NULL,
      nan_count INTEGER NOT NULL,
      min,
      x_of_min REAL NOT NULL,
      max,
      x_of_max REAL NOT NULL,
      sum,
      first,
      last,
      block_span REAL NOT NULL,
      data_id INTEGER NOT NULL,
      PRIMARY KEY (run, stream, key_id, x_min)
    ) WITHOUT ROWID;

    -- The chunk itself (series/codec.ts) and its sketch (per-128-point min/max, series/rollup.ts),
    -- the sketch first so that reading it stops before the data.
    CREATE TABLE series_chunk_data (
      id INTEGER PRIMARY KEY,
      sketch BLOB NOT NULL,
      data BLOB NOT NULL
    );
  `,
};
