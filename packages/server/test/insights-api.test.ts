// The insight routes on a real server (ephemeral port, real SQLite files): run values for plots
// (filter, search, run fields, nulls and NaN, limit and truncation, the errors of each bad
// parameter) and parameter importance on a synthetic sweep where val/acc depends on config.lr and
// not on config.seed; plus the reserved run ids that keep these routes reachable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const E = "/api/v1/projects/ada";
const P = `${E}/sweep`;
const T0 = Date.UTC(2026, 0, 1);
const N = 200;
const OPT = ["adam", "sgd", "lion", "adamw"];
let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Values { total: number; truncated: boolean; ids: string[]; names: string[]; columns: Record<string, (number | string | boolean | null)[]> }
interface Importance {
  metric: string; runsTotal: number; runsUsed: number; enough: boolean; message: string | null; method: string;
  params: { key: string; kind: string; importance: number | null; correlation: number | null; runs: number }[];
}
interface ErrorBody { error: string; message: string; field?: string }

/** Deterministic pseudo-random numbers in [0, 1). */
function rand(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
}
/** Run i of the sweep: val/acc peaks at lr = 1e-3 and ignores the seed and batch size. */
const lrOf = (i: number) => 10 ** (-5 + 4 * rand(i, 1));
const accOf = (i: number) => 0.95 - 0.1 * (Math.log10(lrOf(i)) + 3) ** 2 + 0.002 * rand(i, 3);
const id = (i: number) => `s${String(i).padStart(3, "0")}`;

async function log(project: string, runId: string, records: object[]): Promise<void> {
  const res = await postJson(server.url, `${E}/${project}/runs/${runId}/records`, { records: records.map((r, k) => ({ seq: k + 1, ts: T0 + k * 1000, ...r })) });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  for (let i = 0; i < N; i++) {
    const acc = i % 50 === 7 ? "NaN" : accOf(i);
    await log("sweep", id(i), [
      {
        type: "run", name: `trial-${i}`, tags: i % 10 === 0 ? ["baseline"] : [], group: i % 2 ? "odd" : undefined,
        config: { arch: "resnet", lr: lrOf(i), seed: Math.floor(rand(i, 2) * 10_000), batch: [32, 64, 128][i % 3], opt: OPT[i % 4], ...(i % 20 === 3 ? {} : { dropout: 0.1 * (i % 3) }) },
      },
      { type: "history", step: 0, values: { "val/acc": 0.1 } },
      { type: "history", step: 4, values: { "val/acc": acc, loss: i % 25 === 1 ? "Infinity" : 1 - accOf(i) } },
      ...(i % 9 === 8 ? [] : [{ type: "finish", exitCode: 0 }]),
    ]);
  }
  // A small project: too few runs for importance.
  for (let i = 0; i < 6; i++) {
    await log("tiny", `t${i}`, [
      { type: "run", config: { lr: 10 ** -(i + 1), seed: i } },
      ...(i < 4 ? [{ type: "history", step: 0, values: { acc: 0.5 + i / 10 } }] : []),
    ]);
  }
}, 120_000);

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const q = (params: Record<string, string | number>) =>
  Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join("&");
const all = Array.from({ length: N }, (_, i) => i);

