// Measures the runs index at scale (not part of `vitest run`): generates N runs deterministically
// through the real ingest path (appendMany, 2,000 runs per commit), then times the runs-table
// queries in-process and, with --server, the server's RSS while it serves them over HTTP.
//
//   npx tsx packages/store/test/runs-index.scale.ts --runs 1000000 --dir /tmp/orrery-1m [--keep] [--server]
//
// A --dir that already holds the generated project is reused (generation is skipped).
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { parseFilter, parseSort, parseFieldList, type WireRecord } from "@orrery/protocol";
import type { IngestBatchInput, ProjectRef, RunQueryOptions } from "../src/interfaces.js";
import { SqliteStore } from "../src/sqlite/store.js";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const N = Number(arg("runs", "100000"));
const DIR = arg("dir", `/tmp/orrery-scale-${N}`);
const P: ProjectRef = { entity: "bench", project: "scale" };

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

const ADJ = ["brisk", "calm", "dark", "eager", "fancy", "gentle", "happy", "icy", "jolly", "keen", "lively", "misty"];
const NOUN = ["owl", "fox", "river", "sun", "moon", "pine", "hawk", "reef", "dune", "glade", "comet", "storm"];
const TAGS = ["baseline", "ablation", "sweep", "prod", "debug", "mlp", "cnn", "transformer", "fp16", "bf16", "ddp", "lora"];
const OPT = ["adam", "sgd", "adamw", "lion"];

