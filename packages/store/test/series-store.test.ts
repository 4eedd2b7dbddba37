// The SQLite series store as chunks plus a durable tail: what the contract cannot see from outside
// (materialization, what a query decodes, aggregates after overwrites), checked through the
// SeriesStore and MetaStore APIs against a naive model of "later write of an x wins".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { EncodedMetric, SummaryMode, WireRecord } from "@orrery/protocol";
import { codecCounters } from "../src/series/codec.js";
import { SqliteStore, type SqliteStoreOptions } from "../src/sqlite/store.js";
import { CHUNK_POINTS } from "../src/sqlite/points.js";
import { Recorder, REF, T0 } from "./store.contract.js";

const root = mkdtempSync(join(tmpdir(), "orrery-series-"));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function open(options: SqliteStoreOptions = { materializer: { autoStart: false } }, dir = join(root, `s${++dirs}`)): { store: SqliteStore; dir: string } {
  return { store: new SqliteStore(dir, options), dir };
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** Every point of a key, exactly (maxPoints above the count). */
async function all(store: SqliteStore, key: string, stream: "history" | "system" = "history"): Promise<{ x: number[]; y: number[] }> {
  const [s] = await store.series.query(REF, stream, [key], {}, 10_000_000);
  return s === undefined ? { x: [], y: [] } : { x: s.x, y: s.y };
}

function peekTail(dir: string): { rows: number; points: number } {
  const db = new Database(join(dir, "orrery.db"), { readonly: true });
  try {
    return db.prepare("SELECT count(*) AS rows, coalesce(sum(n), 0) AS points FROM series_tail").get() as { rows: number; points: number };
  } finally {
    db.close();
  }
}

/** History records for steps with one value each, from a value function. */
function steps(rec: Recorder, list: readonly number[], values: (step: number) => Record<string, EncodedMetric>): WireRecord[] {
  return list.map((s) => rec.history(s, values(s)));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("series chunks and tail", () => {
  it("out-of-order steps read back in step order, before and after materialization", async () => {
    const { store } = open();
    const rec = new Recorder();
    const order = range(0, 300).sort((a, b) => ((a * 7919) % 300) - ((b * 7919) % 300));
    await store.appendBatch(REF, [rec.run(), ...steps(rec, order.slice(0, 100), (s) => ({ v: s }))], T0);
    await store.appendBatch(REF, steps(rec, order.slice(100), (s) => ({ v: s })), T0);
    const want = { x: range(0, 300), y: range(0, 300) };
    expect(await all(store, "v")).toEqual(want);
    store.materializer.drain();
    expect(await all(store, "v")).toEqual(want);
    // Old steps again after materialization: merged into the chunk that covers them.
    await store.appendBatch(REF, steps(rec, [299, 0, 150], (s) => ({ v: -s })), T0);
    const over = { x: want.x, y: want.y.map((v) => ([0, 150, 299].includes(v) ? -v : v)) };
    expect(await all(store, "v")).toEqual(over);
    store.materializer.drain();
    expect(await all(store, "v")).toEqual(over);
    await store.close();
  });

  it("a repeated step keeps the later value, whether the earlier one is in a chunk, the tail or the same batch", async () => {
    const { store } = open();
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), rec.history(5, { v: 1 }), rec.history(6, { v: 6 })], T0);
    store.materializer.drain();
    await store.appendBatch(REF, [rec.history(5, { v: 2 })], T0);
    expect(await all(store, "v")).toEqual({ x: [5, 6], y: [2, 6] });
    await store.appendBatch(REF, [rec.history(5, { v: 3 }), rec.history(7, { v: 7 }), rec.history(7, { v: 8 })], T0);
    expect(await all(store, "v")).toEqual({ x: [5, 6, 7], y: [3, 6, 8] });
    store.materializer.drain();
    expect(await all(store, "v")).toEqual({ x: [5, 6, 7], y: [3, 6, 8] });
    expect((await store.meta.getRun(REF))?.summary).toEqual({ v: 8 });
    const { rows } = await store.series.historyRows(REF, 0, 10);
    expect(rows.map((r) => [r._step, r.v])).toEqual([[5, 3], [6, 6], [7, 8]]);
    await store.close();
  });

  it("reads see un-materialized tail rows merged with chunks, the tail winning", async () => {
    const { store } = open();
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), ...steps(rec, range(0, 10_000), (s) => ({ v: s }))], T0);
    store.materializer.drain();
    await store.appendBatch(REF, steps(rec, [...range(10_000, 10_500), 17, 4096, 9_999], (s) => ({ v: s < 10_000 ? -1 : s })), T0);
    await store.appendBatch(REF, steps(rec, [17], () => ({ v: -2 })), T0);
    const got = await all(store, "v");
    expect(got.x).toEqual(range(0, 10_500));
    expect(got.y).toEqual(range(0, 10_500).map((s) => (s === 17 ? -2 : s === 4096 || s === 9_999 ? -1 : s)));
    const [part] = await store.series.query(REF, "history", ["v"], { min: 4090, max: 4100 }, 100);
    expect(part.y).toEqual([4090, 4091, 4092, 4093, 4094, 4095, -1, 4097, 4098, 4099, 4100]);
    const { rows } = await store.series.historyRows(REF, 9_998, 3);
    expect(rows.map((r) => [r._step, r.v])).toEqual([[9_998, 9_998], [9_999, -1], [10_000, 10_000]]);
    await store.close();
  });

  it("a full-range query over many chunks keeps a single-point spike and returns at most maxPoints", async () => {
    const { store } = open();
    const rec = new Recorder();
    const n = 200_000;
    const records: WireRecord[] = [rec.run()];
    for (let s = 0; s < n; s++) records.push(rec.history(s, { loss: s === 123_457 ? 1e6 : s === 7 ? -1e6 : 1 + (s % 13) / 100 }));
    for (let i = 0; i < records.length; i += 20_000) await store.appendBatch(REF, records.slice(i, i + 20_000), T0);
    store.materializer.drain();
    for (const maxPoints of [10, 100, 1000]) {
      const [s] = await store.series.query(REF, "history", ["loss"], {}, maxPoints);
      expect(s.count).toBe(n);
      expect(s.sampled).toBe(true);
      expect(s.x.length).toBeLessThanOrEqual(maxPoints);
      expect(s.x[s.y.indexOf(1e6)]).toBe(123_457);
      expect(s.x[s.y.indexOf(-1e6)]).toBe(7);
    }
    // A spike still in the tail shows as well.
    await store.appendBatch(REF, [rec.history(150_001, { loss: 5e6 })], T0);
    const [s] = await store.series.query(REF, "history", ["loss"], {}, 100);
    expect(s.x[s.y.indexOf(5e6)]).toBe(150_001);
    await store.close();
  });

  it("a full-range query decodes no chunk, and a zoomed one decodes only the chunks in range", async () => {
    const { store } = open();
    const rec = new Recorder();
    const n = 25 * CHUNK_POINTS;
    const records: WireRecord[] = [rec.run()];
    for (let s = 0; s < n; s++) records.push(rec.history(s, { v: Math.sin(s / 100) }));
    await store.appendBatch(REF, records, T0);
    store.materializer.drain();
    let before = codecCounters.decoded;
    const [full] = await store.series.query(REF, "history", ["v"], {}, 1000);
    expect(full.count).toBe(n);
    expect(codecCounters.decoded - before).toBe(0);

    // Inside one chunk: that chunk alone.
    before = codecCounters.decoded;
    const lo = 12 * CHUNK_POINTS + 100;
    const [zoom] = await store.series.query(REF, "history", ["v"], { min: lo, max: lo + 1000 }, 2000);
    expect(codecCounters.decoded - before).toBe(1);
    expect(zoom.x).toEqual(range(lo, lo + 1001));
    expect(zoom.y).toEqual(range(lo, lo + 1001).map((s) => Math.sin(s / 100)));

    // Across a chunk boundary: the two chunks it cuts.
    before = codecCounters.decoded;
    const [two] = await store.series.query(REF, "history", ["v"], { min: 3 * CHUNK_POINTS - 10, max: 3 * CHUNK_POINTS + 10 }, 1000);
    expect(codecCounters.decoded - before).toBe(2);
    expect(two.count).toBe(21);

    // Wider than a chunk but fine-grained: decodes the chunks in range, never those outside it.
    before = codecCounters.decoded;
    const [wide] = await store.series.query(REF, "history", ["v"], { min: 5 * CHUNK_POINTS, max: 8 * CHUNK_POINTS - 1 }, 10_000);
    expect(codecCounters.decoded - before).toBe(3);
    expect(wide.count).toBe(3 * CHUNK_POINTS);
    expect(wide.sampled).toBe(true);
    await store.close();
  });

  it("materializing an out-of-order write re-encodes only the chunk that covers it, in each series it touches", async () => {
    const { store } = open();
    const rec = new Recorder();
    const n = 10 * CHUNK_POINTS;
    await store.appendBatch(REF, [rec.run(), ...steps(rec, range(0, n), (s) => ({ v: s }))], T0);
    store.materializer.drain();
    const enc = codecCounters.encoded;
    let dec = codecCounters.decoded;
    await store.appendBatch(REF, [rec.history(5000, { v: -1 })], T0);
    // The summary of v is recomputed from rollups, decoding only the chunk the write lands in.
    expect(codecCounters.decoded - dec).toBe(1);
    dec = codecCounters.decoded;
    store.materializer.drain();
    // v, _timestamp and _runtime each get one chunk decoded, merged and re-encoded.
    expect(codecCounters.encoded - enc).toBe(3);
    expect(codecCounters.decoded - dec).toBe(3);
    expect((await all(store, "v")).y[5000]).toBe(-1);
    await store.close();
  });

  it("keeps NaN, infinities and -0 exact in tail rows and in chunks", async () => {
    const { store } = open();
    const rec = new Recorder();
    const vals: EncodedMetric[] = ["NaN", "Infinity", "-Infinity", -0, 0, 5e-324];
    await store.appendBatch(REF, [rec.run(), ...vals.map((v, i) => rec.history(i, { v }))], T0);
    const want = [NaN, Infinity, -Infinity, -0, 0, 5e-324];
    const check = async (): Promise<void> => {
      const got = await all(store, "v");
      expect(got.y.length).toBe(want.length);
      got.y.forEach((v, i) => expect(Object.is(v, want[i])).toBe(true));
      const { rows } = await store.series.historyRows(REF, 0, 10);
      rows.forEach((r, i) => expect(Object.is(r.v, want[i])).toBe(true));
    };
    await check();
    store.materializer.drain();
    await check();
    expect((await store.meta.getRun(REF))?.summary).toEqual({ v: 5e-324 });
    await store.close();
  });

  it("the summary stays right after out-of-order overwrites of the min and the max", async () => {
    const { store } = open();
    const rec = new Recorder();
    const modes: [string, SummaryMode][] = [["lo", "min"], ["hi", "max"], ["avg", "mean"], ["last", "last"]];
    const model = new Map<number, number>();
    const value = (s: number): number => 10 + Math.sin(s) * 5;
    await store.appendBatch(REF, [rec.run(), ...modes.map(([k, m]) => rec.define(k, m))], T0);
    const write = async (list: [number, number][]): Promise<void> => {
      for (const [s, v] of list) model.set(s, v);
      await store.appendBatch(REF, list.map(([s, v]) => rec.history(s, { lo: v, hi: v, avg: v, last: v })), T0);
    };
    const expectSummary = async (): Promise<void> => {
      const vals = [...model.values()];
      const lastStep = Math.max(...model.keys());
      const summary = (await store.meta.getRun(REF))?.summary as Record<string, number>;
      expect(summary.lo).toBe(Math.min(...vals));
      expect(summary.hi).toBe(Math.max(...vals));
      expect(summary.avg).toBeCloseTo(vals.reduce((a, b) => a + b, 0) / vals.length, 9);
      expect(summary.last).toBe(model.get(lastStep));
    };
    await write(range(0, 10_000).map((s) => [s, value(s)]));
    store.materializer.drain();
    await expectSummary();
    const minStep = [...model].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    const maxStep = [...model].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    await write([[minStep, 12]]); // the minimum, in a chunk, overwritten by an old step
    await expectSummary();
    await write([[maxStep, 11]]);
    await expectSummary();
    store.materializer.drain();
    await expectSummary();
    await write([[9_999, -100], [20, 1000]]); // a new minimum at the last step, a new maximum far back
    await expectSummary();
    store.materializer.drain();
    await write([[9_999, 10]]); // overwrite them again, with the earlier ones now in chunks
    await write([[20, 10]]);
    await expectSummary();
    store.materializer.drain();
    await expectSummary();
    await store.close();
  });

  it("history rows come from the series: every step with its _timestamp and _runtime, across chunks and tail", async () => {
    const { store } = open();
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run()], T0);
    const n = 9_000;
    for (let s = 0; s < n; s += 7) {
      const batch = range(s, Math.min(n, s + 7)).map((t) => rec.at(T0 + t * 250).history(t, t % 3 === 0 ? { a: t } : { b: -t }));
      await store.appendBatch(REF, batch, T0);
      if (s === 5_001) store.materializer.drain();
    }
    const seen: Record<string, number>[] = [];
    let minStep: number | null = 0;
    while (minStep !== null) {
      const page: { rows: Record<string, number>[]; nextMinStep: number | null } = await store.series.historyRows(REF, minStep, 1_234);
      seen.push(...page.rows);
      minStep = page.nextMinStep;
    }
    expect(seen.length).toBe(n);
    seen.forEach((row, s) => {
      expect(row).toEqual({ _step: s, _timestamp: (T0 + s * 250) / 1000, _runtime: s / 4, ...(s % 3 === 0 ? { a: s } : { b: -s }) });
    });
    expect(await store.series.listKeys(REF, "history")).toEqual(["a", "b"]);
    store.materializer.drain();
    expect(await store.series.listKeys(REF, "history")).toEqual(["a", "b"]);
    expect(await store.series.query(REF, "history", ["_timestamp", "_runtime", "_step"], {}, 10)).toEqual([]);
    await store.close();
  });

  it("system samples are chunked like history, x being the timestamp in ms", async () => {
    const { store } = open();
    const rec = new Recorder();
    const ts = range(0, 6_000).map((i) => T0 + i * 15_000 + (i % 5) + (i % 2) / 4);
    await store.appendBatch(REF, [rec.run(), ...ts.map((t, i) => rec.at(t).system({ cpu: i % 100, "gpu.0.temp": i % 50 === 0 ? "NaN" : 40 + (i % 7) }))], T0);
    store.materializer.drain();
    expect(await store.series.listKeys(REF, "system")).toEqual(["cpu", "gpu.0.temp"]);
    const cpu = await all(store, "cpu", "system");
    expect(cpu.x).toEqual(ts);
    expect(cpu.y).toEqual(ts.map((_, i) => i % 100));
    const [late] = await store.series.query(REF, "system", ["gpu.0.temp"], { min: ts[4_000], max: ts[4_010] }, 100);
    expect(late.y).toEqual(range(4_000, 4_011).map((i) => (i % 50 === 0 ? NaN : 40 + (i % 7))));
    await store.close();
  });

  it("random writes agree with a naive model of later-write-wins", async () => {
    const { store } = open();
    const rec = new Recorder();
    const r = rng(2024);
    const model = new Map<string, Map<number, number>>([["a", new Map()], ["b", new Map()]]);
    const steps = new Map<number, number>();
    await store.appendBatch(REF, [rec.run()], T0);
    let top = 0;
    for (let round = 0; round < 60; round++) {
      const batch: WireRecord[] = [];
      const size = 1 + Math.floor(r() * 400);
      for (let i = 0; i < size; i++) {
        const u = r();
        // Mostly appends; some old steps (overwrites and gaps filled), some repeats in the batch.
        const step = u < 0.7 ? top++ : Math.floor(r() * (top + 5));
        if (step >= top) top = step + 1;
        const values: Record<string, number> = {};
        for (const key of ["a", "b"]) {
          if (r() < 0.8) {
            const v = r() < 0.03 ? NaN : Math.round((r() - 0.5) * 1e6) / 1e3;
            values[key] = v;
            model.get(key)?.set(step, v);
          }
        }
        rec.at(T0 + round * 1000 + i);
        steps.set(step, rec.ts);
        batch.push(rec.history(step, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number.isNaN(v) ? "NaN" : v]))));
      }
      await store.appendBatch(REF, batch, T0);
      const m = r();
      if (m < 0.3) store.materializer.step(true);
      else if (m < 0.4) store.materializer.drain();
      for (const [key, pts] of model) {
        const xs = [...pts.keys()].sort((p, q) => p - q);
        if (xs.length === 0) continue;
        expect(await all(store, key)).toEqual({ x: xs, y: xs.map((x) => pts.get(x)) });
        const [zoom] = await store.series.query(REF, "history", [key], { min: top / 3, max: top / 2 }, 10_000);
        const inZoom = xs.filter((x) => x >= top / 3 && x <= top / 2);
        expect(zoom?.x ?? []).toEqual(inZoom);
        const [coarse] = await store.series.query(REF, "history", [key], {}, 20);
        expect(coarse.count).toBe(xs.length);
        expect(coarse.x.length).toBeLessThanOrEqual(20);
        for (let i = 0; i < coarse.x.length; i++) expect(Object.is(coarse.y[i], pts.get(coarse.x[i]))).toBe(true);
        const summary = (await store.meta.getRun(REF))?.summary as Record<string, unknown>;
        const last = pts.get(xs[xs.length - 1]) as number;
        expect(summary[key]).toEqual(Number.isNaN(last) ? "NaN" : last);
      }
      const page = await store.series.historyRows(REF, Math.floor(top / 2), 50);
      const want = [...steps.keys()].sort((p, q) => p - q).filter((s) => s >= Math.floor(top / 2)).slice(0, 50);
      expect(page.rows.map((row) => row._step)).toEqual(want);
      for (const row of page.rows) {
        expect(row._timestamp).toBe((steps.get(row._step) as number) / 1000);
        for (const key of ["a", "b"]) expect(row[key]).toEqual(model.get(key)?.get(row._step));
      }
    }
    store.materializer.drain();
    expect((await store.series.query(REF, "history", ["a"], {}, 1e7))[0].count).toBe(model.get("a")?.size);
    await store.close();
  });
});

