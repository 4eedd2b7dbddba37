// Live updates over Server-Sent Events, on real servers (ephemeral ports, real SQLite files) read
// by a real HTTP client: events after ingest, edits, heartbeats and crashes; coalescing; keep-alive
// comments; cleanup when a client leaves; a server close that ends open streams; ?key= where keys
// are required.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { ErrorBody, type RunRow } from "@orrery/protocol";
import { openStore } from "@orrery/store";
import { api, postJson, tempDir, waitFor } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { buildApp } from "../src/app.js";
import { LiveBus } from "../src/live/bus.js";
import { liveRoutes } from "../src/routes/live.js";

const P = "/api/v1/projects/ada/live";
const INTERVAL = 250;

interface SseEvent { event: string; data: string }

/** An open event stream: what has arrived so far, and whether the server ended it. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal, headers });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const state = { ended: false };
  const ended = (async () => {
    if (res.body === null) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join("\n") });
        }
      }
    } catch {
      /* aborted by the test */
    }
    state.ended = true;
  })();
  return {
    res, events, comments, state, ended,
    runs: () => events.filter((e) => e.event === "runs").map((e) => (JSON.parse(e.data) as { runs: RunRow[] }).runs),
    close: () => ctrl.abort(),
  };
}

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
const seqs = new Map<string, number>();

