// Owns sending a blob's bytes so that a corrupted blob is never served silently. Blobs up to
// VERIFY_FIRST_BYTES are hashed before the first byte goes out (a mismatch answers 500
// blob_corrupt). Larger ones are hashed while they stream, with the last chunk held back until the
// hash is known: on a mismatch the connection is destroyed instead, so the client sees a truncated
// body, never a complete wrong one. Either way the blob is quarantined (the `corrupt` callback).
// Also owns Range (one range, 206/416), ETag and HEAD; which blob to send is the caller's.
import { createHash } from "node:crypto";
import { pipeline, Readable, Transform, type TransformCallback } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { OrreryError, type ErrorBody } from "@orrery/protocol";
import type { BlobStore } from "@orrery/store";

/** Blobs this small are checked whole before sending; larger ones while streaming. */
export const VERIFY_FIRST_BYTES = 16 * 1024 * 1024;

export interface BlobSource {
  blobs: BlobStore;
  /** The blob's bytes no longer hash to its digest: move it aside and remember it. */
  corrupt(digest: string): Promise<void>;
  /** The error to answer for a blob that is absent (404, or 500 blob_corrupt when something needs it). */
  missing(digest: string): Promise<OrreryError>;
}

export interface ServeOptions {
  contentType: string;
  /** A Content-Disposition value (attachment downloads). */
  disposition?: string;
  /** Blobs by digest never change; a file by alias may. */
  cacheControl: string;
}

export function corruptError(digest: string): OrreryError {
  return new OrreryError(
    "blob_corrupt",
    `blob ${digest} is corrupt: its bytes no longer hash to its digest. It was moved aside and will not be served; ` +
      "log the artifact again from the original files to re-upload it",
  );
}

type ByteRange = { start: number; end: number };

/**
 * `bytes=N-M`, `bytes=N-` or `bytes=-S` against a blob of `size` bytes: the range (end inclusive,
 * clamped), "unsatisfiable", or undefined to send everything (no header, several ranges, or
 * syntax this server does not know, which RFC 9110 says to ignore).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? Number.MAX_SAFE_INTEGER : Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(end, size - 1) };
}

export async function serveBlob(req: FastifyRequest, reply: FastifyReply, src: BlobSource, digest: string, opts: ServeOptions): Promise<FastifyReply> {
  const size = await src.blobs.size(digest);
  if (size === undefined) throw await src.missing(digest);
  const etag = `"${digest}"`;
  void reply.header("etag", etag).header("accept-ranges", "bytes").header("cache-control", opts.cacheControl)
    .header("x-content-type-options", "nosniff")
    // A user's HTML or SVG opened from this origin must not run scripts in the dashboard's name.
    .header("content-security-policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'");
  if (req.headers["if-none-match"]?.split(",").some((t) => t.trim() === etag)) return reply.status(304).send();

  const range = parseRange(req.headers.range, size);
  if (range === "unsatisfiable") {
    const body: ErrorBody = {
      error: "invalid_request", field: "range",
      message: `Range ${req.headers.range} starts at or past the end of the blob (${size} bytes): ask for bytes=0-${Math.max(0, size - 1)} at most`,
    };
    return reply.status(416).header("content-range", `bytes */${size}`).type("application/json").send(body);
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  void reply.status(range ? 206 : 200).type(opts.contentType).header("content-length", String(end - start + 1));
  if (range) void reply.header("content-range", `bytes ${start}-${end}/${size}`);
  if (opts.disposition) void reply.header("content-disposition", opts.disposition);
  // HEAD: the headers only, without reading (or checking) the bytes.
  if (req.method === "HEAD") return reply.send(Readable.from([]));
  if (size === 0) return reply.send(Readable.from([]));

  if (size <= VERIFY_FIRST_BYTES) {
    const verdict = await src.blobs.verify(digest);
    if (verdict === "corrupt") {
      await src.corrupt(digest);
      throw corruptError(digest);
    }
    const stream = verdict === "ok" ? await src.blobs.get(digest, { start, end }) : undefined;
    if (!stream) throw await src.missing(digest);
    return reply.send(stream);
  }

  const whole = await src.blobs.get(digest);
  if (!whole) throw await src.missing(digest);
  const slice = new VerifyingSlice(digest, start, end, () => {
    req.log.error({ digest }, "blob failed its SHA-256 check while streaming; the response was cut short and the blob quarantined");
    return src.corrupt(digest);
  });
  // pipeline closes the file when the client goes away or the check fails.
  return reply.send(pipeline(whole, slice, () => undefined));
}

/**
 * Passes bytes [start, end] of a whole blob through while hashing all of it, one chunk behind:
 * the last chunk goes out only once the hash matched, else the stream fails (and with it the
 * response, cut short).
 */
class VerifyingSlice extends Transform {
  private readonly hash = createHash("sha256");
  private pos = 0;
  private held: Buffer | undefined;

  constructor(private readonly digest: string, private readonly first: number, private readonly last: number, private readonly onMismatch: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    const from = Math.max(this.first - this.pos, 0);
    const to = Math.min(this.last + 1 - this.pos, chunk.length);
    this.pos += chunk.length;
    if (to > from) {
      if (this.held) this.push(this.held);
      this.held = chunk.subarray(from, to);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.hash.digest("hex") !== this.digest) {
      this.onMismatch().then(() => cb(corruptError(this.digest)), () => cb(corruptError(this.digest)));
      return;
    }
    if (this.held) this.push(this.held);
    cb();
  }
}
