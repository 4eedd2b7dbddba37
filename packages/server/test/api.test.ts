// The HTTP API on a real server (ephemeral port) over a real SQLite store in a temp directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir, waitFor } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { buildApp } from "../src/app.js";
import { openStore } from "@orrery/store";
import { connect } from "node:net";
import { FRAMES_CONTENT_TYPE, encodeBinaryHistory, encodeFrame } from "@orrery/protocol/frames";

const P = "/api/v1/projects/alice/vision";
const R = `${P}/runs/r1`;

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
const now = Date.UTC(2026, 0, 1);

function rec(seq: number, type: string, extra: Record<string, unknown> = {}) {
  return { seq, type, ts: now + seq * 1000, ...extra };
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0, heartbeatTimeoutMs: 400 });
  const res = await postJson(server.url, `${R}/records`, {
    records: [
      rec(1, "run", { name: "baseline", group: "g", jobType: "train", tags: ["a"], notes: "n", config: { lr: 0.1, opt: { name: "adam" } }, metadata: { host: "h" } }),
      rec(2, "history", { step: 0, values: { loss: 1.5, acc: 0.1 } }),
      rec(3, "history", { step: 1, values: { loss: "NaN", acc: 0.2 } }),
      rec(4, "history", { step: 2, values: { loss: "Infinity", acc: 0.3 } }),
      rec(5, "history", { step: 3, values: { loss: 0.5, acc: 0.4 } }),
      rec(6, "system", { values: { "cpu.percent": 12.5 } }),
      rec(7, "console", { stream: "stdout", text: "epoch 1\nepoch 2\n" }),
      rec(8, "config", { values: { batch: 64 } }),
      rec(9, "summary", { values: { "best/acc": 0.4 } }),
      rec(10, "finish", { exitCode: 0 }),
    ],
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe("the HTTP API", () => {
  it("answers health and serves an OpenAPI document generated from the schemas", async () => {
    expect((await api(server.url, "/api/v1/health")).body).toMatchObject({ status: "ok" });
    const { status, body } = await api<{ openapi: string; paths: Record<string, unknown> }>(server.url, "/api/v1/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining([
      "/api/v1/projects/{entity}/{project}/runs/{runId}/records",
      "/api/v1/projects/{entity}/{project}/runs/{runId}/history",
      "/api/v1/projects/{entity}/{project}/runs",
    ]));
    expect(JSON.stringify(body)).toContain("HistoryRecord");
    const doc = body as unknown as { components: { schemas: Record<string, { example?: unknown }> }; paths: Record<string, { get?: { parameters?: { name: string; example?: unknown }[] } }> };
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Run", "RunPage", "SeriesResponse", "IngestReply", "ErrorBody"]));
    expect(doc.components.schemas.SeriesResponse!.example).toBeDefined();
    const history = doc.paths["/api/v1/projects/{entity}/{project}/runs/{runId}/history"]!.get!;
    expect(history.parameters!.find((p) => p.name === "keys")!.example).toBe("train/loss,val/acc");
  });

  it("lists the project with its run count", async () => {
    const { body } = await api<{ projects: { entity: string; name: string; runCount: number }[] }>(server.url, "/api/v1/projects");
    expect(body.projects).toContainEqual(expect.objectContaining({ entity: "alice", name: "vision", runCount: 1 }));
  });

  it("returns the run with config, summary, metadata and final state", async () => {
    const { body } = await api<Record<string, unknown>>(server.url, R);
    expect(body).toMatchObject({
      id: "r1", name: "baseline", group: "g", jobType: "train", tags: ["a"], notes: "n", state: "finished", exitCode: 0,
      config: { lr: 0.1, opt: { name: "adam" }, batch: 64 }, metadata: { host: "h" }, lastStep: 3, lastSeq: 10,
    });
    expect(body.summary).toMatchObject({ loss: 0.5, acc: 0.4, "best/acc": 0.4 });
    expect(body.runtime).toBeCloseTo(9, 5);
  });

  it("round-trips NaN and infinities as strings in history", async () => {
    const { body } = await api<{ series: { key: string; x: number[]; y: unknown[] }[] }>(server.url, `${R}/history?keys=loss`);
    expect(body.series).toEqual([{ key: "loss", x: [0, 1, 2, 3], y: [1.5, "NaN", "Infinity", 0.5], count: 4, sampled: false }]);
  });

  it("gives history rows with _step, _timestamp and _runtime", async () => {
    const { body } = await api<{ rows: Record<string, unknown>[] }>(server.url, `${R}/history/rows`);
    expect(body.rows).toHaveLength(4);
    expect(body.rows[0]).toEqual({ _step: 0, _timestamp: (now + 2000) / 1000, _runtime: 1, loss: 1.5, acc: 0.1 });
  });

  it("serves system metrics, keys and console lines", async () => {
    expect((await api(server.url, `${R}/history/keys`)).body).toEqual({ keys: ["acc", "loss"] });
    const sys = await api<{ series: { key: string; x: number[]; y: number[] }[] }>(server.url, `${R}/system`);
    expect(sys.body.series).toEqual([expect.objectContaining({ key: "cpu.percent", x: [now + 6000], y: [12.5] })]);
    const con = await api<{ lines: { n: number; text: string }[] }>(server.url, `${R}/console`);
    expect(con.body.lines.map((l) => l.text)).toEqual(["epoch 1", "epoch 2"]);
    const tail = await api<{ lines: { n: number; text: string }[] }>(server.url, `${R}/console?tail=1`);
    expect(tail.body.lines.map((l) => [l.n, l.text])).toEqual([[2, "epoch 2"]]);
  });

  it("a retried batch with the same seq is stored once", async () => {
    const batch = { records: [rec(1, "run", { name: "dup" }), rec(2, "history", { step: 0, values: { x: 1 } })] };
    const first = await postJson(server.url, `${P}/runs/dup/records`, batch);
    const again = await postJson(server.url, `${P}/runs/dup/records`, batch);
    expect(first.body).toMatchObject({ accepted: 2, duplicates: 0, lastSeq: 2 });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, lastSeq: 2 });
    const rows = await api<{ rows: unknown[] }>(server.url, `${P}/runs/dup/history/rows`);
    expect(rows.body.rows).toHaveLength(1);
  });

  it("buckets a long series to at most maxPoints and keeps the spike", async () => {
    const records = [rec(1, "run")];
    for (let i = 0; i < 5000; i++) records.push(rec(i + 2, "history", { step: i, values: { v: i === 4321 ? 1e6 : Math.sin(i) } }));
    expect((await postJson(server.url, `${P}/runs/long/records`, { records })).status).toBe(200);
    const { body } = await api<{ series: { y: number[]; x: number[]; count: number; sampled: boolean }[] }>(server.url, `${P}/runs/long/history?keys=v&maxPoints=100`);
    const s = body.series[0];
    expect(s.x.length).toBeLessThanOrEqual(100);
    expect(s.count).toBe(5000);
    expect(s.sampled).toBe(true);
    expect(s.y).toContain(1e6);
    const zoomed = await api<{ series: { x: number[] }[] }>(server.url, `${P}/runs/long/history?keys=v&min=100&max=149&maxPoints=100`);
    expect(zoomed.body.series[0].x).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  });

  it("marks a run crashed when its heartbeats stop, and a heartbeat keeps it running", async () => {
    await postJson(server.url, `${P}/runs/alive/records`, { records: [{ seq: 1, type: "run", ts: Date.now() }] });
    await postJson(server.url, `${P}/runs/dies/records`, { records: [{ seq: 1, type: "run", ts: Date.now() }] });
    const beat = setInterval(() => { void fetch(`${server.url}${P}/runs/alive/heartbeat`, { method: "POST" }); }, 100);
    try {
      await waitFor(async () => (await api<{ state: string }>(server.url, `${P}/runs/dies`)).body.state === "crashed", 10_000, "crash");
      expect((await api<{ state: string }>(server.url, `${P}/runs/alive`)).body.state).toBe("running");
      // A heartbeat proves the process lives: the run was only silent (a blocked loop, a server restart).
      expect((await api(server.url, `${P}/runs/dies/heartbeat`, { method: "POST" })).status).toBe(204);
      expect((await api<{ state: string }>(server.url, `${P}/runs/dies`)).body.state).toBe("running");
    } finally {
      clearInterval(beat);
    }
  });

  it("edits name, notes and tags", async () => {
    const res = await api<{ name: string; notes: string; tags: string[] }>(server.url, R, {
      method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ notes: "better", tags: ["x", "y"] }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "baseline", notes: "better", tags: ["x", "y"] });
  });

  it("without a built dashboard, answers / with a page that says how to build it", async () => {
    const res = await fetch(server.url + "/");
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/api/v1/openapi.json");
  });
});

