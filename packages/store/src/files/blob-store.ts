// Owns the local content-addressed blob store: bytes live at DIR/ab/cdef... named by their SHA-256.
// A blob appears under its final name only once complete, checked and synced (temp or partial file,
// fsync, rename, fsync of the directory), so a crash never leaves a truncated blob behind a valid name.
// Resumable uploads grow DIR/uploads/<digest>.part beside a small sidecar (<digest>.json) holding the
// declared size; corrupt blobs are moved to DIR/corrupt/ and never served again. Who may upload what,
// and when a blob is garbage, is the server's and the ArtifactStore's business.
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import {
  DigestMismatchError, UploadOffsetError, UploadSizeError, type BlobInfo, type BlobStore, type UploadState,
} from "../interfaces.js";

const DIGEST = /^[0-9a-f]{64}$/;
const FANOUT = /^[0-9a-f]{2}$/;
const REST = /^[0-9a-f]{62}$/;
const PART = ".part";
const SIDECAR = ".json";
/** Writes to the partial file are gathered up to this size: fewer syscalls, still bounded memory. */
const WRITE_BATCH_BYTES = 1024 * 1024;

const MAX_RUNNING_HASHES = 10_000;

export class LocalBlobStore implements BlobStore {
  private readonly tmpDir: string;
  private readonly uploadDir: string;
  private readonly corruptDir: string;
  /** Per-digest chains of upload work: one append (or delete) of a digest at a time in this process. */
  private readonly locks = new Map<string, Promise<void>>();
  /** SHA-256 so far of uploads in progress, and how many bytes it covers. */
  private readonly hashes = new Map<string, { hash: Hash; at: number }>();

  constructor(private readonly dir: string) {
    this.tmpDir = join(dir, "tmp");
    this.uploadDir = join(dir, "uploads");
    this.corruptDir = join(dir, "corrupt");
  }