describe("GET .../runs/values", () => {
  it("returns one column per key over every run, newest first, with run fields", async () => {
    const { status, body } = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "config.lr,config.opt,summary.val/acc,summary.loss,state,group,lastStep,runtime,createdAt,name,jobType,exitCode" })}`);
    expect(status).toBe(200);
    expect(body.total).toBe(N);
    expect(body.truncated).toBe(false);
    expect(body.ids).toEqual([...all].reverse().map(id));
    expect(body.names[0]).toBe(`trial-${N - 1}`);
    const row = (i: number) => body.ids.indexOf(id(i));
    const c = body.columns;
    expect(Object.keys(c)).toEqual(["config.lr", "config.opt", "summary.val/acc", "summary.loss", "state", "group", "lastStep", "runtime", "createdAt", "name", "jobType", "exitCode"]);
    expect(c["config.lr"]![row(5)]).toBe(lrOf(5));
    expect(c["config.opt"]![row(5)]).toBe("sgd");
    expect(c["summary.val/acc"]![row(5)]).toBe(accOf(5));
    expect(c["summary.val/acc"]![row(7)]).toBeNull(); // NaN
    expect(c["summary.loss"]![row(1)]).toBeNull(); // Infinity
    expect(c.state![row(8)]).toBe("running");
    expect(c.state![row(9)]).toBe("finished");
    expect(c.group![row(4)]).toBeNull();
    expect(c.group![row(5)]).toBe("odd");
    expect(c.lastStep![row(5)]).toBe(4);
    const run5 = await api<{ runtime: number; createdAt: string }>(server.url, `${P}/runs/${id(5)}`);
    expect(c.runtime![row(5)]).toBe(run5.body.runtime);
    expect(c.createdAt![row(5)]).toBe(Date.parse(run5.body.createdAt));
    expect(c.name![row(5)]).toBe("trial-5");
    expect(c.jobType![row(5)]).toBeNull();
    expect(c.exitCode![row(8)]).toBeNull();
  });

  it("makes missing keys null", async () => {
    const { body } = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "config.dropout,config.nope" })}`);
    expect(body.columns["config.dropout"]![body.ids.indexOf(id(3))]).toBeNull();
    expect(body.columns["config.dropout"]![body.ids.indexOf(id(4))]).toBe(0.1 * (4 % 3));
    expect(body.columns["config.nope"]).toEqual(new Array(N).fill(null));
  });

  it("takes the runs listing's filter and search", async () => {
    const filter = "config.lr < 0.001 and config.opt in (adam, lion)";
    const { body } = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "config.lr", filter, search: "trial-1" })}`);
    const expected = all.filter((i) => lrOf(i) < 0.001 && i % 2 === 0 && `trial-${i}`.includes("trial-1")).reverse().map(id);
    expect(expected.length).toBeGreaterThan(3);
    expect(body.ids).toEqual(expected);
    expect(body.total).toBe(expected.length);
    const listing = await api<{ runs: { id: string }[] }>(server.url, `${P}/runs?${q({ filter, search: "trial-1", limit: 1000 })}`);
    expect(listing.body.runs.map((r) => r.id)).toEqual(body.ids);
    const tagged = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "name", filter: "tags contains baseline and state = finished" })}`);
    expect(tagged.body.ids).toEqual(all.filter((i) => i % 10 === 0 && i % 9 !== 8).reverse().map(id));
  });

  it("keeps the newest runs up to limit and says it truncated", async () => {
    const { body } = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "config.seed", limit: 15 })}`);
    expect(body).toMatchObject({ total: N, truncated: true });
    expect(body.ids).toEqual([...all].reverse().slice(0, 15).map(id));
    expect(body.columns["config.seed"]).toHaveLength(15);
    const filtered = await api<Values>(server.url, `${P}/runs/values?${q({ keys: "config.seed", limit: 3, filter: "config.opt = adam" })}`);
    expect(filtered.body).toMatchObject({ total: N / 4, truncated: true });
  });

  it.each([
    [{ keys: "config.lr,,config.seed" }, "keys", "invalid_filter", /empty item/],
    [{ keys: "config.lr,stat" }, "keys", "invalid_filter", /unknown field "stat"/],
    [{ keys: "tags" }, "keys", "invalid_request", /tags is not a run field plots take/],
    [{ keys: Array.from({ length: 33 }, (_, i) => `config.k${i}`).join(",") }, "keys", "invalid_request", /keys names 33 fields; the limit is 32/],
    [{ keys: "config.lr", limit: 200_001 }, "limit", "invalid_request", /limit/],
    [{ keys: "config.lr", limit: 0 }, "limit", "invalid_request", /limit/],
    [{ keys: "config.lr", filter: "config.lr <" }, "filter", "invalid_filter", /expected a value/],
    [{ keys: "config.lr", bogus: 1 }, "bogus", "invalid_request", /not a known field/],
  ])("refuses %j with 400 naming %s", async (params, field, error, message) => {
    const res = await api<ErrorBody>(server.url, `${P}/runs/values?${q(params as Record<string, string>)}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error, field });
    expect(res.body.message).toMatch(message);
  });

  it("needs keys and a project", async () => {
    const none = await api<ErrorBody>(server.url, `${P}/runs/values`);
    expect(none.status).toBe(400);
    expect(none.body.field).toBe("keys");
    const missing = await api<ErrorBody>(server.url, `${E}/nothing/runs/values?keys=config.lr`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("project_not_found");
  });
});