describe("bad input gets a 4xx JSON error naming the field, never a 5xx", () => {
  const expectError = (res: { status: number; body: unknown }, status: number, code: string, field?: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: code, message: expect.any(String) });
    if (field) expect((res.body as { field?: string }).field).toBe(field);
  };

  it("malformed JSON", async () => {
    expectError(await postJson(server.url, `${R}/records`, "{\"records\": [", {}), 400, "invalid_json");
  });
  it("an empty body", async () => {
    expectError(await api(server.url, `${R}/records`, { method: "POST", headers: { "content-type": "application/json" } }), 400, "invalid_json");
  });
  it("a body that is not JSON", async () => {
    expectError(await api(server.url, `${R}/records`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }), 415, "unsupported_media_type");
  });
  it("wrong types in the envelope", async () => {
    expectError(await postJson(server.url, `${R}/records`, { records: "no" }), 400, "invalid_request", "records");
    expectError(await postJson(server.url, `${R}/records`, { records: [{ seq: "1", type: "run" }] }), 400, "invalid_request", "records[0].seq");
    expectError(await postJson(server.url, `${R}/records`, { records: [] }), 400, "invalid_request", "records");
  });
  it("an invalid record is rejected alone, consumes its seq, and the rest is stored", async () => {
    const res = await postJson(server.url, `${P}/runs/mixed/records`, {
      records: [
        rec(1, "run"),
        rec(2, "history", { step: 0, values: { acc: "high" } }),
        rec(3, "history", { step: 1, values: { ["k".repeat(300)]: 1 } }),
        rec(4, "teleport"),
        rec(5, "history", { step: 2, values: { acc: 0.5 } }),
      ],
    });
    expect(res.status).toBe(200);
    const body = res.body as { accepted: number; rejected: { seq: number; field: string; error: string }[]; lastSeq: number };
    expect(body.accepted).toBe(2);
    expect(body.lastSeq).toBe(5);
    expect(body.rejected.map((r) => [r.seq, r.field])).toEqual([
      [2, "records[1].values.acc"], [3, expect.stringMatching(/^records\[2\]\.values/)], [4, "records[3].type"],
    ]);
    const rows = await api<{ rows: unknown[] }>(server.url, `${P}/runs/mixed/history/rows`);
    expect(rows.body.rows).toEqual([expect.objectContaining({ _step: 2, acc: 0.5 })]);
  });
  it("timestamps beyond what a date can hold and nesting deeper than 64 levels are rejected per record", async () => {
    // Built as text: the test's own JSON.stringify would overflow the stack at this depth.
    const deep = '{"d":'.repeat(5000) + "1" + "}".repeat(5000);
    const res = await postJson(server.url, `${P}/runs/odd/records`,
      `{"records":[{"seq":1,"type":"run","ts":1e16},{"seq":2,"type":"config","ts":${now},"values":{"deep":${deep}}},{"seq":3,"type":"finish","ts":${now},"exitCode":0}]}`);
    expect(res.status).toBe(200);
    const body = res.body as { accepted: number; rejected: { seq: number; field: string }[] };
    expect(body.rejected.map((r) => [r.seq, r.field])).toEqual([[1, "records[0].ts"], [2, "records[1].values"]]);
    expect((await api(server.url, `${P}/runs/odd`)).status).toBe(200);
    expect((await api(server.url, `${P}/runs`)).status).toBe(200);
  });
  it("keys like __proto__ and constructor are stored as data, not refused as a whole batch", async () => {
    const res = await postJson(server.url, `${P}/runs/proto/records`, "{\"records\":[{\"seq\":1,\"type\":\"run\",\"ts\":1,\"config\":{\"__proto__\":{\"polluted\":1},\"constructor\":{\"prototype\":{\"x\":2}}}}]}");
    expect(res.status).toBe(200);
    const run = await api<{ config: Record<string, unknown> }>(server.url, `${P}/runs/proto`);
    expect(JSON.stringify(run.body.config)).toContain("polluted");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("a series query without keys stays bounded", async () => {
    const values: Record<string, number> = {};
    for (let i = 0; i < 1001; i++) values[`m${i}`] = i;
    await postJson(server.url, `${P}/runs/wide/records`, { records: [rec(1, "run"), rec(2, "history", { step: 0, values })] });
    expectError(await api(server.url, `${P}/runs/wide/history`), 400, "invalid_request", "keys");
    expectError(await api(server.url, `${P}/runs/wide/history?keys=${Array.from({ length: 100 }, (_, i) => `m${i}`).join(",")}&maxPoints=100000`), 400, "invalid_request", "maxPoints");
  });
  it("a batch that skips sequence numbers gets 409 and stores nothing", async () => {
    await postJson(server.url, `${P}/runs/gap/records`, { records: [rec(1, "run")] });
    expectError(await postJson(server.url, `${P}/runs/gap/records`, { records: [rec(3, "history", { step: 0, values: { a: 1 } })] }), 409, "conflict");
    expect((await api<{ lastSeq: number }>(server.url, `${P}/runs/gap`)).body.lastSeq).toBe(1);
  });
  it("a run id that names a project route is refused", async () => {
    expectError(await postJson(server.url, `${P}/runs/keys/records`, { records: [rec(1, "run")] }), 400, "invalid_request", "runId");
    expectError(await postJson(server.url, `${P}/runs/groups/records`, { records: [rec(1, "run")] }), 400, "invalid_request", "runId");
  });
  it("an oversized body gets 413", async () => {
    const big = JSON.stringify({ records: [rec(1, "console", { stream: "stdout", text: "x".repeat(33 * 1024 * 1024) })] });
    expectError(await postJson(server.url, `${R}/records`, big), 413, "payload_too_large");
  });
  it("unknown runs and projects get 404", async () => {
    expectError(await api(server.url, `${P}/runs/nope`), 404, "run_not_found", "runId");
    expectError(await api(server.url, `${P}/runs/nope/history`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/heartbeat`, { method: "POST" }), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/diff`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/history/keys`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/history/rows`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/system`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope/console`), 404, "run_not_found");
    expectError(await api(server.url, `${P}/runs/nope`, { method: "PATCH", headers: { "content-type": "application/json" }, body: "{\"notes\":\"x\"}" }), 404, "run_not_found");
    expectError(await api(server.url, "/api/v1/projects/alice/nothing"), 404, "project_not_found");
    expectError(await api(server.url, "/api/v1/projects/alice/nothing/runs"), 404, "project_not_found");
    expectError(await api(server.url, "/api/v1/nowhere"), 404, "not_found");
  });
  it("bad path parameters and query strings", async () => {
    expectError(await api(server.url, `${P}/runs/${"x".repeat(65)}`), 400, "invalid_request", "runId");
    expectError(await api(server.url, `${P}/runs/bad$id`), 400, "invalid_request", "runId");
    expectError(await api(server.url, `${R}/history?maxPoints=1`), 400, "invalid_request", "maxPoints");
    expectError(await api(server.url, `${R}/history?maxPoints=ten`), 400, "invalid_request", "maxPoints");
    expectError(await api(server.url, `${R}/history?min=5&max=1`), 400, "invalid_request", "min");
    expectError(await api(server.url, `${R}/history?keys=${"k".repeat(300)}`), 400, "invalid_request", "keys");
    expectError(await api(server.url, `${R}/history?colour=red`), 400, "invalid_request", "colour");
    expectError(await api(server.url, `${P}/runs?limit=0`), 400, "invalid_request", "limit");
    expectError(await api(server.url, `${P}/runs?state=sleeping`), 400, "invalid_request", "state");
    expectError(await api(server.url, `${R}/console?after=-1`), 400, "invalid_request", "after");
    expectError(await api(server.url, `${R}/console?tail=0`), 400, "invalid_request", "tail");
    expectError(await api(server.url, `${R}/console?tail=5&after=2`), 400, "invalid_request", "tail");
    expectError(await api(server.url, `${R}/history/rows?minStep=x`), 400, "invalid_request", "minStep");
    expectError(await api(server.url, `${R}/history/rows?limit=100000`), 400, "invalid_request", "limit");
    expectError(await api(server.url, `${R}/system?maxPoints=0`), 400, "invalid_request", "maxPoints");
    expectError(await api(server.url, "/api/v1/projects/bad%20entity/vision"), 400, "invalid_request", "entity");
    expectError(await api(server.url, `${P}/runs?cursor=${"c".repeat(600)}`), 400, "invalid_request", "cursor");
  });
  it("a run patch with unknown or wrongly typed fields", async () => {
    const patch = (body: unknown) => api(server.url, R, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expectError(await patch({ state: "finished" }), 400, "invalid_request", "state");
    expectError(await patch({ tags: "a" }), 400, "invalid_request", "tags");
    expectError(await patch({}), 400, "invalid_request");
  });
});

describe("the binary ingest body (spool frames)", () => {
  const post = (path: string, body: Buffer) =>
    api(server.url, path, { method: "POST", headers: { "content-type": FRAMES_CONTENT_TYPE }, body: new Uint8Array(body) });
  const json = (o: unknown) => encodeFrame(Buffer.from(JSON.stringify(o)));

  it("stores JSON and binary history frames alike, NaN and infinities included", async () => {
    const body = Buffer.concat([
      json({ seq: 1, type: "run", ts: now, name: "bin" }),
      encodeFrame(encodeBinaryHistory(2, now + 1000, 0, { loss: 0.5, odd: NaN })),
      // An own "__proto__" key (a literal would set the prototype instead).
      encodeFrame(encodeBinaryHistory(3, now + 2000, 1, Object.assign(JSON.parse('{"__proto__":7}') as Record<string, number>, { loss: -Infinity }))),
    ]);
    const res = await post(`${P}/runs/bin/records`, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 3, duplicates: 0, rejected: [], lastSeq: 3 });
    expect((await post(`${P}/runs/bin/records`, body)).body).toMatchObject({ accepted: 0, duplicates: 3 });
    const rows = await api<{ rows: Record<string, unknown>[] }>(server.url, `${P}/runs/bin/history/rows`);
    expect(rows.body.rows.map(({ _timestamp, _runtime, ...r }) => r)).toEqual([
      { _step: 0, loss: 0.5, odd: "NaN" }, JSON.parse('{"_step":1,"__proto__":7,"loss":"-Infinity"}'),
    ]);
  });

  it("refuses damaged or malformed frames with 400 naming the frame", async () => {
    const good = encodeFrame(encodeBinaryHistory(2, now, 0, { a: 1 }));
    const flipped = Buffer.from(good); flipped[20] ^= 0xff;
    const badStep = encodeFrame(encodeBinaryHistory(2, now, 1.5, { a: 1 }));
    const notJson = encodeFrame(Buffer.from("{nope"));
    for (const [body, field] of [
      [good.subarray(0, good.length - 3), "records[0]"],
      [Buffer.concat([json({ seq: 1, type: "run", ts: now }), flipped]), "records[1]"],
      [badStep, "records[0]"],
      [notJson, "records[0]"],
      [Buffer.from([1, 2, 3]), "records[0]"],
    ] as const) {
      const res = await post(`${P}/runs/badframes/records`, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_request", field });
    }
    expect((await api(server.url, `${P}/runs/badframes`)).status).toBe(404);
  });

  it("is accepted only by the ingest route", async () => {
    const res = await api(server.url, R, { method: "PATCH", headers: { "content-type": FRAMES_CONTENT_TYPE }, body: new Uint8Array(json({ notes: "x" })) });
    expect(res.status).toBe(415);
  });
});

describe("access beyond loopback", () => {
  it("needs a valid key on every API call and does not reveal whether a project exists", async () => {
    const keysDir = tempDir();
    const store = await openStore(keysDir.path);
    const key = await store.keys.createApiKey("ci", Date.now());
    const app = await buildApp({ store, requireKeys: true, version: "test" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    try {
      await postJson(base, `${R}/records`, { records: [rec(1, "run")] }, { authorization: `Bearer ${key.key}` });
      const missing = await api(base, R);
      const wrong = await api(base, `${P}/runs/none`, { headers: { authorization: "Bearer ork_wrong" } });
      const unknownProject = await api(base, "/api/v1/projects/zz/zz", { headers: { authorization: "Bearer ork_wrong" } });
      for (const r of [missing, wrong, unknownProject]) {
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ error: "unauthorized" });
      }
      expect(JSON.stringify(wrong.body)).toBe(JSON.stringify(unknownProject.body));
      expect((await api(base, R, { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(200);
      expect((await api(base, "/api/v1/health")).status).toBe(200);
      // The same routes spelled differently need the key just the same.
      expect((await api(base, "/%61pi/v1/projects")).status).toBe(401);
      expect((await api(base, `/%61pi/v1/projects/alice/vision/runs/r1`)).status).toBe(401);
      expect((await api(base, "/api/v1/projects/alice/vision/runs/r1/../../../../projects")).status).toBe(401);
      const raw = await new Promise<string>((res) => {
        const sock = connect(Number(new URL(base).port), "127.0.0.1", () => sock.end(`GET ${base}/api/v1/projects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let got = "";
        sock.on("data", (d: Buffer) => { got += d.toString(); });
        sock.on("close", () => res(got));
      });
      expect(raw).toMatch(/^HTTP\/1\.1 401/);
      await store.keys.revokeApiKey(key.id);
      expect((await api(base, R, { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(401);
    } finally {
      await app.close();
      await store.close();
      keysDir.cleanup();
    }
  });
});
