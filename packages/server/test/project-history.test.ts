// Many runs' history in one request, on a real server (ephemeral port) over real SQLite files:
// series against step, wall time, runtime and a logged metric, zoomed ranges in x units, runs
// that do not exist left out, the union of keys, and the 4xx each bad parameter gets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/ada/charts";
const T0 = Date.UTC(2026, 0, 1);
let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Series { key: string; x: number[]; y: unknown[]; count: number; sampled: boolean }
interface Multi { xAxis: string; runs: { runId: string; series: Series[] }[] }

/** Logs a run: a run record at T0, then one history record per step at T0 + ms(step). */
async function logRun(id: string, steps: number[], ms: (s: number) => number, values: (s: number) => Record<string, unknown>) {
  let seq = 0;
  const records: object[] = [{ seq: ++seq, type: "run", ts: T0 }];
  for (const s of steps) records.push({ seq: ++seq, type: "history", ts: T0 + ms(s), step: s, values: values(s) });
  const res = await postJson(server.url, `${P}/runs/${id}/records`, { records });
  expect(res.status).toBe(200);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const get = <T = Multi>(query: string) => api<T>(server.url, `${P}/history?${query}`);

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  // a: one step a second, an epoch every two steps, and a key of its own starting with _.
  await logRun("a", range(10), (s) => s * 1000, (s) => ({ loss: 10 - s, epoch: s / 2, _hidden: 1 }));
  // b: one step every two seconds, no epoch, a NaN.
  await logRun("b", range(5), (s) => s * 2000, (s) => ({ loss: s === 3 ? "NaN" : s, acc: s / 10 }));
  // c: no history at all.
  await logRun("c", [], () => 0, () => ({}));
  // long: 5,000 steps with a spike, for bucketing.
  await logRun("long", range(5000), (s) => s * 10, (s) => ({ loss: s === 4321 ? 1e6 : Math.sin(s) }));
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe("GET .../projects/{entity}/{project}/history", () => {
  it("gives each existing run's series by step, in the order asked, leaving out runs that do not exist", async () => {
    const { status, body } = await get("runs=b,gone,a,b&keys=loss,epoch");
    expect(status).toBe(200);
    expect(body.xAxis).toBe("_step");
    expect(body.runs.map((r) => r.runId)).toEqual(["b", "a"]);
    expect(body.runs[0]!.series).toEqual([{ key: "loss", x: [0, 1, 2, 3, 4], y: [0, 1, 2, "NaN", 4], count: 5, sampled: false }]);
    expect(body.runs[1]!.series.map((s) => s.key).sort()).toEqual(["epoch", "loss"]);
  });

  it("zooms by step with min and max when x is the step", async () => {
    const { body } = await get("runs=a&keys=loss&min=2&max=4");
    expect(body.runs[0]!.series[0]).toMatchObject({ x: [2, 3, 4], y: [8, 7, 6], count: 3 });
  });

  it("plots against runtime in seconds and against wall time in epoch seconds", async () => {
    const rt = (await get("runs=a,b&keys=loss&x=_runtime")).body;
    expect(rt.xAxis).toBe("_runtime");
    expect(rt.runs[0]!.series[0]).toMatchObject({ key: "loss", x: range(10), y: range(10).map((s) => 10 - s) });
    expect(rt.runs[1]!.series[0]).toMatchObject({ key: "loss", x: [0, 2, 4, 6, 8], y: [0, 1, 2, "NaN", 4] });
    const wall = (await get("runs=b&keys=acc&x=_timestamp")).body;
    expect(wall.runs[0]!.series[0]!.x).toEqual(range(5).map((s) => T0 / 1000 + 2 * s));
  });

  it("plots against a logged metric, and a run without that metric gets empty series", async () => {
    const { body } = await get("runs=a,b,c&keys=loss&x=epoch");
    expect(body.xAxis).toBe("epoch");
    expect(body.runs.map((r) => r.runId)).toEqual(["a", "b", "c"]);
    expect(body.runs[0]!.series[0]).toMatchObject({ x: range(10).map((s) => s / 2), y: range(10).map((s) => 10 - s), count: 10 });
    expect(body.runs[1]!.series).toEqual([{ key: "loss", x: [], y: [], count: 0, sampled: false }]);
    expect(body.runs[2]!.series).toEqual([]);
  });

  it("takes min and max in x units when x is not the step", async () => {
    const rt = (await get("runs=a,b&keys=loss&x=_runtime&min=2&max=4.5")).body;
    expect(rt.runs[0]!.series[0]!.x).toEqual([2, 3, 4]);
    expect(rt.runs[1]!.series[0]!.x).toEqual([2, 4]);
    const epoch = (await get("runs=a&keys=loss&x=epoch&min=1&max=2")).body;
    expect(epoch.runs[0]!.series[0]).toMatchObject({ x: [1, 1.5, 2], y: [8, 7, 6] });
    const outside = (await get("runs=a&keys=loss&x=_runtime&min=100")).body;
    expect(outside.runs[0]!.series).toEqual([{ key: "loss", x: [], y: [], count: 0, sampled: false }]);
  });

  it("buckets long series to maxPoints against any x, keeping the spike and the x order", async () => {
    for (const x of ["_step", "_runtime"]) {
      const { body } = await get(`runs=long&keys=loss&x=${x}&maxPoints=100`);
      const s = body.runs[0]!.series[0]!;
      expect(s.x.length).toBeLessThanOrEqual(100);
      expect(s).toMatchObject({ count: 5000, sampled: true });
      expect(s.y).toContain(1e6);
      expect([...s.x].sort((p, q) => p - q)).toEqual(s.x);
    }
    const zoomed = (await get("runs=long&keys=loss&x=_runtime&min=10&max=10.49&maxPoints=100")).body.runs[0]!.series[0]!;
    expect(zoomed.x).toEqual(range(50).map((i) => (1000 + i) / 100));
  });

  it("is described in the OpenAPI document with its reply schema and an example", async () => {
    const { body } = await api<{ paths: Record<string, unknown>; components: { schemas: Record<string, { example?: unknown }> } }>(server.url, "/api/v1/openapi.json");
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([
      "/api/v1/projects/{entity}/{project}/history", "/api/v1/projects/{entity}/{project}/history/keys",
    ]));
    expect(body.components.schemas.MultiSeriesResponse!.example).toBeDefined();
  });
});