/** Logs records to a run through the ingest endpoint, numbering them on from the last call. */
async function log(runId: string, records: object[]) {
  let seq = seqs.get(runId) ?? 0;
  const numbered = records.map((r) => ({ seq: ++seq, ts: Date.now(), ...r }));
  seqs.set(runId, seq);
  const res = await postJson(server.url, `${P}/runs/${runId}/records`, { records: numbered });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0, liveIntervalMs: INTERVAL });
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe("GET .../projects/{entity}/{project}/events", () => {
  it("streams a runs event with the run's new lastStep after records are logged, even for a project that did not exist", async () => {
    const stream = await openStream(`${server.url}${P}/events`);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get("content-type")).toContain("text/event-stream");
      expect(stream.res.headers.get("cache-control")).toBe("no-cache");
      expect(stream.res.headers.get("x-accel-buffering")).toBe("no");
      await log("r1", [{ type: "run", name: "first" }, { type: "history", step: 0, values: { loss: 1 } }]);
      await log("r1", [{ type: "history", step: 5, values: { loss: 0.5 } }]);
      const row = await waitFor(async () => stream.runs().flat().find((r) => r.id === "r1" && r.lastStep === 5), 5000, "a runs event with lastStep 5");
      expect(row).toMatchObject({ id: "r1", name: "first", state: "running", entity: "ada", project: "live", values: {} });
      expect(row).not.toHaveProperty("config");
    } finally {
      stream.close();
    }
  });

  it("coalesces many writes within an interval into few events carrying the latest rows", async () => {
    await log("r2", [{ type: "run" }]);
    const stream = await openStream(`${server.url}${P}/events`);
    try {
      const start = Date.now();
      for (let step = 0; step < 30; step++) await log("r2", [{ type: "history", step, values: { v: step } }]);
      await log("r3", [{ type: "run", name: "other" }]);
      const elapsed = Date.now() - start;
      await waitFor(async () => stream.runs().flat().some((r) => r.id === "r2" && r.lastStep === 29) && stream.runs().flat().some((r) => r.id === "r3"), 5000, "the last write");
      await new Promise((r) => setTimeout(r, INTERVAL * 2));
      const events = stream.runs();
      // At most one event per interval (plus the first, which goes at once, and the last one).
      expect(events.length).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL) + 2);
      expect(events.length).toBeLessThan(31);
      // Each event names a run once, with its row as it was when read.
      for (const runs of events) expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    } finally {
      stream.close();
    }
  });

  it("streams edits and heartbeats", async () => {
    await log("r4", [{ type: "run" }]);
    const stream = await openStream(`${server.url}${P}/events`);
    try {
      const patched = await api(server.url, `${P}/runs/r4`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ tags: ["live"] }) });
      expect(patched.status).toBe(200);
      await waitFor(async () => stream.runs().flat().some((r) => r.id === "r4" && r.tags.includes("live")), 5000, "the edit");
      const before = stream.runs().length;
      expect((await api(server.url, `${P}/runs/r4/heartbeat`, { method: "POST" })).status).toBe(204);
      await waitFor(async () => stream.runs().length > before && stream.runs().at(-1)!.some((r) => r.id === "r4"), 5000, "the heartbeat");
    } finally {
      stream.close();
    }
  });

  it("sends a project event when runs crash, since which ones is not known", async () => {
    const d = tempDir();
    const s = await startServer({ dataDir: d.path, port: 0, liveIntervalMs: 50, heartbeatTimeoutMs: 400 });
    try {
      const stream = await openStream(`${s.url}${P}/events`);
      await postJson(s.url, `${P}/runs/c1/records`, { records: [{ seq: 1, type: "run", ts: Date.now() }] });
      // Nothing beats: the run crashes, and the stream hears to reload.
      await waitFor(async () => stream.events.some((e) => e.event === "project"), 10_000, "a project event");
      expect(stream.events.find((e) => e.event === "project")!.data).toBe("{}");
      expect((await api<{ state: string }>(s.url, `${P}/runs/c1`)).body.state).toBe("crashed");
      stream.close();
    } finally {
      await s.close();
      d.cleanup();
    }
  });

  it("hears only its own project, and forgets a client that leaves", async () => {
    const other = await openStream(`${server.url}/api/v1/projects/ada/elsewhere/events`);
    await waitFor(async () => server.app.live.size === 1, 5000, "the subscription");
    await log("r5", [{ type: "run" }]);
    await new Promise((r) => setTimeout(r, INTERVAL * 2));
    expect(other.events).toEqual([]);
    other.close();
    await waitFor(async () => server.app.live.size === 0, 5000, "the subscription to go");
  });

  it("refuses bad query parameters with a JSON 400", async () => {
    const res = await api(server.url, `${P}/events?colour=red`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "invalid_request", field: "colour" });
  });

  it("is described in the OpenAPI document as an event stream", async () => {
    const { body } = await api<{ paths: Record<string, { get: { summary: string; responses: Record<string, { content?: Record<string, unknown> }> } }>; components: { schemas: Record<string, unknown> } }>(server.url, "/api/v1/openapi.json");
    const op = body.paths["/api/v1/projects/{entity}/{project}/events"]!.get;
    expect(op.summary).toMatch(/Server-Sent Events/);
    expect(Object.keys(op.responses["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(["LiveRunsEvent", "MultiSeriesResponse"]));
  });
});

describe("the live stream's lifecycle", () => {
  it("ends open streams when the server closes, and close does not wait for them", async () => {
    const d = tempDir();
    const s = await startServer({ dataDir: d.path, port: 0, liveIntervalMs: 50 });
    try {
      const a = await openStream(`${s.url}${P}/events`);
      const b = await openStream(`${s.url}/api/v1/projects/x/y/events`);
      const started = Date.now();
      await s.close();
      await Promise.all([a.ended, b.ended]);
      expect(a.state.ended && b.state.ended).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await s.close();
      d.cleanup();
    }
  });

  it("sends a keep-alive comment at the ping interval", async () => {
    const d = tempDir();
    const store = await openStore(d.path);
    const app = Fastify();
    app.decorate("store", store);
    app.decorate("live", new LiveBus());
    app.addSchema(ErrorBody);
    await app.register(liveRoutes, { intervalMs: 50, pingMs: 50 });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    try {
      const stream = await openStream(`http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}${P}/events`);
      await waitFor(async () => stream.comments.filter((c) => c === "ping").length >= 2, 5000, "two pings");
      expect(stream.comments[0]).toBe("connected");
      stream.close();
    } finally {
      await app.close();
      await store.close();
      d.cleanup();
    }
  });
});

describe("the live stream where keys are required", () => {
  it("takes the key as ?key= on this route only, since EventSource cannot send headers", async () => {
    const d = tempDir();
    const store = await openStore(d.path);
    const key = await store.keys.createApiKey("dashboard", Date.now());
    const app = await buildApp({ store, requireKeys: true, version: "test", liveIntervalMs: 50 });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    try {
      const none = await api(base, `${P}/events`);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ error: "unauthorized" });
      expect((await api(base, `${P}/events?key=ork_wrong`)).status).toBe(401);
      // Elsewhere the query parameter is no key at all.
      expect((await api(base, `/api/v1/projects?key=${key.key}`)).status).toBe(401);
      const stream = await openStream(`${base}${P}/events?key=${encodeURIComponent(key.key)}`);
      expect(stream.res.status).toBe(200);
      const headerStream = await openStream(`${base}${P}/events`, { authorization: `Bearer ${key.key}` });
      expect(headerStream.res.status).toBe(200);
      await postJson(base, `${P}/runs/k1/records`, { records: [{ seq: 1, type: "run", ts: Date.now() }] }, { authorization: `Bearer ${key.key}` });
      await waitFor(async () => stream.runs().flat().some((r) => r.id === "k1"), 5000, "the run");
      stream.close();
      headerStream.close();
    } finally {
      await app.close();
      await store.close();
      d.cleanup();
    }
  });
});
