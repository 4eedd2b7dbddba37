// Shipping spools: the live sender and syncDir against the real server (retry until it comes
// up, idempotent sync, seq-gap recovery, torn tails, refused records), and the parts of the
// contract a real server rarely shows (5xx, 413, 401) against a fake one.
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { syncDir, type Run } from "../src/index.js";
import { encodeFrame, SpoolReader } from "../src/spool/format.js";
import { readAck, writeAck } from "../src/spool/ack.js";
import { Sender } from "../src/sender.js";
import { captureStderr, fakeServer, quietInit, spoolRecords, tempDir } from "./helpers.js";

type RunningServer = { url: string; close(): Promise<void> };
type StartServer = (opts: { dataDir: string; host?: string; port?: number; logger?: boolean }) => Promise<RunningServer>;
// The server package is built by others; these tests wait for it rather than fail to load.
const startServer: StartServer | undefined = await import("@orrery/server")
  .then((m: { startServer?: StartServer }) => m.startServer)
  .catch(() => undefined);

let spool: ReturnType<typeof tempDir>;
beforeEach(() => {
  spool = tempDir();
  vi.spyOn(process.stderr, "write").mockImplementation(() => true); // offline notices
});
afterEach(() => {
  vi.restoreAllMocks();
  spool.cleanup();
});

