// Owns migration 2: the series chunk store's tables (see points.ts).
import type { Migration } from "./migrations.js";

export const SERIES_MIGRATION: Migration = {
  version: 2,
  name: "series_chunks",
  sql: "SELECT 1;",
};
