// Owns the spool file format and its reader, including torn-tail detection after a crash.
// Writing lives in writer.ts, acknowledgement bookkeeping in ack.ts, sending in ../sender.ts.
// The format is specified byte by byte in docs/spool-format.md (a Python client writes it too):
//
//   "ORRSPL01" (8 bytes) | frame | frame | ...
//   frame = u32 LE payload length | u32 LE CRC-32 of payload | payload
//
// The first frame is the header; every later frame is one wire record. A payload is UTF-8 JSON
// (first byte "{") or, for history rows, the compact binary form below (first byte 0x01), which
// keeps number formatting out of log(): the sender turns it into the JSON wire record.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import { OrreryError, metricJson } from "@orrery/protocol";
import {
  BINARY_HISTORY, BINARY_HISTORY_FIXED_BYTES, decodeBinaryHistory, encodeFrame as encodeFrameBytes, FRAME_HEADER_BYTES,
} from "@orrery/protocol/frames";

export { BINARY_HISTORY, BINARY_HISTORY_FIXED_BYTES, FRAME_HEADER_BYTES };

export const MAGIC = Buffer.from("ORRSPL01", "latin1");
/** A frame claiming more than this is corruption, not data (no record comes near it). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;
export const SPOOL_VERSION = 1;

export interface SpoolHeader {
  spool: number;
  entity: string;
  project: string;
  runId: string;
  createdAt: number;
}

/** Why reading stopped before the end of the file. */
export interface TailProblem {
  /** Byte offset of the first frame that could not be read. */
  offset: number;
  /** Bytes from that offset to the end of the file: what a crash left unusable. */
  bytes: number;
  reason: "incomplete frame" | "checksum mismatch" | "impossible length";
}

/** One frame read from the file. `payload` is a view into the reader's buffer: valid until the next read. */
export interface Frame {
  offset: number;
  end: number;
  payload: Buffer;
  /** The whole frame (header and payload), as it is in the file: what the sender ships. */
  raw: Buffer;
}

export interface FrameBatch {
  frames: Frame[];
  /** Offset just past the last frame returned (= the start offset when none). */
  next: number;
  /** Set when a damaged or unfinished frame stopped the read. */
  problem: TailProblem | undefined;
}

/** One complete frame for `payload`. */
export function encodeFrame(payload: string | Uint8Array): Buffer {
  return encodeFrameBytes(typeof payload === "string" ? Buffer.from(payload, "utf8") : payload);
}

/** Bytes that open a new spool: magic plus the header frame. */
export function encodeSpoolStart(header: SpoolHeader): Buffer {
  return Buffer.concat([MAGIC, encodeFrame(JSON.stringify(header))]);
}

/**
 * Reads frames from a spool file with bounded memory: each call loads at most about `maxBytes`
 * (more only when a single frame is larger). Stops at the first frame that is incomplete or whose
 * CRC does not match and reports it: after a crash this is the torn tail; nothing past it is trusted.
 */
