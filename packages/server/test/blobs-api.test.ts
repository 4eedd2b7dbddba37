// The blob API on a real server (ephemeral port, real SQLite files and blob files): resumable
// uploads, including one whose connection dies mid-body; the refusals (wrong offset, wrong size,
// bytes that hash to another digest, a digest nothing asked for); downloads whole and by range;
// and corrupted blobs, which are detected and never served, small or large.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { ArtifactClient, damageBlob, manifestOf, openPut, sha256, until, type DraftBody } from "./artifacts-helpers.js";

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

/** A pending draft listing these blobs, so they may be uploaded. */
async function draftFor(name: string, files: Record<string, Buffer>): Promise<DraftBody> {
  const draft = await c.createOk({ name, type: "model", manifest: manifestOf(files) });
  expect(draft.state).toBe("pending");
  return draft;
}

describe("uploads", () => {
  it("a blob uploads in parts, the status says where it stands, and the last part completes it", async () => {
    const data = randomBytes(300_000);
    const digest = sha256(data);
    await draftFor("parts", { "w.bin": data });
    expect(await c.uploadStatus(digest)).toEqual({ digest, received: 0, size: null, complete: false });
    const first = await c.put(digest, data.subarray(0, 100_000), 0, data.length);
    expect(first.body).toEqual({ digest, received: 100_000, size: 300_000, complete: false });
    expect(await c.uploadStatus(digest)).toEqual({ digest, received: 100_000, size: 300_000, complete: false });
    const last = await c.put(digest, data.subarray(100_000), 100_000, data.length);
    expect(last.body).toEqual({ digest, received: 300_000, size: 300_000, complete: true });
    // Complete: another PUT changes nothing and ignores its body.
    const again = await c.put(digest, Buffer.from("whatever"), 0, data.length);
    expect(again.status).toBe(200);
    expect(again.body.complete).toBe(true);
  });

  it("an upload whose connection dies mid-body keeps what arrived and resumes from there", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const digest = sha256(data);
    const draft = await draftFor("interrupted", { "big.bin": data });
    const put = openPut(server.url, digest, data, 1024 * 1024);
    // Let the first megabyte reach the server, then drop the connection as a crash would.
    await new Promise((r) => setTimeout(r, 300));
    put.crash();
    const status = await until(async () => {
      const s = await c.uploadStatus(digest);
      return s.received > 0 ? s : undefined;
    }, "the bytes before the crash to be kept");
    expect(status.complete).toBe(false);
    expect(status.received).toBeLessThanOrEqual(1024 * 1024);
    // Resume from what the server says it has.
    const rest = await c.put(digest, data.subarray(status.received), status.received, data.length);
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect(rest.body.complete).toBe(true);
    expect((await c.commit("interrupted", draft.draftId!)).status).toBe(200);
    const back = await fetch(`${server.url}/api/v1/blobs/${digest}`);
    expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(digest);
  });

  it("a part at the wrong offset is a 409 saying where to resume, and writes nothing", async () => {
    const data = randomBytes(10_000);
    const digest = sha256(data);
    await draftFor("offset", { "o.bin": data });
    await c.put(digest, data.subarray(0, 4000), 0, data.length);
    const wrong = await c.put(digest, data.subarray(5000), 5000, data.length);
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ error: "conflict", field: "offset" });
    expect(wrong.body.message).toContain("4000");
    expect((await c.uploadStatus(digest)).received).toBe(4000);
  });

  it("a size other than the declared one, or a body running past it, is a 400 on size", async () => {
    const data = randomBytes(10_000);
    const digest = sha256(data);
    await draftFor("size", { "s.bin": data });
    await c.put(digest, data.subarray(0, 1000), 0, data.length);
    const other = await c.put(digest, data.subarray(1000), 1000, 20_000);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: "invalid_request", field: "size" });
    const past = await c.put(digest, Buffer.concat([data.subarray(1000), Buffer.from("extra")]), 1000, data.length);
    expect(past.status).toBe(400);
    expect(past.body).toMatchObject({ error: "invalid_request", field: "size" });
    // The right part still completes it.
    expect((await c.put(digest, data.subarray((await c.uploadStatus(digest)).received), (await c.uploadStatus(digest)).received, data.length)).body.complete).toBe(true);
  });

  it("bytes that hash to another digest are a 400 digest_mismatch and the upload starts over", async () => {
    const data = randomBytes(5000);
    const digest = sha256(data);
    await draftFor("mismatch", { "m.bin": data });
    const wrong = Buffer.from(data);
    wrong[4999] = wrong[4999]! ^ 1;
    const res = await c.put(digest, wrong, 0, data.length);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "digest_mismatch" });
    expect(res.body.message).toContain(sha256(wrong));
    expect(await c.uploadStatus(digest)).toMatchObject({ received: 0, complete: false });
    expect((await c.put(digest, data, 0, data.length)).body.complete).toBe(true);
  });

  it("a digest no pending version lists is a 404 telling to create the version first", async () => {
    const data = Buffer.from("nobody asked for me");
    const res = await c.put(sha256(data), data, 0, data.length);
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
    expect(res.body.message).toContain("create the artifact version first");
    expect((await c.uploadStatus(sha256(data))).received).toBe(0);
  });

  it("an empty file uploads with an empty body, with or without a content type", async () => {
    const empty = Buffer.alloc(0);
    const draft = await draftFor("empty", { "empty.txt": empty });
    const res = await c.put(sha256(empty), empty, 0, 0, {});
    expect(res.body).toMatchObject({ complete: true, size: 0 });
    expect((await c.commit("empty", draft.draftId!)).status).toBe(200);
    const back = await fetch(`${server.url}/api/v1/blobs/${sha256(empty)}`);
    expect(back.status).toBe(200);
    expect((await back.arrayBuffer()).byteLength).toBe(0);
  });

  it("a part larger than the JSON body limit is accepted: uploads are streamed, not buffered", async () => {
    const data = randomBytes(40 * 1024 * 1024);
    const digest = sha256(data);
    await draftFor("large-part", { "l.bin": data });
    const res = await c.put(digest, data, 0, data.length);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.complete).toBe(true);
  });

  it("bad upload requests are 4xx", async () => {
    const d = sha256("x");
    const bad: [string, RequestInit, number, string | undefined][] = [
      [`/api/v1/blobs/${"A".repeat(64)}/upload?offset=0&size=1`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "digest"],
      ["/api/v1/blobs/abc/upload", {}, 400, "digest"],
      [`/api/v1/blobs/${d}/upload?size=1`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "offset"],
      [`/api/v1/blobs/${d}/upload?offset=0`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "size"],
      [`/api/v1/blobs/${d}/upload?offset=-1&size=1`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "offset"],
      [`/api/v1/blobs/${d}/upload?offset=2&size=1`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "offset"],
      [`/api/v1/blobs/${d}/upload?offset=0&size=${2 ** 41}`, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "x" }, 400, "size"],
      [`/api/v1/blobs/${d}/upload?offset=0&size=1`, { method: "PUT", headers: { "content-type": "application/json" }, body: '"x"' }, 415, undefined],
      [`/api/v1/blobs/${d}/upload?offset=0&size=1`, { method: "PUT", headers: { "content-type": "text/plain" }, body: "x" }, 415, undefined],
      [`/api/v1/blobs/${d}`, {}, 404, "digest"],
      [`/api/v1/blobs/${d.toUpperCase()}`, {}, 400, "digest"],
      ["/api/v1/gc", { method: "POST", headers: { "content-type": "application/json" }, body: '{"graceSeconds":-1}' }, 400, "graceSeconds"],
      ["/api/v1/gc", { method: "POST", headers: { "content-type": "application/json" }, body: '{"dryRun":"yes"}' }, 400, "dryRun"],
      ["/api/v1/gc", { method: "POST", headers: { "content-type": "application/json" }, body: '{"everything":true}' }, 400, "everything"],
    ];
    for (const [path, init, status, field] of bad) {
      const res = await c.get(path, init);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(typeof res.body.message).toBe("string");
      if (field !== undefined) expect(res.body.field, path).toBe(field);
    }
  });
});

