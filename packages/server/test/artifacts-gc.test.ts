// Garbage collection on a real server: deleting a version keeps the blobs other versions use and
// gc then removes only the unreferenced ones; an upload in progress survives a gc with no grace;
// dry runs delete nothing; abandoned drafts and partial uploads go; verify finds a corrupt blob.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { ArtifactClient, damageBlob, manifestOf, openPut, sha256, type GcBody } from "./artifacts-helpers.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let c: ArtifactClient;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  c = new ArtifactClient(server.url);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const stored = (digest: string): boolean => existsSync(join(dir.path, "blobs", digest.slice(0, 2), digest.slice(2)));

async function gcOk(body: object): Promise<GcBody> {
  const res = await c.gc(body);
  if (res.status !== 200) throw new Error(`gc failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

describe("garbage collection", () => {
  it("deleting a version keeps the blobs other versions use, and gc removes only the unreferenced ones", async () => {
    const shared = "shared tokenizer";
    await c.log("gcmodel", "model", { "tok.json": shared, "w.bin": "weights zero" });
    await c.log("gcmodel", "model", { "tok.json": shared, "w.bin": "weights one" });
    expect((await c.del("/artifacts/gcmodel/versions/v0")).status).toBe(200);
    // Deleting only forgets the version: its bytes stay until gc.
    expect(stored(sha256("weights zero"))).toBe(true);

    const dry = await gcOk({ dryRun: true, graceSeconds: 0 });
    expect(dry).toMatchObject({ dryRun: true, blobsDeleted: 1, bytesFreed: "weights zero".length, corrupt: [] });
    expect(stored(sha256("weights zero"))).toBe(true);

    const report = await gcOk({ graceSeconds: 0 });
    expect(report).toMatchObject({ dryRun: false, blobsDeleted: 1, bytesFreed: "weights zero".length });
    expect(report.blobsScanned).toBe(report.blobsDeleted + report.blobsKept);
    expect(stored(sha256("weights zero"))).toBe(false);
    expect(stored(sha256(shared))).toBe(true);
    expect(stored(sha256("weights one"))).toBe(true);
    const file = await c.get("/artifacts/gcmodel/versions/v1/files/tok.json");
    expect(file.body).toBe(shared);
  });

  it("blobs younger than the grace period are kept even when unreferenced", async () => {
    await c.log("young", "model", { "y.bin": "young bytes" });
    await c.del("/artifacts/young/versions/v0");
    const report = await gcOk({});
    expect(report.blobsDeleted).toBe(0);
    expect(stored(sha256("young bytes"))).toBe(true);
    await gcOk({ graceSeconds: 0 });
    expect(stored(sha256("young bytes"))).toBe(false);
  });

  it("a pending draft whose upload is in progress keeps its draft and blobs through a gc with no grace, and commits after", async () => {
    const small = Buffer.from("already uploaded");
    const big = randomBytes(2 * 1024 * 1024);
    const draft = await c.createOk({ name: "inflight", type: "model", manifest: manifestOf({ "a.txt": small, "big.bin": big }) });
    expect((await c.put(sha256(small), small, 0, small.length)).body.complete).toBe(true);

    const put = openPut(server.url, sha256(big), big, 1024 * 1024);
    await new Promise((r) => setTimeout(r, 200));
    const report = await gcOk({ graceSeconds: 0 });
    expect(report.draftsExpired).toBe(0);
    expect(stored(sha256(small))).toBe(true);

    const done = await put.finish();
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.complete).toBe(true);
    const commit = await c.commit("inflight", draft.draftId!);
    expect(commit.status, JSON.stringify(commit.body)).toBe(200);
    expect(commit.body.version).toBe("v0");
  });

  it("an abandoned draft and its partial upload go at gc, and committing it after is a 404", async () => {
    const a = Buffer.from("abandoned a");
    const b = randomBytes(10_000);
    const draft = await c.createOk({ name: "abandoned", type: "dataset", manifest: manifestOf({ a, b }) });
    await c.put(sha256(a), a, 0, a.length);
    await c.put(sha256(b), b.subarray(0, 4000), 0, b.length);
    expect((await c.uploadStatus(sha256(b))).received).toBe(4000);

    // Within the grace period nothing of it goes.
    const kept = await gcOk({});
    expect(kept).toMatchObject({ draftsExpired: 0, uploadsRemoved: 0 });

    const report = await gcOk({ graceSeconds: 0 });
    expect(report.draftsExpired).toBeGreaterThanOrEqual(1);
    expect(report.uploadsRemoved).toBe(1);
    expect(stored(sha256(a))).toBe(false);
    expect(await c.uploadStatus(sha256(b))).toMatchObject({ received: 0, complete: false });
    const commit = await c.commit("abandoned", draft.draftId!);
    expect(commit.status).toBe(404);
    expect(commit.body.field).toBe("draftId");
    // Uploads for it are refused now: the client logs again.
    expect((await c.put(sha256(b), b, 0, b.length)).status).toBe(404);
  });

  it("a dry run deletes nothing, expires no draft, and removes no partial upload", async () => {
    const x = Buffer.from("dry x");
    const y = randomBytes(5000);
    const draft = await c.createOk({ name: "dry", type: "dataset", manifest: manifestOf({ x, y }) });
    await c.put(sha256(y), y.subarray(0, 100), 0, y.length);
    await c.log("dryother", "model", { o: "dry orphan" });
    await c.del("/artifacts/dryother/versions/v0");

    const report = await gcOk({ dryRun: true, graceSeconds: 0 });
    expect(report).toMatchObject({ dryRun: true, uploadsRemoved: 1, blobsDeleted: 1 });
    expect(stored(sha256("dry orphan"))).toBe(true);
    expect((await c.uploadStatus(sha256(y))).received).toBe(100);
    await c.put(sha256(x), x, 0, x.length);
    await c.put(sha256(y), y.subarray(100), 100, y.length);
    expect((await c.commit("dry", draft.draftId!)).status).toBe(200);
  });

  it("verify reports a corrupt blob and moves it aside", async () => {
    const data = randomBytes(1000);
    await c.log("verify", "model", { "v.bin": data });
    await damageBlob(dir.path, sha256(data));
    const dry = await gcOk({ verify: true, dryRun: true });
    expect(dry.corrupt).toEqual([sha256(data)]);
    expect(stored(sha256(data))).toBe(true);
    const report = await gcOk({ verify: true });
    expect(report.corrupt).toEqual([sha256(data)]);
    expect(stored(sha256(data))).toBe(false);
    expect((await c.get(`/api/v1/blobs/${sha256(data)}`)).body.error).toBe("blob_corrupt");
    expect((await gcOk({ verify: true })).corrupt).toEqual([]);
  });

  it("gc with no body at all uses the defaults", async () => {
    const res = await c.get<GcBody>("/api/v1/gc", { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, corrupt: [] });
  });

  it("concurrent logs and gcs never leave a committed version without its blobs", async () => {
    // Orphans first: blobs no version references, that new logs will list as already stored.
    for (let i = 0; i < 6; i++) await c.log("orphans", "dataset", { [`f${i}.txt`]: `race ${i}` });
    for (let i = 0; i < 6; i++) await c.del(`/artifacts/orphans/versions/v${i}`);
    // A log whose draft a no-grace gc expired, or whose blob it deleted, is logged again, as the SDKs do.
    const logRetrying = async (i: number) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await c.log("race", "dataset", { [`f${i}.txt`]: `race ${i}`, "common.txt": "common" });
        } catch (err) {
          if (attempt >= 20 || !/commit failed: (404|409)|upload failed: 404/.test(String(err))) throw err;
        }
      }
    };
    const logs = Array.from({ length: 6 }, (_, i) => logRetrying(i));
    const gcs = Array.from({ length: 4 }, () => gcOk({ graceSeconds: 0 }));
    const versions = await Promise.all(logs);
    await Promise.all(gcs);
    await gcOk({ graceSeconds: 0 });
    for (const { version } of versions) {
      const m = await c.get<{ entries: { digest: string }[] }>(`/artifacts/race/versions/${version.version}/manifest`);
      expect(m.body.entries).toHaveLength(2);
      for (const e of m.body.entries) expect(stored(e.digest), e.digest).toBe(true);
    }
  });
});
