// The SQLite side of the store contracts: each `fresh()` is a new SqliteStore in its own folder
// under one temp dir (removed after the file's tests), and `reopen(store)` is a second SqliteStore
// on the same folder, standing for a restart or a second server process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { SqliteStore } from "../src/sqlite/store.js";
import type { Store } from "../src/interfaces.js";

export interface SqliteHarness {
  fresh(): Promise<Store>;
  reopen(store: Store): Promise<Store>;
  /** A new, empty folder under the harness's temp dir, and a store opened on it. */
  openFresh(name: string): { dir: string; store: Store };
}

export function sqliteHarness(prefix: string): SqliteHarness {
  const root = mkdtempSync(join(tmpdir(), prefix));
  let dirs = 0;
  const dirOf = new WeakMap<Store, string>();
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const openAt = (dir: string): Store => {
    const store = new SqliteStore(dir, { materializer: { autoStart: false } });
    dirOf.set(store, dir);
    return store;
  };
  return {
    fresh: async () => openAt(join(root, `s${++dirs}`)),
    reopen: async (store) => openAt(dirOf.get(store)!),
    openFresh(name) {
      const dir = join(root, `${name}${++dirs}`);
      return { dir, store: openAt(dir) };
    },
  };
}
