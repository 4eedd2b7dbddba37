// Artifacts from Python against a real server: a dataset logged by one run, a PyTorch model trained
// on it and logged with aliases, an evaluation run that downloads the model (byte-equal, loads with
// torch.load), and the lineage the server draws from that; Python's manifest digest equals the
// server's; the download cache is digest-keyed and shared with the TypeScript SDK (a second
// download needs no blob, in either language); an upload killed with SIGKILL resumes from the bytes
// the server kept; and a blob corrupted on the server is reported, with nothing left in the target.
import { afterEach, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { ArtifactCache, ArtifactClient } from "orrery";
import { ROOT, api, tempDir, testServer, waitExit, waitFor } from "./helpers.js";
import { runPython, spawnPython } from "./python-helpers.js";

const SCRIPT = join(ROOT, "e2e/fixtures/python_artifacts.py");
const PROJECT = "/api/v1/projects/art/pipeline";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** Where the server's local blob store keeps a blob (packages/store/src/files/blob-store.ts). */
const blobFile = (dataDir: string, digest: string) => join(dataDir, "blobs", digest.slice(0, 2), digest.slice(2));

async function setup() {
  const data = tempDir(); const work = tempDir();
  const server = await testServer(data.path);
  cleanups.push(() => { data.cleanup(); work.cleanup(); });
  cleanups.push(() => server.close());
  const cache = join(work.path, "cache");
  const env = (extra: Record<string, string> = {}) => ({
    ORRERY_URL: server.url, ORRERY_DIR: join(work.path, "spool"), ORRERY_CACHE_DIR: cache, ORRERY_ENTITY: "art", ...extra,
  });
  return { server, dataDir: data.path, work: work.path, cache, env };
}

interface Result { [key: string]: unknown }

async function py(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Result> {
  const res = await runPython([SCRIPT, ...args], env, timeoutMs);
  const line = res.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (res.code !== 0 || !line) throw new Error(`python ${args.join(" ")} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(line.slice("RESULT ".length)) as Result;
}

interface Version { name: string; version: string; digest: string; aliases: string[]; metadata: Record<string, unknown>; createdBy: string | null; size: number }

async function version(url: string, name: string, ref: string): Promise<Version> {
  const { status, body } = await api<Version>(url, `${PROJECT}/artifacts/${name}/versions/${ref}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

/** A TCP proxy that counts the bytes clients send and can slow them to `rate` bytes per second. */
async function throttlingProxy(upstreamPort: number): Promise<{ url: string; sent: () => number; rate: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { sent: 0, rate: 0 };
  const server: Server = createServer((client) => {
    const up = createConnection(upstreamPort, "127.0.0.1");
    sockets.add(client); sockets.add(up);
    client.on("data", (chunk: Buffer) => {
      state.sent += chunk.length;
      up.write(chunk);
      if (state.rate > 0) {
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / state.rate) * 1000);
      }
    });
    up.pipe(client);
    // A killed client cuts the server's connection mid-body, as a real network drop would.
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("error", () => up.destroy());
    up.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => state.sent,
    get rate() { return state.rate; },
    set rate(v: number) { state.rate = v; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe("artifacts from Python", () => {
  it("dataset -> PyTorch training run -> model with aliases -> evaluation run: digests agree, the model downloads byte-equal and loads, and the lineage is drawn", async () => {
    const { server, dataDir, work, cache, env } = await setup();

    const data = await py(["dataset", join(work, "points")], env());
    const points = await version(server.url, "points", "latest");
    expect(data.version).toBe("v0");
    expect(points.digest).toBe(data.localDigest);
    expect(points).toMatchObject({ version: "v0", createdBy: data.runId, metadata: { rows: 50 } });

    const train = await py(["train", work], env());
    const model = await version(server.url, "regressor", "production");
    expect(model.digest).toBe(train.localDigest);
    expect(train.digest).toBe(model.digest);
    expect(model).toMatchObject({ version: "v0", aliases: ["best", "latest", "production"], createdBy: train.runId });
    expect(typeof model.metadata.loss).toBe("number");

    const evaluation = await py(["eval", join(work, "eval-model")], env());
    const saved = readFileSync(String(train.path));
    const downloaded = readFileSync(join(work, "eval-model", "model.pt"));
    expect(downloaded.equals(saved)).toBe(true);
    expect(evaluation.prediction as number).toBeGreaterThan(6);
    expect(evaluation.prediction as number).toBeLessThan(8);

    // dataset v0 -> train run -> model v0 -> evaluation run, from either end.
    const { body: graph } = await api<{ nodes: { id: string }[]; edges: { from: string; to: string }[] }>(
      server.url, `${PROJECT}/lineage?artifact=regressor:v0&depth=3`);
    const edges = graph.edges.map((e) => `${e.from} -> ${e.to}`);
    expect(edges).toEqual(expect.arrayContaining([
      `artifact:points:v0 -> run:${train.runId}`,
      `run:${train.runId} -> artifact:regressor:v0`,
      `artifact:regressor:v0 -> run:${evaluation.runId}`,
      `run:${data.runId} -> artifact:points:v0`,
    ]));
    const { body: runArtifacts } = await api<{ used: Version[]; produced: Version[] }>(server.url, `${PROJECT}/runs/${train.runId}/artifacts`);
    expect(runArtifacts.used.map((v) => `${v.name}:${v.version}`)).toEqual(["points:v0"]);
    expect(runArtifacts.produced.map((v) => `${v.name}:${v.version}`)).toEqual(["regressor:v0"]);

    // The cache holds the model under its digest, in the layout the TypeScript SDK reads.
    const digest = sha256(saved);
    const cached = join(cache, "artifacts", "sha256", digest.slice(0, 2), digest.slice(2));
    expect(readFileSync(cached).equals(saved)).toBe(true);
    expect(new ArtifactCache(cache).lookup(digest, saved.length)).toBe(cached);

    // With the server's copy gone, a second download, from Python or TypeScript, still works: no blob request.
    rmSync(blobFile(dataDir, digest));
    const again = await py(["download", "regressor:v0", join(work, "second")], env());
    expect(readFileSync(join(String(again.folder), "model.pt")).equals(saved)).toBe(true);
    const client = new ArtifactClient({ url: server.url, project: "art/pipeline", cacheDir: cache });
    const fromTs = await client.download("regressor:best", { to: join(work, "from-ts") });
    expect(fromTs.downloaded.blobs).toBe(0);
    expect(readFileSync(join(work, "from-ts", "model.pt")).equals(saved)).toBe(true);
  }, 300_000);

  it("a Python upload killed with SIGKILL mid-file resumes from the bytes the server kept when the file is logged again", async () => {
    const { server, work, env } = await setup();
    const file = join(work, "big.bin");
    const bytes = randomBytes(64 * 1024 * 1024);
    writeFileSync(file, bytes);
    const digest = sha256(bytes);
    const proxy = await throttlingProxy(Number(new URL(server.url).port));
    cleanups.push(() => proxy.close());
    proxy.rate = 8 * 1024 * 1024;

    const child = spawnPython([SCRIPT, "upload", file, "big"], env({ ORRERY_URL: proxy.url }));
    cleanups.push(() => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
    await waitFor(async () => proxy.sent() > 16 * 1024 * 1024 || child.exitCode !== null, 60_000, "16 MiB of the upload to pass");
    expect(child.exitCode, stderr).toBeNull();
    child.kill("SIGKILL");
    await waitExit(child);

    const status = async () => (await api<{ received: number; complete: boolean }>(server.url, `/api/v1/blobs/${digest}/upload`)).body;
    const kept = (await waitFor(async () => { const s = await status(); return s.received > 0 ? s : undefined; }, 20_000, "the server to keep the bytes it received")).received;
    expect(kept).toBeLessThan(bytes.length);
    expect((await status()).complete).toBe(false);

    proxy.rate = 0;
    const before = proxy.sent();
    const rerun = await py(["upload", file, "big"], env({ ORRERY_URL: proxy.url }));
    expect(rerun.version).toBe("v0");
    expect(rerun.blob).toBe(digest);
    expect(await status()).toMatchObject({ complete: true, received: bytes.length });
    // Only what the server lacked was sent again (plus the run's own records and JSON requests).
    expect(proxy.sent() - before).toBeLessThan(bytes.length - kept + 1024 * 1024);
    const { body: detail } = await api<{ versions: Version[] }>(server.url, `${PROJECT}/artifacts/big`);
    expect(detail.versions.map((v) => v.version)).toEqual(["v0"]);
  }, 300_000);

  it("a blob corrupted on the server is reported by the Python download and nothing is left in the target or the cache", async () => {
    const { server, dataDir, work, cache, env } = await setup();
    // 1 MiB: the server hashes it before sending; 20 MiB: it hashes while streaming and cuts the connection.
    for (const size of [1024 * 1024, 20 * 1024 * 1024]) {
      const name = `blob-${size}`;
      const file = join(work, `${name}.bin`);
      const bytes = randomBytes(size);
      writeFileSync(file, bytes);
      const digest = sha256(bytes);
      await py(["upload", file, name], env());
      const stored = blobFile(dataDir, digest);
      const damaged = readFileSync(stored);
      damaged[size >> 1] = damaged[size >> 1]! ^ 0xff;
      writeFileSync(stored, damaged);

      const target = join(work, `out-${name}`);
      const res = await runPython([SCRIPT, "download", `${name}:latest`, target], env(), 120_000);
      expect(res.code, res.stdout).not.toBe(0);
      expect(res.stderr).toMatch(/corrupt/);
      expect(res.stderr).toContain(digest);
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(cache, "artifacts", "sha256", digest.slice(0, 2), digest.slice(2)))).toBe(false);
      const tmp = join(cache, "artifacts", "tmp");
      expect(existsSync(tmp) ? readdirSync(tmp).filter((f) => f.startsWith(digest)) : []).toEqual([]);
    }
  }, 300_000);
});
