// Artifacts against a real server: a run logs and another uses and downloads (byte for byte), the
// same content twice is one version, a second download comes from the cache with no blob request,
// an interrupted upload and an interrupted download resume where they stopped, a corrupt blob is
// caught (by the client's own SHA-256 when the server does not notice) and leaves nothing behind,
// and a download never writes through a symlinked folder pointing out of the target.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@orrery/server";
import { OrreryError } from "@orrery/protocol";
import { Artifact, ArtifactClient } from "../src/index.js";
import { testServer } from "../../../e2e/helpers.js";
import { startProxy, type Proxy } from "./artifacts-proxy.js";
import { captureStderr, quietInit, tempDir } from "./helpers.js";

let server: RunningServer;
let proxy: Proxy;
let dir: ReturnType<typeof tempDir>;
let dataDir: string;
let counter = 0;
const savedCache = process.env.ORRERY_CACHE_DIR;

beforeAll(async () => {
  dir = tempDir("orrery-art-srv-");
  dataDir = join(dir.path, "data");
  server = await testServer(dataDir);
  proxy = await startProxy(server.url);
  process.env.ORRERY_CACHE_DIR = join(dir.path, "run-cache");
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.ORRERY_CACHE_DIR;
  else process.env.ORRERY_CACHE_DIR = savedCache;
  await proxy.close();
  await server.close();
  dir.cleanup();
});

const sha = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** A fresh folder name under the test's temp dir. */
function fresh(name: string): string {
  return join(dir.path, `${name}-${++counter}`);
}

function writeTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return root;
}

/** A client through the proxy with its own empty cache. */
function client(project: string, cache = fresh("cache")): ArtifactClient {
  return new ArtifactClient({ url: proxy.url, entity: "tester", project, cacheDir: cache });
}

/** Where the server keeps a blob: <data>/.../<aa>/<rest>. */
function serverBlobPath(digest: string): string {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === digest.slice(2) && d.endsWith(digest.slice(0, 2))) found.push(p);
    }
  };
  walk(dataDir);
  if (found.length !== 1) throw new Error(`blob ${digest} found ${found.length} times under ${dataDir}`);
  return found[0]!;
}

/** Files under root as path -> SHA-256 (comparing digests: deep equality of big Buffers is slow). */
function filesUnder(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out[r] = sha(readFileSync(join(d, e.name)));
    }
  };
  if (existsSync(root)) walk(root, "");
  return out;
}

describe("logging and using artifacts from runs", () => {
  it("a run logs a folder, another run uses it and downloads the same bytes, and lineage links both", async () => {
    const files = { "train.csv": "a,b\n1,2\n", "images/cat.png": randomBytes(70_000), "empty.txt": "", "deep/er/x.bin": randomBytes(3 * 1024 * 1024) };
    const src = writeTree(fresh("src"), files);
    const producer = await quietInit({ url: server.url, dir: fresh("spool"), project: "tester/lineage" });
    const version = await producer.logArtifact(new Artifact("shapes", "dataset", { description: "four shapes", metadata: { rows: 2 } }).addDir(src), { aliases: ["first"] });
    expect(version).toMatchObject({ name: "shapes", type: "dataset", version: "v0", fileCount: 4, description: "four shapes", metadata: { rows: 2 }, createdBy: producer.id });
    expect(version.aliases).toEqual(["first", "latest"]);
    await captureStderr(() => producer.finish());

    const consumer = await quietInit({ url: server.url, dir: fresh("spool"), project: "tester/lineage" });
    const used = await consumer.useArtifact("shapes:first");
    expect(used.version.digest).toBe(version.digest);
    const to = fresh("down");
    expect(await used.download(to)).toBe(to);
    expect(filesUnder(to)).toEqual(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, sha(v)])));
    await captureStderr(() => consumer.finish());

    const runs = await (await fetch(`${server.url}/api/v1/projects/tester/lineage/artifacts/shapes/versions/v0/runs`)).json() as { producers: { runId: string }[]; consumers: { runId: string }[] };
    expect(runs.producers.map((r) => r.runId)).toEqual([producer.id]);
    expect(runs.consumers.map((r) => r.runId)).toEqual([consumer.id]);
  });

  it("finish() waits for a logArtifact nobody awaited, and a failing one is warned about, never thrown", async () => {
    const src = writeTree(fresh("src"), { "w.bin": randomBytes(200_000) });
    const run = await quietInit({ url: server.url, dir: fresh("spool"), project: "tester/finish" });
    void run.logArtifact(new Artifact("weights", "model").addDir(src));
    const doomed = writeTree(fresh("gone"), { "x": "1" });
    const artifact = new Artifact("broken", "model").addDir(doomed);
    unlinkSync(join(doomed, "x")); // removed after adding: hashing fails
    void run.logArtifact(artifact);
    const { text } = await captureStderr(() => run.finish());
    expect(text).toMatch(/logging artifact broken from run .* failed: .*x/);
    const v = await client("finish").get("weights:latest");
    expect(v.createdBy).toBe(run.id);
  });
});

