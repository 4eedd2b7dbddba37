// Runs the ViewStore contract on the SQLite engine (real files in a temp dir): a restart is a
// second SqliteStore on the same directory.
import { sqliteHarness } from "./sqlite-harness.js";
import { runViewStoreContract } from "./view-store.contract.js";

const sqlite = sqliteHarness("orrery-views-");

runViewStoreContract("sqlite", sqlite);
