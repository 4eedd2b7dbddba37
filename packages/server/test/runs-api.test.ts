// The runs-table API on a real server (ephemeral port, real SQLite files): filter, search, sort,
// columns, pages, group-by, the key listing, the config tree, the errors each bad parameter gets,
// the OpenAPI document, and a config of a million keys logged through the SDK end to end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orrery from "orrery";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/ada/table";
const T0 = Date.UTC(2026, 0, 1);
let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Page { runs: { id: string; values?: Record<string, unknown>; config?: unknown }[]; nextCursor: string | null; total: number | null }
interface ErrorBody { error: string; message: string; field?: string }

const OPT = ["adam", "sgd", "adamw"];

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  for (let i = 0; i < 30; i++) {
    let seq = 0;
    const rec = (fields: object) => ({ seq: ++seq, ts: T0 + i * 60_000 + seq * 1000, ...fields });
    const records = [
      rec({
        type: "run", name: `${i % 2 ? "mlp" : "cnn"}-${i}`, tags: i % 3 === 0 ? ["baseline"] : ["sweep"], group: i < 20 ? `g${i % 2}` : undefined,
        config: { optimizer: { name: OPT[i % 3], lr: 10 ** -(1 + (i % 4)) }, seed: i, layers: [64, i] },
      }),
      rec({ type: "history", step: 0, values: { "val/acc": 0.5, loss: 2 } }),
      rec({ type: "history", step: 1, values: { "val/acc": 0.5 + i / 100, loss: 1 / (i + 1) } }),
      ...(i % 5 === 4 ? [] : [rec({ type: "finish", exitCode: i % 7 === 6 ? 1 : 0 })]),
    ];
    const res = await postJson(server.url, `${P}/runs/r${String(i).padStart(2, "0")}/records`, { records });
    expect(res.status).toBe(200);
  }
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const q = (params: Record<string, string | number | boolean>) =>
  Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join("&");