describe("deduplication and the cache", () => {
  it("logging the same content twice gives the same version and uploads nothing the second time", async () => {
    const src = writeTree(fresh("src"), { "model.bin": randomBytes(500_000), "config.json": "{}" });
    const c = client("dedup");
    const first = await c.log(new Artifact("m", "model").addDir(src));
    expect(first.created).toBe(true);
    expect(first.uploaded).toEqual({ blobs: 2, bytes: 500_002 });
    const puts = proxy.seen.filter((s) => s.method === "PUT").length;
    const second = await c.log(new Artifact("m", "model").addDir(src), { aliases: ["best"] });
    expect(second.created).toBe(false);
    expect(second.uploaded).toEqual({ blobs: 0, bytes: 0 });
    expect(second.version.version).toBe(first.version.version);
    expect(second.version.aliases).toContain("best");
    expect(proxy.seen.filter((s) => s.method === "PUT").length).toBe(puts);
    // A new version that shares a file uploads only the changed one.
    writeFileSync(join(src, "config.json"), '{"lr":1}');
    const third = await c.log(new Artifact("m", "model").addDir(src));
    expect(third.version.version).toBe("v1");
    expect(third.uploaded).toEqual({ blobs: 1, bytes: 8 });
  });

  it("a second download makes no blob request, and works even after the server lost the blob", async () => {
    const data = randomBytes(300_000);
    const src = writeTree(fresh("src"), { "w.bin": data });
    const cache = fresh("cache");
    const c = client("cache", cache);
    const { version } = await c.log(new Artifact("w", "model").addDir(src));
    const before = proxy.blobGets().length;
    const one = await c.download("w:latest", { to: fresh("down") });
    expect(one.downloaded.blobs).toBe(1);
    expect(proxy.blobGets().length).toBe(before + 1);
    // The cache layout both SDKs share.
    const entry = (await c.manifest(version))[0]!;
    expect(readFileSync(join(cache, "artifacts", "sha256", entry.digest.slice(0, 2), entry.digest.slice(2))).equals(data)).toBe(true);

    unlinkSync(serverBlobPath(entry.digest));
    const two = await c.download(version, { to: fresh("down") });
    expect(two.cached).toEqual({ blobs: 1, bytes: 300_000 });
    expect(two.downloaded.blobs).toBe(0);
    expect(proxy.blobGets().length).toBe(before + 1);
    expect(readFileSync(join(two.path, "w.bin")).equals(data)).toBe(true);
  });
});

describe("downloads sharing one cache", () => {
  it("several downloads of one blob at once fetch it once and all get the same bytes", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const src = writeTree(fresh("src"), { "w.bin": data });
    const cache = fresh("cache");
    const { version } = await client("shared-cache", cache).log(new Artifact("w", "model").addDir(src));
    const before = proxy.blobGets().length;
    // One client per "rank", each its own object, all on one cache folder, as processes would be.
    const results = await Promise.all([0, 1, 2, 3].map(() => client("shared-cache", cache).download(version, { to: fresh("down") })));
    expect(proxy.blobGets().length).toBe(before + 1);
    expect(results.map((r) => r.downloaded.blobs).sort()).toEqual([0, 0, 0, 1]);
    for (const r of results) expect(sha(readFileSync(join(r.path, "w.bin")))).toBe(sha(data));
    expect(readdirSync(join(cache, "artifacts", "tmp"))).toEqual([]);
  });
});

