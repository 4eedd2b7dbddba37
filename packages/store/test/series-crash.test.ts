// The series store across processes: a writer killed with SIGKILL in the middle of materializing
// loses and duplicates nothing it acknowledged, and a reader on its own connection sees a complete,
// duplicate-free series at every moment while another process materializes and ingests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../src/sqlite/store.js";
import { expected, KEYS, lastSeqOf, ROWS_PER_BATCH } from "./fixtures/series-workload.js";

const REPO = resolve(import.meta.dirname, "../../..");
const CHILD = join(import.meta.dirname, "fixtures/series-child.ts");
const REF = { entity: "ada", project: "crash", runId: "r1" };
const root = mkdtempSync(join(tmpdir(), "orrery-series-crash-"));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Child { proc: ChildProcess; lines: string[]; waitFor(pred: (lines: string[]) => boolean, what: string): Promise<void>; exited: Promise<number | null> }

function child(mode: "crash" | "slow", dir: string, batches: number): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, mode, dir, String(batches)], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let stderr = "";
  const waiters: { pred: (l: string[]) => boolean; ok: () => void }[] = [];
  createInterface({ input: proc.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const w of [...waiters]) if (w.pred(lines)) { waiters.splice(waiters.indexOf(w), 1); w.ok(); }
  });
  proc.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return {
    proc, lines, exited,
    waitFor: (pred, what) => new Promise<void>((ok, fail) => {
      if (pred(lines)) { ok(); return; }
      const timer = setTimeout(() => fail(new Error(`child never reported ${what}; stderr:\n${stderr}`)), 40_000);
      waiters.push({ pred, ok: () => { clearTimeout(timer); ok(); } });
      void exited.then((code) => { if (!pred(lines)) fail(new Error(`child exited (${code}) before ${what}; stderr:\n${stderr}`)); });
    }),
  };
}

const lastAcked = (lines: string[]): number =>
  lines.filter((l) => l.startsWith("acked ")).reduce((m, l) => Math.max(m, Number(l.slice(6))), 0);

/** Checks every series of the run against the workload's model for the batches its lastSeq covers. */
async function verify(store: SqliteStore, minSeq: number): Promise<number> {
  const run = await store.meta.getRun(REF);
  expect(run).toBeDefined();
  const lastSeq = run!.lastSeq;
  expect(lastSeq).toBeGreaterThanOrEqual(minSeq);
  const batches = Math.round((lastSeq - 1) / (ROWS_PER_BATCH + 2));
  expect(lastSeqOf(batches - 1)).toBe(lastSeq); // batches are all-or-nothing
  const want = expected(batches);
  for (const key of KEYS) {
    const [s] = await store.series.query(REF, "history", [key], {}, 10_000_000);
    expectSeries(s, want.series[key]);
    expect(run!.summary[key]).toBe(want.series[key].get(Math.max(...want.series[key].keys())));
  }
  const { rows } = await store.series.historyRows(REF, 0, 1_000_000);
  expectRows(rows, want.steps);
  return batches;
}

/**
 * For a reader racing a writer: each call is its own snapshot, so each must hold exactly the first
 * k batches for some k >= minBatches (every new batch adds ROWS_PER_BATCH steps), each point once.
 */
async function verifySnapshots(store: SqliteStore, minBatches: number): Promise<void> {
  for (const key of KEYS) {
    const [s] = await store.series.query(REF, "history", [key], {}, 10_000_000);
    const k = s.count / ROWS_PER_BATCH;
    expect(Number.isInteger(k) && k >= minBatches).toBe(true);
    expectSeries(s, expected(k).series[key]);
  }
  const { rows } = await store.series.historyRows(REF, 0, 1_000_000);
  const k = rows.length / ROWS_PER_BATCH;
  expect(Number.isInteger(k) && k >= minBatches).toBe(true);
  expectRows(rows, expected(k).steps);
}

function expectSeries(s: { x: number[]; y: number[]; count: number }, want: Map<number, number>): void {
  const xs = [...want.keys()].sort((a, b) => a - b);
  expect(s.count).toBe(xs.length);
  expect(s.x).toEqual(xs);
  expect(s.y).toEqual(xs.map((x) => want.get(x)));
}

function expectRows(rows: Record<string, number>[], steps: Map<number, number>): void {
  const xs = [...steps.keys()].sort((a, b) => a - b);
  expect(rows.map((r) => r._step)).toEqual(xs);
  expect(rows.map((r) => r._timestamp)).toEqual(xs.map((x) => (steps.get(x) as number) / 1000));
}

function chunkAndTailRows(dir: string): { tail: number; chunks: number } {
  const db = new Database(join(dir, "orrery.db"), { readonly: true });
  try {
    return db.prepare("SELECT (SELECT count(*) FROM series_tail) AS tail, (SELECT count(*) FROM series_chunks) AS chunks").get() as { tail: number; chunks: number };
  } finally {
    db.close();
  }
}

function tailRows(dir: string): number {
  const db = new Database(join(dir, "orrery.db"), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM series_tail").pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("series store across processes", () => {
  it("a SIGKILL while materializing loses and duplicates no acknowledged point", async () => {
    for (const movesBeforeKill of [1, 7, 40]) {
      const dir = join(root, `crash${++dirs}`);
      const c = child("crash", dir, 12);
      await c.waitFor((l) => l.filter((x) => x.startsWith("moved ")).length >= movesBeforeKill, `${movesBeforeKill} moves`);
      c.proc.kill("SIGKILL");
      await c.exited;
      const acked = lastAcked(c.lines);
      expect(acked).toBeGreaterThanOrEqual(lastSeqOf(11));

      const store = new SqliteStore(dir, { materializer: { autoStart: false } });
      const batches = await verify(store, acked);
      // Whatever the kill left in the tail materializes cleanly and reads the same.
      store.materializer.drain();
      expect(tailRows(dir)).toBe(0);
      expect(await verify(store, acked)).toBe(batches);
      await store.close();
    }
  });

  it("a reader in another process sees a complete, duplicate-free series at every moment while the materializer runs", async () => {
    const dir = join(root, `read${++dirs}`);
    const c = child("slow", dir, 15);
    await c.waitFor((l) => l.includes("ingested"), "ingested");
    const reader = new SqliteStore(dir, { materializer: { autoStart: false } });
    let reads = 0;
    let mixed = 0; // reads taken while points sat both in the tail and in chunks
    let done = false;
    void c.waitFor((l) => l.includes("done"), "done").then(() => { done = true; });
    while (!done) {
      // Each read is one snapshot: it must hold exactly the batches committed so far, each once.
      const state = chunkAndTailRows(dir);
      await verifySnapshots(reader, 15);
      if (state.tail > 0 && state.chunks > 0) mixed++;
      const [coarse] = await reader.series.query(REF, "history", ["loss"], {}, 100);
      expect(coarse.x.length).toBeLessThanOrEqual(100);
      for (let i = 1; i < coarse.x.length; i++) expect(coarse.x[i]).toBeGreaterThan(coarse.x[i - 1]);
      reads++;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await c.exited).toBe(0);
    expect(reads).toBeGreaterThan(5);
    expect(mixed).toBeGreaterThan(2);
    expect(await verify(reader, lastSeqOf(29))).toBe(30);
    expect(tailRows(dir)).toBe(0);
    await reader.close();
  });
});
