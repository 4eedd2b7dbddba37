// Histograms over the HTTP API on a real server and SQLite store: ingest as JSON and as spool
// frames, per-record rejections that name the field, reading keys and sampled series back, and
// 4xx answers for bad queries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRAMES_CONTENT_TYPE, encodeBinaryHistory, encodeFrame } from "@orrery/protocol/frames";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/alice/vision";
const R = `${P}/runs/h1`;
const now = Date.UTC(2026, 0, 1);

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Hist { bins: number[]; counts: number[] }
interface HistReply { key: string; steps: number[]; histograms: Hist[]; count: number }
interface IngestReply { accepted: number; duplicates: number; rejected: { seq: number; error: string; message: string; field?: string }[]; lastSeq: number }

/** A histogram of n bins over [lo, lo + n), each count its bin's index + step. */
function hist(n: number, lo: number, step: number): Hist {
  return { bins: Array.from({ length: n + 1 }, (_, i) => lo + i), counts: Array.from({ length: n }, (_, i) => i + step) };
}

function rec(seq: number, type: string, extra: Record<string, unknown> = {}) {
  return { seq, type, ts: now + seq, ...extra };
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  const records: unknown[] = [rec(1, "run", { name: "watched" })];
  for (let step = 0; step < 300; step++) {
    records.push(rec(records.length + 1, "histogram", {
      step, values: { "gradients/fc1.weight": hist(64, -32, step), "parameters/fc1.weight": hist(8, 0, step) },
    }));
  }
  const res = await postJson(server.url, `${R}/records`, { records });
  expect(res.status).toBe(200);
  expect((res.body as IngestReply).accepted).toBe(301);
});

afterAll(async () => {
  await server?.close();
  dir?.cleanup();
});

