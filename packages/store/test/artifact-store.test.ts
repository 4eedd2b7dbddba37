// Runs the ArtifactStore contract on the SQLite engine (real files in a temp dir): a restart and a
// second server process are a second SqliteStore on the same directory. Also checks the SQLite
// specifics the contract cannot see: the garbage-collection lookups use their indexes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore, DB_FILE } from "../src/sqlite/store.js";
import { DIFF_BLOB_EXPR } from "../src/sqlite/schema-artifacts.js";
import type { Store } from "../src/interfaces.js";
import { runArtifactStoreContract } from "./artifact-store.contract.js";

const root = mkdtempSync(join(tmpdir(), "orrery-artifacts-"));
let dirs = 0;
const dirOf = new WeakMap<Store, string>();
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openAt(dir: string): Store {
  const store = new SqliteStore(dir, { materializer: { autoStart: false } });
  dirOf.set(store, dir);
  return store;
}

runArtifactStoreContract("sqlite", {
  fresh: async () => openAt(join(root, `s${++dirs}`)),
  reopen: async (store) => openAt(dirOf.get(store)!),
});

describe("SQLite artifact schema", () => {
  it("referencedDigests and upload admission look digests up by index, never by scanning", async () => {
    const dir = join(root, `plan${++dirs}`);
    const store = openAt(dir);
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
