// Runs the SweepStore contract on the SQLite engine (real files in a temp dir): a restart and a
// second server process are a second SqliteStore on the same directory.
import { sqliteHarness } from "./sqlite-harness.js";
import { runSweepStoreContract } from "./sweep-store.contract.js";

const sqlite = sqliteHarness("orrery-sweeps-");

runSweepStoreContract("sqlite", sqlite);