async function offlineRun(rows: number, id?: string): Promise<Run> {
  const run = await quietInit({ mode: "offline", dir: spool.path, id, project: "tester/sync" });
  for (let i = 0; i < rows; i++) run.log({ loss: 1 / (i + 1), i });
  await run.finish();
  return run;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

describe.skipIf(startServer === undefined)("against the real server", () => {
  let data: ReturnType<typeof tempDir>;
  let server: RunningServer;
  beforeAll(async () => {
    data = tempDir("orrery-sdk-data-");
    server = await startServer!({ dataDir: data.path, host: "127.0.0.1", port: 0, logger: false });
  });
  afterAll(async () => {
    await server?.close();
    data?.cleanup();
  });

  async function lastSeq(runId: string): Promise<number> {
    const res = await fetch(`${server.url}/api/v1/projects/tester/sync/runs/${runId}`);
    return res.ok ? ((await res.json()) as { lastSeq: number }).lastSeq : 0;
  }
  async function historyCount(runId: string, project = "sync"): Promise<number> {
    const res = await fetch(`${server.url}/api/v1/projects/tester/${project}/runs/${runId}/history/rows?limit=10000`);
    return ((await res.json()) as { rows: unknown[] }).rows.length;
  }

  it("an online run is delivered and finish() reports nothing pending", async () => {
    const run = await quietInit({ dir: spool.path, url: server.url, project: "tester/sync" });
    for (let i = 0; i < 500; i++) run.log({ loss: 1 / (i + 1) });
    const res = await run.finish();
    expect(res).toMatchObject({ sent: 502, pending: 0 });
    expect(await historyCount(run.id)).toBe(500);
    expect(readAck(run.spoolDir).seq).toBe(502);
  });

  it("keeps retrying while the server is down and delivers everything once it comes up", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = await quietInit({ dir: spool.path, url, project: "tester/late", finishTimeoutMs: 20_000 });
    for (let i = 0; i < 200; i++) run.log({ i });
    await new Promise((r) => setTimeout(r, 700)); // a few refused connections
    const lateData = tempDir("orrery-sdk-data-");
    const late = await startServer!({ dataDir: lateData.path, host: "127.0.0.1", port, logger: false });
    try {
      const res = await run.finish();
      expect(res.pending).toBe(0);
      const rows = await fetch(`${url}/api/v1/projects/tester/late/runs/${run.id}/history/rows?limit=1000`);
      expect(((await rows.json()) as { rows: unknown[] }).rows).toHaveLength(200);
    } finally {
      await late.close();
      lateData.cleanup();
    }
  });

  it("syncDir uploads an offline run, and a second sync sends nothing", async () => {
    const run = await offlineRun(300, "sync-twice");
    const progress: [number, number][] = [];
    const first = await syncDir(spool.path, { url: server.url, onProgress: (s, t) => progress.push([s, t]) });
    expect(first).toEqual([
      { runId: "sync-twice", entity: "tester", project: "sync", spoolDir: run.spoolDir, sent: 302, duplicates: 0, rejected: 0, tornTailBytes: 0 },
    ]);
    expect(progress[0]).toEqual([0, 302]);
    expect(progress.at(-1)).toEqual([302, 302]);
    expect(await historyCount("sync-twice")).toBe(300);
    const second = await syncDir(run.spoolDir, { url: server.url });
    expect(second[0]).toMatchObject({ sent: 0, duplicates: 0 });
    expect(await lastSeq("sync-twice")).toBe(302);
  });

  it("a lost ack.json only costs duplicates, which the server drops", async () => {
    const run = await offlineRun(50, "lost-ack");
    await syncDir(spool.path, { url: server.url });
    writeFileSync(join(run.spoolDir, "ack.json"), "{}");
    const again = await syncDir(spool.path, { url: server.url });
    expect(again[0]).toMatchObject({ sent: 52, duplicates: 52 });
    expect(await historyCount("lost-ack")).toBe(50);
  });

  it("a seq gap (409) makes the sender resend from where the server stopped", async () => {
    const run = await offlineRun(40, "gap");
    // Pretend seqs 1..20 were acknowledged although the server holds none of them.
    const reader = SpoolReader.open(join(run.spoolDir, "records.spool"));
    const at21 = reader.findSeq(21)!;
    reader.close();
    writeAck(run.spoolDir, { offset: at21, seq: 20 });
    const [report] = await syncDir(spool.path, { url: server.url });
    expect(report).toMatchObject({ duplicates: 0, rejected: 0 });
    expect(await lastSeq("gap")).toBe(42);
    expect(await historyCount("gap")).toBe(40);
  });

  it("syncs a spool torn by a crash up to the torn frame and reports the torn bytes", async () => {
    const run = await offlineRun(30, "torn");
    const path = join(run.spoolDir, "records.spool");
    truncateSync(path, readFileSync(path).length - 5); // the finish record is cut short
    const [report] = await syncDir(spool.path, { url: server.url });
    expect(report!.sent).toBe(31);
    expect(report!.tornTailBytes).toBeGreaterThan(0);
    expect(await historyCount("torn")).toBe(30);
  });

  it("a record the server refuses is consumed, reported once and never resent", async () => {
    const run = await offlineRun(3, "refused");
    const path = join(run.spoolDir, "records.spool");
    // Records the SDK itself would refuse, written by hand: a 300-character key, then a good row.
    appendFileSync(path, encodeFrame(JSON.stringify({ seq: 6, ts: 1, type: "history", step: 9, values: { ["k".repeat(300)]: 1 } })));
    appendFileSync(path, encodeFrame(JSON.stringify({ seq: 7, ts: 1, type: "history", step: 10, values: { ok: 1 } })));
    const { result, text } = await captureStderr(() => syncDir(spool.path, { url: server.url }));
    expect(result[0]).toMatchObject({ sent: 7, rejected: 1 });
    expect(text).toMatch(/refused history record seq 6/);
    expect(await lastSeq("refused")).toBe(7);
    const again = await syncDir(spool.path, { url: server.url });
    expect(again[0]).toMatchObject({ sent: 0, rejected: 0 });
  });
});

