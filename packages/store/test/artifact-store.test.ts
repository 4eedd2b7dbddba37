// Runs the ArtifactStore contract on the SQLite engine (real files in a temp dir): a restart and a
// second server process are a second SqliteStore on the same directory. Also checks the SQLite
// specifics the contract cannot see: the garbage-collection lookups use their indexes.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DB_FILE } from "../src/sqlite/store.js";
import { DIFF_BLOB_EXPR } from "../src/sqlite/schema-artifacts.js";
import { sqliteHarness } from "./sqlite-harness.js";
import { runArtifactStoreContract } from "./artifact-store.contract.js";

const sqlite = sqliteHarness("orrery-artifacts-");

runArtifactStoreContract("sqlite", sqlite);

describe("SQLite artifact schema", () => {
  it("referencedDigests and upload admission look digests up by index, never by scanning", async () => {
    const { dir, store } = sqlite.openFresh("plan");
    await store.close();
    const db = new Database(join(dir, DB_FILE), { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join("\n");
      expect(plan(`SELECT 1 FROM runs WHERE ${DIFF_BLOB_EXPR} = 'x'`)).toMatch(/USING (COVERING )?INDEX runs_by_diff_blob/);
      expect(plan("SELECT 1 FROM artifact_files WHERE digest = 'x' AND ref IS NULL")).toMatch(/USING (COVERING )?INDEX artifact_files_by_digest/);
    } finally {
      db.close();
    }
  });
});