describe("histograms over HTTP", () => {
  it("lists the run's histogram keys, and none of them are history keys", async () => {
    expect((await api(server.url, `${R}/histograms/keys`)).body).toEqual({ keys: ["gradients/fc1.weight", "parameters/fc1.weight"] });
    expect((await api(server.url, `${R}/history/keys`)).body).toEqual({ keys: [] });
  });

  it("returns a key's histograms as logged, sampled evenly down to maxSteps with the first and last step kept", async () => {
    const { status, body } = await api<HistReply>(server.url, `${R}/histograms?key=${encodeURIComponent("gradients/fc1.weight")}&maxSteps=4`);
    expect(status).toBe(200);
    expect(body.key).toBe("gradients/fc1.weight");
    expect(body.count).toBe(300);
    expect(body.steps).toEqual([0, 100, 199, 299]);
    expect(body.histograms).toEqual(body.steps.map((s) => hist(64, -32, s)));
  });

  it("defaults to 200 steps and narrows to a step range", async () => {
    const all = (await api<HistReply>(server.url, `${R}/histograms?key=parameters/fc1.weight`)).body;
    expect(all.steps).toHaveLength(200);
    expect(all.count).toBe(300);
    const zoomed = (await api<HistReply>(server.url, `${R}/histograms?key=parameters/fc1.weight&min=10&max=14`)).body;
    expect(zoomed).toEqual({ key: "parameters/fc1.weight", steps: [10, 11, 12, 13, 14], histograms: [10, 11, 12, 13, 14].map((s) => hist(8, 0, s)), count: 5 });
  });

  it("answers an unknown key with no histograms, and an unknown run with 404", async () => {
    expect((await api(server.url, `${R}/histograms?key=nope`)).body).toEqual({ key: "nope", steps: [], histograms: [], count: 0 });
    const missing = await api<{ error: string; field: string }>(server.url, `${P}/runs/ghost/histograms?key=a`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "run_not_found", field: "runId" });
    expect((await api(server.url, `${P}/runs/ghost/histograms/keys`)).status).toBe(404);
  });

  it("refuses bad queries with 400 naming the parameter", async () => {
    const cases: [string, string][] = [
      ["", "key"],
      ["?key=", "key"],
      ["?key=a&maxSteps=0", "maxSteps"],
      ["?key=a&maxSteps=2001", "maxSteps"],
      ["?key=a&maxSteps=ten", "maxSteps"],
      ["?key=a&min=-1", "min"],
      ["?key=a&min=1.5", "min"],
      ["?key=a&min=9&max=3", "min"],
      ["?key=a&bins=3", "bins"],
      [`?key=${"k".repeat(300)}`, "key"],
    ];
    for (const [query, field] of cases) {
      const res = await api<{ error: string; message: string; field: string }>(server.url, `${R}/histograms${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error, query).toBe("invalid_request");
      expect(res.body.field, query).toBe(field);
      expect(res.body.message.length, query).toBeGreaterThan(10);
    }
  });

  it("rejects an invalid histogram on its own, naming the field, and stores the rest of the batch", async () => {
    const path = `${P}/runs/bad/records`;
    const good = hist(4, 0, 0);
    const bad: [unknown, string][] = [
      [{ bins: [0, 2, 1], counts: [1, 1] }, "records[1].values.g.bins[2]"],
      [{ bins: [0, 1, 2], counts: [1] }, "records[2].values.g.bins"],
      [{ bins: [0, 1], counts: [-1] }, "records[3].values.g.counts[0]"],
      [{ bins: [0], counts: [] }, "records[4].values.g.counts"],
      [{ bins: Array.from({ length: 514 }, (_, i) => i), counts: new Array(513).fill(1) }, "records[5].values.g.counts"],
      [{ bins: [0, "1"], counts: [1] }, "records[6].values.g.bins[1]"],
      [{ bins: [0, 1], counts: [1], extra: 1 }, "records[7].values.g.extra"],
      [[1, 2], "records[8].values.g"],
    ];
    const records: unknown[] = [rec(1, "run")];
    for (const [h] of bad) records.push(rec(records.length + 1, "histogram", { step: 0, values: { ok: good, g: h } }));
    records.push(rec(records.length + 1, "histogram", { step: -1, values: { ok: good } }));
    records.push(rec(records.length + 1, "histogram", { step: 0, values: { ok: good }, extra: 1 }));
    records.push(rec(records.length + 1, "histogram", { step: 1, values: { ok: good, ["x".repeat(300)]: good } }));
    records.push(rec(records.length + 1, "histogram", { step: 2, values: { ok: good } }));
    const res = await postJson(server.url, path, { records });
    expect(res.status).toBe(200);
    const reply = res.body as IngestReply;
    expect(reply.accepted).toBe(2);
    expect(reply.lastSeq).toBe(records.length);
    const fields = reply.rejected.map((r) => r.field);
    expect(fields.slice(0, bad.length)).toEqual(bad.map(([, f]) => f));
    expect(fields.slice(bad.length, bad.length + 3)).toEqual(["records[9].step", "records[10].extra", expect.stringMatching(/^records\[11\]\.values\.x{40}/)]);
    for (const r of reply.rejected) {
      expect(r.error).toBe("invalid_record");
      expect(r.message).toContain(r.field!.slice(0, 20));
    }
    // Only the valid record's histogram is stored.
    const q = (await api<HistReply>(server.url, `${P}/runs/bad/histograms?key=ok`)).body;
    expect(q.steps).toEqual([2]);
    expect((await api(server.url, `${P}/runs/bad/histograms/keys`)).body).toEqual({ keys: ["ok"] });
  });

  it("accepts histograms as JSON frames beside binary history rows in a frames body, and a later write replaces a step", async () => {
    const path = `${P}/runs/framed/records`;
    const json = (o: unknown) => encodeFrame(Buffer.from(JSON.stringify(o)));
    const body = Buffer.concat([
      json(rec(1, "run")),
      encodeFrame(encodeBinaryHistory(2, now + 2, 0, { loss: 0.5 })),
      json(rec(3, "histogram", { step: 0, values: { "grad/w": hist(3, 0, 0) } })),
      json(rec(4, "histogram", { step: 0, values: { "grad/w": hist(2, 5, 9) } })),
    ]);
    const res = await api<IngestReply>(server.url, path, { method: "POST", headers: { "content-type": FRAMES_CONTENT_TYPE }, body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 4, rejected: [] });
    expect((await api(server.url, `${P}/runs/framed/histograms?key=grad/w`)).body).toEqual({ key: "grad/w", steps: [0], histograms: [hist(2, 5, 9)], count: 1 });
    expect((await api(server.url, `${P}/runs/framed/history/keys`)).body).toEqual({ keys: ["loss"] });
  });

  it("documents the histogram record and routes in the OpenAPI document", async () => {
    const { body } = await api<{ paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>(server.url, "/api/v1/openapi.json");
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([
      "/api/v1/projects/{entity}/{project}/runs/{runId}/histograms",
      "/api/v1/projects/{entity}/{project}/runs/{runId}/histograms/keys",
    ]));
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(["HistogramRecord", "HistogramSeriesResponse"]));
  });
});