describe("GET .../runs", () => {
  it("keeps the plain listing: whole runs, newest first, counted", async () => {
    const { status, body } = await api<Page>(server.url, `${P}/runs?limit=5`);
    expect(status).toBe(200);
    expect(body.total).toBe(30);
    expect(body.runs.map((r) => r.id)).toEqual(["r29", "r28", "r27", "r26", "r25"]);
    expect(body.runs[0]).toMatchObject({ config: { seed: 29, optimizer: { name: "adamw" } }, configKeyCount: 4, configTruncated: false, summary: { loss: 1 / 30 } });
  });

  it("filters, sorts by a summary metric and returns only the chosen columns", async () => {
    const { status, body } = await api<Page>(server.url, `${P}/runs?${q({
      filter: "config.optimizer.lr < 0.01 and summary.val/acc > 0.6 and state = finished",
      sort: "summary.val/acc:desc", columns: "config.optimizer.lr,summary.val/acc,config.optimizer", limit: 3,
    })}`);
    expect(status).toBe(200);
    // lr < 0.01: i % 4 in {2, 3}; val/acc > 0.6: i > 10; finished: i % 5 != 4 and i % 7 != 6.
    const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 4 >= 2 && i > 10 && i % 5 !== 4 && i % 7 !== 6).reverse();
    expect(body.runs.map((r) => r.id)).toEqual(expected.slice(0, 3).map((i) => `r${String(i).padStart(2, "0")}`));
    const first = body.runs[0]!;
    expect(first).not.toHaveProperty("config");
    expect(first).not.toHaveProperty("summary");
    expect(first).toMatchObject({ state: "finished", tags: expect.any(Array), runtime: expect.any(Number) });
    const i = expected[0]!;
    expect(first.values).toEqual({
      "config.optimizer.lr": 10 ** -(1 + (i % 4)), "summary.val/acc": 0.5 + i / 100,
      "config.optimizer": { name: OPT[i % 3], lr: 10 ** -(1 + (i % 4)) },
    });
    const rest = await api<Page>(server.url, `${P}/runs?${q({
      filter: "config.optimizer.lr < 0.01 and summary.val/acc > 0.6 and state = finished",
      sort: "summary.val/acc:desc", columns: "config.optimizer.lr", limit: 100, cursor: body.nextCursor!,
    })}`);
    expect(rest.body.runs.map((r) => r.id)).toEqual(expected.slice(3).map((j) => `r${String(j).padStart(2, "0")}`));
    expect(rest.body.nextCursor).toBeNull();
  });

  it("searches names and tags, and combines search with the state parameter", async () => {
    const { body } = await api<Page>(server.url, `${P}/runs?${q({ search: "MLP-2", limit: 100 })}`);
    expect(body.runs.map((r) => r.id)).toEqual(["r29", "r27", "r25", "r23", "r21"]);
    const base = await api<Page>(server.url, `${P}/runs?${q({ search: "base", state: "running", limit: 100 })}`);
    expect(base.body.runs.map((r) => r.id)).toEqual(["r24", "r09"]);
  });

  it("counts filtered runs when asked (total=true) and says null when counting would be a scan", async () => {
    const asked = await api<Page>(server.url, `${P}/runs?${q({ filter: "config.seed >= 0", total: true, limit: 1 })}`);
    expect(asked.body.total).toBe(30);
    const state = await api<Page>(server.url, `${P}/runs?${q({ state: "running", limit: 1 })}`);
    expect(state.body.total).toBe(6);
  });

  it.each([
    ["filter", "config.optimizer.lr <", "filter", /filter "config\.optimizer\.lr <" has an error at column 22: expected a value/],
    ["filter", "state = done", "filter", /column 9: state is one of running, finished, failed, crashed; got done/],
    ["filter", "config.lr < 1 && state = finished", "filter", /column 15: unexpected "&&": write "and"/],
    ["sort", "summary.val/acc:sideways", "sort", /sort "summary\.val\/acc:sideways" has an error at column 17: expected asc or desc/],
    ["sort", "tags", "sort", /runs cannot be sorted by tags/],
    ["columns", "config.lr,,summary.x", "columns", /columns "config\.lr,,summary\.x" has an error at column 11: empty item/],
    ["columns", "config.lr,stat", "columns", /column 11: unknown field "stat".*did you mean state\?/],
  ])("refuses a bad %s with 400 invalid_filter naming the column (%s)", async (param, value, field, message) => {
    const res = await api<ErrorBody>(server.url, `${P}/runs?${q({ [param as string]: value as string })}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_filter", field });
    expect(res.body.message).toMatch(message as RegExp);
  });

  it("refuses cursors it did not issue, and answers 404 for an unknown project", async () => {
    const bad = await api<ErrorBody>(server.url, `${P}/runs?cursor=bm9wZQ`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "invalid_request", field: "cursor" });
    const page = await api<Page>(server.url, `${P}/runs?sort=config.seed:asc&limit=2`);
    const other = await api<ErrorBody>(server.url, `${P}/runs?sort=name&cursor=${page.body.nextCursor}`);
    expect(other.body.message).toMatch(/cursor belongs to a different sort/);
    expect((await api(server.url, "/api/v1/projects/ada/nope/runs?filter=state%20%3D%20running")).status).toBe(404);
  });
});

describe("GET .../runs/groups", () => {
  it("groups by a config key and a run field with counts and aggregates", async () => {
    const { status, body } = await api<{ groups: { key: Record<string, unknown>; count: number; aggregates: Record<string, Record<string, unknown>> }[] }>(
      server.url, `${P}/runs/groups?${q({ by: "config.optimizer.name,group", aggregate: "summary.val/acc:mean,summary.val/acc:max,summary.loss:count", filter: "state = finished" })}`,
    );
    expect(status).toBe(200);
    const finished = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 5 !== 4 && i % 7 !== 6);
    const expected = new Map<string, number[]>();
    for (const i of finished) {
      const k = JSON.stringify([OPT[i % 3], i < 20 ? `g${i % 2}` : null]);
      expected.set(k, [...(expected.get(k) ?? []), i]);
    }
    expect(body.groups).toHaveLength(expected.size);
    for (const g of body.groups) {
      const members = expected.get(JSON.stringify([g.key["config.optimizer.name"], g.key.group]))!;
      expect(g.count).toBe(members.length);
      const accs = members.map((i) => 0.5 + i / 100);
      expect(g.aggregates["summary.val/acc"]!.mean as number).toBeCloseTo(accs.reduce((a, b) => a + b, 0) / accs.length, 12);
      expect(g.aggregates["summary.val/acc"]!.max).toBe(Math.max(...accs));
      expect(g.aggregates["summary.loss"]).toEqual({ count: members.length });
    }
    expect(body.groups.map((g) => g.key["config.optimizer.name"])).toEqual(["adam", "adam", "adam", "adamw", "adamw", "adamw", "sgd", "sgd", "sgd"]);
    expect(body.groups.slice(0, 3).map((g) => g.key.group)).toEqual(["g0", "g1", null]);
  });

  it("refuses bad group-by and aggregate fields with their column", async () => {
    const noBy = await api<ErrorBody>(server.url, `${P}/runs/groups`);
    expect(noBy.status).toBe(400);
    const bad = await api<ErrorBody>(server.url, `${P}/runs/groups?${q({ by: "config.x,bogus" })}`);
    expect(bad.body).toMatchObject({ error: "invalid_filter", field: "by" });
    expect(bad.body.message).toMatch(/by "config\.x,bogus" has an error at column 10: unknown field "bogus"/);
    const fn = await api<ErrorBody>(server.url, `${P}/runs/groups?${q({ by: "group", aggregate: "summary.loss:median" })}`);
    expect(fn.body).toMatchObject({ error: "invalid_filter", field: "aggregate" });
    expect(fn.body.message).toMatch(/column 14: unknown aggregate "median": use count, mean, min, max, sum/);
    const tags = await api<ErrorBody>(server.url, `${P}/runs/groups?${q({ by: "tags" })}`);
    expect(tags.body.message).toMatch(/cannot be grouped by tags/);
    const tooMany = await api<ErrorBody>(server.url, `${P}/runs/groups?${q({ by: "group,jobType,state,name,config.seed" })}`);
    expect(tooMany.body.message).toMatch(/by names 5 fields; the limit is 4/);
  });
});

describe("GET .../runs/keys", () => {
  it("lists config then summary keys with types and run counts, paged and searchable", async () => {
    const first = await api<{ keys: { field: string; runs: number; types: Record<string, number> }[]; nextCursor: string | null }>(server.url, `${P}/runs/keys?limit=3`);
    expect(first.body.keys.map((k) => k.field)).toEqual(["config.layers", "config.optimizer.lr", "config.optimizer.name"]);
    expect(first.body.keys[0]).toMatchObject({ runs: 30, types: { array: 30 }, scope: "config", path: ["layers"] });
    const next = await api<{ keys: { field: string }[]; nextCursor: string | null }>(server.url, `${P}/runs/keys?limit=10&cursor=${first.body.nextCursor}`);
    expect(next.body.keys.map((k) => k.field)).toEqual(["config.seed", "summary.loss", "summary.val/acc"]);
    expect(next.body.nextCursor).toBeNull();
    const found = await api<{ keys: { field: string }[] }>(server.url, `${P}/runs/keys?search=ACC&scope=summary`);
    expect(found.body.keys.map((k) => k.field)).toEqual(["summary.val/acc"]);
  });
});

describe("GET .../runs/{runId}/config", () => {
  it("opens the config one level at a time and searches it", async () => {
    const top = await api<{ entries: unknown[]; configKeyCount: number }>(server.url, `${P}/runs/r05/config`);
    expect(top.body).toMatchObject({ prefix: "", configKeyCount: 4, nextCursor: null });
    expect(top.body.entries).toEqual([
      { key: "layers", path: "layers", value: [64, 5] },
      { key: "optimizer", path: "optimizer", keyCount: 2, keyCountCapped: false },
      { key: "seed", path: "seed", value: 5 },
    ]);
    const opt = await api<{ entries: unknown[] }>(server.url, `${P}/runs/r05/config?prefix=optimizer`);
    expect(opt.body.entries).toEqual([
      { key: "lr", path: "optimizer.lr", value: 0.01 },
      { key: "name", path: "optimizer.name", value: "adamw" },
    ]);
    const hit = await api<{ entries: unknown[] }>(server.url, `${P}/runs/r05/config?search=AMW`);
    expect(hit.body.entries).toEqual([{ key: "name", path: "optimizer.name", value: "adamw" }]);
  });

  it("refuses a bad prefix with its column and answers 404 for an unknown run", async () => {
    const bad = await api<ErrorBody>(server.url, `${P}/runs/r05/config?prefix=${encodeURIComponent("optimizer..lr")}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "invalid_filter", field: "prefix" });
    expect(bad.body.message).toMatch(/prefix "optimizer\.\.lr" has an error at column 11: empty key segment/);
    expect((await api(server.url, `${P}/runs/nope/config`)).status).toBe(404);
  });
});

