// Runs the Store contract on the SQLite engine (real files in a temp dir), then checks what only
// this engine has: migrations, files on disk, NULL-as-NaN, id caches across failed batches.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, SeqGapError, type Store } from "../src/index.js";
import { MIGRATIONS } from "../src/sqlite/migrations.js";
import { SqliteStore } from "../src/sqlite/store.js";
import { Recorder, REF, runStoreContract, T0 } from "./store.contract.js";

const root = mkdtempSync(join(tmpdir(), "orrery-store-"));
let dirs = 0;
const freshDir = (): string => join(root, `s${++dirs}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

runStoreContract("sqlite", async () => new SqliteStore(freshDir()));

// The same contract with every point moved from the tail into chunks before each read, so that
// reads, summaries and history rows are checked on the chunk path as well as on the tail path.
runStoreContract("sqlite, materialized before every read", async () => {
  const store = new SqliteStore(freshDir(), { materializer: { autoStart: false } });
  const settled = <T extends object>(target: T): T => new Proxy(target, {
    get(t, p, r) {
      const v: unknown = Reflect.get(t, p, r);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        try { store.materializer.drain(); } catch { /* closed: let the call itself fail */ }
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
  const meta = settled(store.meta);
  const series = settled(store.series);
  return new Proxy(store, {
    get(t, p, r) {
      if (p === "meta") return meta;
      if (p === "series") return series;
      const v: unknown = Reflect.get(t, p, r);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
});

/** Opens the store's database read-only beside the store, to look at what is really on disk. */
function peek<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, "orrery.db"), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

describe("SQLite engine", () => {
  it("applies migrations once and reopening changes nothing", async () => {
    const dir = freshDir();
    await (await openStore(dir)).close();
    const first = peek(dir, (db) => db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all());
    expect(first).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await (await openStore(dir)).close();
    const second = peek(dir, (db) => db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all());
    expect(second).toEqual(first);
  });

  it("refuses a database from a newer schema", async () => {
    const dir = freshDir();
    await (await openStore(dir)).close();
    const db = new Database(join(dir, "orrery.db"));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run();
    db.close();
    await expect(openStore(dir)).rejects.toThrow(/newer than this Orrery understands/);
  });

  it("opens the database in WAL mode with full sync", async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    expect(peek(dir, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
    await store.close();
  });

  it("keeps runs, history, summary, console and keys across close and reopen", async () => {
    const dir = freshDir();
    const rec = new Recorder();
    let store: Store = await openStore(dir);
    await store.appendBatch(REF, [
      rec.run({ name: "keep", config: { lr: 0.1 } }),
      rec.define("loss", "min"),
      rec.history(0, { loss: 2 }),
      rec.history(1, { loss: 1 }),
      rec.console("hello\n"),
    ], T0);
    const key = await store.keys.createApiKey("k", T0);
    const before = await store.meta.getRun(REF);
    await store.close();

    store = await openStore(dir);
    expect(await store.meta.getRun(REF)).toEqual(before);
    expect(await store.keys.verifyApiKey(key.key, T0)).toBe(true);
    expect((await store.series.consoleLines(REF, 0, 10)).map((l) => l.text)).toEqual(["hello"]);
    // Sequence bookkeeping survives too: the retried tail is a duplicate, the next seq applies.
    const res = await store.appendBatch(REF, [rec.history(2, { loss: 3 })], T0);
    expect(res).toEqual({ accepted: 1, duplicates: 0, rejected: [], lastSeq: 6 });
    expect((await store.meta.getRun(REF))?.summary).toEqual({ loss: 1 });
    await store.close();
  });

  it("keeps NaN, infinities and -0 as float64 bits in tail rows and chunks, with NULL for NaN in rollups", async () => {
    const dir = freshDir();
    const store = new SqliteStore(dir, { materializer: { autoStart: false } });
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), rec.history(0, { a: "NaN", b: "Infinity", c: "-Infinity", d: -0 })], T0);
    const tail = peek(dir, (db) => db.prepare(
      "SELECT k.key, t.n, t.ys FROM series_tail t JOIN metric_keys k ON k.id = t.key_id WHERE k.key IN ('a', 'b', 'c', 'd') ORDER BY k.key",
    ).all() as { key: string; n: number; ys: Buffer }[]);
    expect(tail.map((r) => [r.key, r.n, r.ys.readDoubleLE(0)])).toEqual([["a", 1, NaN], ["b", 1, Infinity], ["c", 1, -Infinity], ["d", 1, -0]]);
    expect(Object.is(tail[3].ys.readDoubleLE(0), -0)).toBe(true);
    await store.materializeAll();
    const rollups = peek(dir, (db) => db.prepare(
      "SELECT k.key, c.count, c.nan_count, c.min, c.max, c.last FROM series_chunks c JOIN metric_keys k ON k.id = c.key_id WHERE k.key IN ('a', 'b', 'c', 'd') ORDER BY k.key",
    ).all());
    expect(rollups).toEqual([
      { key: "a", count: 1, nan_count: 1, min: null, max: null, last: null },
      { key: "b", count: 1, nan_count: 0, min: Infinity, max: Infinity, last: Infinity },
      { key: "c", count: 1, nan_count: 0, min: -Infinity, max: -Infinity, last: -Infinity },
      { key: "d", count: 1, nan_count: 0, min: -0, max: -0, last: -0 },
    ]);
    expect(peek(dir, (db) => db.prepare("SELECT count(*) FROM series_tail").pluck().get())).toBe(0);
    await store.close();
    const again = await openStore(dir);
    const { rows } = await again.series.historyRows(REF, 0, 10);
    expect(rows[0]).toMatchObject({ a: NaN, b: Infinity, c: -Infinity });
    expect(Object.is(rows[0].d, -0)).toBe(true);
    await again.close();
  });

  it("drops the one-row-per-point tables of migration 1", async () => {
    const dir = freshDir();
    await (await openStore(dir)).close();
    const tables = peek(dir, (db) => db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all());
    expect(tables).not.toContain("history_points");
    expect(tables).not.toContain("system_points");
    expect(tables).not.toContain("history_steps");
    expect(tables).toEqual(expect.arrayContaining(["series_tail", "series_chunks", "series_chunk_data"]));
  });

  it("a run created by a batch that then hit a seq gap leaves no trace and can be created again", async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    const rec = new Recorder();
    const first = rec.run({ name: "x" });
    const gap = { ...rec.history(0, { brand_new_key: 1 }), seq: 5 };
    await expect(store.appendBatch(REF, [first, gap], T0)).rejects.toBeInstanceOf(SeqGapError);
    expect(await store.meta.getRun(REF)).toBeUndefined();
    expect(await store.meta.listProjects()).toEqual([]);
    // The cached ids of the rolled-back run, project and key must not be reused.
    const res = await store.appendBatch(REF, [first, { ...gap, seq: 2 }], T0);
    expect(res.lastSeq).toBe(2);
    expect((await store.meta.getRun(REF))?.summary).toEqual({ brand_new_key: 1 });
    expect((await store.meta.getProject(REF))?.runCount).toBe(1);
    await store.close();
  });

  it("stores only the hash of an api key", async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    const { key } = await store.keys.createApiKey("secret-test", T0);
    await store.close();
    const rows = peek(dir, (db) => db.prepare("SELECT * FROM api_keys").all() as Record<string, unknown>[]);
    expect(rows).toHaveLength(1);
    for (const v of Object.values(rows[0])) expect(String(v)).not.toContain(key.slice(4));
    expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
    for (const f of readdirSync(dir).filter((f) => f.startsWith("orrery.db"))) {
      expect(readFileSync(join(dir, f)).includes(key.slice(4))).toBe(false);
    }
  });

  it("lays blobs out as blobs/ab/cdef... and leaves no temp files", async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    const digest = await store.blobs.put(Buffer.from("model bytes"));
    await store.blobs.put(Buffer.from("model bytes"));
    await store.close();
    const files = filesUnder(join(dir, "blobs"));
    expect(files).toEqual([join(digest.slice(0, 2), digest.slice(2))]);
  });

  it("keeps history points of one run apart from another run's", async () => {
    const dir = freshDir();
    const store = await openStore(dir);
    const a = new Recorder(), b = new Recorder();
    await store.appendBatch(REF, [a.run(), a.history(0, { loss: 1 })], T0);
    await store.appendBatch({ ...REF, runId: "r2" }, [b.run(), b.history(0, { loss: 2 })], T0);
    const [s1] = await store.series.query(REF, "history", ["loss"], {}, 10);
    const [s2] = await store.series.query({ ...REF, runId: "r2" }, "history", ["loss"], {}, 10);
    expect([s1.y, s2.y]).toEqual([[1], [2]]);
    await store.close();
  });
});

describe("openStore", () => {
  it("opens a sqlite: location, creating the directory with the database and blob folder in it", async () => {
    const dir = join(freshDir(), "nested", "data");
    const store = await openStore(`sqlite:${dir}`);
    await store.blobs.put(Buffer.from("x"));
    await store.close();
    expect(existsSync(join(dir, "orrery.db"))).toBe(true);
    expect(existsSync(join(dir, "blobs"))).toBe(true);
  });

  it("accepts sqlite:// URLs and bare paths for the same directory", async () => {
    const dir = freshDir();
    const a = await openStore(`sqlite://${dir}`);
    await a.appendBatch(REF, [new Recorder().run()], T0);
    await a.close();
    const b = await openStore(dir);
    expect(await b.meta.getRun(REF)).toBeDefined();
    await b.close();
  });

  it("names the supported schemes when given an unknown one", async () => {
    await expect(openStore("postgres://localhost/orrery")).rejects.toThrow(/supported schemes are sqlite:/);
  });

  it("refuses a location without a directory", async () => {
    await expect(openStore("sqlite:")).rejects.toThrow(/names no directory/);
  });
});