  async put(data: Buffer): Promise<string> {
    const digest = createHash("sha256").update(data).digest("hex");
    const final = this.pathOf(digest);
    if (await exists(final)) {
      // Stored again: the bytes are wanted anew, so gc's grace period starts over.
      const now = new Date();
      await utimes(final, now, now).catch(() => undefined);
      return digest;
    }
    const fanout = join(this.dir, digest.slice(0, 2));
    await mkdir(fanout, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${digest}.${randomBytes(6).toString("hex")}`);
    try {
      const fh = await open(tmp, "wx");
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDir(fanout);
    return digest;
  }

  async get(digest: string, range?: { start: number; end?: number }): Promise<Readable | undefined> {
    if (!DIGEST.test(digest)) return undefined;
    try {
      const fh = await open(this.pathOf(digest), "r");
      return fh.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async has(digest: string): Promise<boolean> {
    return DIGEST.test(digest) && exists(this.pathOf(digest));
  }

  async size(digest: string): Promise<number | undefined> {
    if (!DIGEST.test(digest)) return undefined;
    return (await statOrUndefined(this.pathOf(digest)))?.size;
  }

  async uploadStatus(digest: string): Promise<UploadState> {
    checkDigest(digest);
    const blob = await statOrUndefined(this.pathOf(digest));
    if (blob !== undefined) return { received: blob.size, size: blob.size, complete: true };
    const part = await statOrUndefined(this.partOf(digest));
    return { received: part?.size ?? 0, size: await this.declaredSize(digest), complete: false };
  }

  appendUpload(digest: string, size: number, offset: number, body: Readable): Promise<UploadState> {
    checkDigest(digest);
    return this.serialized(digest, () => this.append(digest, size, offset, body));
  }

  private async append(digest: string, size: number, offset: number, body: Readable): Promise<UploadState> {
    const blob = await statOrUndefined(this.pathOf(digest));
    if (blob !== undefined) {
      await drain(body);
      return { received: blob.size, size: blob.size, complete: true };
    }
    if (!Number.isSafeInteger(size) || size < 0) throw new UploadSizeError(`size ${size} is not a byte count`);
    const declared = await this.declaredSize(digest);
    if (declared !== null && declared !== size) {
      throw new UploadSizeError(`this upload was declared with size ${declared}, not ${size}: send the size it began with`);
    }
    const partPath = this.partOf(digest);
    const received = (await statOrUndefined(partPath))?.size ?? 0;
    if (offset !== received) throw new UploadOffsetError(received, offset);
    if (declared === null) await this.declare(digest, size);

    // The SHA-256 is carried along while bytes arrive, so completing a large upload needs no
    // second read of it; a state that does not end where the part does (a restart, a failed write)
    // is dropped and publish() re-reads the part instead.
    let running = this.hashes.get(digest);
    if (running?.at !== received) {
      this.hashes.delete(digest);
      running = received === 0 ? { hash: createHash("sha256"), at: 0 } : undefined;
      if (running) this.trackHash(digest, running);
    }
    const fh = await open(partPath, "a");
    let written = 0;
    try {
      if (received === 0) await syncDir(this.uploadDir);
      written = await appendBody(fh, body, size - offset, offset, running && ((buf) => { running.hash.update(buf); running.at += buf.length; }));
    } catch (err) {
      if (err instanceof UploadSizeError) this.hashes.delete(digest);
      // Keep (and make durable) what arrived, so the client resumes from there. A body running
      // past size is cut back to the offset: that part was refused whole.
      try {
        if (err instanceof UploadSizeError) await fh.truncate(offset);
        await fh.sync();
      } finally {
        await fh.close();
      }
      throw err;
    }
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const total = offset + written;
    if (total < size) return { received: total, size, complete: false };
    return this.publish(digest, size);
  }

  /** The part holds every byte: checks its SHA-256, then moves it under its digest. */
  private async publish(digest: string, size: number): Promise<UploadState> {
    const partPath = this.partOf(digest);
    const running = this.hashes.get(digest);
    this.hashes.delete(digest);
    const actual = running?.at === size ? running.hash.digest("hex") : await hashFile(partPath);
    if (actual !== digest) {
      await this.removeUpload(digest);
      throw new DigestMismatchError(digest, actual);
    }
    const fanout = join(this.dir, digest.slice(0, 2));
    await mkdir(fanout, { recursive: true });
    await rename(partPath, this.pathOf(digest));
    await syncDir(fanout);
    await rm(this.sidecarOf(digest), { force: true });
    await syncDir(this.uploadDir);
    return { received: size, size, complete: true };
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const fan of await readdirOrEmpty(this.dir)) {
      if (!FANOUT.test(fan)) continue;
      for (const rest of await readdirOrEmpty(join(this.dir, fan))) {
        if (!REST.test(rest)) continue;
        const st = await statOrUndefined(join(this.dir, fan, rest));
        if (st?.isFile()) yield { digest: fan + rest, size: st.size, mtimeMs: st.mtimeMs };
      }
    }
  }

  async *listUploads(): AsyncIterable<BlobInfo> {
    const names = await readdirOrEmpty(this.uploadDir);
    const digests = new Set<string>();
    for (const name of names) {
      const digest = name.endsWith(PART) ? name.slice(0, -PART.length) : name.endsWith(SIDECAR) ? name.slice(0, -SIDECAR.length) : "";
      if (DIGEST.test(digest)) digests.add(digest);
    }
    for (const digest of digests) {
      const part = await statOrUndefined(this.partOf(digest));
      const side = await statOrUndefined(this.sidecarOf(digest));
      // A sidecar without a part is an upload that declared itself and got no byte yet.
      const mtimeMs = Math.max(part?.mtimeMs ?? 0, side?.mtimeMs ?? 0);
      if (part !== undefined || side !== undefined) yield { digest, size: part?.size ?? 0, mtimeMs };
    }
  }

  async delete(digest: string): Promise<void> {
    if (!DIGEST.test(digest)) return;
    await rm(this.pathOf(digest), { force: true });
  }

  deleteUpload(digest: string): Promise<void> {
    if (!DIGEST.test(digest)) return Promise.resolve();
    return this.serialized(digest, () => this.removeUpload(digest));
  }

  /**
   * ok, corrupt or missing. A blob that was quarantined and not uploaded again is "corrupt": the
   * store knows its bytes went bad, which callers report differently from a blob never stored.
   */
  async verify(digest: string): Promise<"ok" | "corrupt" | "missing"> {
    if (!DIGEST.test(digest)) return "missing";
    try {
      return (await hashFile(this.pathOf(digest))) === digest ? "ok" : "corrupt";
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return (await exists(join(this.corruptDir, digest))) ? "corrupt" : "missing";
    }
  }

  async quarantine(digest: string): Promise<void> {
    if (!DIGEST.test(digest)) return;
    await mkdir(this.corruptDir, { recursive: true });
    try {
      await rename(this.pathOf(digest), join(this.corruptDir, digest));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await syncDir(this.corruptDir);
    await syncDir(join(this.dir, digest.slice(0, 2)));
  }

  private trackHash(digest: string, state: { hash: Hash; at: number }): void {
    // Abandoned uploads leave their state behind; keep the oldest from piling up.
    if (this.hashes.size >= MAX_RUNNING_HASHES) this.hashes.delete(this.hashes.keys().next().value as string);
    this.hashes.set(digest, state);
  }

  private async removeUpload(digest: string): Promise<void> {
    this.hashes.delete(digest);
    await rm(this.partOf(digest), { force: true });
    await rm(this.sidecarOf(digest), { force: true });
  }

  private async declaredSize(digest: string): Promise<number | null> {
    try {
      const v: unknown = JSON.parse(await readFile(this.sidecarOf(digest), "utf8"));
      const size = typeof v === "object" && v !== null ? (v as { size?: unknown }).size : undefined;
      return typeof size === "number" ? size : null;
    } catch (err) {
      // A torn sidecar cannot exist (it is renamed into place), but a hand-edited one can.
      if (isNotFound(err) || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /** Records the declared size durably before the first byte, so every later part is checked against it. */
  private async declare(digest: string, size: number): Promise<void> {
    await mkdir(this.uploadDir, { recursive: true });
    const tmp = join(this.uploadDir, `${digest}.${randomBytes(6).toString("hex")}.tmp`);
    const fh = await open(tmp, "wx");
    try {
      await fh.writeFile(JSON.stringify({ size }));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.sidecarOf(digest));
    await syncDir(this.uploadDir);
  }

  private serialized<T>(digest: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(digest) ?? Promise.resolve();
    const result = before.then(work);
    const done = result.then(() => undefined, () => undefined);
    this.locks.set(digest, done);
    void done.then(() => {
      if (this.locks.get(digest) === done) this.locks.delete(digest);
    });
    return result;
  }

  private pathOf(digest: string): string {
    return join(this.dir, digest.slice(0, 2), digest.slice(2));
  }

  private partOf(digest: string): string {
    return join(this.uploadDir, digest + PART);
  }

  private sidecarOf(digest: string): string {
    return join(this.uploadDir, digest + SIDECAR);
  }
}

/**
 * Writes the body at position (the end of the file), at most `room` bytes; returns the bytes
 * written. Pulls the next chunk only after the previous batch is written, so memory stays bounded
 * whatever the body's size. Throws UploadSizeError when the body holds more than room.
 */
async function appendBody(fh: FileHandle, body: Readable, room: number, position: number, onWritten?: (buf: Buffer) => void): Promise<number> {
  let written = 0;
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = async (): Promise<void> => {
    if (batched === 0) return;
    const buf = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + written);
      off += bytesWritten;
      written += bytesWritten;
    }
    onWritten?.(buf);
  };
  try {
    // destroyOnReturn false: a refused body is left to the caller (an HTTP server still answers on its socket).
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      if (written + batched + buf.length > room) {
        throw new UploadSizeError(`the body runs past the declared size (${position + room} bytes): send at most ${room} bytes from offset ${position}`);
      }
      batch.push(buf);
      batched += buf.length;
      if (batched >= WRITE_BATCH_BYTES) await flush();
    }
  } catch (err) {
    // Bytes that arrived before the stream broke are kept: write what is batched, then rethrow.
    if (!(err instanceof UploadSizeError)) await flush();
    throw err;
  }
  await flush();
  return written;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function drain(body: Readable): Promise<void> {
  try {
    for await (const _ of body) { /* discard */ }
  } catch {
    // The blob is complete already: a broken body changes nothing.
  }
}

function checkDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw new Error(`'${digest.slice(0, 80)}' is not a SHA-256 (64 lower-case hex digits)`);
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await statOrUndefined(path)) !== undefined;
}

/** Makes a rename durable; some platforms cannot open directories, and there it is skipped. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is as durable as the platform allows.
  } finally {
    await fh?.close();
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}
