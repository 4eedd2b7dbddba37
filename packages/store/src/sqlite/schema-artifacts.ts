// Owns the SQLite schema of artifacts: artifacts, their versions (drafts until committed), the files
// of each version's manifest, aliases and their history, and the links between runs and versions.
// What these rows mean is stated on ArtifactStore in ../interfaces.ts; queries live in artifacts*.ts.
import type { Migration } from "./migrations.js";

/** The indexed expression; queries must spell it exactly so to use the index. */
export const DIFF_BLOB_EXPR = "CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.git.diffBlob') END";

export const ARTIFACTS_MIGRATION: Migration = {
  version: 6,
  name: "artifacts",
  sql: `
    -- Times are epoch ms. next_index is the number the next committed version gets: it only grows,
    -- so a deleted version's number is never handed out again.
    CREATE TABLE artifacts (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      next_index INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (project_id, name)
    );

    -- A draft (state 'draft', idx NULL) becomes a version in place when committed. aliases holds the
    -- aliases the draft asked for (JSON array), applied at commit; run_id is the run that logged it.
    -- touched_at keeps a draft whose blobs are still uploading from expiring.
    CREATE TABLE artifact_versions (
      id INTEGER PRIMARY KEY,
      artifact INTEGER NOT NULL REFERENCES artifacts(id),
      draft_id TEXT NOT NULL UNIQUE,
      state TEXT NOT NULL CHECK (state IN ('draft', 'committed')),
      idx INTEGER,
      digest TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      metadata TEXT NOT NULL DEFAULT '{}',
      aliases TEXT NOT NULL DEFAULT '[]',
      run_id TEXT,
      size INTEGER NOT NULL,
      file_count INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      touched_at INTEGER NOT NULL,
      CHECK ((state = 'committed') = (idx IS NOT NULL))
    );
    CREATE UNIQUE INDEX artifact_versions_by_index ON artifact_versions (artifact, idx) WHERE idx IS NOT NULL;
    -- One committed version and at most one pending draft per content, per artifact.
    CREATE UNIQUE INDEX artifact_versions_by_digest ON artifact_versions (artifact, state, digest);
    CREATE INDEX artifact_drafts_by_touch ON artifact_versions (touched_at) WHERE state = 'draft';

    -- ref is NULL for files stored in Orrery (digest = SHA-256 of a blob), else the external URI.
    CREATE TABLE artifact_files (
      version INTEGER NOT NULL REFERENCES artifact_versions(id),
      path TEXT NOT NULL,
      digest TEXT NOT NULL,
      size INTEGER,
      ref TEXT,
      PRIMARY KEY (version, path)
    ) WITHOUT ROWID;
    -- Which versions and drafts need a blob: garbage collection and upload admission ask this.
    CREATE INDEX artifact_files_by_digest ON artifact_files (digest) WHERE ref IS NULL;

    CREATE TABLE artifact_aliases (
      artifact INTEGER NOT NULL REFERENCES artifacts(id),
      alias TEXT NOT NULL,
      version INTEGER NOT NULL REFERENCES artifact_versions(id),
      PRIMARY KEY (artifact, alias)
    ) WITHOUT ROWID;
    CREATE INDEX artifact_aliases_by_version ON artifact_aliases (version);

    -- from_index / to_index are version numbers (NULL: the alias was new / was removed).
    CREATE TABLE artifact_alias_events (
      id INTEGER PRIMARY KEY,
      artifact INTEGER NOT NULL REFERENCES artifacts(id),
      alias TEXT NOT NULL,
      from_index INTEGER,
      to_index INTEGER,
      at INTEGER NOT NULL,
      run_id TEXT
    );
    CREATE INDEX artifact_alias_events_by_artifact ON artifact_alias_events (artifact, id);

    -- direction 'input': the run used the version; 'output': the run produced it. run_id is text,
    -- not a runs row: a run may link before its own records reach the server.
    CREATE TABLE artifact_links (
      version INTEGER NOT NULL REFERENCES artifact_versions(id),
      direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
      run_id TEXT NOT NULL,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      at INTEGER NOT NULL,
      PRIMARY KEY (version, direction, run_id)
    ) WITHOUT ROWID;
    CREATE INDEX artifact_links_by_run ON artifact_links (project_id, run_id);

    -- Runs keep large git diffs as blobs (metadata.git.diffBlob): garbage collection must find them
    -- without parsing every run's metadata. json_valid guards the index against a malformed row.
    CREATE INDEX runs_by_diff_blob ON runs (${DIFF_BLOB_EXPR});
  `,
};
