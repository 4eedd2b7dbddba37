// Owns migration 8: logged images. One row per (run, key, step, index) with the image's size and
// what is drawn over it; the bytes themselves are blobs (content-addressed, in the blob store).
// media_files lists every blob a row names (the image and each mask), digest first, so garbage
// collection and the file route find "is this digest in use (by this run)?" with one index probe.
// media.ts writes both inside the ingest transaction: images are exactly-once by seq like the rest.
import type { Migration } from "./migrations.js";

export const MEDIA_MIGRATION: Migration = {
  version: 8,
  name: "media",
  sql: `
    -- key_id comes from metric_keys. A later write of (run, key, step) replaces all its rows.
    -- extra is JSON {classes, boxes, masks: [{name, classes, digest}]}, absent parts omitted.
    CREATE TABLE media (
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      step INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      format TEXT NOT NULL CHECK (format IN ('png', 'jpeg')),
      width INTEGER NOT NULL,
      height INTEGER NOT NULL,
      digest TEXT NOT NULL,
      caption TEXT,
      extra TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (run, key_id, step, idx)
    ) WITHOUT ROWID;

    -- part -1 is the image itself, 0.. its masks in order.
    CREATE TABLE media_files (
      digest TEXT NOT NULL,
      run INTEGER NOT NULL,
      key_id INTEGER NOT NULL,
      step INTEGER NOT NULL,
      idx INTEGER NOT NULL,
      part INTEGER NOT NULL,
      format TEXT NOT NULL,
      PRIMARY KEY (digest, run, key_id, step, idx, part)
    ) WITHOUT ROWID;
    -- Replacing a step deletes its files by row.
    CREATE INDEX media_files_by_row ON media_files (run, key_id, step);
  `,
};