export class SpoolReader {
  readonly path: string;
  readonly header: SpoolHeader;
  /** Offset of the first record frame (just past the header frame). */
  readonly dataStart: number;
  private fd: number;
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);

  private constructor(path: string, fd: number, header: SpoolHeader, dataStart: number) {
    this.path = path;
    this.fd = fd;
    this.header = header;
    this.dataStart = dataStart;
  }

  /** Opens `path`, checks the magic and reads the header. Throws OrreryError when it is no spool. */
  static open(path: string): SpoolReader {
    const fd = openSync(path, "r");
    try {
      const magic = Buffer.alloc(MAGIC.length);
      const n = readFully(fd, magic, 0, MAGIC.length, 0);
      if (n < MAGIC.length || !magic.equals(MAGIC)) {
        throw new OrreryError("invalid_request", `${path} is not an Orrery spool (it does not start with ORRSPL01)`);
      }
      const probe = new SpoolReader(path, fd, { spool: 0, entity: "", project: "", runId: "", createdAt: 0 }, MAGIC.length);
      const first = probe.read(MAGIC.length, 1, 1 << 20);
      const frame = first.frames[0];
      if (!frame) {
        throw new OrreryError("invalid_request", `${path} has no readable header frame (${first.problem?.reason ?? "empty"})`);
      }
      const header = JSON.parse(frame.payload.toString("utf8")) as SpoolHeader;
      if (header.spool !== SPOOL_VERSION || typeof header.runId !== "string") {
        throw new OrreryError("invalid_request", `${path} has spool version ${String(header.spool)}; this SDK reads version ${SPOOL_VERSION}: upgrade orrery`);
      }
      return new SpoolReader(path, fd, header, frame.end);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * Reads up to `maxFrames` frames starting at byte `offset` (a frame boundary), stopping before
   * the batch would exceed `maxBytes` of payload (the first frame is always returned whole).
   */
  read(offset: number, maxFrames: number, maxBytes: number): FrameBatch {
    const frames: Frame[] = [];
    const want = Math.max(maxBytes + maxFrames * FRAME_HEADER_BYTES, FRAME_HEADER_BYTES);
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(Math.min(want, 64 * 1024 * 1024));
    let loaded = readFully(this.fd, this.buf, 0, this.buf.length, offset);
    let atEof = loaded < this.buf.length;
    let cursor = 0;
    let payloadBytes = 0;
    while (frames.length < maxFrames) {
      if (loaded - cursor < FRAME_HEADER_BYTES) {
        if (atEof && loaded > cursor) return this.stop(frames, offset, cursor, "incomplete frame");
        break;
      }
      const len = this.buf.readUInt32LE(cursor);
      // No record is empty or absurdly long: either is damage, not data.
      if (len === 0 || len > MAX_FRAME_BYTES) return this.stop(frames, offset, cursor, "impossible length");
      const end = cursor + FRAME_HEADER_BYTES + len;
      if (frames.length > 0 && payloadBytes + len > maxBytes) break;
      if (end > loaded) {
        if (atEof) return this.stop(frames, offset, cursor, "incomplete frame");
        if (frames.length > 0) break;
        // A single frame larger than the buffer: grow and reload from this frame.
        this.buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + len);
        loaded = readFully(this.fd, this.buf, 0, this.buf.length, offset);
        atEof = loaded < this.buf.length;
        if (loaded < this.buf.length) return this.stop(frames, offset, cursor, "incomplete frame");
        continue;
      }
      const payload = this.buf.subarray(cursor + FRAME_HEADER_BYTES, end);
      if (crc32(payload) !== this.buf.readUInt32LE(cursor + 4)) return this.stop(frames, offset, cursor, "checksum mismatch");
      frames.push({ offset: offset + cursor, end: offset + end, payload, raw: this.buf.subarray(cursor, end) });
      payloadBytes += len;
      cursor = end;
    }
    return { frames, next: offset + cursor, problem: undefined };
  }

  /** Offset of the frame holding record `seq`, scanning from the start; undefined when absent. */
  findSeq(seq: number): number | undefined {
    let offset = this.dataStart;
    for (;;) {
      const batch = this.read(offset, 10_000, 4 * 1024 * 1024);
      for (const f of batch.frames) if (frameSeq(f.payload) === seq) return f.offset;
      if (batch.frames.length === 0) return undefined;
      offset = batch.next;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private stop(frames: Frame[], start: number, cursor: number, reason: TailProblem["reason"]): FrameBatch {
    const at = start + cursor;
    let size = at;
    try {
      // Size from the file (not the buffer) so the report covers the whole damaged tail.
      size = fstatSync(this.fd).size;
    } catch {
      // keep `at`
    }
    return { frames, next: at, problem: { offset: at, bytes: size - at, reason } };
  }
}

/** The JSON wire record of a binary history payload (for tools and messages; senders ship frames). */
export function binaryHistoryJson(payload: Buffer): string {
  const r = decodeBinaryHistory(payload);
  let values = "";
  for (const k in r.values) values += `${values === "" ? "" : ","}${JSON.stringify(k)}:${metricJson(r.values[k]!)}`;
  return `{"seq":${r.seq},"ts":${r.ts},"type":"history","step":${r.step},"values":{${values}}}`;
}

/** The wire record a payload holds, as JSON text. */
export function payloadJson(payload: Buffer): string {
  return payload[0] === BINARY_HISTORY ? binaryHistoryJson(payload) : payload.toString("utf8");
}

/** The `seq` of a record frame. Fast path for payloads that start with {"seq":N (what this SDK writes). */
export function frameSeq(payload: Buffer): number {
  if (payload[0] === BINARY_HISTORY && payload.length >= BINARY_HISTORY_FIXED_BYTES) return payload.readDoubleLE(1);
  if (payload.length > 7 && payload[0] === 0x7b && payload[1] === 0x22 && payload[2] === 0x73 && payload[3] === 0x65 &&
      payload[4] === 0x71 && payload[5] === 0x22 && payload[6] === 0x3a) {
    let n = 0;
    let i = 7;
    for (; i < payload.length; i++) {
      const c = payload[i]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    if (i > 7 && (payload[i] === 0x2c || payload[i] === 0x7d)) return n;
  }
  const parsed = JSON.parse(payload.toString("utf8")) as { seq?: unknown };
  return typeof parsed.seq === "number" ? parsed.seq : NaN;
}

/** Reads the whole spool into memory: for tests and tooling, not for the sender. */
export function readSpoolFile(path: string): { header: SpoolHeader; records: Record<string, unknown>[]; problem: TailProblem | undefined } {
  const reader = SpoolReader.open(path);
  try {
    const records: Record<string, unknown>[] = [];
    let offset = reader.dataStart;
    for (;;) {
      const batch = reader.read(offset, 10_000, 4 * 1024 * 1024);
      for (const f of batch.frames) records.push(JSON.parse(payloadJson(f.payload)) as Record<string, unknown>);
      if (batch.problem || batch.frames.length === 0) return { header: reader.header, records, problem: batch.problem };
      offset = batch.next;
    }
  } finally {
    reader.close();
  }
}

function readFully(fd: number, buf: Buffer, at: number, length: number, position: number): number {
  let total = 0;
  while (total < length) {
    const n = readSync(fd, buf, at + total, length - total, position + total);
    if (n === 0) break;
    total += n;
  }
  return total;
}
