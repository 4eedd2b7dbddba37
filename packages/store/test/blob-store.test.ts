// The local blob store: content addressing, resumable uploads (interrupted, misplaced, oversized and
// damaged parts), ranged reads, bounded memory for large blobs, and corruption detection.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, utimesSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { LocalBlobStore } from "../src/files/blob-store.js";
import { DigestMismatchError, UploadOffsetError, UploadSizeError, type BlobInfo } from "../src/interfaces.js";

const root = mkdtempSync(join(tmpdir(), "orrery-blobs-"));
let dirs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fresh(): { store: LocalBlobStore; dir: string } {
  const dir = join(root, `b${++dirs}`);
  return { store: new LocalBlobStore(dir), dir };
}

function sha(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** A body that delivers `data` in small chunks, then fails (a dropped connection) when `failAfter` is given. */
function body(data: Buffer, failAfter?: number): Readable {
  const chunks: Buffer[] = [];
  const end = failAfter ?? data.length;
  for (let at = 0; at < end; at += 1000) chunks.push(data.subarray(at, Math.min(at + 1000, end)));
  let i = 0;
  return new Readable({
    read() {
      if (i < chunks.length) this.push(chunks[i++]);
      else if (failAfter !== undefined) this.destroy(new Error("connection reset"));
      else this.push(null);
    },
  });
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  if (stream === undefined) throw new Error("no stream");
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function collect(it: AsyncIterable<BlobInfo>): Promise<BlobInfo[]> {
  const out: BlobInfo[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("LocalBlobStore", () => {
  it("put stores bytes under their SHA-256 once, and get, has and size find them", async () => {
    const { store } = fresh();
    const data = Buffer.from("hello blobs");
    const digest = await store.put(data);
    expect(digest).toBe(sha(data));
    expect(await store.put(data)).toBe(digest);
    expect(await store.has(digest)).toBe(true);
    expect(await store.size(digest)).toBe(data.length);
    expect(await readAll(await store.get(digest))).toEqual(data);
    expect(await store.get(sha("absent"))).toBeUndefined();
    expect(await store.size(sha("absent"))).toBeUndefined();
    expect(await store.has("not-a-digest")).toBe(false);
  });

  it("storing bytes it already has again refreshes their time, so gc's grace period starts over", async () => {
    const { store, dir } = fresh();
    const data = Buffer.from("stored twice");
    const digest = await store.put(data);
    const path = join(dir, digest.slice(0, 2), digest.slice(2));
    const old = new Date(Date.now() - 3 * 86_400_000);
    utimesSync(path, old, old);
    await store.put(data);
    expect(statSync(path).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a ranged get returns exactly the bytes asked for", async () => {
    const { store } = fresh();
    const data = bytes(10_000);
    const digest = await store.put(data);
    expect(await readAll(await store.get(digest, { start: 100, end: 199 }))).toEqual(data.subarray(100, 200));
    expect(await readAll(await store.get(digest, { start: 9_990 }))).toEqual(data.subarray(9_990));
  });

  it("an upload in parts is published once the last part's SHA-256 checks out", async () => {
    const { store } = fresh();
    const data = bytes(25_000);
    const digest = sha(data);
    expect(await store.uploadStatus(digest)).toEqual({ received: 0, size: null, complete: false });
    expect(await store.appendUpload(digest, data.length, 0, body(data.subarray(0, 10_000)))).toEqual({ received: 10_000, size: 25_000, complete: false });
    expect(await store.has(digest)).toBe(false);
    expect(await store.appendUpload(digest, data.length, 10_000, body(data.subarray(10_000)))).toEqual({ received: 25_000, size: 25_000, complete: true });
    expect(await readAll(await store.get(digest))).toEqual(data);
    expect(await collect(store.listUploads())).toEqual([]);
    // Appending to a complete blob drains the body and changes nothing.
    expect(await store.appendUpload(digest, data.length, 0, body(bytes(50)))).toEqual({ received: 25_000, size: 25_000, complete: true });
    expect(await readAll(await store.get(digest))).toEqual(data);
  });

  it("an interrupted part keeps the bytes that arrived, and the upload resumes from there", async () => {
    const { store, dir } = fresh();
    const data = bytes(50_000);
    const digest = sha(data);
    await expect(store.appendUpload(digest, data.length, 0, body(data, 12_000))).rejects.toThrow("connection reset");
    expect(await store.uploadStatus(digest)).toEqual({ received: 12_000, size: 50_000, complete: false });
    // A restarted server sees the same state.
    const again = new LocalBlobStore(dir);
    expect(await again.uploadStatus(digest)).toEqual({ received: 12_000, size: 50_000, complete: false });
    expect((await collect(again.listUploads())).map((u) => [u.digest, u.size])).toEqual([[digest, 12_000]]);
    expect(await again.appendUpload(digest, data.length, 12_000, body(data.subarray(12_000)))).toMatchObject({ complete: true });
    expect(await readAll(await again.get(digest))).toEqual(data);
  });

  it("a part at the wrong offset is refused with where to resume, and writes nothing", async () => {
    const { store } = fresh();
    const data = bytes(3_000);
    const digest = sha(data);
    await store.appendUpload(digest, data.length, 0, body(data.subarray(0, 1_000)));
    const err = await store.appendUpload(digest, data.length, 2_000, body(data.subarray(2_000))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadOffsetError);
    expect(err).toMatchObject({ received: 1_000, offset: 2_000 });
    expect((err as Error).message).toContain("resume from offset 1000");
    await expect(store.appendUpload(digest, data.length, 0, body(data))).rejects.toBeInstanceOf(UploadOffsetError);
    expect(await store.uploadStatus(digest)).toEqual({ received: 1_000, size: 3_000, complete: false });
  });

  it("a size that disagrees with the upload's, or a body running past it, is refused and writes nothing", async () => {
    const { store } = fresh();
    const data = bytes(3_000);
    const digest = sha(data);
    await store.appendUpload(digest, data.length, 0, body(data.subarray(0, 1_000)));
    await expect(store.appendUpload(digest, 4_000, 1_000, body(data.subarray(1_000)))).rejects.toBeInstanceOf(UploadSizeError);
    const tooLong = body(Buffer.concat([data.subarray(1_000), bytes(500)]));
    await expect(store.appendUpload(digest, data.length, 1_000, tooLong)).rejects.toBeInstanceOf(UploadSizeError);
    // The refused body is the caller's to answer or close: the store does not destroy it.
    expect(tooLong.destroyed).toBe(false);
    expect(await store.uploadStatus(digest)).toEqual({ received: 1_000, size: 3_000, complete: false });
    await expect(store.appendUpload(digest, -1, 1_000, body(Buffer.alloc(0)))).rejects.toBeInstanceOf(UploadSizeError);
    expect(await store.appendUpload(digest, data.length, 1_000, body(data.subarray(1_000)))).toMatchObject({ complete: true });
  });

  it("bytes that hash to another digest are refused and the partial upload discarded", async () => {
    const { store } = fresh();
    const data = bytes(4_000);
    const claimed = sha("something else");
    const err = await store.appendUpload(claimed, data.length, 0, body(data)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err).toMatchObject({ expected: claimed, actual: sha(data) });
    expect(await store.uploadStatus(claimed)).toEqual({ received: 0, size: null, complete: false });
    expect(await store.has(claimed)).toBe(false);
    expect(await collect(store.listUploads())).toEqual([]);
  });

  it("an empty blob completes with its first, empty part", async () => {
    const { store } = fresh();
    const digest = sha("");
    expect(await store.appendUpload(digest, 0, 0, body(Buffer.alloc(0)))).toEqual({ received: 0, size: 0, complete: true });
    expect(await store.size(digest)).toBe(0);
  });

  it("two parts racing for the same offset: one is written, the other told where to resume", async () => {
    const { store } = fresh();
    const data = bytes(20_000);
    const digest = sha(data);
    const results = await Promise.allSettled([
      store.appendUpload(digest, data.length, 0, body(data.subarray(0, 10_000))),
      store.appendUpload(digest, data.length, 0, body(data.subarray(0, 10_000))),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect(rejected.reason).toBeInstanceOf(UploadOffsetError);
    expect(await store.uploadStatus(digest)).toMatchObject({ received: 10_000 });
  });

  it("list, listUploads, delete and deleteUpload see and remove blobs and partial uploads", async () => {
    const { store } = fresh();
    const a = await store.put(Buffer.from("a"));
    const b = await store.put(Buffer.from("bb"));
    const partial = bytes(2_000);
    await store.appendUpload(sha(partial), partial.length, 0, body(partial.subarray(0, 700)));
    const listed = await collect(store.list());
    expect(listed.map((x) => [x.digest, x.size]).sort()).toEqual([[a, 1], [b, 2]].sort());
    expect(listed[0]!.mtimeMs).toBeGreaterThan(0);
    const uploads = await collect(store.listUploads());
    expect(uploads.map((x) => [x.digest, x.size])).toEqual([[sha(partial), 700]]);
    await store.delete(a);
    await store.delete(a);
    await store.deleteUpload(sha(partial));
    await store.deleteUpload(sha(partial));
    expect((await collect(store.list())).map((x) => x.digest)).toEqual([b]);
    expect(await collect(store.listUploads())).toEqual([]);
    expect(await store.uploadStatus(sha(partial))).toEqual({ received: 0, size: null, complete: false });
  });

  it("verify detects a flipped byte; quarantine hides the blob and keeps it for inspection", async () => {
    const { store, dir } = fresh();
    const data = bytes(5_000);
    const digest = await store.put(data);
    expect(await store.verify(digest)).toBe("ok");
    expect(await store.verify(sha("never stored"))).toBe("missing");
    const path = join(dir, digest.slice(0, 2), digest.slice(2));
    const fd = openSync(path, "r+");
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, 1234);
    one[0] ^= 0x01;
    writeSync(fd, one, 0, 1, 1234);
    closeSync(fd);
    expect(await store.verify(digest)).toBe("corrupt");
    await store.quarantine(digest);
    await store.quarantine(digest);
    expect(await store.has(digest)).toBe(false);
    expect(await store.get(digest)).toBeUndefined();
    expect(await collect(store.list())).toEqual([]);
    expect(existsSync(join(dir, "corrupt", digest))).toBe(true);
    // The store remembers the blob went bad, until good bytes are uploaded again.
    expect(await store.verify(digest)).toBe("corrupt");
    expect(await store.uploadStatus(digest)).toMatchObject({ complete: false, received: 0 });
    await store.appendUpload(digest, data.length, 0, body(data));
    expect(await store.verify(digest)).toBe("ok");
  });

  it("a 200 MB upload streams through in bounded memory", async () => {
    const { store } = fresh();
    const CHUNK = 256 * 1024;
    const COUNT = 800; // 200 MiB
    const base = bytes(CHUNK, 3);
    // The data is made as it is consumed: chunk i is the base pattern stamped with i.
    const chunk = (i: number): Buffer => {
      const c = Buffer.from(base);
      c.writeUInt32LE(i, 0);
      return c;
    };
    const hash = createHash("sha256");
    for (let i = 0; i < COUNT; i++) hash.update(chunk(i));
    const digest = hash.digest("hex");
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let i = 0;
    const source = new Readable({
      read() {
        peak = Math.max(peak, process.memoryUsage().rss);
        this.push(i < COUNT ? chunk(i++) : null);
      },
    });
    const state = await store.appendUpload(digest, CHUNK * COUNT, 0, source);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(state).toEqual({ received: CHUNK * COUNT, size: CHUNK * COUNT, complete: true });
    expect(await store.size(digest)).toBe(CHUNK * COUNT);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    expect(await store.verify(digest)).toBe("ok");
  }, 120_000);
});
