// Owns migration 3: the runs index's tables (see runs-index.ts).
import type { Migration } from "./migrations.js";

export const RUNS_INDEX_MIGRATION: Migration = {
  version: 3,
  name: "runs_index",
  sql: "SELECT 1;",
};
