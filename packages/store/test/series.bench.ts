// Benchmarks the series store alone, in-process, through the SeriesStore/IngestStore API (no HTTP):
// codec size and speed, appendBatch throughput, chart queries on one 10M-point series and on 100
// runs x 100k points (after materialization and with an un-materialized tail), bytes per point.
// Run: npx tsx packages/store/test/series.bench.ts [--quick]
// Data is generated deterministically here; figures are printed as a Markdown table.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { HistoryRecord, WireRecord } from "@orrery/protocol";
import { decodeChunk, encodeChunk } from "../src/series/codec.js";
import { SqliteStore } from "../src/sqlite/store.js";
import type { RunRef } from "../src/interfaces.js";

const quick = process.argv.includes("--quick");
const T0 = Date.UTC(2025, 0, 1);
const rows: [string, string, string][] = [];
const note = (what: string, value: string, detail = ""): void => {
  rows.push([what, value, detail]);
  console.error(`${what}: ${value} ${detail}`);
};

/** A noisy float64 training curve: exponential decay plus Gaussian-ish noise. */
function curve(seed: number): (i: number) => number {
  let s = seed >>> 0 || 1;
  const rnd = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  const scale = 1 + (seed % 7) / 10;
  return (i) => scale * (2 * Math.exp(-i / 200_000) + 0.1) + 0.05 * (rnd() + rnd() + rnd() + rnd() - 2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

function codecBench(): void {
  const n = quick ? 4096 * 50 : 4096 * 500;
  for (const f32 of [false, true]) {
    const f = curve(7);
    const x = new Float64Array(n).map((_, i) => i);
    const y = new Float64Array(n).map((_, i) => (f32 ? Math.fround(f(i)) : f(i)));
    // Warm up the JIT on a few chunks first.
    for (let c = 0; c < 20 * 4096; c += 4096) decodeChunk(encodeChunk(x.subarray(c, c + 4096), y.subarray(c, c + 4096)));
    const chunks: Buffer[] = [];
    const t0 = performance.now();
    for (let c = 0; c < n; c += 4096) chunks.push(encodeChunk(x.subarray(c, c + 4096), y.subarray(c, c + 4096)));
    const t1 = performance.now();
    for (const c of chunks) decodeChunk(c);
    const t2 = performance.now();
    const bytes = chunks.reduce((a, c) => a + c.length, 0);
    note(`codec, ${f32 ? "float32-origin" : "noisy float64"} values, step x`, `${(bytes / n).toFixed(2)} bytes/point`,
      `encode ${(n / (t1 - t0) / 1000).toFixed(1)} M points/s, decode ${(n / (t2 - t1) / 1000).toFixed(1)} M points/s (4096-point chunks)`);
  }
}

/** Appends `steps` history rows of `keys` metrics to a run, in batches of `batchRows` rows. */
async function fill(store: SqliteStore, ref: RunRef, keys: string[], from: number, steps: number, batchRows: number, seq0: number, seed: number): Promise<number> {
  let seq = seq0;
  const fs = keys.map((_, k) => curve(seed * 31 + k));
  for (let s = from; s < from + steps; s += batchRows) {
    const recs: WireRecord[] = [];
    if (seq === 0) recs.push({ seq: ++seq, ts: T0, type: "run" });
    const end = Math.min(from + steps, s + batchRows);
    for (let step = s; step < end; step++) {
      const values: Record<string, number> = {};
      for (let k = 0; k < keys.length; k++) values[keys[k]] = fs[k](step);
      recs.push({ seq: ++seq, ts: T0 + step * 50, type: "history", step, values } as HistoryRecord);
    }
    await store.appendBatch(ref, recs, T0);
  }
  return seq;
}

async function ingestBench(root: string): Promise<void> {
  const store = new SqliteStore(join(root, "ingest"), { materializer: { autoStart: false } });
  const keys = Array.from({ length: 10 }, (_, k) => `metric/${k}`);
  const batches = quick ? 50 : 300;
  const ref = { entity: "bench", project: "ingest", runId: "r" };
  // Records are built up front so only appendBatch is timed.
  const f = curve(3);
  const all: WireRecord[][] = [];
  let seq = 0;
  for (let b = 0; b < batches; b++) {
    const recs: WireRecord[] = b === 0 ? [{ seq: ++seq, ts: T0, type: "run" }] : [];
    for (let r = 0; r < 1000; r++) {
      const step = b * 1000 + r;
      const values: Record<string, number> = {};
      for (const k of keys) values[k] = f(step);
      recs.push({ seq: ++seq, ts: T0 + step, type: "history", step, values } as HistoryRecord);
    }
    all.push(recs);
  }
  const t = performance.now();
  for (const recs of all) await store.appendBatch(ref, recs, T0);
  const ms = performance.now() - t;
  const points = batches * 1000 * keys.length;
  note("appendBatch, 1,000-row batches of 10 metrics, durable (synchronous=FULL)", `${Math.round(points / ms * 1000).toLocaleString("en-US")} points/s`,
    `${points.toLocaleString("en-US")} points in ${(ms / 1000).toFixed(2)} s; ${(ms / batches).toFixed(2)} ms per batch`);
  const t2 = performance.now();
  const moved = store.materializer.drain();
  const ms2 = performance.now() - t2;
  note("materializer, tail -> chunks", `${Math.round(moved / ms2 * 1000).toLocaleString("en-US")} points/s`, `${moved.toLocaleString("en-US")} points (incl. _timestamp, _runtime) in ${(ms2 / 1000).toFixed(2)} s`);
  await store.close();
}

async function bigSeriesBench(root: string): Promise<void> {
  const n = quick ? 1_000_000 : 10_000_000;
  const dir = join(root, "big");
  const store = new SqliteStore(dir, { materializer: { autoStart: false } });
  const ref = { entity: "bench", project: "big", runId: "r" };
  let seq = await fill(store, ref, ["loss"], 0, n, 20_000, 0, 1);
  store.materializer.drain();
  const times: number[] = [];
  let out = await store.series.query(ref, "history", ["loss"], {}, 1000);
  for (let i = 0; i < 15; i++) {
    const [ms, r] = await time(() => store.series.query(ref, "history", ["loss"], {}, 1000));
    times.push(ms);
    out = r;
  }
  note(`chart query: one series of ${n.toLocaleString("en-US")} points, full range, 1,000 buckets (materialized)`, `${median(times).toFixed(2)} ms`,
    `median of 15; ${out[0].x.length} points returned, count ${out[0].count.toLocaleString("en-US")}`);

  const zoom: number[] = [];
  for (let i = 0; i < 15; i++) {
    const lo = Math.floor((n * i) / 17);
    const [ms] = await time(() => store.series.query(ref, "history", ["loss"], { min: lo, max: lo + n / 100 }, 1000));
    zoom.push(ms);
  }
  note(`chart query: same series, zoomed to 1% (${(n / 100).toLocaleString("en-US")} points), 1,000 buckets`, `${median(zoom).toFixed(2)} ms`, "median of 15");

  // Bytes per point: the chunk tables only (the tail is empty), and the whole database file after VACUUM.
  await store.close();
  const db = new Database(join(dir, "orrery.db"));
  const dataBytes = db.prepare("SELECT sum(length(data)) AS d, sum(length(sketch)) AS s, count(*) AS c FROM series_chunk_data").get() as { d: number; s: number; c: number };
  const perKey = db.prepare(
    `SELECT k.key, sum(length(d.data)) AS bytes, sum(c.count) AS points FROM series_chunks c
     JOIN series_chunk_data d ON d.id = c.data_id JOIN metric_keys k ON k.id = c.key_id GROUP BY k.key ORDER BY k.key`,
  ).all() as { key: string; bytes: number; points: number }[];
  note("compressed data per series", perKey.map((k) => `${k.key}: ${(k.bytes / k.points).toFixed(2)}`).join(", "), "bytes per point, chunk data only");
  db.exec("VACUUM");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  const fileBytes = statSync(join(dir, "orrery.db")).size;
  const points = 3 * n; // loss plus the _timestamp and _runtime series
  note("storage per metric point (noisy float64)", `${(dataBytes.d / points).toFixed(2)} bytes compressed data`,
    `+ ${(dataBytes.s / points).toFixed(2)} sketch; whole database after VACUUM: ${(fileBytes / n).toFixed(2)} bytes per loss point incl. its step's _timestamp/_runtime (${(fileBytes / points).toFixed(2)} per stored point)`);

  const again = new SqliteStore(dir, { materializer: { autoStart: false } });
  // An un-materialized tail of 100k points past the chunks.
  seq = await fill(again, ref, ["loss"], n, 100_000, 1000, seq, 1);
  const tailTimes: number[] = [];
  for (let i = 0; i < 15; i++) tailTimes.push((await time(() => again.series.query(ref, "history", ["loss"], {}, 1000)))[0]);
  note(`chart query: ${n.toLocaleString("en-US")} chunked + 100,000 tail points, full range, 1,000 buckets`, `${median(tailTimes).toFixed(2)} ms`, "median of 15; tail in 100 rows of 1,000 points");
  await again.close();
}

async function manyRunsBench(root: string): Promise<void> {
  const runs = quick ? 20 : 100;
  const n = 100_000;
  const store = new SqliteStore(join(root, "many"), { materializer: { autoStart: false } });
  const refs = Array.from({ length: runs }, (_, i) => ({ entity: "bench", project: "many", runId: `run-${i}` }));
  const seqs: number[] = [];
  for (let i = 0; i < runs; i++) seqs.push(await fill(store, refs[i], ["loss", "acc"], 0, n, 20_000, 0, 100 + i));
  store.materializer.drain();
  const all = async (): Promise<number> => {
    let pts = 0;
    for (const ref of refs) pts += (await store.series.query(ref, "history", ["loss"], {}, 1000))[0].x.length;
    return pts;
  };
  await all();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) times.push((await time(all))[0]);
  note(`chart query: ${runs} runs x 100,000 points, one metric, 1,000 buckets each (materialized)`, `${median(times).toFixed(1)} ms`, "median of 7; one query call per run");
  for (let i = 0; i < runs; i++) await fill(store, refs[i], ["loss", "acc"], n, 1000, 1000, seqs[i], 100 + i);
  const tailTimes: number[] = [];
  for (let i = 0; i < 7; i++) tailTimes.push((await time(all))[0]);
  note(`chart query: same, with 1,000 un-materialized tail points per run (${(runs * 1000).toLocaleString("en-US")} in all)`, `${median(tailTimes).toFixed(1)} ms`, "median of 7");
  await store.close();
}

const root = mkdtempSync(join(tmpdir(), "orrery-series-bench-"));
try {
  console.error(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}${quick ? ", --quick" : ""}`);
  codecBench();
  await ingestBench(root);
  await bigSeriesBench(root);
  await manyRunsBench(root);
  console.log("| what | measured | notes |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