describe("GET .../runs/importance", () => {
  it("ranks config.lr first on a sweep where val/acc depends on it and not on the seed", async () => {
    const { status, body } = await api<Importance>(server.url, `${P}/runs/importance?${q({ metric: "summary.val/acc" })}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ metric: "summary.val/acc", runsTotal: N, runsUsed: N - 4, enough: true });
    expect(body.params[0]!.key).toBe("config.lr");
    expect(body.params[0]!.importance!).toBeGreaterThan(0.5);
    const seed = body.params.find((p) => p.key === "config.seed")!;
    expect(seed.importance!).toBeLessThan(0.1);
    expect(Math.abs(seed.correlation!)).toBeLessThan(0.3);
    expect(body.params.reduce((s, p) => s + p.importance!, 0)).toBeCloseTo(1, 6);
    expect(body.params.find((p) => p.key === "config.opt")).toMatchObject({ kind: "category", correlation: null, runs: N - 4 });
    expect(body.params.find((p) => p.key === "config.dropout")).toMatchObject({ kind: "number", runs: N - 4 - 10 });
    // config.arch is the same in every run: not weighed.
    expect(body.params.map((p) => p.key).sort()).toEqual(["config.batch", "config.dropout", "config.lr", "config.opt", "config.seed"]);
    expect(body.method).toMatch(/random forest/);
    expect(body.message).toMatch(/out-of-bag R²/);
  });

  it("weighs the given params only, within the filter, and answers the same twice", async () => {
    const url = `${P}/runs/importance?${q({ metric: "summary.val/acc", params: "config.seed,config.lr", filter: "state = finished" })}`;
    const one = await api<Importance>(server.url, url);
    const two = await api<Importance>(server.url, url);
    expect(two.body).toEqual(one.body);
    const finished = all.filter((i) => i % 9 !== 8);
    expect(one.body).toMatchObject({ runsTotal: finished.length, runsUsed: finished.filter((i) => i % 50 !== 7).length, enough: true });
    expect(one.body.params.map((p) => p.key)).toEqual(["config.lr", "config.seed"]);
  });

  it("is honest when there are too few runs: enough false, no importance, correlations from 3 runs", async () => {
    const { body } = await api<Importance>(server.url, `${E}/tiny/runs/importance?${q({ metric: "summary.acc" })}`);
    expect(body).toMatchObject({ runsTotal: 6, runsUsed: 4, enough: false });
    expect(body.message).toMatch(/Only 4 runs of the 6 matching runs have a finite summary\.acc: importance needs at least 10/);
    expect(body.params.map((p) => p.importance)).toEqual([null, null]);
    expect(body.params.find((p) => p.key === "config.seed")!.correlation).toBeCloseTo(1, 9);
    const none = await api<Importance>(server.url, `${E}/tiny/runs/importance?${q({ metric: "summary.nothing" })}`);
    expect(none.body).toMatchObject({ runsTotal: 6, runsUsed: 0, enough: false });
  });

  it.each([
    [{ metric: "summary.val/acc <" }, "metric", /expected only a field/],
    [{ metric: "state" }, "metric", /state is not a number/],
    [{}, "metric", /metric/],
    [{ metric: "summary.val/acc", params: "config.lr,name" }, "params", /name is a run field/],
    [{ metric: "summary.val/acc", params: "summary.val/acc" }, "params", /is the metric itself/],
    [{ metric: "summary.val/acc", params: Array.from({ length: 101 }, (_, i) => `config.k${i}`).join(",") }, "params", /the limit is 100/],
    [{ metric: "summary.val/acc", filter: "lr <" }, "filter", /filter/],
  ])("refuses %j with 400 naming %s", async (params, field, message) => {
    const res = await api<ErrorBody>(server.url, `${P}/runs/importance?${q(params as Record<string, string>)}`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message).toMatch(message);
  });
});

describe("reserved run ids", () => {
  it.each(["values", "importance"])("refuses a run with id %s, whose URL is a project route", async (runId) => {
    const res = await postJson(server.url, `${P}/runs/${runId}/records`, { records: [{ seq: 1, ts: T0, type: "run" }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request", field: "runId" });
  });

  it("still serves a run by id next to the project routes", async () => {
    const run = await api<{ id: string }>(server.url, `${P}/runs/${id(3)}`);
    expect(run.body.id).toBe(id(3));
  });

  it("documents both routes in the OpenAPI document", async () => {
    const doc = await api<{ paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>(server.url, "/api/v1/openapi.json");
    expect(doc.body.paths).toHaveProperty(["/api/v1/projects/{entity}/{project}/runs/values"]);
    expect(doc.body.paths).toHaveProperty(["/api/v1/projects/{entity}/{project}/runs/importance"]);
    expect(doc.body.components.schemas).toHaveProperty("RunValues");
    expect(doc.body.components.schemas).toHaveProperty("Importance");
  });
});
