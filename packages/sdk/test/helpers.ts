// Test fixtures for the SDK: temp folders, quiet init defaults, reading a run's spool back, an
// offline run per test, a stderr spy, and a fake server that speaks the ingest contract with knobs for failures.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import * as orrery from "../src/index.js";
import { payloadJson, readSpoolFile } from "../src/spool/format.js";
import { FRAMES_CONTENT_TYPE, splitFrames } from "@orrery/protocol/frames";

export function tempDir(prefix = "orrery-sdk-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** init() with everything a test does not want: no console capture, no sampling. */
export function quietInit(options: orrery.InitOptions): Promise<orrery.Run> {
  return orrery.init({ console: false, systemMetricsIntervalMs: 0, project: "tester/tests", ...options });
}

export function spoolRecords(spoolDir: string): Record<string, unknown>[] {
  return readSpoolFile(join(spoolDir, "records.spool")).records;
}

/**
 * An offline run for each test of the calling describe block (stderr muted), handed to `onRun`,
 * finished and removed after the test. `records(...types)` finishes it and reads back its spooled
 * records of those types.
 */
export function offlineRunPerTest(onRun: (run: orrery.Run) => void): { records(...types: string[]): Promise<Record<string, unknown>[]> } {
  let dir: ReturnType<typeof tempDir>;
  let run: orrery.Run;
  beforeEach(async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    dir = tempDir();
    run = await quietInit({ mode: "offline", dir: dir.path });
    onRun(run);
  });
  afterEach(async () => {
    await run.finish();
    vi.restoreAllMocks();
    dir.cleanup();
  });
  return {
    async records(...types: string[]) {
      await run.finish();
      return spoolRecords(run.spoolDir).filter((r) => types.includes(r.type as string));
    },
  };
}

export function runFolders(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.startsWith("run-"));
}

/** Collects what the SDK prints to stderr while `fn` runs (the lines still reach nothing). */
/** Runs `fn` with stderr captured; `fn` may read what was written so far through its argument. */
export async function captureStderr<T>(fn: (sofar: () => string) => Promise<T> | T): Promise<{ result: T; text: string }> {
  let text = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string | Uint8Array) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write);
  try {
    return { result: await fn(() => text), text };
  } finally {
    spy.mockRestore();
  }
}

export interface FakeServerOptions {
  /** Answer this many record requests with 503 before behaving. */
  failFirst?: number;
  /** Answer 413 to batches with more records than this. */
  maxRecords?: number;
  /** Reject records with these seqs (consumed, reported in `rejected`). */
  rejectSeqs?: number[];
  /** Require this bearer token (401 otherwise). */
  apiKey?: string;
  /** Start the run's lastSeq here, as if the server already held these seqs. */
  initialLastSeq?: number;
  /** Listen on this port (default: any free one). */
  port?: number;
}

export interface FakeServer {
  url: string;
  /** Stored records per run id, in seq order. */
  stored: Map<string, Record<string, unknown>[]>;
  requests: { path: string; status: number; records: number; auth: string | undefined }[];
  heartbeats: number;
  /** Forgets every run, as a server restored from an old backup would. */
  forget(): void;
  close(): Promise<void>;
}

/** A small server with the ingest contract: idempotent by seq, 409 on gaps, 413, rejections. */
export async function fakeServer(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const lastSeq = new Map<string, number>();
  const fake: FakeServer = {
    url: "", stored: new Map(), requests: [], heartbeats: 0, close: async () => {},
    forget: () => {
      lastSeq.clear();
      fake.stored.clear();
    },
  };
  let failures = opts.failFirst ?? 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const auth = req.headers.authorization;
    const reply = (status: number, payload?: unknown, records = 0): void => {
      fake.requests.push({ path: req.url ?? "", status, records, auth });
      res.writeHead(status, payload === undefined ? {} : { "content-type": "application/json" });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const m = /\/runs\/([^/]+)\/(records|heartbeat)$/.exec(req.url ?? "");
    if (!m || req.method !== "POST") return reply(404, { error: "not_found", message: "no such route" });
    if (opts.apiKey !== undefined && auth !== `Bearer ${opts.apiKey}`) return reply(401, { error: "unauthorized", message: "a valid API key is required" });
    const runId = m[1]!;
    if (m[2] === "heartbeat") {
      fake.heartbeats++;
      return reply(lastSeq.has(runId) ? 204 : 404);
    }
    const records = bodyRecords(req, body);
    if (failures > 0) {
      failures--;
      return reply(503, { error: "unavailable", message: "try again" }, records.length);
    }
    if (opts.maxRecords !== undefined && records.length > opts.maxRecords) {
      return reply(413, { error: "payload_too_large", message: "batch too large" }, records.length);
    }
    let last = lastSeq.get(runId) ?? opts.initialLastSeq ?? 0;
    const firstNew = records.find((r) => (r.seq as number) > last);
    if (firstNew && firstNew.seq !== last + 1) {
      return reply(409, { error: "conflict", message: `records must arrive in seq order: expected seq ${last + 1}, got ${String(firstNew.seq)}; resend from seq ${last + 1}` }, records.length);
    }
    let accepted = 0;
    let duplicates = 0;
    const rejected: { seq: number; error: string; message: string; field?: string }[] = [];
    const stored = fake.stored.get(runId) ?? [];
    for (const r of records) {
      const seq = r.seq as number;
      if (seq <= last) {
        duplicates++;
        continue;
      }
      last = seq;
      if (opts.rejectSeqs?.includes(seq)) {
        rejected.push({ seq, error: "invalid_record", message: "refused by the fake", field: "records[0].values.x" });
        continue;
      }
      stored.push(r);
      accepted++;
    }
    lastSeq.set(runId, last);
    fake.stored.set(runId, stored);
    reply(200, { accepted, duplicates, rejected, lastSeq: last }, records.length);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  fake.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  fake.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return fake;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

/** The records of an ingest body: frames (what the SDK sends) or a JSON envelope. */
function bodyRecords(req: IncomingMessage, body: Buffer): Record<string, unknown>[] {
  if (req.headers["content-type"] === FRAMES_CONTENT_TYPE) {
    return splitFrames(body).map((p) => JSON.parse(payloadJson(Buffer.from(p))) as Record<string, unknown>);
  }
  return (JSON.parse(body.toString("utf8")) as { records: Record<string, unknown>[] }).records;
}