describe("the materializer", () => {
  it("empties the tail on its own in the background", async () => {
    const { store, dir } = open({ materializer: { intervalMs: 5, maxAgeMs: 0 } });
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), ...steps(rec, range(0, 5_000), (s) => ({ v: s }))], T0);
    expect(peekTail(dir).rows).toBeGreaterThan(0);
    const deadline = Date.now() + 10_000;
    while (peekTail(dir).rows > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(peekTail(dir)).toEqual({ rows: 0, points: 0 });
    expect((await all(store, "v")).x).toEqual(range(0, 5_000));
    expect(store.materializer.progress.points).toBeGreaterThan(0);
    await store.close();
  });

  it("leaves young, small tails alone until they are due", async () => {
    const { store, dir } = open({ materializer: { intervalMs: 5, maxAgeMs: 60_000 } });
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), rec.history(0, { v: 1 })], T0);
    await new Promise((r) => setTimeout(r, 100));
    expect(peekTail(dir).rows).toBe(3); // v, _timestamp, _runtime
    await store.close();
  });

  it("keeps the tail bounded for a caller that never yields to the event loop", async () => {
    const { store, dir } = open({ materializer: { intervalMs: 3_600_000, backlogPoints: 20_000 } });
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run()], T0);
    let peak = 0;
    for (let b = 0; b < 50; b++) {
      await store.appendBatch(REF, steps(rec, range(b * 1000, (b + 1) * 1000), (s) => ({ a: s, b: -s })), T0);
      peak = Math.max(peak, peekTail(dir).points);
    }
    // 4,000 tail points per batch (a, b, _timestamp, _runtime); 200,000 written in all.
    expect(peak).toBeLessThanOrEqual(20_000 + 2 * 4_000 + 50_000);
    expect((await all(store, "a")).x).toEqual(range(0, 50_000));
    await store.close();
  });

  it("close keeps the tail, and a reopened store reads it and materializes it", async () => {
    const { store, dir } = open();
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run(), ...steps(rec, range(0, 3_000), (s) => ({ v: s * 2 }))], T0);
    await store.close();
    expect(peekTail(dir).points).toBe(9_000);
    const again = new SqliteStore(dir, { materializer: { autoStart: false } });
    expect(await all(again, "v")).toEqual({ x: range(0, 3_000), y: range(0, 3_000).map((s) => s * 2) });
    await again.materializeAll();
    expect(peekTail(dir).rows).toBe(0);
    expect(await all(again, "v")).toEqual({ x: range(0, 3_000), y: range(0, 3_000).map((s) => s * 2) });
    await again.close();
  });

  it("fills a key's last chunk before starting the next one", async () => {
    const { store, dir } = open();
    const rec = new Recorder();
    await store.appendBatch(REF, [rec.run()], T0);
    for (let b = 0; b < 10; b++) {
      await store.appendBatch(REF, steps(rec, range(b * 1000, (b + 1) * 1000), (s) => ({ v: s })), T0);
      store.materializer.drain();
    }
    const db = new Database(join(dir, "orrery.db"), { readonly: true });
    const counts = db.prepare(
      "SELECT c.count FROM series_chunks c JOIN metric_keys k ON k.id = c.key_id WHERE k.key = 'v' ORDER BY c.x_min",
    ).pluck().all();
    db.close();
    expect(counts).toEqual([CHUNK_POINTS, CHUNK_POINTS, 10_000 - 2 * CHUNK_POINTS]);
    await store.close();
  });
});