describe("interruptions", () => {
  it("an upload cut off mid-body resumes from the bytes the server kept", async () => {
    const data = randomBytes(6 * 1024 * 1024);
    const src = writeTree(fresh("src"), { "big.bin": data });
    const c = client("resume-up");
    proxy.cutUploadAfter = 2 * 1024 * 1024;
    const mark = proxy.seen.length;
    const r = await c.log(new Artifact("big", "model").addDir(src));
    const puts = proxy.seen.slice(mark).filter((s) => s.method === "PUT").map((s) => Number(new URL(s.url, "http://x").searchParams.get("offset")));
    expect(puts.length).toBe(2);
    expect(puts[0]).toBe(0);
    expect(puts[1]).toBeGreaterThan(0); // resumed, not restarted
    expect(puts[1]).toBeLessThanOrEqual(2 * 1024 * 1024);
    const down = await client("resume-up").download(r.version, { to: fresh("down") });
    expect(readFileSync(join(down.path, "big.bin")).equals(data)).toBe(true);
  });

  it("a download cut off mid-body resumes with a Range request", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const src = writeTree(fresh("src"), { "d.bin": data });
    const c = client("resume-down");
    const { version } = await c.log(new Artifact("d", "dataset").addDir(src));
    proxy.cutDownloadAfter = 1024 * 1024;
    const mark = proxy.seen.length;
    const r = await c.download(version, { to: fresh("down") });
    const gets = proxy.seen.slice(mark).filter((s) => s.method === "GET" && s.url.startsWith("/api/v1/blobs/"));
    expect(gets.length).toBe(2);
    expect(gets[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(readFileSync(join(r.path, "d.bin")).equals(data)).toBe(true);
  });
});

describe("corruption", () => {
  it("bytes damaged on the way are caught by the client's SHA-256 and leave nothing in the cache or the target", async () => {
    const src = writeTree(fresh("src"), { "a.txt": "fine", "b.bin": randomBytes(100_000) });
    const cache = fresh("cache");
    const c = client("corrupt-wire", cache);
    const { version } = await c.log(new Artifact("c", "model").addDir(src));
    const to = fresh("down");
    proxy.flipBlobBytes = true;
    try {
      const err = await c.download(version, { to }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrreryError);
      expect((err as OrreryError).code).toBe("blob_corrupt");
      expect((err as OrreryError).message).toMatch(/server's copy of '(a\.txt|b\.bin)' is corrupt/);
    } finally {
      proxy.flipBlobBytes = false;
    }
    expect(existsSync(to)).toBe(false);
    expect(filesUnder(join(cache, "artifacts", "sha256"))).toEqual({});
    expect(filesUnder(join(cache, "artifacts", "tmp"))).toEqual({});
  });

  it("a blob damaged on the server's disk is reported, and nothing reaches the cache or the target", async () => {
    const data = randomBytes(50_000);
    const src = writeTree(fresh("src"), { "x.bin": data });
    const cache = fresh("cache");
    const c = client("corrupt-disk", cache);
    const { version } = await c.log(new Artifact("x", "model").addDir(src));
    const entry = (await c.manifest(version))[0]!;
    const blob = serverBlobPath(entry.digest);
    const bytes = readFileSync(blob);
    bytes[100] = bytes[100]! ^ 0x01;
    writeFileSync(blob, bytes);
    const to = fresh("down");
    const err = await c.download(version, { to }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe("blob_corrupt");
    expect((err as OrreryError).message).toContain(entry.digest);
    expect(existsSync(to)).toBe(false);
    expect(filesUnder(join(cache, "artifacts"))).toEqual({});

    // The server moved the damaged copy aside; logging the same content again uploads it anew
    // and repairs the existing version instead of making another.
    const again = await c.log(new Artifact("x", "model").addDir(src));
    expect(again).toMatchObject({ created: false, uploaded: { blobs: 1, bytes: data.length } });
    expect(again.version.version).toBe(version.version);
    const repaired = fresh("down");
    await c.download(version, { to: repaired });
    expect(filesUnder(repaired)).toEqual({ "x.bin": sha(data) });
  });
});

describe("corruption of a blob the server streams unhashed", () => {
  it("a damaged blob over 16 MiB breaks off mid-stream, the retry is refused as blob_corrupt, and nothing is left behind", async () => {
    const data = randomBytes(17 * 1024 * 1024);
    const src = writeTree(fresh("src"), { "large.bin": data });
    const cache = fresh("cache");
    const c = client("corrupt-large", cache);
    const { version } = await c.log(new Artifact("large", "model").addDir(src));
    const entry = (await c.manifest(version))[0]!;
    const blob = serverBlobPath(entry.digest);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
    writeFileSync(blob, bytes);
    const to = fresh("down");
    const err = await c.download(version, { to }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe("blob_corrupt");
    expect(existsSync(to)).toBe(false);
    expect(filesUnder(join(cache, "artifacts"))).toEqual({});
  });
});

describe("download safety and references", () => {
  it("refuses to write through a folder inside the target that is a symlink pointing out", async () => {
    const src = writeTree(fresh("src"), { "sub/payload.txt": "owned", "top.txt": "t" });
    const c = client("symlink");
    const { version } = await c.log(new Artifact("s", "dataset").addDir(src));
    const outside = fresh("outside");
    mkdirSync(outside);
    const to = fresh("down");
    mkdirSync(to);
    symlinkSync(outside, join(to, "sub"));
    await expect(c.download(version, { to })).rejects.toThrow(/'sub' inside .* is a symlink pointing outside it/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(to, "top.txt"))).toBe(false);
  });

  it("copies file:// references from where they are, and refuses s3:// with a clear sentence", async () => {
    const ext = writeTree(fresh("ext"), { "raw.csv": "1,2,3\n" });
    const c = client("refs");
    const { version } = await c.log(new Artifact("r", "dataset").addReference(pathToFileURL(join(ext, "raw.csv")).href));
    const r = await c.download(version, { to: fresh("down") });
    expect(readFileSync(join(r.path, "raw.csv"), "utf8")).toBe("1,2,3\n");
    writeFileSync(join(ext, "raw.csv"), "changed");
    await expect(c.download(version, { to: fresh("down") })).rejects.toThrow(/changed since it was logged/);

    const s3 = await c.log(new Artifact("s3", "dataset").addReference("s3://bucket/k/x.tar", { digest: "md5:1", size: 3 }));
    await expect(c.download(s3.version, { to: fresh("down") })).rejects.toThrow(/cannot read s3:\/\//);
  });

  it("a server error names what was asked: an unknown version is not_found", async () => {
    const err = await client("refs").get("nothing-here:v9").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrreryError);
    expect((err as OrreryError).code).toBe("not_found");
  });
});
