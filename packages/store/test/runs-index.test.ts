// The runs index on the SQLite engine, held to the filter grammar's reference semantics
// (protocol evaluateFilter): thousands of generated runs go in through ingest, and every filter,
// sort, plan and page must list exactly the runs a brute-force evaluation of the inputs lists, in
// the same order. Also: group-by, the key listing, the config tree, index upkeep as config and
// summary change, and the backfill of a database written before the index existed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compareText, evaluateFilter, normalizeLeaf, parseField, parseFieldList, parseFilter, parseSort,
  type FilterSubject, type Run, type RunAttribute, type RunRow, type Scope, type SortSpec, type WireRecord,
} from "@orrery/protocol";
import type { IngestBatchInput, ProjectRef, RunRef } from "../src/interfaces.js";
import { MIGRATIONS, migrate } from "../src/sqlite/migrations.js";
import { SqliteStore } from "../src/sqlite/store.js";
import { SMALL_CONFIG_KEYS } from "../src/sqlite/runs-index-query.js";

const root = mkdtempSync(join(tmpdir(), "orrery-runs-index-"));
let dirs = 0;
const freshDir = (): string => join(root, `s${++dirs}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const P: ProjectRef = { entity: "ada", project: "grid" };
const T0 = Date.UTC(2026, 0, 1);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;

/** What we sent for one run, and what its config and summary must therefore be. */
interface Generated {
  runId: string;
  row: number;
  config: Json;
  summary: Json;
  first: WireRecord[];
  second: WireRecord[];
}

const isPlain = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Leaves of a config or summary object, keyed by their path segments joined with U+0001. */
function leaves(o: Json, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  for (const k of Object.keys(o)) {
    const key = prefix === "" ? k : `${prefix}\u0001${k}`;
    const v = o[k];
    if (isPlain(v) && Object.keys(v).length > 0) leaves(v, key, out);
    else out.set(key, v);
  }
  return out;
}

function generate(n: number, seed: number): Generated[] {
  const out: Generated[] = [];
  for (let i = 0; i < n; i++) {
    const r = mulberry32(seed * 1_000_003 + i);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const config: Json = { seed: i };
    const optimizer: Json = { name: pick(["adam", "sgd", "AdamW", "lion", "Adam"]) };
    const u = r();
    if (u < 0.06) optimizer.lr = "auto";
    else if (u < 0.09) optimizer.lr = null;
    else if (u < 0.18) { /* no lr */ } else optimizer.lr = Math.round(10 ** (-5 + 4 * r()) * 1e9) / 1e9;
    config.optimizer = optimizer;
    if (r() < 0.8) config.layers = pick([[64, 32], [128, 64, 32], [256], ["wide", 3]]);
    if (r() < 0.7) config.flag = r() < 0.5;
    if (r() < 0.1) config["a.b"] = i % 7;
    if (r() < 0.1) config.model = {};
    else if (r() < 0.8) config.model = { enc: { dim: pick([64, 128, 256]), act: pick(["relu", "gelu", "Tanh"]) } };
    if (r() < 0.6) config.text = pick(["alpha beta", "Gamma", "DELTA-x", "", "café", "naïve z"]);
    if (r() < 0.05) config.inf = pick(["Infinity", "-Infinity", "NaN"]);

    // History: out-of-order steps, repeated steps (later write wins), NaN and Infinity.
    const points = new Map<string, Map<number, number>>();
    const hist: WireRecord[] = [];
    const steps = 1 + Math.floor(r() * 5);
    const order = Array.from({ length: steps }, (_, s) => s).sort(() => r() - 0.5);
    if (r() < 0.3) order.push(order[0]!);
    for (const step of order) {
      const values: Json = {};
      for (const key of ["val/acc", "loss", "train.loss"]) {
        if (key === "train.loss" && i % 4 !== 0) continue;
        const x = r();
        const v = x < 0.04 ? NaN : x < 0.05 ? Infinity : Math.round(r() * 1e6) / 1e6;
        values[key] = Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v;
        let m = points.get(key);
        if (m === undefined) points.set(key, (m = new Map()));
        m.set(step, v);
      }
      hist.push({ seq: 0, ts: 0, type: "history", step, values } as WireRecord);
    }
    const modes: Record<string, string> = {};
    if (r() < 0.2) modes.loss = pick(["min", "max", "mean", "none", "last"]);
    const overrides: Json = {};
    const summaryRecords: WireRecord[] = [];
    const ov = r();
    if (ov < 0.1) { overrides["val/acc"] = 0.5; summaryRecords.push({ type: "summary", values: { "val/acc": 0.5 } } as unknown as WireRecord); }
    else if (ov < 0.2) { overrides.best = { acc: Math.round(r() * 100) / 100, note: "ok" }; summaryRecords.push({ type: "summary", values: { best: overrides.best } } as unknown as WireRecord); }
    else if (ov < 0.25) {
      summaryRecords.push({ type: "summary", values: { loss: "override", gone: 1 } } as unknown as WireRecord);
      summaryRecords.push({ type: "summary", values: { loss: null, gone: null } } as unknown as WireRecord);
    }
    const summary: Json = {};
    for (const [key, m] of points) {
      const mode = modes[key] ?? "last";
      if (mode === "none") continue;
      const steps2 = [...m.keys()].sort((a, b) => a - b);
      const vals = steps2.map((s) => m.get(s)!);
      const real = vals.filter((v) => !Number.isNaN(v));
      let v: number;
      if (mode === "last") v = m.get(steps2[steps2.length - 1]!)!;
      else if (mode === "min") v = real.length === 0 ? NaN : Math.min(...real);
      else if (mode === "max") v = real.length === 0 ? NaN : Math.max(...real);
      else v = real.length === 0 ? NaN : real.reduce((a, b) => a + b, 0) / real.length;
      summary[key] = v;
    }
    Object.assign(summary, overrides);

    const tags = [...new Set(Array.from({ length: Math.floor(r() * 3) }, () => pick(["x", "y", "zz", "mlp", "Mlp-2"])))];
    const runRec = {
      type: "run", name: `${pick(["brisk", "calm", "MLP", "deep-mlp"])}-${i}`, tags,
      ...(r() < 0.8 ? { group: `g${i % 5}` } : {}), ...(r() < 0.5 ? { jobType: pick(["train", "eval"]) } : {}),
      config: i % 3 === 0 ? {} : config,
    };
    const first: WireRecord[] = [runRec as unknown as WireRecord];
    const second: WireRecord[] = [];
    // Some configs arrive in later config records (and, for some, nested under a path).
    if (i % 3 === 0) {
      if (i % 6 === 0 && isPlain(config.model) && Object.keys(config.model).length > 0) {
        const { model, ...rest } = config;
        first.push({ type: "config", values: rest } as unknown as WireRecord);
        second.push({ type: "config", values: { model: {} } } as unknown as WireRecord);
        second.push({ type: "config", path: ["model"], values: model } as unknown as WireRecord);
      } else {
        // A first value that a later record replaces whole.
        first.push({ type: "config", values: { ...config, optimizer: { name: "stale", extra: 1 } } } as unknown as WireRecord);
        second.push({ type: "config", values: { optimizer: config.optimizer } } as unknown as WireRecord);
      }
    }
    for (const [key, mode] of Object.entries(modes)) first.push({ type: "define_metric", key, summary: mode } as unknown as WireRecord);
    const half = Math.ceil(hist.length / 2);
    first.push(...hist.slice(0, half));
    second.push(...hist.slice(half), ...summaryRecords);
    const f = r();
    if (f < 0.7) second.push({ type: "finish", exitCode: 0 } as unknown as WireRecord);
    else if (f < 0.8) second.push({ type: "finish", exitCode: 3 } as unknown as WireRecord);
    let seq = 0;
    const stamp = (recs: WireRecord[], base: number): void => {
      for (const rec of recs) Object.assign(rec, { seq: ++seq, ts: base + seq * 1000 + Math.floor(r() * 500) });
    };
    stamp(first, T0 + i * 10_000);
    stamp(second, T0 + i * 10_000 + 60_000);
    out.push({ runId: `run-${String(i).padStart(4, "0")}`, row: i, config, summary, first, second });
  }
  return out;
}

async function ingest(store: SqliteStore, runs: readonly Generated[], per = 100): Promise<void> {
  for (let base = 0; base < runs.length; base += per) {
    const group = runs.slice(base, base + per);
    const now = T0 + base * 1000;
    for (const half of ["first", "second"] as const) {
      const batches: IngestBatchInput[] = group.map((g) => ({ run: { ...P, runId: g.runId }, records: g[half] }));
      const outcomes = await store.appendMany(batches, now + (half === "second" ? 500 : 0));
      for (const o of outcomes) {
        if ("error" in o) throw o.error;
        expect(o.result.rejected).toEqual([]);
      }
    }
  }
}

/** The reference: every run's leaves and attributes, and the project's keys for path resolution. */
class Reference {
  readonly leaves: Map<string, unknown>[][];
  readonly keys: [Set<string>, Set<string>];
  constructor(readonly gen: readonly Generated[], readonly runs: readonly Run[]) {
    this.leaves = gen.map((g) => [leaves(g.config), leaves(g.summary)]);
    this.keys = [new Set(), new Set()];
    for (const [c, s] of this.leaves) {
      for (const k of c!.keys()) this.keys[0].add(k);
      for (const k of s!.keys()) this.keys[1].add(k);
    }
    // Keys a run once had and lost still resolve (the dictionary keeps them).
    this.keys[0].add("optimizer\u0001extra");
    this.keys[1].add("gone");
  }

  /** The key a path resolves to, as the store documents: exact, else the one dotted spelling. */
  resolve(scope: Scope, path: readonly string[]): string | undefined {
    const set = this.keys[scope === "config" ? 0 : 1];
    const exact = path.join("\u0001");
    if (set.has(exact)) return exact;
    const dotted = path.join(".");
    const hits = [...set].filter((k) => k.includes(".") && k.split("\u0001").join(".") === dotted);
    if (hits.length > 1) throw new Error(`ambiguous ${dotted}`);
    return hits[0];
  }

  subject(i: number): FilterSubject {
    const run = this.runs[i]!;
    return {
      key: (scope, path) => {
        const k = this.resolve(scope, path);
        return k === undefined ? undefined : this.leaves[i]![scope === "config" ? 0 : 1]!.get(k);
      },
      attribute: (name) => attribute(run, name),
    };
  }
}

function attribute(run: Run, name: RunAttribute): string | number | null | readonly string[] {
  switch (name) {
    case "createdAt": case "startedAt": case "endedAt": case "heartbeatAt": {
      const v = run[name];
      return v === null ? null : Date.parse(v);
    }
    default: return run[name] as string | number | null | readonly string[];
  }
}

type SortTuple = { missing: boolean; rank: number; value: number | string; tie: number | string };

function sortTuple(ref: Reference, i: number, spec: SortSpec): SortTuple {
  const f = spec.field;
  if (f.kind === "key") {
    const v = normalizeLeaf(ref.subject(i).key(f.scope, f.path));
    if (typeof v === "number" && !Number.isNaN(v)) return { missing: false, rank: 1, value: v, tie: i };
    if (typeof v === "string") return { missing: false, rank: 2, value: v, tie: i };
    if (typeof v === "boolean") return { missing: false, rank: 3, value: v ? 1 : 0, tie: i };
    return { missing: true, rank: 0, value: 0, tie: i };
  }
  const v = attribute(ref.runs[i]!, f.name);
  const tie = f.name === "createdAt" ? ref.runs[i]!.id : i;
  if (v === null) return { missing: true, rank: 0, value: 0, tie: i };
  return { missing: false, rank: 0, value: f.name === "runtime" ? Math.round((v as number) * 1000) : (v as number | string), tie };
}

function cmp(a: number | string, b: number | string): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  return compareText(String(a), String(b));
}

function expectedOrder(ref: Reference, ids: number[], spec: SortSpec): number[] {
  const sign = spec.direction === "desc" ? -1 : 1;
  const t = new Map(ids.map((i) => [i, sortTuple(ref, i, spec)]));
  return [...ids].sort((x, y) => {
    const a = t.get(x)!;
    const b = t.get(y)!;
    if (a.missing !== b.missing) return a.missing ? 1 : -1;
    if (a.missing) return sign * (x - y);
    return sign * (a.rank - b.rank || cmp(a.value, b.value) || cmp(a.tie, b.tie));
  });
}

const FILTERS = [
  "config.optimizer.lr < 0.001",
  "config.optimizer.lr >= 1e-4 and config.optimizer.lr <= 0.01",
  "config.optimizer.lr = auto",
  "config.optimizer.lr = null",
  "config.optimizer.lr != null",
  "config.optimizer.lr exists",
  "config.optimizer.lr not exists",
  "config.optimizer.lr > \"a\"",
  "config.optimizer.name = adam",
  "config.optimizer.name in (adam, AdamW, lion)",
  "config.optimizer.name not in (adam, sgd)",
  "config.optimizer.name contains ADAM",
  "config.optimizer.name > \"Z\"",
  "config.optimizer.name != adam",
  "config.flag = true",
  "config.flag != false",
  "config.layers contains 64",
  "config.layers contains wide",
  "config.layers contains 3 or config.layers contains \"3\"",
  "config.layers exists and not config.layers contains 32",
  "config.a.b >= 3",
  "config.`a.b` in (1, 2)",
  "config.model exists",
  "config.model.enc.dim = 128 and config.model.enc.act = gelu",
  "config.model.enc.act contains L",
  "config.text contains \"A\"",
  "config.text = \"\"",
  "config.text contains \"é\"",
  "config.inf = Infinity or config.inf = -Infinity",
  "config.inf = NaN",
  "config.missing.key = 1",
  "config.missing.key != 1",
  "config.seed < 100 or config.seed > 1900",
  "config.seed in (5, 17, 400, 1999)",
  "summary.val/acc > 0.9",
  "summary.val/acc = NaN",
  "summary.val/acc != NaN and summary.val/acc <= 0.2",
  "summary.val/acc = Infinity",
  "summary.loss < 0.3 and summary.loss exists",
  "summary.loss = override",
  "summary.train.loss > 0.5",
  "summary.`train.loss` < 0.5",
  "summary.best.acc >= 0.5",
  "summary.best.note = ok",
  "summary.gone exists",
  "state = finished",
  "state in (failed, running)",
  "state != finished and config.optimizer.name = sgd",
  "name contains mlp",
  "name contains \"p-1\"",
  "name = calm-7 or name = MLP-8",
  "name > \"deep\"",
  "tags contains mlp",
  "tags contains x and tags contains y",
  "tags in (zz, Mlp-2)",
  "tags exists",
  "not tags exists",
  "tags != x",
  "group = g1",
  "group = null",
  "group != null and jobType = eval",
  "jobType not exists",
  "id = run-0042",
  "id in (run-0001, run-0002, run-1999)",
  "exitCode = 3",
  "exitCode = null",
  "lastStep >= 3",
  "runtime > 62",
  "not (config.optimizer.lr < 0.01 or summary.val/acc < 0.5) and state = finished",
  "((config.flag = true) and (config.optimizer.name = adam or config.optimizer.name = sgd)) or summary.val/acc > 0.99",
];

const SORTS = [undefined, "summary.val/acc:desc", "config.optimizer.lr:asc", "config.optimizer.name:desc", "name:asc", "group:desc", "runtime:desc", "config.layers:asc"];

describe("the runs index on thousands of generated runs", () => {
  let store: SqliteStore;
  let gen: Generated[];
  let ref: Reference;
  let byId: Map<string, number>;

  beforeAll(async () => {
    store = new SqliteStore(freshDir(), { materializer: { autoStart: false } });
    gen = generate(2000, 7);
    await ingest(store, gen);
    const runs: Run[] = [];
    for (const g of gen) runs.push((await store.meta.getRun({ ...P, runId: g.runId }))!);
    ref = new Reference(gen, runs);
    byId = new Map(gen.map((g, i) => [g.runId, i]));
  }, 120_000);
  afterAll(async () => { await store.close(); });

  const ids = (runs: readonly { id: string }[]): number[] => runs.map((r) => byId.get(r.id)!);

  async function all(filter: string | null, sort: string | undefined, plan: "auto" | "sort" | "filter", limit: number, extra: { search?: string } = {}) {
    const out: number[] = [];
    let cursor: string | undefined;
    let total: number | null = null;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await store.meta.queryRuns(P, {
        filter: filter === null ? null : parseFilter(filter), sort: sort === undefined ? undefined : parseSort(sort),
        limit, cursor, plan, columns: parseFieldList("summary.val/acc", "columns"), ...extra,
      });
      out.push(...ids(page.runs));
      if (pages === 0) total = page.total;
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    return { out, total };
  }

  it("stores each run's config exactly as sent, rebuilt from the index", () => {
    for (let i = 0; i < gen.length; i++) {
      const expected = JSON.parse(JSON.stringify(gen[i]!.config)) as Json;
      expect(ref.runs[i]!.config, gen[i]!.runId).toEqual(expected);
      expect(ref.runs[i]!.configKeyCount).toBe(leaves(gen[i]!.config).size);
    }
  });

  it("keeps the summary the ingest rules define: last value, declared aggregate, overrides", () => {
    for (let i = 0; i < gen.length; i++) {
      const expected: Json = {};
      for (const [k, v] of Object.entries(gen[i]!.summary)) expected[k] = typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
      const got = ref.runs[i]!.summary;
      expect(Object.keys(got).sort(), gen[i]!.runId).toEqual(Object.keys(expected).sort());
      for (const k of Object.keys(expected)) {
        if (typeof expected[k] === "number") expect(got[k], `${gen[i]!.runId} ${k}`).toBeCloseTo(expected[k] as number, 9);
        else expect(got[k], `${gen[i]!.runId} ${k}`).toEqual(expected[k]);
      }
    }
  });

  it.each(FILTERS)("filter %s lists exactly the runs the reference matches, in every sort and plan", async (filter) => {
    const node = parseFilter(filter)!;
    const matching = gen.map((_, i) => i).filter((i) => evaluateFilter(node, ref.subject(i)));
    // Three sorts per filter, rotating through SORTS, keep the file's time reasonable.
    const at = FILTERS.indexOf(filter);
    for (const sort of [SORTS[at % SORTS.length], SORTS[(at + 3) % SORTS.length], SORTS[(at + 5) % SORTS.length]]) {
      const spec = sort === undefined ? parseSort("createdAt:desc") : parseSort(sort);
      const expected = expectedOrder(ref, matching, spec);
      for (const plan of ["auto", "sort", "filter"] as const) {
        const { out, total } = await all(filter, sort, plan, 500);
        expect(out, `${filter} | sort ${sort} | plan ${plan}`).toEqual(expected);
        if (total !== null) expect(total).toBe(matching.length);
      }
    }
  });

  it("pages of seven cover a sorted, filtered listing exactly once in order", async () => {
    for (const [filter, sort] of [["config.optimizer.lr < 0.01", "summary.val/acc:desc"], [null, "config.optimizer.lr:asc"], ["tags contains x", "name:asc"], [null, undefined]] as const) {
      const node = filter === null ? null : parseFilter(filter);
      const matching = gen.map((_, i) => i).filter((i) => evaluateFilter(node, ref.subject(i)));
      const expected = expectedOrder(ref, matching, parseSort(sort ?? "createdAt:desc"));
      for (const plan of ["sort", "filter"] as const) {
        expect((await all(filter, sort, plan, 7)).out).toEqual(expected);
      }
    }
  });

  it("search finds runs whose name or a tag contains the text, ignoring A-Z case", async () => {
    for (const text of ["mlp", "MLP-2", "p-", "-1", "zz", "nothing-here"]) {
      const q = text.toLowerCase();
      const expected = expectedOrder(
        ref,
        ref.runs.map((_, i) => i).filter((i) => ref.runs[i]!.name.toLowerCase().includes(q) || ref.runs[i]!.tags.some((t) => t.toLowerCase().includes(q))),
        parseSort("createdAt:desc"),
      );
      for (const plan of ["sort", "filter", "auto"] as const) expect((await all(null, undefined, plan, 500, { search: text })).out, text).toEqual(expected);
    }
  });

  it("counts the matches when asked, whatever the plan", async () => {
    const page = await store.meta.queryRuns(P, { filter: parseFilter("config.optimizer.lr < 0.01 or state = failed"), limit: 1, countAll: true, plan: "sort" });
    const node = parseFilter("config.optimizer.lr < 0.01 or state = failed");
    expect(page.total).toBe(gen.filter((_, i) => evaluateFilter(node, ref.subject(i))).length);
    const none = await store.meta.queryRuns(P, { filter: parseFilter("config.optimizer.lr < 0.01 or state = failed"), limit: 1, plan: "sort" });
    expect(none.total).toBeNull();
    expect((await store.meta.queryRuns(P, { limit: 1 })).total).toBe(gen.length);
  });

  it("columns carry typed values keyed as asked, and whole objects for object keys", async () => {
    const page = await store.meta.queryRuns(P, {
      filter: parseFilter("id in (run-0001, run-0004)"), sort: parseSort("id:asc"), limit: 10,
      columns: parseFieldList("config.optimizer.lr,config.model,summary.val/acc,config.layers,config.nope,summary.train.loss", "columns"),
    });
    const rows = page.runs as RunRow[];
    expect(rows.map((r) => r.id)).toEqual(["run-0001", "run-0004"]);
    for (const row of rows) {
      const g = gen[byId.get(row.id)!]!;
      expect(row).not.toHaveProperty("config");
      const expected: Json = {};
      const opt = g.config.optimizer as Json;
      if (Object.hasOwn(opt, "lr")) expected["config.optimizer.lr"] = opt.lr;
      if (g.config.model !== undefined) expected["config.model"] = g.config.model;
      const acc = g.summary["val/acc"];
      if (acc !== undefined) expected["summary.val/acc"] = typeof acc === "number" && !Number.isFinite(acc) ? String(acc) : acc;
      if (g.config.layers !== undefined) expected["config.layers"] = g.config.layers;
      const tl = g.summary["train.loss"];
      if (tl !== undefined) expected["summary.train.loss"] = typeof tl === "number" && !Number.isFinite(tl) ? String(tl) : tl;
      expect(row.values).toEqual(expected);
    }
  });

  it("groups runs by a key and a run field with counts and numeric aggregates", async () => {
    const res = await store.meta.groupRuns(P, {
      by: parseFieldList("config.optimizer.name,group", "by"),
      filter: parseFilter("state = finished"),
      aggregates: [{ ...parseFieldList("summary.val/acc", "aggregate")[0]!, fns: [] }, { ...parseFieldList("config.optimizer.lr", "aggregate")[0]!, fns: ["max"] }],
      limit: 1000,
    });
    const node = parseFilter("state = finished")!;
    const expected = new Map<string, { count: number; acc: number[]; lr: number[] }>();
    gen.forEach((g, i) => {
      if (!evaluateFilter(node, ref.subject(i))) return;
      const key = JSON.stringify([(g.config.optimizer as Json).name, ref.runs[i]!.group]);
      let e = expected.get(key);
      if (e === undefined) expected.set(key, (e = { count: 0, acc: [], lr: [] }));
      e.count++;
      const acc = normalizeLeaf(ref.subject(i).key("summary", ["val/acc"]));
      if (typeof acc === "number" && !Number.isNaN(acc)) e.acc.push(acc);
      const lr = (g.config.optimizer as Json).lr;
      if (typeof lr === "number") e.lr.push(lr);
    });
    expect(res.groups).toHaveLength(expected.size);
    for (const g of res.groups) {
      const e = expected.get(JSON.stringify([g.key["config.optimizer.name"], g.key.group]))!;
      expect(e, JSON.stringify(g.key)).toBeDefined();
      expect(g.count).toBe(e.count);
      const a = g.aggregates["summary.val/acc"]!;
      expect(a.count).toBe(e.acc.length);
      const finite = e.acc.filter(Number.isFinite);
      if (finite.length === e.acc.length && e.acc.length > 0) {
        expect(a.mean as number).toBeCloseTo(e.acc.reduce((x, y) => x + y, 0) / e.acc.length, 9);
        expect(a.sum as number).toBeCloseTo(e.acc.reduce((x, y) => x + y, 0), 9);
        expect(a.min).toBe(Math.min(...e.acc));
      }
      expect(a.max).toBe(e.acc.length === 0 ? null : (Math.max(...e.acc) === Infinity ? "Infinity" : Math.max(...e.acc)));
      expect(g.aggregates["config.optimizer.lr"]).toEqual({ max: e.lr.length === 0 ? null : Math.max(...e.lr) });
    }
    // Key order: text values in byte order, null last within each level.
    const names = res.groups.map((g) => g.key["config.optimizer.name"] as string);
    expect(names).toEqual([...names].sort(compareText));
  });

  it("puts runs without the group key in one null group, last, and pages groups", async () => {
    const res = await store.meta.groupRuns(P, { by: parseFieldList("config.flag", "by"), limit: 2 });
    expect(res.groups.map((g) => g.key["config.flag"])).toEqual([false, true]);
    const rest = await store.meta.groupRuns(P, { by: parseFieldList("config.flag", "by"), limit: 2, cursor: res.nextCursor! });
    expect(rest.groups.map((g) => g.key["config.flag"])).toEqual([null]);
    expect(rest.nextCursor).toBeNull();
    const total = [...res.groups, ...rest.groups].reduce((n, g) => n + g.count, 0);
    expect(total).toBe(gen.length);
    const missing = gen.filter((g) => typeof g.config.flag !== "boolean").length;
    expect(rest.groups[0]!.count).toBe(missing);
  });

  it("lists every key with its types and run counts, searchable and paged", async () => {
    const seen: { field: string; runs: number; types: Record<string, number> }[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.meta.listRunKeys(P, { limit: 4, cursor });
      seen.push(...page.keys);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    // Expected: config keys, then summary keys, each in path order (U+0001-joined, byte order).
    const expected = new Map<string, { order: string; types: Record<string, number> }>();
    for (const [scope, i] of [["config", 0], ["summary", 1]] as const) {
      for (const l of ref.leaves) {
        for (const [k, v] of l[i]!) {
          const field = `${scope}.${k.split("\u0001").map((s) => (/^[\p{L}\p{N}_\-/:+@]+$/u.test(s) ? s : `\`${s}\``)).join(".")}`;
          const n = normalizeLeaf(v);
          const type = typeof n === "number" ? "number" : typeof n === "string" ? "string" : typeof n === "boolean" ? "boolean"
            : n === null ? "null" : Array.isArray(n) ? "array" : "object";
          let e = expected.get(field);
          if (e === undefined) expected.set(field, (e = { order: `${i}\u0000${k}`, types: {} }));
          e.types[type] = (e.types[type] ?? 0) + 1;
        }
      }
    }
    const order = [...expected.entries()].sort((a, b) => compareText(a[1].order, b[1].order)).map(([f]) => f);
    expect(seen.map((k) => k.field)).toEqual(order);
    for (const k of seen) {
      expect(k.types, k.field).toEqual(expected.get(k.field)!.types);
      expect(k.runs).toBe(Object.values(k.types).reduce((a, b) => a + b, 0));
    }
    const found = await store.meta.listRunKeys(P, { limit: 100, search: "LR" });
    expect(found.keys.map((k) => k.field)).toEqual(["config.optimizer.lr"]);
    const summaryOnly = await store.meta.listRunKeys(P, { limit: 100, scope: "summary" });
    expect(summaryOnly.keys.every((k) => k.scope === "summary")).toBe(true);
    expect(summaryOnly.keys.map((k) => k.field)).toContain("summary.`train.loss`");
  });

  it("refuses a path that could mean two keys, naming both", async () => {
    const s2 = new SqliteStore(freshDir(), { materializer: { autoStart: false } });
    try {
      await s2.appendBatch({ ...P, runId: "a" }, [{ seq: 1, ts: T0, type: "run", config: { "x.y": 1, x: { "y.z": 2 }, "x.y.z": 3 } } as WireRecord], T0);
      await expect(s2.meta.queryRuns(P, { filter: parseFilter("config.x.y.z = 3"), limit: 10 })).rejects.toMatchObject({
        code: "invalid_filter", message: expect.stringMatching(/could mean config\.`x\.y\.z` or config\.x\.`y\.z`|could mean config\.x\.`y\.z` or config\.`x\.y\.z`/),
      });
      const ok = await s2.meta.queryRuns(P, { filter: parseFilter("config.x.y = 1 and config.x.`y.z` = 2"), limit: 10 });
      expect(ok.runs).toHaveLength(1);
    } finally {
      await s2.close();
    }
  });

  it("refuses cursors it did not issue or issued for another sort", async () => {
    const page = await store.meta.queryRuns(P, { sort: parseSort("summary.val/acc:desc"), limit: 5 });
    await expect(store.meta.queryRuns(P, { sort: parseSort("config.seed:desc"), limit: 5, cursor: page.nextCursor! }))
      .rejects.toMatchObject({ code: "invalid_request", field: "cursor" });
    await expect(store.meta.queryRuns(P, { limit: 5, cursor: "bm9wZQ" })).rejects.toMatchObject({ code: "invalid_request", field: "cursor" });
  });
});

describe("runs index upkeep", () => {
  let store: SqliteStore;
  let seq: number;
  const ref: RunRef = { ...P, runId: "live" };
  const send = async (...records: object[]) => {
    const recs = records.map((r) => ({ seq: ++seq, ts: T0 + seq, ...r }) as WireRecord);
    const res = await store.appendBatch(ref, recs, T0 + seq);
    expect(res.rejected).toEqual([]);
  };
  const value = async (field: string): Promise<unknown> => {
    const page = await store.meta.queryRuns(P, { limit: 1, filter: parseFilter("id = live"), columns: parseFieldList(field, "columns") });
    return (page.runs[0] as RunRow).values[field];
  };
  const matches = async (filter: string): Promise<boolean> =>
    (await store.meta.queryRuns(P, { limit: 1, filter: parseFilter(filter) })).runs.length === 1;
  const keyInfo = async (field: string) => (await store.meta.listRunKeys(P, { limit: 1000 })).keys.find((k) => k.field === field);

  beforeAll(() => {
    store = new SqliteStore(freshDir(), { materializer: { autoStart: false } });
    seq = 0;
  });
  afterAll(async () => { await store.close(); });

  it("follows the summary as history rows arrive, out of order and repeated", async () => {
    await send({ type: "run", config: { lr: 0.1 } }, { type: "history", step: 5, values: { acc: 0.5 } });
    expect(await value("summary.acc")).toBe(0.5);
    await send({ type: "history", step: 3, values: { acc: 0.9 } });
    expect(await value("summary.acc")).toBe(0.5);
    await send({ type: "history", step: 5, values: { acc: 0.7 } });
    expect(await value("summary.acc")).toBe(0.7);
    await send({ type: "history", step: 9, values: { acc: "NaN" } });
    expect(await value("summary.acc")).toBe("NaN");
    expect(await matches("summary.acc = NaN")).toBe(true);
    expect(await matches("summary.acc > 0")).toBe(false);
  });

  it("switches to the declared aggregate and back", async () => {
    await send({ type: "define_metric", key: "acc", summary: "max" });
    expect(await value("summary.acc")).toBe(0.9);
    await send({ type: "define_metric", key: "acc", summary: "mean" });
    expect(await value("summary.acc")).toBeCloseTo((0.9 + 0.7) / 2, 12);
    await send({ type: "define_metric", key: "acc", summary: "none" });
    expect(await value("summary.acc")).toBeUndefined();
    expect(await matches("summary.acc exists")).toBe(false);
    await send({ type: "define_metric", key: "acc", summary: "min" });
    expect(await value("summary.acc")).toBe(0.7);
  });

  it("puts overrides over the automatic value, nested ones flattened, and restores it on null", async () => {
    await send({ type: "summary", values: { acc: { best: 1, at: "end" } } });
    expect(await value("summary.acc")).toEqual({ best: 1, at: "end" });
    expect(await value("summary.acc.best")).toBe(1);
    expect(await matches("summary.acc.at = end")).toBe(true);
    await send({ type: "history", step: 10, values: { acc: 0.1 } });
    expect(await value("summary.acc.best")).toBe(1);
    await send({ type: "summary", values: { acc: null } });
    expect(await value("summary.acc")).toBe(0.1);
    expect(await matches("summary.acc.best exists")).toBe(false);
    expect((await keyInfo("summary.acc.best"))).toBeUndefined();
    expect((await keyInfo("summary.acc"))?.types).toEqual({ number: 1 });
  });

  it("replaces a config key's whole value, with its type counts", async () => {
    await send({ type: "config", values: { opt: { name: "adam", betas: [0.9, 0.99], sched: { warmup: 10 } } } });
    expect(await matches("config.opt.sched.warmup = 10")).toBe(true);
    expect((await keyInfo("config.opt.name"))?.types).toEqual({ string: 1 });
    await send({ type: "config", values: { opt: { name: true } } });
    expect(await matches("config.opt.sched.warmup exists")).toBe(false);
    expect(await keyInfo("config.opt.sched.warmup")).toBeUndefined();
    expect((await keyInfo("config.opt.name"))?.types).toEqual({ boolean: 1 });
    await send({ type: "run", config: { opt: 5, lr: "x" } });
    expect(await value("config.opt")).toBe(5);
    expect(await keyInfo("config.opt.name")).toBeUndefined();
    const run = await store.meta.getRun(ref);
    expect(run?.config).toEqual({ opt: 5, lr: "x" });
    expect(run?.configKeyCount).toBe(2);
  });

  it("follows tags and names edited after the run started, for tag filters and search", async () => {
    await send({ type: "run", name: "first-name", tags: ["old"] });
    expect(await matches("tags contains old")).toBe(true);
    await store.meta.patchRun(ref, { tags: ["fresh", "Shiny"], name: "renamed-run" });
    expect(await matches("tags contains old")).toBe(false);
    expect(await matches("tags contains fresh and name = renamed-run")).toBe(true);
    for (const search of ["shiny", "NAMED-R", "re"]) {
      expect((await store.meta.queryRuns(P, { search, limit: 5 })).runs.map((r) => r.id), search).toEqual(["live"]);
    }
    expect((await store.meta.queryRuns(P, { search: "first", limit: 5 })).runs).toEqual([]);
  });

  it("sets keys under a path, creating objects and replacing a leaf on the way", async () => {
    await send({ type: "config", values: { net: {} } });
    expect((await store.meta.getRun(ref))?.config.net).toEqual({});
    await send({ type: "config", path: ["net"], values: { enc: { dim: 4 }, dec: 1 } });
    await send({ type: "config", path: ["net", "enc"], values: { act: "relu" } });
    await send({ type: "config", path: ["opt", "inner"], values: { z: 1 } });
    const run = await store.meta.getRun(ref);
    expect(run?.config).toEqual({ opt: { inner: { z: 1 } }, lr: "x", net: { enc: { dim: 4, act: "relu" }, dec: 1 } });
    expect(run?.configKeyCount).toBe(5);
  });
});

describe("config tree", () => {
  let store: SqliteStore;
  const big: Json = {};
  const small: Json = { b: 1, a: { y: [1, 2], x: { deep: true } }, "a.dot": "v", z: {} };

  beforeAll(async () => {
    store = new SqliteStore(freshDir(), { materializer: { autoStart: false } });
    // Big enough for the dictionary walk: 61 groups of 100 leaves, one leaf per group holding text.
    for (let g = 0; g < 61; g++) {
      const group: Json = {};
      for (let k = 0; k < 100; k++) group[`p${String(k).padStart(3, "0")}`] = k === 7 ? `needle-${g}` : g * 1000 + k;
      big[`layer${String(g).padStart(2, "0")}`] = group;
    }
    big.lr = 0.1;
    big["x.y"] = { inner: 1 };
    await store.appendBatch({ ...P, runId: "big" }, [{ seq: 1, ts: T0, type: "run", config: big } as WireRecord], T0);
    await store.appendBatch({ ...P, runId: "small" }, [{ seq: 1, ts: T0, type: "run", config: small } as WireRecord], T0);
  });
  afterAll(async () => { await store.close(); });

  async function level(runId: string, prefix: string[], limit: number, search?: string) {
    const entries: unknown[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = (await store.meta.configTree({ ...P, runId }, { prefix, limit, cursor, search }))!;
      entries.push(...page.entries);
      if (page.nextCursor === null) return { entries, count: page.configKeyCount };
      cursor = page.nextCursor;
    }
  }

  it("lists one level of a big config in path order, objects with their leaf counts, across pages", async () => {
    expect(61 * 100 + 2).toBeGreaterThan(SMALL_CONFIG_KEYS);
    const { entries, count } = await level("big", [], 7);
    expect(count).toBe(61 * 100 + 2);
    expect(entries).toHaveLength(63);
    expect(entries[0]).toEqual({ key: "layer00", path: "layer00", keyCount: 100, keyCountCapped: false });
    expect(entries[61]).toEqual({ key: "lr", path: "lr", value: 0.1 });
    expect(entries[62]).toEqual({ key: "x.y", path: "`x.y`", keyCount: 1, keyCountCapped: false });
    const inner = await level("big", ["layer05"], 30);
    expect(inner.entries).toHaveLength(100);
    expect(inner.entries[7]).toEqual({ key: "p007", path: "layer05.p007", value: "needle-5" });
    expect(inner.entries[8]).toEqual({ key: "p008", path: "layer05.p008", value: 5008 });
    expect((await level("big", ["x.y"], 10)).entries).toEqual([{ key: "inner", path: "`x.y`.inner", value: 1 }]);
    expect((await level("big", ["nope"], 10)).entries).toEqual([]);
  });

  it("lists one level of a small config the same way", async () => {
    expect((await level("small", [], 2)).entries).toEqual([
      { key: "a", path: "a", keyCount: 2, keyCountCapped: false },
      { key: "a.dot", path: "`a.dot`", value: "v" },
      { key: "b", path: "b", value: 1 },
      { key: "z", path: "z", value: {} },
    ]);
    expect((await level("small", ["a"], 1)).entries).toEqual([
      { key: "x", path: "a.x", keyCount: 1, keyCountCapped: false },
      { key: "y", path: "a.y", value: [1, 2] },
    ]);
  });

  it("searches paths and text values under a prefix, in path order, across pages", async () => {
    const hits = await level("big", [], 10, "NEEDLE-1");
    expect((hits.entries as { path: string }[]).map((e) => e.path)).toEqual(
      ["layer01.p007", ...Array.from({ length: 10 }, (_, i) => `layer1${i}.p007`)],
    );
    const underPrefix = await level("big", ["layer03"], 10, "p09");
    expect((underPrefix.entries as { path: string }[]).map((e) => e.path)).toEqual(Array.from({ length: 10 }, (_, i) => `layer03.p09${i}`));
    expect((await level("small", [], 10, "dot")).entries).toEqual([{ key: "a.dot", path: "`a.dot`", value: "v" }]);
    expect((await level("small", ["a"], 10, "DEEP")).entries).toEqual([{ key: "deep", path: "a.x.deep", value: true }]);
  });

  it("returns a truncated config for a run over the inline limit, with its key count", async () => {
    const huge: Json = {};
    for (let i = 0; i < 10_050; i++) huge[`k${i}`] = i;
    await store.appendBatch({ ...P, runId: "huge" }, [{ seq: 1, ts: T0, type: "run", config: huge } as WireRecord], T0);
    const run = (await store.meta.getRun({ ...P, runId: "huge" }))!;
    expect(run.configTruncated).toBe(true);
    expect(run.configKeyCount).toBe(10_050);
    expect(Object.keys(run.config)).toHaveLength(10_000);
    const whole = (await store.meta.getRun({ ...P, runId: "big" }))!;
    expect(whole.configTruncated).toBe(false);
    expect(whole.config).toEqual(big);
  });
});

describe("backfill", () => {
  it("indexes the config and summary of runs stored before the runs index existed", async () => {
    const dir = freshDir();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, "orrery.db"));
    migrate(db, MIGRATIONS.filter((m) => m.version < 3));
    db.exec(`
      INSERT INTO projects (id, entity, name, created_at, run_count) VALUES (1, 'ada', 'grid', 0, 2);
      INSERT INTO runs (id, project_id, run_id, name, tags, created_at, state, config, summary_overrides, metric_modes)
        VALUES (1, 1, 'old1', 'old one', '["keep"]', 1, 'finished', '{"lr":0.5,"opt":{"name":"adam"}}', '{"note":"hi"}', '{"acc":"max"}'),
               (2, 1, 'old2', 'old two', '[]', 2, 'running', '{}', '{}', '{}');
      INSERT INTO metric_keys (id, key) VALUES (100, 'acc');
      INSERT INTO run_keys (run, stream, key_id, count, nan_count, min, max, sum, last_x, last_value)
        VALUES (1, 0, 100, 2, 0, 0.2, 0.8, 1.0, 5, 0.2), (2, 0, 100, 1, 0, 0.4, 0.4, 0.4, 1, 0.4);
    `);
    db.close();
    const store = new SqliteStore(dir, { materializer: { autoStart: false } });
    try {
      const run = (await store.meta.getRun({ ...P, runId: "old1" }))!;
      expect(run.config).toEqual({ lr: 0.5, opt: { name: "adam" } });
      const page = await store.meta.queryRuns(P, {
        filter: parseFilter("config.opt.name = adam and summary.acc = 0.8 and summary.note = hi and tags contains keep"), limit: 10,
      });
      expect(page.runs.map((r) => r.id)).toEqual(["old1"]);
      const sorted = await store.meta.queryRuns(P, { sort: parseSort("summary.acc:asc"), limit: 10, columns: parseFieldList("summary.acc", "columns") });
      expect((sorted.runs as RunRow[]).map((r) => [r.id, r.values["summary.acc"]])).toEqual([["old2", 0.4], ["old1", 0.8]]);
      expect((await store.meta.queryRuns(P, { search: "one", limit: 10 })).runs.map((r) => r.id)).toEqual(["old1"]);
    } finally {
      await store.close();
    }
    const after = new Database(join(dir, "orrery.db"), { readonly: true });
    expect(after.prepare("SELECT count(*) FROM runs_index_state").pluck().get()).toBe(0);
    expect(after.prepare("SELECT config FROM runs WHERE id = 1").pluck().get()).toBe("{}");
    after.close();
  });
});

describe("field parsing for the store", () => {
  it("parses a column path with a backtick-quoted dotted segment", () => {
    expect(parseField("summary.`train.loss`")).toMatchObject({ kind: "key", scope: "summary", path: ["train.loss"] });
  });
});