describe("GET .../projects/{entity}/{project}/history/keys", () => {
  it("gives the sorted union of the runs' keys without those starting with _", async () => {
    expect((await api(server.url, `${P}/history/keys?runs=a,b,c,gone`)).body).toEqual({ keys: ["acc", "epoch", "loss"] });
    expect((await api(server.url, `${P}/history/keys?runs=gone`)).body).toEqual({ keys: [] });
  });
});

describe("bad input to the multi-run routes gets a 4xx naming the field, never a 5xx", () => {
  const expectError = (res: { status: number; body: unknown }, status: number, code: string, field: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: code, message: expect.any(String), field });
  };
  const many = (n: number) => range(n).map((i) => `r${i}`).join(",");

  it("runs missing, empty, too many or malformed", async () => {
    expectError(await get("keys=loss"), 400, "invalid_request", "runs");
    expectError(await get("runs=&keys=loss"), 400, "invalid_request", "runs");
    expectError(await get("runs=,,&keys=loss"), 400, "invalid_request", "runs");
    expectError(await get(`runs=${many(101)}&keys=loss`), 400, "invalid_request", "runs");
    expectError(await get("runs=a,bad$id&keys=loss"), 400, "invalid_request", "runs");
    expectError(await get(`runs=${"x".repeat(7000)}&keys=loss`), 400, "invalid_request", "runs");
    expectError(await api(server.url, `${P}/history/keys`), 400, "invalid_request", "runs");
    expectError(await api(server.url, `${P}/history/keys?runs=${many(101)}`), 400, "invalid_request", "runs");
  });

  it("keys missing, empty, too many or too long", async () => {
    expectError(await get("runs=a"), 400, "invalid_request", "keys");
    expectError(await get("runs=a&keys="), 400, "invalid_request", "keys");
    expectError(await get(`runs=a&keys=${range(1001).map((i) => `m${i}`).join(",")}`), 400, "invalid_request", "keys");
    expectError(await get(`runs=a&keys=${"k".repeat(300)}`), 400, "invalid_request", "keys");
  });

  it("a bad x, range or maxPoints, and more points than one reply may hold", async () => {
    expectError(await get(`runs=a&keys=loss&x=${"x".repeat(300)}`), 400, "invalid_request", "x");
    expectError(await get("runs=a&keys=loss&x="), 400, "invalid_request", "x");
    expectError(await get("runs=a&keys=loss&min=5&max=1"), 400, "invalid_request", "min");
    expectError(await get("runs=a&keys=loss&min=soon"), 400, "invalid_request", "min");
    expectError(await get("runs=a&keys=loss&maxPoints=1"), 400, "invalid_request", "maxPoints");
    expectError(await get("runs=a&keys=loss&maxPoints=100001"), 400, "invalid_request", "maxPoints");
    // 100 runs x 3 keys x 10,000 points is 3,000,000: more than one reply may hold.
    expectError(await get(`runs=${many(100)}&keys=a,b,c&maxPoints=10000`), 400, "invalid_request", "maxPoints");
    expectError(await get("runs=a&keys=loss&colour=red"), 400, "invalid_request", "colour");
  });

  it("an unknown project is a 404, for both routes", async () => {
    expectError(await api(server.url, "/api/v1/projects/ada/nothing/history?runs=a&keys=loss"), 404, "project_not_found", "project");
    expectError(await api(server.url, "/api/v1/projects/ada/nothing/history/keys?runs=a"), 404, "project_not_found", "project");
  });
});
