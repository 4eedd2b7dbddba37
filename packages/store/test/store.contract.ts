// The behaviour every Store engine must show, stated as tests named as sentences. An engine's test
// file calls runStoreContract with a factory for fresh, empty stores. Skips, if an engine ever
// needs one, are listed with their reason in `skip`.
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ConsoleRecord, DefineMetricRecord, EncodedMetric, FinishRecord, HistogramRecord, HistogramValue, HistoryRecord, RunRecord,
  SummaryMode, SystemRecord, WireRecord,
} from "@orrery/protocol";
import { SeqGapError, type IngestItem, type RunRef, type Store } from "../src/interfaces.js";

export type StoreFactory = () => Promise<Store>;
export interface ContractOptions { skip?: Record<string, string> }

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const REF: RunRef = { entity: "ada", project: "digits", runId: "r1" };

/** Builds records of one run with consecutive seq numbers. */
export class Recorder {
  seq = 0;
  constructor(public ts = T0) {}
  private next<T extends object>(fields: T): T & { seq: number; ts: number } {
    this.seq += 1;
    return { seq: this.seq, ts: this.ts, ...fields };
  }
  at(ts: number): this { this.ts = ts; return this; }
  run(fields: Omit<RunRecord, "seq" | "ts" | "type"> = {}): RunRecord { return this.next({ type: "run" as const, ...fields }); }
  history(step: number, values: Record<string, EncodedMetric>): HistoryRecord { return this.next({ type: "history" as const, step, values }); }
  system(values: Record<string, EncodedMetric>): SystemRecord { return this.next({ type: "system" as const, values }); }
  config(values: Record<string, unknown>): WireRecord { return this.next({ type: "config" as const, values }); }
  summary(values: Record<string, unknown>): WireRecord { return this.next({ type: "summary" as const, values }); }
  console(text: string, stream: "stdout" | "stderr" = "stdout"): ConsoleRecord { return this.next({ type: "console" as const, stream, text }); }
  define(key: string, summary: SummaryMode): DefineMetricRecord { return this.next({ type: "define_metric" as const, key, summary }); }
  finish(exitCode: number): FinishRecord { return this.next({ type: "finish" as const, exitCode }); }
  histogram(step: number, values: Record<string, HistogramValue>): HistogramRecord { return this.next({ type: "histogram" as const, step, values }); }
}

/** A histogram of `n` unit-wide bins starting at `from`, every count `c`. */
export function flatHistogram(n: number, from = 0, c = 1): HistogramValue {
  return { bins: Array.from({ length: n + 1 }, (_, i) => from + i), counts: new Array<number>(n).fill(c) };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(parts);
}

