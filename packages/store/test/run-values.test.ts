// Run values for plots (MetaStore.runValues) on the SQLite engine: the same runs in the same order
// as the runs listing for any filter and search, one column per key with plot-ready cells (finite
// numbers, text, booleans, null for everything else), limits and totals, both ways of reading a
// key, many keys at once, and a restriction to given run ids.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFieldList, parseFilter, type WireRecord } from "@orrery/protocol";
import type { IngestBatchInput, ProjectRef } from "../src/interfaces.js";
import { SqliteStore } from "../src/sqlite/store.js";

const root = mkdtempSync(join(tmpdir(), "orrery-run-values-"));
const P: ProjectRef = { entity: "ada", project: "plots" };
const T0 = Date.UTC(2026, 0, 1);
const N = 60;
const OPT = ["adam", "sgd", "lion"];
let store: SqliteStore;

/** Run i: a mix of value types, some keys missing, NaN and infinities in places. */
function records(i: number): WireRecord[] {
  let seq = 0;
  const rec = (fields: object) => ({ seq: ++seq, ts: T0 + i * 60_000 + seq * 1000, ...fields }) as WireRecord;
  const wide: Record<string, number> = {};
  for (let k = 0; k < 40; k++) wide[`k${k}`] = i * 100 + k;
  return [
    rec({
      type: "run", name: `${i % 2 ? "mlp" : "cnn"}-${i}`, tags: i % 3 === 0 ? ["baseline"] : [], group: i % 4 === 0 ? undefined : `g${i % 4}`,
      config: {
        lr: i % 10 === 9 ? "NaN" : i % 10 === 8 ? "Infinity" : 10 ** -(1 + (i % 4)), opt: OPT[i % 3], fp16: i % 2 === 0,
        layers: [i, 2], optimizer: { beta: 0.9 }, ...(i % 5 === 0 ? {} : { dropout: i / 100 }), wide,
      },
    }),
    rec({ type: "history", step: 0, values: { "val/acc": 0.5 } }),
    rec({ type: "history", step: 3, values: { "val/acc": 0.5 + i / 200 } }),
    ...(i % 6 === 5 ? [] : [rec({ type: "finish", exitCode: i % 7 === 6 ? 1 : 0 })]),
  ];
}

const fields = (src: string) => parseFieldList(src, "keys");