describe("downloads", () => {
  let data: Buffer;
  let digest: string;
  beforeAll(async () => {
    data = randomBytes(100_000);
    digest = sha256(data);
    await c.log("download", "model", { "d.bin": data });
  });

  it("a blob comes back whole with its length, ETag and Accept-Ranges", async () => {
    const res = await fetch(`${server.url}/api/v1/blobs/${digest}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("100000");
    expect(res.headers.get("etag")).toBe(`"${digest}"`);
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
  });

  it("a Range is a 206 with that slice, open-ended and suffix ranges included", async () => {
    const get = (range: string) => fetch(`${server.url}/api/v1/blobs/${digest}`, { headers: { range } });
    const mid = await get("bytes=1000-1999");
    expect(mid.status).toBe(206);
    expect(mid.headers.get("content-range")).toBe("bytes 1000-1999/100000");
    expect(mid.headers.get("content-length")).toBe("1000");
    expect(Buffer.from(await mid.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
    const tail = await get("bytes=99000-");
    expect(Buffer.from(await tail.arrayBuffer()).equals(data.subarray(99000))).toBe(true);
    const suffix = await get("bytes=-10");
    expect(Buffer.from(await suffix.arrayBuffer()).equals(data.subarray(99990))).toBe(true);
    const past = await get("bytes=100000-");
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe("bytes */100000");
    const garbage = await get("pages=1-2");
    expect(garbage.status).toBe(200);
    await garbage.arrayBuffer();
  });

  it("HEAD answers the length and ETag without a body", async () => {
    const res = await fetch(`${server.url}/api/v1/blobs/${digest}`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe("100000");
    expect(res.headers.get("etag")).toBe(`"${digest}"`);
  });

  it("If-None-Match with the digest is a 304", async () => {
    const res = await fetch(`${server.url}/api/v1/blobs/${digest}`, { headers: { "if-none-match": `"${digest}"` } });
    expect(res.status).toBe(304);
  });

  it("a range of a large blob is served from a check of the whole blob", async () => {
    const big = randomBytes(17 * 1024 * 1024);
    const bigDigest = sha256(big);
    await c.log("bigrange", "model", { "b.bin": big });
    const res = await fetch(`${server.url}/api/v1/blobs/${bigDigest}`, { headers: { range: "bytes=5000000-5000099" } });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).equals(big.subarray(5_000_000, 5_000_100))).toBe(true);
    const whole = await fetch(`${server.url}/api/v1/blobs/${bigDigest}`);
    expect(sha256(Buffer.from(await whole.arrayBuffer()))).toBe(bigDigest);
  });
});

describe("corrupted blobs", () => {
  it("a small corrupted blob answers 500 blob_corrupt, is moved aside, and stays refused", async () => {
    const data = randomBytes(50_000);
    const digest = sha256(data);
    await c.log("rot", "model", { "r.bin": data });
    await damageBlob(dir.path, digest, 123);
    const first = await c.get(`/api/v1/blobs/${digest}`);
    expect(first.status).toBe(500);
    expect(first.body).toMatchObject({ error: "blob_corrupt" });
    expect(first.body.message).toContain(digest);
    const again = await c.get(`/api/v1/blobs/${digest}`);
    expect(again.status).toBe(500);
    expect(again.body.error).toBe("blob_corrupt");
    const file = await c.get("/artifacts/rot/versions/v0/files/r.bin");
    expect(file.body.error).toBe("blob_corrupt");
  });

  it("a blob damaged behind a restarted server still answers blob_corrupt once moved aside, as a version needs it", async () => {
    const data = randomBytes(20_000);
    const digest = sha256(data);
    await c.log("rot2", "model", { "r.bin": data });
    await damageBlob(dir.path, digest);
    expect((await c.get(`/api/v1/blobs/${digest}`)).body.error).toBe("blob_corrupt");
    await server.close();
    server = await startServer({ dataDir: dir.path, port: 0 });
    c = new ArtifactClient(server.url);
    const later = await c.get(`/api/v1/blobs/${digest}`);
    expect(later.status).toBe(500);
    expect(later.body.error).toBe("blob_corrupt");
    expect(later.body.message).toContain("re-upload");
  });

  it("a large corrupted blob is cut short mid-stream, then answers 500 blob_corrupt", async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const digest = sha256(data);
    await c.log("bigrot", "model", { "big.bin": data });
    await damageBlob(dir.path, digest, 18 * 1024 * 1024);
    const res = await fetch(`${server.url}/api/v1/blobs/${digest}`);
    expect(res.status).toBe(200);
    let received = -1;
    try {
      received = (await res.arrayBuffer()).byteLength;
    } catch {
      received = -1; // the connection was cut: what a truncated body looks like to fetch
    }
    expect(received).not.toBe(data.length);
    const after = await until(async () => {
      const r = await c.get(`/api/v1/blobs/${digest}`);
      return r.status === 500 ? r : undefined;
    }, "the blob to be quarantined");
    expect(after.body.error).toBe("blob_corrupt");
  });

  it("logging the same content again lists the lost blob as missing, and uploading it repairs the version", async () => {
    const data = randomBytes(30_000);
    const digest = sha256(data);
    await c.log("repair", "model", { "x.bin": data });
    await damageBlob(dir.path, digest);
    expect((await c.get(`/api/v1/blobs/${digest}`)).body.error).toBe("blob_corrupt");
    const again = await c.createOk({ name: "repair", type: "model", manifest: manifestOf({ "x.bin": data }) });
    expect(again).toMatchObject({ state: "committed", missing: [digest] });
    expect((await c.put(digest, data, 0, data.length)).body.complete).toBe(true);
    const back = await fetch(`${server.url}/api/v1/blobs/${digest}`);
    expect(back.status).toBe(200);
    expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(digest);
  });
});