describe("the OpenAPI document", () => {
  it("describes the runs-table routes with response schemas, examples and the filter grammar", async () => {
    const { body: doc } = await api<{
      paths: Record<string, { get?: { description?: string; parameters?: { name: string; schema?: { examples?: unknown[] }; description?: string }[]; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { example?: unknown }> };
    }>(server.url, "/api/v1/openapi.json");
    for (const path of ["/runs", "/runs/groups", "/runs/keys", "/runs/{runId}/config"]) {
      const op = doc.paths[`/api/v1/projects/{entity}/{project}${path}`]?.get;
      expect(op, path).toBeDefined();
      expect(JSON.stringify(op!.responses["200"])).toMatch(/RunPage|RunGroupsPage|RunKeyPage|ConfigTreePage/);
    }
    const runs = doc.paths["/api/v1/projects/{entity}/{project}/runs"]!.get!;
    expect(runs.description).toMatch(/Filter grammar .*`contains`.*invalid_filter/s);
    const filter = runs.parameters!.find((p) => p.name === "filter")!;
    expect(JSON.stringify(filter)).toContain("config.optimizer.lr < 0.01 and summary.val/acc > 0.9 and state = finished");
    for (const name of ["RunPage", "RunRow", "RunGroupsPage", "RunKeyPage", "ConfigTreePage"]) expect(doc.components.schemas[name], name).toBeDefined();
    for (const name of ["RunPage", "RunGroupsPage", "RunKeyPage", "ConfigTreePage"]) expect(doc.components.schemas[name]!.example, name).toBeDefined();
  });
});

describe("a config of a million keys", () => {
  it("is logged through the SDK, stored, and its run page and config tree open quickly", async () => {
    const spool = tempDir();
    try {
      // One top-level key far larger than a record: the SDK sends it in parts under path ["model"].
      const model: Record<string, Record<string, number>> = {};
      for (let l = 0; l < 1000; l++) {
        const layer: Record<string, number> = {};
        for (let w = 0; w < 1000; w++) layer[`w${String(w).padStart(3, "0")}`] = l + w / 1000;
        model[`layer${String(l).padStart(3, "0")}`] = layer;
      }
      const run = await orrery.init({
        project: "ada/huge", id: "million", url: server.url, dir: spool.path, console: false, systemMetricsIntervalMs: 0,
        config: { lr: 0.1, model },
      });
      run.log({ loss: 1 });
      const done = await run.finish();
      expect(done.pending).toBe(0);

      const base = "/api/v1/projects/ada/huge/runs/million";
      let t = performance.now();
      const page = await api<{ config: Record<string, unknown>; configKeyCount: number; configTruncated: boolean; summary: unknown }>(server.url, base);
      const pageMs = performance.now() - t;
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ configKeyCount: 1_000_001, configTruncated: true, summary: { loss: 1 } });
      expect(pageMs).toBeLessThan(1000);

      t = performance.now();
      const top = await api<{ entries: unknown[] }>(server.url, `${base}/config`);
      const layers = await api<{ entries: { key: string; keyCount: number }[]; nextCursor: string | null }>(server.url, `${base}/config?prefix=model&limit=200`);
      const treeMs = performance.now() - t;
      expect(top.body.entries).toEqual([
        { key: "lr", path: "lr", value: 0.1 },
        { key: "model", path: "model", keyCount: 10_000, keyCountCapped: true },
      ]);
      expect(layers.body.entries).toHaveLength(200);
      expect(layers.body.entries[0]).toEqual({ key: "layer000", path: "model.layer000", keyCount: 1000, keyCountCapped: false });
      expect(treeMs).toBeLessThan(1000);
      const more = await api<{ entries: { key: string }[] }>(server.url, `${base}/config?prefix=model&limit=200&cursor=${layers.body.nextCursor}`);
      expect(more.body.entries[0]!.key).toBe("layer200");

      const leaf = await api<{ entries: unknown[] }>(server.url, `${base}/config?prefix=model.layer777&limit=2`);
      expect(leaf.body.entries).toEqual([
        { key: "w000", path: "model.layer777.w000", value: 777 },
        { key: "w001", path: "model.layer777.w001", value: 777.001 },
      ]);
      const found = await api<{ entries: { path: string }[] }>(server.url, `${base}/config?prefix=model.layer999&search=w99`);
      expect(found.body.entries.map((e) => e.path)).toEqual(Array.from({ length: 10 }, (_, i) => `model.layer999.w99${i}`));
    } finally {
      spool.cleanup();
    }
  }, 120_000);
});
