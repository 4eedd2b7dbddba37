// Crashes, tested rather than assumed: a training process killed with SIGKILL loses nothing whose
// log() had returned, and a server killed with SIGKILL during heavy ingest keeps every
// acknowledged point while the SDK resends the rest.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { CLI, ROOT, api, runCli, tempDir, testServer, waitExit, waitFor } from "./helpers.js";

const LOGGER = join(ROOT, "e2e/fixtures/logger.mjs");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

function lastProgress(file: string): number {
  if (!existsSync(file)) return -1;
  const lines = readFileSync(file, "utf8").trim().split("\n").filter(Boolean);
  return lines.length ? Number(lines[lines.length - 1]) : -1;
}

function spawnLogger(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [LOGGER], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  cleanups.push(() => { if (child.exitCode === null) child.kill("SIGKILL"); });
  return child;
}

async function allRows(url: string, path: string): Promise<Record<string, number>[]> {
  const out: Record<string, number>[] = [];
  let minStep: number | null = 0;
  while (minStep !== null) {
    const { body } = await api<{ rows: Record<string, number>[]; nextMinStep: number | null }>(url, `${path}/history/rows?minStep=${minStep}&limit=10000`);
    out.push(...body.rows);
    minStep = body.nextMinStep;
  }
  return out;
}

function expectExactlySteps(rows: Record<string, number>[], count: number) {
  expect(rows.length).toBe(count);
  rows.forEach((r, i) => {
    expect(r._step).toBe(i);
    expect(r.twice).toBe(i * 2);
  });
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function ackSeq(spoolRoot: string, runId: string): number {
  const dir = readdirSync(spoolRoot).find((d) => d.endsWith(`-${runId}`));
  if (!dir || !existsSync(join(spoolRoot, dir, "ack.json"))) return 0;
  return (JSON.parse(readFileSync(join(spoolRoot, dir, "ack.json"), "utf8")) as { seq: number }).seq;
}

describe("crashes", () => {
  it("a training process killed with SIGKILL, then orrery sync, loses no point whose log() returned and duplicates none", async () => {
    const data = tempDir(); const spool = tempDir();
    cleanups.push(() => { data.cleanup(); spool.cleanup(); });
    const server = await testServer(data.path);
    cleanups.push(() => server.close());
    const progress = join(spool.path, "progress.txt");
    const child = spawnLogger({ ORRERY_URL: server.url, ORRERY_DIR: spool.path, ORRERY_MODE: "online", RUN_ID: "killed", PROGRESS_FILE: progress, STEPS: "100000000" });
    await waitFor(async () => lastProgress(progress) >= 20_000, 30_000, "the logger to log 20,000 rows");
    child.kill("SIGKILL");
    await waitExit(child);
    const returned = lastProgress(progress);

    const sync = await runCli(["sync", spool.path], { ORRERY_URL: server.url });
    expect(sync.code).toBe(0);
    const rows = await allRows(server.url, "/api/v1/projects/crash/tests/runs/killed");
    // Every returned call is present; at most the one call in progress at the kill may also be.
    expect(rows.length).toBeGreaterThanOrEqual(returned + 1);
    expect(rows.length).toBeLessThanOrEqual(returned + 2);
    expectExactlySteps(rows, rows.length);

    const again = await runCli(["sync", spool.path], { ORRERY_URL: server.url });
    expect(again.code).toBe(0);
    expect((await allRows(server.url, "/api/v1/projects/crash/tests/runs/killed")).length).toBe(rows.length);
  });

  it.each([["SIGTERM", 143], ["SIGINT", 130]] as const)("a training process stopped with %s finishes its run as failed, uploads everything, and dies of the signal", async (signal, code) => {
    const data = tempDir(); const spool = tempDir();
    cleanups.push(() => { data.cleanup(); spool.cleanup(); });
    const server = await testServer(data.path);
    cleanups.push(() => server.close());
    const runId = `sig-${signal.toLowerCase()}`;
    const child = spawn(process.execPath, [join(ROOT, "e2e/fixtures/wait.mjs")], {
      env: { ...process.env, ORRERY_URL: server.url, ORRERY_DIR: spool.path, ORRERY_MODE: "online", RUN_ID: runId }, stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); });
    await new Promise<void>((res) => child.stdout!.on("data", (d: Buffer) => { if (d.toString().includes("ready")) res(); }));
    child.kill(signal);
    const exited = await new Promise<NodeJS.Signals | null>((res) => child.on("exit", (_c, s) => res(s)));
    expect(exited).toBe(signal);
    const run = await api<{ state: string; exitCode: number }>(server.url, `/api/v1/projects/signals/tests/runs/${runId}`);
    expect(run.body).toMatchObject({ state: "failed", exitCode: code });
    const rows = await allRows(server.url, `/api/v1/projects/signals/tests/runs/${runId}`);
    expect(rows).toHaveLength(11);
    expect(rows[10]).toMatchObject({ _step: 10, partial: 1 });
  });

  it("a server killed with SIGKILL during heavy ingest keeps every acknowledged point, and the SDK resends the rest", async () => {
    const data = tempDir(); const spool = tempDir();
    cleanups.push(() => { data.cleanup(); spool.cleanup(); });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const startServerProcess = async () => {
      const p = spawn(process.execPath, [CLI, "server", "--port", String(port), "--data", data.path, "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
      cleanups.push(() => { if (p.exitCode === null) p.kill("SIGKILL"); });
      await waitFor(async () => { try { return (await fetch(url + "/api/v1/health")).ok; } catch { return false; } }, 20_000, "server start");
      return p;
    };
    const steps = 60_000;
    let server = await startServerProcess();
    const child = spawnLogger({ ORRERY_URL: url, ORRERY_DIR: spool.path, ORRERY_MODE: "online", ORRERY_PROJECT: "crash/tests", RUN_ID: "heavy", STEPS: String(steps), YIELD_EVERY: "50" });
    await waitFor(async () => ackSeq(spool.path, "heavy") > 2_000, 30_000, "some acknowledged batches");
    server.kill("SIGKILL");
    await waitExit(server);
    const acked = ackSeq(spool.path, "heavy");
    await new Promise((r) => setTimeout(r, 500));
    server = await startServerProcess();
    const run = await api<{ lastSeq: number }>(url, "/api/v1/projects/crash/tests/runs/heavy");
    expect(run.body.lastSeq).toBeGreaterThanOrEqual(acked);

    expect(await waitExit(child)).toBe(0);
    const final = await api<{ state: string }>(url, "/api/v1/projects/crash/tests/runs/heavy");
    expect(final.body.state).toBe("finished");
    expectExactlySteps(await allRows(url, "/api/v1/projects/crash/tests/runs/heavy"), steps);
    server.kill("SIGTERM");
    await waitExit(server);
  });
});
