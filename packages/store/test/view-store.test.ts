// Runs the ViewStore contract on the SQLite engine (real files in a temp dir): a restart is a
// second SqliteStore on the same directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { SqliteStore } from "../src/sqlite/store.js";
import type { Store } from "../src/interfaces.js";
import { runViewStoreContract } from "./view-store.contract.js";

const root = mkdtempSync(join(tmpdir(), "orrery-views-"));
let dirs = 0;
const dirOf = new WeakMap<Store, string>();
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openAt(dir: string): Store {
  const store = new SqliteStore(dir, { materializer: { autoStart: false } });
  dirOf.set(store, dir);
  return store;
}

runViewStoreContract("sqlite", {
  fresh: async () => openAt(join(root, `s${++dirs}`)),
  reopen: async (store) => openAt(dirOf.get(store)!),
});