describe("against a fake server", () => {
  it("retries 503 answers with backoff until they succeed", async () => {
    const server = await fakeServer({ failFirst: 3 });
    try {
      await offlineRun(10, "flaky");
      const [report] = await syncDir(spool.path, { url: server.url });
      expect(report).toMatchObject({ sent: 12 });
      expect(server.requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
      expect(server.stored.get("flaky")).toHaveLength(12);
    } finally {
      await server.close();
    }
  });

  it("splits a batch the server finds too large (413)", async () => {
    const server = await fakeServer({ maxRecords: 100 });
    try {
      await offlineRun(1000, "split");
      const [report] = await syncDir(spool.path, { url: server.url });
      expect(report!.sent).toBe(1002);
      expect(server.stored.get("split")!.map((r) => r.seq)).toEqual(Array.from({ length: 1002 }, (_, i) => i + 1));
      expect(server.requests.some((r) => r.status === 413)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("sends the API key, and sync fails at once with the server's message when it is wrong", async () => {
    const server = await fakeServer({ apiKey: "right" });
    try {
      await offlineRun(5, "auth");
      await expect(syncDir(spool.path, { url: server.url, apiKey: "wrong" })).rejects.toThrow(/401: a valid API key is required/);
      expect(readAck(join(spool.path, readdirSync(spool.path)[0]!)).seq).toBe(0);
      const [report] = await syncDir(spool.path, { url: server.url, apiKey: "right" });
      expect(report!.sent).toBe(7);
    } finally {
      await server.close();
    }
  });

  it("sync gives up on an unreachable server after giveUpAfterMs, keeping the spool for next time", async () => {
    await offlineRun(5, "unreachable");
    const url = `http://127.0.0.1:${await freePort()}`;
    await expect(syncDir(spool.path, { url, giveUpAfterMs: 300 })).rejects.toThrow(/cannot reach .*run orrery sync again/);
  });

  it("sync resends from the server's position after a 409 from a server that lost data", async () => {
    const server = await fakeServer();
    try {
      const run = await quietInit({ dir: spool.path, url: server.url, id: "sync-gap" });
      run.log({ a: 1 });
      expect((await run.finish()).pending).toBe(0);
      appendFileSync(join(run.spoolDir, "records.spool"), encodeFrame(JSON.stringify({ seq: 4, ts: 1, type: "history", step: 1, values: { b: 2 } })));
      const fresh = await fakeServer();
      try {
        const [report] = await syncDir(run.spoolDir, { url: fresh.url });
        expect(report!.sent).toBe(4);
        expect(fresh.stored.get("sync-gap")!.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
        expect(fresh.requests.map((r) => r.status)).toEqual([409, 200]);
      } finally {
        await fresh.close();
      }
    } finally {
      await server.close();
    }
  });

  it("a live run whose server forgot it resends everything from seq 1 (409)", async () => {
    const server = await fakeServer();
    try {
      const run = await quietInit({ dir: spool.path, url: server.url, id: "live-gap" });
      for (let i = 0; i < 10; i++) run.log({ i });
      await vi.waitFor(() => expect(readAck(run.spoolDir).seq).toBe(11), { timeout: 5_000 });
      server.forget();
      for (let i = 10; i < 20; i++) run.log({ i });
      expect((await run.finish()).pending).toBe(0);
      expect(server.stored.get("live-gap")!.map((r) => r.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
      expect(server.requests.some((r) => r.status === 409)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("warns once when a new run's records were already on the server (a reused run id)", async () => {
    const server = await fakeServer({ initialLastSeq: 5 });
    try {
      const { text } = await captureStderr(async () => {
        const run = await quietInit({ dir: spool.path, url: server.url, id: "reused" });
        run.log({ a: 1 });
        await run.finish();
      });
      expect(text).toMatch(/already held records of run reused/);
    } finally {
      await server.close();
    }
  });

  it("says once that the server is unreachable, and once that it is back", async () => {
    const run = await offlineRun(20, "down-up");
    const port = await freePort();
    const spoolFile = join(run.spoolDir, "records.spool");
    const sender = new Sender({
      dir: run.spoolDir, url: `http://127.0.0.1:${port}`, apiKey: undefined, mode: "live",
      end: () => statSync(spoolFile).size, warnAfterMs: 200,
    });
    let server: Awaited<ReturnType<typeof fakeServer>> | undefined;
    const { result: drained, text } = await captureStderr(async (sofar) => {
      const done = sender.drain(20_000);
      // Bring the server up only once the sender has said it is unreachable (timing-proof under load).
      for (let waited = 0; !/cannot reach/.test(sofar()) && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      server = await fakeServer({ port });
      return done;
    });
    sender.stop();
    await server?.close();
    expect(drained).toBe(true);
    expect(text.match(/cannot reach .*ECONNREFUSED.*records are kept in/g)).toHaveLength(1);
    expect(text.match(/reconnected to/g)).toHaveLength(1);
    expect(server!.stored.get("down-up")).toHaveLength(22);
  });

  it("finish() gives up after finishTimeoutMs and says how to upload the rest", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { result, text } = await captureStderr(async () => {
      const run = await quietInit({ dir: spool.path, url, finishTimeoutMs: 300 });
      run.log({ a: 1 });
      return run.finish();
    });
    expect(result.pending).toBe(3);
    expect(text).toContain(`orrery sync ${result.spoolDir}`);
    expect(spoolRecords(result.spoolDir)).toHaveLength(3);
  });
});
