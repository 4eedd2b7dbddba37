// Owns the SQLite schema of saved views: one row per view, in its project. What the rows mean is
// stated on ViewStore in ../interfaces.ts; queries live in views.ts.
import type { Migration } from "./migrations.js";

export const VIEWS_MIGRATION: Migration = {
  version: 7,
  name: "views",
  sql: `
    -- Times are epoch ms. state is the workspace URL's query string, opaque to the store.
    CREATE TABLE views (
      id INTEGER PRIMARY KEY,
      project_id INTEGER NOT NULL REFERENCES projects(id),
      view_id TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      note TEXT NOT NULL DEFAULT '',
      state TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX views_by_updated ON views (project_id, updated_at DESC, id DESC);
  `,
};