beforeAll(async () => {
  store = new SqliteStore(join(root, "s"), { materializer: { autoStart: false } });
  const batches: IngestBatchInput[] = Array.from({ length: N }, (_, i) => ({ run: { ...P, runId: `r${String(i).padStart(2, "0")}` }, records: records(i) }));
  for (const o of await store.appendMany(batches, T0 + N * 60_000)) if ("error" in o) throw o.error;
});
afterAll(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

/** Every run the listing returns for a filter and search, newest first. */
async function listed(filter: string | undefined, search?: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.meta.queryRuns(P, { filter: filter === undefined ? null : parseFilter(filter), search, limit: 7, cursor });
    out.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

describe("MetaStore.runValues", () => {
  it("returns every run newest first with one plot-ready column per key", async () => {
    const v = await store.meta.runValues(P, { keys: fields("config.lr,config.opt,config.fp16,config.dropout,summary.val/acc"), limit: 1000 });
    expect(v.total).toBe(N);
    expect(v.truncated).toBe(false);
    expect(v.ids).toEqual(Array.from({ length: N }, (_, i) => `r${String(N - 1 - i).padStart(2, "0")}`));
    expect(v.names[0]).toBe(`mlp-${N - 1}`);
    const i = (id: string) => Number(id.slice(1));
    v.ids.forEach((id, row) => {
      const n = i(id);
      expect(v.columns["config.lr"]![row]).toBe(n % 10 >= 8 ? null : 10 ** -(1 + (n % 4)));
      expect(v.columns["config.opt"]![row]).toBe(OPT[n % 3]);
      expect(v.columns["config.fp16"]![row]).toBe(n % 2 === 0);
      expect(v.columns["config.dropout"]![row]).toBe(n % 5 === 0 ? null : n / 100);
      expect(v.columns["summary.val/acc"]![row]).toBe(0.5 + n / 200);
    });
    expect(Object.keys(v.columns)).toEqual(["config.lr", "config.opt", "config.fp16", "config.dropout", "summary.val/acc"]);
  });

  it("gives run fields: createdAt in epoch ms, runtime in seconds, null group and exit code where unset", async () => {
    const v = await store.meta.runValues(P, { keys: fields("name,state,group,jobType,createdAt,runtime,lastStep,exitCode"), limit: 1000 });
    const row = v.ids.indexOf("r05");
    expect(v.columns.name![row]).toBe("mlp-5");
    expect(v.columns.state![row]).toBe("running");
    expect(v.columns.group![row]).toBe("g1");
    expect(v.columns.jobType![row]).toBeNull();
    expect(v.columns.lastStep![row]).toBe(3);
    expect(v.columns.exitCode![row]).toBeNull();
    const r06 = v.ids.indexOf("r06");
    expect(v.columns.exitCode![r06]).toBe(1);
    expect(v.columns.group![v.ids.indexOf("r04")]).toBeNull();
    const run = await store.meta.getRun({ ...P, runId: "r06" });
    expect(v.columns.runtime![r06]).toBe(run!.runtime);
    expect(v.columns.createdAt![r06]).toBe(Date.parse(run!.createdAt));
  });

  it("makes arrays, objects and keys no run has null", async () => {
    const v = await store.meta.runValues(P, { keys: fields("config.layers,config.optimizer,config.nothing,summary.nothing"), limit: 1000 });
    for (const col of Object.values(v.columns)) expect(col).toEqual(new Array(N).fill(null));
  });

  it.each([
    ["config.lr < 0.01", undefined],
    ["config.opt in (adam, lion) and state = finished", undefined],
    ["not config.dropout exists or group = g2", undefined],
    [undefined, "mlp-1"],
    ["tags contains baseline", "cnn"],
    ["config.lr = NaN", undefined],
    ["config.nothing > 1", undefined],
  ])("matches the runs listing for filter %s and search %s", async (filter, search) => {
    const v = await store.meta.runValues(P, { keys: fields("config.lr"), filter: filter === undefined ? null : parseFilter(filter), search, limit: 1000 });
    const expected = await listed(filter, search);
    expect(v.ids).toEqual(expected);
    expect(v.total).toBe(expected.length);
    expect(v.columns["config.lr"]).toHaveLength(expected.length);
  });

  it("keeps the newest runs up to limit and counts the rest", async () => {
    const all = await store.meta.runValues(P, { keys: fields("summary.val/acc"), limit: 10 });
    expect(all).toMatchObject({ total: N, truncated: true });
    expect(all.ids).toEqual((await listed(undefined)).slice(0, 10));
    const filtered = await store.meta.runValues(P, { keys: fields("summary.val/acc"), filter: parseFilter("config.opt = adam"), limit: 5 });
    expect(filtered.total).toBe(N / 3);
    expect(filtered.truncated).toBe(true);
    expect(filtered.ids).toEqual((await listed("config.opt = adam")).slice(0, 5));
  });

  it("reads a key the same way whether it scans the key's index or looks up each run", async () => {
    // 10 of 60 runs: per-run lookups; all 60: one scan of each key's index slice.
    const keys = fields("config.lr,config.opt,config.fp16,config.dropout,config.layers,summary.val/acc,runtime");
    const all = await store.meta.runValues(P, { keys, limit: 1000 });
    const few = await store.meta.runValues(P, { keys, limit: 10 });
    for (const [k, col] of Object.entries(all.columns)) expect(few.columns[k]).toEqual(col.slice(0, 10));
    expect(few.ids).toEqual(all.ids.slice(0, 10));
    expect(few.names).toEqual(all.names.slice(0, 10));
  });

  it("reads forty keys at once, in the order asked", async () => {
    const src = Array.from({ length: 40 }, (_, k) => `config.wide.k${39 - k}`).join(",");
    const v = await store.meta.runValues(P, { keys: fields(`runtime,${src}`), limit: 1000 });
    expect(Object.keys(v.columns)).toHaveLength(41);
    expect(Object.keys(v.columns)[1]).toBe("config.wide.k39");
    v.ids.forEach((id, row) => {
      for (let k = 0; k < 40; k++) expect(v.columns[`config.wide.k${k}`]![row]).toBe(Number(id.slice(1)) * 100 + k);
    });
  });

  it("restricts to the given run ids, still newest first", async () => {
    const v = await store.meta.runValues(P, { keys: fields("config.opt"), runs: ["r03", "r40", "r11", "nope"], limit: 1000 });
    expect(v.ids).toEqual(["r40", "r11", "r03"]);
    expect(v.columns["config.opt"]).toEqual([OPT[1], OPT[2], OPT[0]]);
  });

  it("answers an unknown project with no runs and refuses tags as a column", async () => {
    const v = await store.meta.runValues({ entity: "ada", project: "none" }, { keys: fields("config.lr"), limit: 10 });
    expect(v).toEqual({ total: 0, truncated: false, ids: [], names: [], columns: { "config.lr": [] } });
    await expect(store.meta.runValues(P, { keys: fields("tags"), limit: 10 })).rejects.toMatchObject({ field: "keys" });
  });
});