export function runStoreContract(name: string, factory: StoreFactory, options: ContractOptions = {}): void {
  const skip = options.skip ?? {};
  const test = (title: string, fn: () => Promise<void>): void => {
    if (Object.hasOwn(skip, title)) it.skip(`${title} (skipped: ${skip[title]})`, fn);
    else it(title, fn);
  };

  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let rec: Recorder;
    beforeEach(async () => {
      store = await factory();
      rec = new Recorder();
    });
    afterEach(async () => {
      await store.close();
    });
    const append = (records: IngestItem[], now = T0, ref: RunRef = REF) => store.appendBatch(ref, records, now);
    const run = async (ref: RunRef = REF) => {
      const r = await store.meta.getRun(ref);
      if (r === undefined) throw new Error(`run ${ref.runId} missing`);
      return r;
    };

    describe("ingest", () => {
      test("a run record creates the run and its project with the given fields", async () => {
        const res = await append([rec.run({ name: "brisk-owl", group: "g", jobType: "train", tags: ["a"], notes: "n", config: { lr: 0.1 } })]);
        expect(res).toEqual({ accepted: 1, duplicates: 0, rejected: [], lastSeq: 1 });
        const r = await run();
        expect(r).toMatchObject({
          id: "r1", entity: "ada", project: "digits", name: "brisk-owl", group: "g", jobType: "train", tags: ["a"],
          notes: "n", state: "running", startedAt: new Date(T0).toISOString(), endedAt: null, exitCode: null,
          lastStep: null, lastSeq: 1, config: { lr: 0.1 }, summary: {}, metadata: {},
        });
        expect(r.createdAt).toBe(new Date(T0).toISOString());
        const p = await store.meta.getProject(REF);
        expect(p).toMatchObject({ entity: "ada", name: "digits", runCount: 1 });
        expect(await store.meta.listProjects()).toHaveLength(1);
      });

      test("appendMany stores batches of several runs together, and a batch with a seq gap fails alone", async () => {
        const a = new Recorder();
        const b = new Recorder();
        const c = new Recorder();
        c.run(); // c's first record is never sent: its batch starts at seq 2, a gap
        const outcomes = await store.appendMany([
          { run: { ...REF, runId: "many-a" }, records: [a.run(), a.history(0, { x: 1 })] },
          { run: { ...REF, runId: "many-c" }, records: [c.history(0, { x: 3 })] },
          { run: { ...REF, runId: "many-b" }, records: [b.run(), b.history(0, { x: 2 })] },
        ], T0);
        expect(outcomes[0]).toEqual({ result: expect.objectContaining({ accepted: 2, lastSeq: 2 }) });
        expect("error" in outcomes[1]! && outcomes[1].error).toBeInstanceOf(SeqGapError);
        expect(outcomes[2]).toEqual({ result: expect.objectContaining({ accepted: 2, lastSeq: 2 }) });
        expect(await store.meta.hasRun({ ...REF, runId: "many-c" })).toBe(false);
        expect((await store.series.historyRows({ ...REF, runId: "many-b" }, 0, 10)).rows).toEqual([expect.objectContaining({ _step: 0, x: 2 })]);
      });

      test("a retried batch with the same seq is stored once", async () => {
        const batch = [rec.run(), rec.history(0, { loss: 1 }), rec.history(1, { loss: 0.5 })];
        await append(batch);
        const again = await append(batch);
        expect(again).toEqual({ accepted: 0, duplicates: 3, rejected: [], lastSeq: 3 });
        const [s] = await store.series.query(REF, "history", ["loss"], {}, 100);
        expect(s.count).toBe(2);
        expect(s.y).toEqual([1, 0.5]);
      });

      test("a batch overlapping what is already stored applies only its new records", async () => {
        const a = [rec.run(), rec.history(0, { loss: 1 })];
        const b = [rec.history(1, { loss: 2 })];
        await append(a);
        const res = await append([...a, ...b]);
        expect(res).toEqual({ accepted: 1, duplicates: 2, rejected: [], lastSeq: 3 });
      });

      test("a batch that skips a seq throws SeqGapError and stores nothing", async () => {
        await append([rec.run()]);
        const ok = rec.history(0, { loss: 1 });
        rec.seq++; // lose one record
        const late = rec.history(2, { loss: 3 });
        const err = await append([ok, late]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SeqGapError);
        expect(err).toMatchObject({ expected: 3, got: 4 });
        expect((await run()).lastSeq).toBe(1);
        expect(await store.series.listKeys(REF, "history")).toEqual([]);
      });

      test("a first batch that does not start at seq 1 creates nothing", async () => {
        rec.seq = 4;
        await expect(append([rec.history(0, { loss: 1 })])).rejects.toMatchObject({ name: "SeqGapError", expected: 1, got: 5 });
        expect(await store.meta.getRun(REF)).toBeUndefined();
        expect(await store.meta.getProject(REF)).toBeUndefined();
      });

      test("records of a run without a run record create it with defaults", async () => {
        await append([rec.at(T0 + 5000).history(0, { loss: 1 })], T0 + 6000);
        const r = await run();
        expect(r).toMatchObject({ name: "r1", group: null, jobType: null, tags: [], notes: "", state: "running", lastStep: 0 });
        expect(r.startedAt).toBe(new Date(T0 + 5000).toISOString());
        expect(r.createdAt).toBe(new Date(T0 + 6000).toISOString());
      });

      test("a later run record overwrites the fields it gives and merges config at top level", async () => {
        await append([rec.run({ name: "a", tags: ["x"], config: { lr: 1, opt: { name: "sgd", m: 0.9 } } })]);
        await append([rec.run({ notes: "later", config: { opt: { name: "adam" }, bs: 32 } })]);
        const r = await run();
        expect(r).toMatchObject({ name: "a", tags: ["x"], notes: "later" });
        expect(r.config).toEqual({ lr: 1, opt: { name: "adam" }, bs: 32 });
      });

      test("config records set top-level keys, replacing nested values whole", async () => {
        await append([rec.run({ config: { a: { b: 1, c: 2 }, d: 1 } }), rec.config({ a: { b: 5 }, e: [1, 2] })]);
        expect((await run()).config).toEqual({ a: { b: 5 }, d: 1, e: [1, 2] });
      });

      test("a config key named __proto__ is stored as plain data", async () => {
        await append([rec.run(), rec.config(JSON.parse('{"__proto__": {"polluted": 1}, "ok": 1}') as Record<string, unknown>)]);
        const r = await run();
        expect(Object.hasOwn(r.config, "__proto__")).toBe(true);
        expect(r.config.ok).toBe(1);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      test("any record refreshes the heartbeat of a running run", async () => {
        await append([rec.run()], T0);
        await append([rec.history(0, { a: 1 })], T0 + 60_000);
        expect((await run()).heartbeatAt).toBe(new Date(T0 + 60_000).toISOString());
      });

      test("a history record with a reserved key is rejected but consumes its seq", async () => {
        // Engines refuse keys that collide with the columns every history row carries.
        const res = await append([rec.run(), rec.history(0, { _step: 3, loss: 1 }), rec.history(1, { loss: 2 })]);
        expect(res.accepted).toBe(2);
        expect(res.lastSeq).toBe(3);
        expect(res.rejected).toEqual([
          { seq: 2, error: "invalid_request", message: expect.stringContaining("_step"), field: "values._step" },
        ]);
        const { rows } = await store.series.historyRows(REF, 0, 10);
        expect(rows.map((r) => r._step)).toEqual([1]);
        expect(await store.series.listKeys(REF, "history")).toEqual(["loss"]);
        const again = await append([rec.history(2, { loss: 3 })]);
        expect(again.lastSeq).toBe(4);
      });
      test("a metric key longer than the key limit is rejected and nothing of its record is stored", async () => {
        const res = await append([rec.run(), rec.history(0, { ok: 1, ["k".repeat(300)]: 1 }), rec.system({ ["s".repeat(257)]: 1 })]);
        expect(res.accepted).toBe(1);
        expect(res.rejected.map((r) => r.seq)).toEqual([2, 3]);
        expect(await store.series.listKeys(REF, "history")).toEqual([]);
        expect(await store.series.historyRows(REF, 0, 10)).toEqual({ rows: [], nextMinStep: null });
      });

      test("a record the server refused consumes its seq and is reported as rejected", async () => {
        const first = rec.run();
        rec.seq++; // seq 2 belongs to the refused record
        const refused = { seq: 2, type: "rejected" as const, rejection: { seq: 2, error: "invalid_record", message: "bad", field: "records[1].step" } };
        const res = await append([first, refused, rec.history(0, { a: 1 })]);
        expect(res).toEqual({ accepted: 2, duplicates: 0, rejected: [refused.rejection], lastSeq: 3 });
        expect((await append([refused])).duplicates).toBe(1);
      });

      test("a run whose first record was refused still exists and holds its seq", async () => {
        const refused = { seq: 1, type: "rejected" as const, rejection: { seq: 1, error: "invalid_record", message: "bad" } };
        const res = await store.appendBatch(REF, [refused], T0);
        expect(res).toEqual({ accepted: 0, duplicates: 0, rejected: [refused.rejection], lastSeq: 1 });
        expect((await run()).lastSeq).toBe(1);
      });
    });

    describe("history", () => {
      test("an out-of-order step merges into the existing row with the later write winning", async () => {
        await append([
          rec.run(),
          rec.at(T0 + 1000).history(0, { loss: 1, acc: 0.1 }),
          rec.at(T0 + 2000).history(1, { loss: 0.8 }),
          rec.at(T0 + 3000).history(0, { loss: 0.9, lr: 0.01 }),
        ]);
        const { rows } = await store.series.historyRows(REF, 0, 10);
        expect(rows).toEqual([
          { _step: 0, _timestamp: (T0 + 3000) / 1000, _runtime: 3, loss: 0.9, acc: 0.1, lr: 0.01 },
          { _step: 1, _timestamp: (T0 + 2000) / 1000, _runtime: 2, loss: 0.8 },
        ]);
        const [loss] = await store.series.query(REF, "history", ["loss"], {}, 100);
        expect(loss).toEqual({ key: "loss", x: [0, 1], y: [0.9, 0.8], count: 2, sampled: false });
        expect((await run()).lastStep).toBe(1);
      });

      test("a step's _timestamp and _runtime read back as series by step, in seconds, ranged and bucketed", async () => {
        expect(await store.series.stepColumn(REF, "_timestamp", {}, 100)).toBeUndefined();
        await append([rec.run()]);
        expect(await store.series.stepColumn(REF, "_runtime", {}, 100)).toEqual({ key: "_runtime", x: [], y: [], count: 0, sampled: false });
        await append([0, 1, 2, 3, 4, 5].map((s) => rec.at(T0 + 500 * s).history(s, { v: s })));
        expect(await store.series.stepColumn(REF, "_timestamp", { min: 1, max: 3 }, 100)).toEqual({
          key: "_timestamp", x: [1, 2, 3], y: [T0 / 1000 + 0.5, T0 / 1000 + 1, T0 / 1000 + 1.5], count: 3, sampled: false,
        });
        expect(await store.series.stepColumn(REF, "_runtime", {}, 100)).toEqual({
          key: "_runtime", x: [0, 1, 2, 3, 4, 5], y: [0, 0.5, 1, 1.5, 2, 2.5], count: 6, sampled: false,
        });
        const bucketed = (await store.series.stepColumn(REF, "_runtime", {}, 2))!;
        expect(bucketed).toMatchObject({ count: 6, sampled: true });
        expect(bucketed.x.length).toBeLessThanOrEqual(2);
        // The reserved columns stay out of key listings and metric queries.
        expect(await store.series.listKeys(REF, "history")).toEqual(["v"]);
      });

      test("NaN and infinities round-trip exactly through history rows and series", async () => {
        await append([
          rec.run(),
          rec.history(0, { v: "NaN" }),
          rec.history(1, { v: "Infinity" }),
          rec.history(2, { v: "-Infinity" }),
          rec.history(3, { v: -0.5 }),
        ]);
        const [s] = await store.series.query(REF, "history", ["v"], {}, 100);
        expect(s.y).toEqual([NaN, Infinity, -Infinity, -0.5]);
        const { rows } = await store.series.historyRows(REF, 0, 10);
        expect(rows.map((r) => r.v)).toEqual([NaN, Infinity, -Infinity, -0.5]);
      });

      test("history rows page by step with nextMinStep", async () => {
        const records: WireRecord[] = [rec.run()];
        for (let step = 0; step < 25; step += 1) records.push(rec.history(step * 2, { x: step }));
        await append(records);
        const seen: number[] = [];
        let minStep: number | null = 0;
        let pages = 0;
        while (minStep !== null) {
          const page: { rows: Record<string, number>[]; nextMinStep: number | null } = await store.series.historyRows(REF, minStep, 10);
          seen.push(...page.rows.map((r) => r._step));
          minStep = page.nextMinStep;
          pages++;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
        expect(await store.series.historyRows(REF, 100, 10)).toEqual({ rows: [], nextMinStep: null });
      });

      test("series queries respect the range, cap the points and keep spikes", async () => {
        const records: WireRecord[] = [rec.run()];
        for (let step = 0; step < 5000; step += 1) records.push(rec.history(step, { loss: step === 3210 ? 1e6 : 1 }));
        await append(records);
        const [full] = await store.series.query(REF, "history", ["loss"], {}, 100);
        expect(full.count).toBe(5000);
        expect(full.sampled).toBe(true);
        expect(full.x.length).toBeLessThanOrEqual(100);
        expect(Math.max(...full.y)).toBe(1e6);
        const [part] = await store.series.query(REF, "history", ["loss"], { min: 10, max: 19 }, 100);
        expect(part.x).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
        expect(part.count).toBe(10);
        expect(part.sampled).toBe(false);
      });

      test("unknown keys yield no series and all keys come sorted when none are named", async () => {
        await append([rec.run(), rec.history(0, { b: 1, a: 2, "val/acc": 3 })]);
        expect(await store.series.listKeys(REF, "history")).toEqual(["a", "b", "val/acc"]);
        const some = await store.series.query(REF, "history", ["nope", "b"], {}, 10);
        expect(some.map((s) => s.key)).toEqual(["b"]);
        const all = await store.series.query(REF, "history", undefined, {}, 10);
        expect(all.map((s) => s.key)).toEqual(["a", "b", "val/acc"]);
        expect(await store.series.query({ ...REF, runId: "ghost" }, "history", undefined, {}, 10)).toEqual([]);
      });

      test("a key used by another run is not a key of this run", async () => {
        const other = new Recorder();
        await append([other.run(), other.history(0, { only_there: 1 })], T0, { ...REF, runId: "r2" });
        await append([rec.run(), rec.history(0, { here: 1 })]);
        expect(await store.series.query(REF, "history", ["only_there"], {}, 10)).toEqual([]);
      });
    });

    describe("histograms", () => {
      test("histograms are stored per key and step exactly as logged, and listed by key", async () => {
        const h = { bins: [-0.5, -0.125, 0, 0.25, 1e300], counts: [0, 3.5, 12, 1] };
        await append([
          rec.run(),
          rec.histogram(0, { "grad/fc1": h, "weights/fc1": flatHistogram(64) }),
          rec.histogram(10, { "grad/fc1": flatHistogram(2, -1, 7) }),
        ]);
        expect(await store.histograms.listKeys(REF)).toEqual(["grad/fc1", "weights/fc1"]);
        expect(await store.histograms.query(REF, "grad/fc1", {}, 200)).toEqual({
          key: "grad/fc1", steps: [0, 10], histograms: [h, flatHistogram(2, -1, 7)], count: 2,
        });
        const w = await store.histograms.query(REF, "weights/fc1", {}, 200);
        expect(w.histograms[0]!.bins).toHaveLength(65);
        // Histograms are not metrics: no history key, no summary value.
        expect(await store.series.listKeys(REF, "history")).toEqual([]);
        expect((await run()).summary).toEqual({});
      });

      test("a later histogram for the same key and step replaces the earlier one", async () => {
        await append([rec.run(), rec.histogram(3, { g: flatHistogram(4) })]);
        await append([rec.histogram(3, { g: flatHistogram(2, 5, 9) })]);
        const q = await store.histograms.query(REF, "g", {}, 10);
        expect(q).toEqual({ key: "g", steps: [3], histograms: [flatHistogram(2, 5, 9)], count: 1 });
      });

      test("a retried batch of histograms is stored once", async () => {
        const batch = [rec.run(), rec.histogram(0, { g: flatHistogram(4) }), rec.histogram(1, { g: flatHistogram(4) })];
        await append(batch);
        const again = await append(batch);
        expect(again).toMatchObject({ accepted: 0, duplicates: 3, lastSeq: 3 });
        expect((await store.histograms.query(REF, "g", {}, 10)).count).toBe(2);
      });

      test("a step range selects histograms, and more than maxSteps are sampled evenly keeping the first and last", async () => {
        const recs: WireRecord[] = [rec.run()];
        for (let step = 0; step < 1000; step++) recs.push(rec.histogram(step, { g: flatHistogram(3, step) }));
        await append(recs);
        const all = await store.histograms.query(REF, "g", {}, 5);
        expect(all.count).toBe(1000);
        expect(all.steps).toEqual([0, 250, 500, 749, 999]);
        expect(all.histograms.map((h) => h.bins[0])).toEqual(all.steps);
        const zoomed = await store.histograms.query(REF, "g", { min: 100, max: 109 }, 200);
        expect(zoomed.count).toBe(10);
        expect(zoomed.steps).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
        const one = await store.histograms.query(REF, "g", { min: 40, max: 60 }, 1);
        expect(one).toMatchObject({ steps: [60], count: 21 });
      });

      test("an unknown run or key has no histograms", async () => {
        await append([rec.run(), rec.histogram(0, { g: flatHistogram(2) })], T0);
        const other = new Recorder();
        await append([other.run(), other.histogram(0, { only_there: flatHistogram(2) })], T0, { ...REF, runId: "r2" });
        expect(await store.histograms.query(REF, "only_there", {}, 10)).toEqual({ key: "only_there", steps: [], histograms: [], count: 0 });
        expect(await store.histograms.query(REF, "nope", {}, 10)).toMatchObject({ steps: [], count: 0 });
        expect(await store.histograms.listKeys({ ...REF, runId: "ghost" })).toEqual([]);
        expect((await store.histograms.query({ ...REF, runId: "ghost" }, "g", {}, 10)).count).toBe(0);
      });

      test("an invalid histogram rejects its record, stores none of it, and still consumes its seq", async () => {
        const res = await append([
          rec.run(),
          rec.histogram(0, { ok: flatHistogram(2), bad: { bins: [0, 2, 1], counts: [1, 1] } }),
          rec.histogram(1, { ok: flatHistogram(2) }),
        ]);
        expect(res.accepted).toBe(2);
        expect(res.lastSeq).toBe(3);
        expect(res.rejected).toHaveLength(1);
        expect(res.rejected[0]).toMatchObject({ seq: 2, field: "values.bad.bins[2]" });
        expect(await store.histograms.listKeys(REF)).toEqual(["ok"]);
        expect((await store.histograms.query(REF, "ok", {}, 10)).steps).toEqual([1]);
      });
    });

    describe("system metrics and console", () => {
      test("system samples are indexed by their timestamp in ms", async () => {
        await append([
          rec.run(),
          rec.at(T0 + 15_000).system({ cpu: 50, "gpu.0.temp": "NaN" }),
          rec.at(T0 + 30_000).system({ cpu: 75 }),
        ]);
        expect(await store.series.listKeys(REF, "system")).toEqual(["cpu", "gpu.0.temp"]);
        expect(await store.series.listKeys(REF, "history")).toEqual([]);
        const [cpu, gpu] = await store.series.query(REF, "system", undefined, {}, 100);
        expect(cpu).toEqual({ key: "cpu", x: [T0 + 15_000, T0 + 30_000], y: [50, 75], count: 2, sampled: false });
        expect(gpu.y).toEqual([NaN]);
        const [late] = await store.series.query(REF, "system", ["cpu"], { min: T0 + 20_000 }, 100);
        expect(late.y).toEqual([75]);
        expect((await run()).summary).toEqual({});
      });

      test("console text splits into lines numbered from 1", async () => {
        await append([
          rec.run(),
          rec.at(T0 + 1).console("epoch 1\nepoch 2\n"),
          rec.at(T0 + 2).console("oops\r\n", "stderr"),
          rec.at(T0 + 3).console("no newline"),
          rec.at(T0 + 4).console("\n"),
        ]);
        const lines = await store.series.consoleLines(REF, 0, 100);
        expect(lines).toEqual([
          { n: 1, ts: T0 + 1, stream: "stdout", text: "epoch 1" },
          { n: 2, ts: T0 + 1, stream: "stdout", text: "epoch 2" },
          { n: 3, ts: T0 + 2, stream: "stderr", text: "oops" },
          { n: 4, ts: T0 + 3, stream: "stdout", text: "no newline" },
          { n: 5, ts: T0 + 4, stream: "stdout", text: "" },
        ]);
        expect((await store.series.consoleLines(REF, 2, 2)).map((l) => l.n)).toEqual([3, 4]);
        await append([rec.console("more\n")]);
        expect((await store.series.consoleLines(REF, 5, 10)).map((l) => [l.n, l.text])).toEqual([[6, "more"]]);
        expect((await store.series.consoleTail(REF, 2)).map((l) => l.n)).toEqual([5, 6]);
        expect((await store.series.consoleTail(REF, 100)).map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6]);
      });
    });

    describe("summary", () => {
      test("the summary shows each key's value at the highest step, the later write winning a tie", async () => {
        await append([
          rec.run(),
          rec.history(5, { loss: 0.5, acc: 0.7 }),
          rec.history(2, { loss: 9 }), // older step arriving late does not become the summary
          rec.history(5, { acc: 0.8 }), // same step again: later write wins
        ]);
        expect((await run()).summary).toEqual({ loss: 0.5, acc: 0.8 });
      });

      test("define_metric chooses min, max, mean or none as the summary", async () => {
        await append([
          rec.run(),
          rec.define("loss", "min"),
          rec.define("acc", "max"),
          rec.define("lr", "mean"),
          rec.define("noise", "none"),
          rec.history(0, { loss: 3, acc: 0.2, lr: 1, noise: 1, last: 1 }),
          rec.history(1, { loss: 1, acc: 0.9, lr: 2, noise: 2, last: 2 }),
          rec.history(2, { loss: 2, acc: 0.5, lr: 6, noise: 3, last: 3 }),
        ]);
        expect((await run()).summary).toEqual({ loss: 1, acc: 0.9, lr: 3, last: 3 });
      });

      test("a declared min stays right when the minimum point is overwritten", async () => {
        await append([
          rec.run(),
          rec.define("loss", "min"),
          rec.history(0, { loss: 3 }),
          rec.history(1, { loss: 1 }),
          rec.history(2, { loss: 2 }),
        ]);
        await append([rec.history(1, { loss: 5 })]);
        expect((await run()).summary.loss).toBe(2);
        await append([rec.define("loss", "mean")]);
        expect((await run()).summary.loss).toBeCloseTo((3 + 5 + 2) / 3, 12);
      });

      test("non-finite summary values travel as their wire strings", async () => {
        await append([rec.run(), rec.history(0, { a: "NaN", b: "Infinity", c: "-Infinity" })]);
        expect((await run()).summary).toEqual({ a: "NaN", b: "Infinity", c: "-Infinity" });
      });

      test("user summary values win over automatic ones and null removes the override", async () => {
        await append([
          rec.run(),
          rec.history(0, { acc: 0.5 }),
          rec.summary({ acc: 0.99, "best/epoch": 7, note: { text: "x" } }),
        ]);
        expect((await run()).summary).toEqual({ acc: 0.99, "best/epoch": 7, note: { text: "x" } });
        await append([rec.summary({ acc: null, note: null })]);
        expect((await run()).summary).toEqual({ acc: 0.5, "best/epoch": 7 });
      });
    });

    describe("run lifecycle", () => {
      test("finish with exit code 0 finishes the run and another code fails it", async () => {
        await append([rec.run(), rec.at(T0 + 90_000).finish(0)]);
        const r = await run();
        expect(r).toMatchObject({ state: "finished", exitCode: 0, endedAt: new Date(T0 + 90_000).toISOString(), runtime: 90 });
        const other = new Recorder();
        const ref2 = { ...REF, runId: "r2" };
        await append([other.run(), other.finish(2)], T0, ref2);
        expect(await run(ref2)).toMatchObject({ state: "failed", exitCode: 2 });
      });

      test("runtime of a running run reaches its last record", async () => {
        await append([rec.run(), rec.at(T0 + 12_500).history(0, { a: 1 })]);
        expect((await run()).runtime).toBe(12.5);
        const { rows } = await store.series.historyRows(REF, 0, 1);
        expect(rows[0]._runtime).toBe(12.5);
      });

      test("heartbeat refreshes a running run and reports missing runs", async () => {
        await append([rec.run()], T0);
        expect(await store.meta.heartbeat(REF, T0 + 5000)).toBe(true);
        expect((await run()).heartbeatAt).toBe(new Date(T0 + 5000).toISOString());
        expect(await store.meta.heartbeat({ ...REF, runId: "ghost" }, T0)).toBe(false);
      });

      test("markCrashed marks only running runs whose heartbeat is too old", async () => {
        const a = new Recorder(), b = new Recorder(), c = new Recorder();
        await append([a.run()], T0, { ...REF, runId: "old" });
        await append([b.run()], T0 + 100_000, { ...REF, runId: "fresh" });
        await append([c.run(), c.finish(0)], T0, { ...REF, runId: "done" });
        expect(await store.meta.markCrashed(T0 + 120_000, 60_000)).toBe(1);
        expect((await run({ ...REF, runId: "old" })).state).toBe("crashed");
        expect((await run({ ...REF, runId: "fresh" })).state).toBe("running");
        expect((await run({ ...REF, runId: "done" })).state).toBe("finished");
        expect(await store.meta.markCrashed(T0 + 120_000, 60_000)).toBe(0);
      });

      test("a crashed run stays crashed on new records (a later sync) until a finish record arrives", async () => {
        await append([rec.run()], T0);
        await store.meta.markCrashed(T0 + 600_000, 60_000);
        await append([rec.history(0, { a: 1 })], T0 + 700_000);
        expect((await run()).state).toBe("crashed");
        await append([rec.finish(1)], T0 + 800_000);
        expect((await run()).state).toBe("failed");
      });

      test("a heartbeat makes a crashed run running again, since its process is alive", async () => {
        await append([rec.run()], T0);
        await store.meta.markCrashed(T0 + 600_000, 60_000);
        expect((await run()).state).toBe("crashed");
        expect(await store.meta.heartbeat(REF, T0 + 700_000)).toBe(true);
        expect((await run()).state).toBe("running");
        await append([rec.finish(0)], T0 + 800_000);
        expect(await store.meta.heartbeat(REF, T0 + 900_000)).toBe(true);
        expect((await run()).state).toBe("finished");
      });

      test("hasRun answers without reading the run", async () => {
        await append([rec.run()], T0);
        expect(await store.meta.hasRun(REF)).toBe(true);
        expect(await store.meta.hasRun({ ...REF, runId: "ghost" })).toBe(false);
      });

      test("patchRun changes name, notes and tags only", async () => {
        await append([rec.run({ name: "a", notes: "n", tags: ["t"] })]);
        const r = await store.meta.patchRun(REF, { name: "b", tags: ["x", "y"] });
        expect(r).toMatchObject({ name: "b", notes: "n", tags: ["x", "y"] });
        expect(await store.meta.patchRun({ ...REF, runId: "ghost" }, { name: "z" })).toBeUndefined();
      });

      test("a large git diff moves to the blob store and a small one stays inline", async () => {
        const big = "diff --git a/x b/x\n" + "+".repeat(20 * 1024) + "\n";
        const other = new Recorder();
        await append([rec.run({ metadata: { host: "h", git: { commit: "abc", diff: big } } })]);
        await append([other.run({ metadata: { git: { commit: "abc", diff: "+small\n" } } })], T0, { ...REF, runId: "r2" });
        const md = (await run()).metadata as { host: string; git: Record<string, unknown> };
        expect(md.host).toBe("h");
        expect(md.git.diff).toBeUndefined();
        expect(md.git.commit).toBe("abc");
        expect(md.git.diffBytes).toBe(Buffer.byteLength(big));
        expect(typeof md.git.diffBlob).toBe("string");
        const blob = await store.blobs.get(md.git.diffBlob as string);
        expect(blob).toBeDefined();
        expect((await readAll(blob as Readable)).toString("utf8")).toBe(big);
        const small = (await run({ ...REF, runId: "r2" })).metadata as { git: Record<string, unknown> };
        expect(small.git).toEqual({ commit: "abc", diff: "+small\n" });
      });
    });

    describe("listing runs", () => {
      test("listRuns pages newest first and covers every run exactly once", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 23; i += 1) {
          const id = `run${String(i).padStart(2, "0")}`;
          ids.push(id);
          // Several runs share a createdAt, so the id must break ties.
          await append([new Recorder().run()], T0 + Math.floor(i / 4) * 1000, { ...REF, runId: id });
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page: { runs: { id: string }[]; nextCursor: string | null; total: number } =
            await store.meta.listRuns(REF, { limit: 5, ...(cursor === undefined ? {} : { cursor }) });
          expect(page.total).toBe(23);
          expect(page.runs.length).toBeLessThanOrEqual(5);
          seen.push(...page.runs.map((r) => r.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toHaveLength(23);
        expect(new Set(seen).size).toBe(23);
        const expected = [...ids].sort((a, b) => {
          const ta = Math.floor(Number(a.slice(3)) / 4), tb = Math.floor(Number(b.slice(3)) / 4);
          return tb - ta || (a < b ? 1 : -1);
        });
        expect(seen).toEqual(expected);
      });

      test("listRuns filters by state and counts only matching runs", async () => {
        for (const [id, code] of [["a", 0], ["b", 1], ["c", null], ["d", 0]] as const) {
          const r = new Recorder();
          await append(code === null ? [r.run()] : [r.run(), r.finish(code)], T0, { ...REF, runId: id });
        }
        const page = await store.meta.listRuns(REF, { limit: 10, state: "finished" });
        expect(page.total).toBe(2);
        expect(page.runs.map((r) => r.id)).toEqual(["d", "a"]);
        expect(page.nextCursor).toBeNull();
        expect(await store.meta.listRuns({ entity: "ada", project: "none" }, { limit: 10 })).toEqual({ runs: [], nextCursor: null, total: 0 });
      });

      test("listRuns refuses a cursor it did not issue", async () => {
        await append([rec.run()]);
        await expect(store.meta.listRuns(REF, { limit: 10, cursor: "garbage!" })).rejects.toMatchObject({ code: "invalid_request", field: "cursor" });
      });

      test("listed runs carry their summary", async () => {
        await append([rec.run(), rec.history(3, { loss: 0.25 })]);
        const page = await store.meta.listRuns(REF, { limit: 10 });
        expect(page.runs[0].summary).toEqual({ loss: 0.25 });
      });
    });

    describe("api keys", () => {
      test("a created key verifies until it is revoked", async () => {
        const k = await store.keys.createApiKey("ci", T0);
        expect(k.key).toMatch(/^ork_[A-Za-z0-9_-]{43}$/);
        expect(k.key.startsWith(k.prefix)).toBe(true);
        expect(k.lastUsedAt).toBeNull();
        expect(await store.keys.verifyApiKey(k.key, T0 + 1000)).toBe(true);
        expect(await store.keys.verifyApiKey(k.key + "x", T0)).toBe(false);
        expect(await store.keys.verifyApiKey("", T0)).toBe(false);
        const [listed] = await store.keys.listApiKeys();
        expect(listed).toEqual({ id: k.id, name: "ci", prefix: k.prefix, createdAt: k.createdAt, lastUsedAt: new Date(T0 + 1000).toISOString() });
        expect(listed).not.toHaveProperty("key");
        expect(await store.keys.revokeApiKey(k.id)).toBe(true);
        expect(await store.keys.revokeApiKey(k.id)).toBe(false);
        expect(await store.keys.revokeApiKey("key_unknown")).toBe(false);
        expect(await store.keys.verifyApiKey(k.key, T0)).toBe(false);
        expect(await store.keys.listApiKeys()).toEqual([]);
      });

      test("two keys are distinct secrets", async () => {
        const a = await store.keys.createApiKey("a", T0);
        const b = await store.keys.createApiKey("b", T0);
        expect(a.key).not.toBe(b.key);
        expect(a.id).not.toBe(b.id);
        expect(await store.keys.listApiKeys()).toHaveLength(2);
      });
    });

    describe("blobs", () => {
      test("a blob is stored under its sha256, read back whole and stored once", async () => {
        const data = Buffer.from("weights ".repeat(10_000));
        const digest = await store.blobs.put(data);
        expect(digest).toMatch(/^[0-9a-f]{64}$/);
        expect(await store.blobs.put(Buffer.from(data))).toBe(digest);
        expect(await store.blobs.has(digest)).toBe(true);
        const stream = await store.blobs.get(digest);
        expect(stream).toBeDefined();
        expect((await readAll(stream as Readable)).equals(data)).toBe(true);
      });

      test("an absent or malformed digest is not found", async () => {
        const absent = "0".repeat(64);
        expect(await store.blobs.has(absent)).toBe(false);
        expect(await store.blobs.get(absent)).toBeUndefined();
        expect(await store.blobs.get("../../etc/passwd")).toBeUndefined();
        expect(await store.blobs.has("../x")).toBe(false);
      });

      test("an empty blob is a blob", async () => {
        const digest = await store.blobs.put(Buffer.alloc(0));
        expect(digest).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        expect((await readAll((await store.blobs.get(digest)) as Readable)).length).toBe(0);
      });
    });
  });

  describe(`Store contract: ${name}, closing`, () => {
    test("a closed store refuses further calls", async () => {
      const store = await factory();
      await store.close();
      await expect(store.meta.listProjects()).rejects.toThrow(/closed/);
      await expect(store.appendBatch(REF, [new Recorder().run()], T0)).rejects.toThrow(/closed/);
    });
  });
}