function recordsFor(i: number, t0: number): WireRecord[] {
  const r = mulberry32(i + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const lr = 10 ** (-5 + 4 * r());
  const tags = [...new Set(Array.from({ length: Math.floor(r() * 3) }, () => pick(TAGS)))];
  const acc = Math.min(0.999, 0.5 + 0.45 * r());
  let seq = 0;
  const rec = <T extends object>(fields: T) => ({ seq: ++seq, ts: t0 + seq * 1000, ...fields });
  const out: WireRecord[] = [
    rec({
      type: "run" as const, name: `${pick(ADJ)}-${pick(NOUN)}-${i}`, group: `sweep-${i % 100}`, jobType: r() < 0.8 ? "train" : "eval", tags,
      config: {
        optimizer: { name: pick(OPT), lr, beta1: 0.9, weight_decay: pick([0, 1e-4, 1e-2]) },
        model: { layers: 2 + Math.floor(r() * 11), hidden: pick([64, 128, 256, 512, 1024]), dropout: Math.round(r() * 50) / 100 },
        batch_size: pick([32, 64, 128, 256]), seed: i, dataset: pick(["cifar10", "mnist", "imagenet-1k", "shapes"]),
      },
    }),
  ];
  for (let step = 0; step < 3; step++) {
    out.push(rec({ type: "history" as const, step, values: { "train/loss": 2 / (step + 1) * (1.1 - acc), "val/acc": acc * (0.9 + 0.05 * step), "val/loss": 1 - acc + 0.01 * (2 - step) } }));
  }
  const u = r();
  if (u < 0.9) out.push(rec({ type: "finish" as const, exitCode: u < 0.85 ? 0 : 1 }));
  return out;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function generate(store: SqliteStore): Promise<void> {
  const t0 = Date.UTC(2026, 0, 1);
  const start = performance.now();
  const GROUP = 2000;
  for (let base = 0; base < N; base += GROUP) {
    const batches: IngestBatchInput[] = [];
    for (let i = base; i < Math.min(N, base + GROUP); i++) batches.push({ run: { ...P, runId: `r${i.toString(36)}` }, records: recordsFor(i, t0 + i * 60_000) });
    const outcomes = await store.appendMany(batches, t0 + base * 60_000);
    const failed = outcomes.find((o) => "error" in o);
    if (failed !== undefined) throw (failed as { error: unknown }).error;
    if ((base / GROUP) % 50 === 0) {
      const s = (performance.now() - start) / 1000;
      process.stderr.write(`  ${base + batches.length} runs in ${s.toFixed(0)} s (${((base + batches.length) / s).toFixed(0)} runs/s)\n`);
    }
  }
  console.log(`generated ${N} runs in ${((performance.now() - start) / 1000).toFixed(1)} s; data dir ${(dirBytes(DIR) / 2 ** 20).toFixed(0)} MiB`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(label: string, fn: () => Promise<unknown>, reps = 5): Promise<void> {
  const first = performance.now();
  let result = await fn();
  const cold = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  const info = result as { runs?: unknown[]; total?: number | null; groups?: unknown[]; keys?: unknown[]; entries?: unknown[] };
  const what = info.runs !== undefined ? `${info.runs.length} runs, total ${info.total}` : info.groups !== undefined ? `${info.groups.length} groups` : info.keys !== undefined ? `${info.keys.length} keys` : "";
  console.log(`| ${label} | ${median(times).toFixed(1)} ms | ${cold.toFixed(1)} ms | ${what} |`);
}

async function queries(store: SqliteStore): Promise<void> {
  const q = (filter: string | null, sort?: string, extra: Partial<RunQueryOptions> = {}) => () => store.meta.queryRuns(P, {
    filter: filter === null ? null : parseFilter(filter), sort: sort === undefined ? undefined : parseSort(sort), limit: 50, ...extra,
  });
  const cols = parseFieldList("config.optimizer.lr,config.optimizer.name,summary.val/acc", "columns");
  console.log("| query (limit 50) | median | first call | result |\n| --- | --- | --- | --- |");
  await time("default listing, newest first", q(null));
  await time("filter config.optimizer.lr < 0.001 (50%), sort summary.val/acc desc", q("config.optimizer.lr < 0.001", "summary.val/acc:desc"));
  await time("same, with 3 columns instead of whole runs", q("config.optimizer.lr < 0.001", "summary.val/acc:desc", { columns: cols }));
  await time("filter config.optimizer.name = lion (25%), sort summary.val/acc desc", q("config.optimizer.name = lion", "summary.val/acc:desc"));
  await time("filter config.optimizer.lr < 1.2e-5 (2%), sort summary.val/acc desc", q("config.optimizer.lr < 1.2e-5", "summary.val/acc:desc"));
  await time("filter config.optimizer.lr < 1.02e-5 (0.2%), sort summary.val/acc desc", q("config.optimizer.lr < 1.02e-5", "summary.val/acc:desc"));
  await time("filter config.seed = 123456 (1 run), sort summary.val/acc desc", q("config.seed = 123456", "summary.val/acc:desc"));
  await time("3 conditions: lr < 0.01 and val/acc > 0.9 and state = finished, sort val/acc", q("config.optimizer.lr < 0.01 and summary.val/acc > 0.9 and state = finished", "summary.val/acc:desc"));
  await time("filter lr < 0.001, sort config.model.hidden asc", q("config.optimizer.lr < 0.001", "config.model.hidden:asc"));
  await time("sort summary.val/acc asc, no filter", q(null, "summary.val/acc:asc"));
  await time("search \"storm\" (name or tag), newest first", q(null, undefined, { search: "storm" }));
  await time("tags contains lora and config.model.layers >= 10", q("tags contains lora and config.model.layers >= 10"));
  await time("sort by runtime desc", q(null, "runtime:desc"));
  await time("total=true: count lr < 0.001 and state = finished", q("config.optimizer.lr < 0.001 and state = finished", undefined, { countAll: true, limit: 1 }), 3);
  // Deep page: the 100th page of a sorted, filtered query.
  let cursor: string | undefined;
  const deep = async () => {
    cursor = undefined;
    for (let i = 0; i < 100; i++) {
      const page = await store.meta.queryRuns(P, { filter: parseFilter("config.optimizer.lr < 0.001"), sort: parseSort("summary.val/acc:desc"), limit: 50, cursor, columns: cols });
      cursor = page.nextCursor ?? undefined;
    }
    return { runs: [] };
  };
  await time("100 pages in a row (columns), lr < 0.001 sorted by val/acc", deep, 1);
  const by = (text: string) => parseFieldList(text, "by");
  const agg = [{ text: "summary.val/acc", field: parseFieldList("summary.val/acc", "aggregate")[0]!.field, fns: ["mean", "max"] as const }];
  await time("group by config.optimizer.name, mean/max of val/acc (all runs)", () => store.meta.groupRuns(P, { by: by("config.optimizer.name"), aggregates: agg.map((a) => ({ ...a, fns: [...a.fns] })), limit: 100 }), 2);
  await time("group by config.optimizer.name where config.optimizer.lr < 1.2e-5", () => store.meta.groupRuns(P, { by: by("config.optimizer.name"), filter: parseFilter("config.optimizer.lr < 1.2e-5"), aggregates: agg.map((a) => ({ ...a, fns: [...a.fns] })), limit: 100 }), 2);
  await time("group by group (100 groups)", () => store.meta.groupRuns(P, { by: by("group"), limit: 100 }), 2);
  await time("keys listing, first page", () => store.meta.listRunKeys(P, { limit: 100 }));
  await time("keys listing, search \"lr\"", () => store.meta.listRunKeys(P, { limit: 100, search: "lr" }));
}

async function serverRss(): Promise<void> {
  const child = spawn(process.execPath, ["-e", `
    import("@orrery/server").then(async ({ startServer }) => {
      const s = await startServer({ dataDir: ${JSON.stringify(DIR)}, port: 0 });
      process.stdout.write(s.url + "\\n");
    });`], { cwd: join(import.meta.dirname, "../../server"), stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((res) => child.stdout!.once("data", (d: Buffer) => res(d.toString().trim())));
  const base = `${url}/api/v1/projects/${P.entity}/${P.project}`;
  const paths = [
    "/runs?limit=100",
    `/runs?filter=${encodeURIComponent("config.optimizer.lr < 0.001 and state = finished")}&sort=summary.val/acc:desc&limit=100`,
    `/runs?filter=${encodeURIComponent("config.optimizer.lr < 0.001")}&sort=summary.val/acc:desc&columns=config.optimizer.lr,summary.val/acc&limit=1000`,
    `/runs/groups?by=config.optimizer.name&aggregate=summary.val/acc`,
    `/runs/groups?by=config.seed&limit=1000`,
    `/runs/keys?limit=1000`,
    `/runs?filter=${encodeURIComponent("config.optimizer.lr < 0.001")}&total=true&limit=1`,
  ];
  const times: string[] = [];
  for (const p of paths) {
    const t = performance.now();
    const res = await fetch(base + p);
    await res.arrayBuffer();
    times.push(`${(performance.now() - t).toFixed(0)} ms ${res.status} ${p.slice(0, 90)}`);
  }
  const status = (await import("node:fs")).readFileSync(`/proc/${child.pid}/status`, "utf8");
  const field = (name: string) => status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1];
  console.log(times.map((t) => `  ${t}`).join("\n"));
  console.log(`server RSS now ${(Number(field("VmRSS")) / 1024).toFixed(0)} MiB, peak ${(Number(field("VmHWM")) / 1024).toFixed(0)} MiB`);
  child.kill("SIGTERM");
}

const fresh = !existsSync(join(DIR, "orrery.db"));
mkdirSync(DIR, { recursive: true });
// The series materializer is left off: these runs' points stay in the durable tail, which the runs
// index never reads (it reads run_keys), and chunking millions of 3-point series is not measured here.
const store = new SqliteStore(DIR, { materializer: { autoStart: false } });
if (fresh) await generate(store);
else console.log(`reusing ${DIR} (${(dirBytes(DIR) / 2 ** 20).toFixed(0)} MiB)`);
await queries(store);
const mem = process.memoryUsage();
console.log(`in-process RSS after the queries: ${(mem.rss / 2 ** 20).toFixed(0)} MiB (heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB)`);
await store.close();
if (args.includes("--server")) await serverRss();
