// Owns the frame encoding shared by the client spool file and the binary ingest body: a frame is
// u32 LE payload length | u32 LE CRC-32 of the payload | payload, and a payload is either one
// UTF-8 JSON record or a binary history row. Specified byte by byte in docs/spool-format.md.
// Pure: no I/O. The SDK writes frames; the server decodes request bodies made of them. A subpath
// export (@orrery/protocol/frames) so browser code importing the schemas never pulls in node:zlib.
import { crc32 } from "node:zlib";
import { LIMITS } from "./limits.js";

export const FRAME_HEADER_BYTES = 8;
/** Content type of an ingest body made of frames (see docs/spool-format.md). */
export const FRAMES_CONTENT_TYPE = "application/vnd.orrery.frames";
/** First payload byte of a binary history row; JSON payloads start with "{" (0x7B). */
export const BINARY_HISTORY = 0x01;
/** kind u8 | seq f64 | ts f64 | step f64 | count u16; then count x (u16 key bytes | key | f64 value). */
export const BINARY_HISTORY_FIXED_BYTES = 27;

export class FrameError extends Error {
  constructor(message: string, readonly frame: number) {
    super(message);
    this.name = "FrameError";
  }
}

/** A history record decoded from its binary form; values are float64 as they are (NaN included). */
export interface DecodedHistory {
  seq: number;
  ts: number;
  type: "history";
  step: number;
  values: Record<string, number>;
}

/**
 * Decodes a binary history payload, checking what its layout cannot guarantee (integers, ranges,
 * key lengths), so the result needs no further schema validation.
 */
export function decodeBinaryHistory(p: Uint8Array, frame = 0): DecodedHistory {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (p.byteLength < BINARY_HISTORY_FIXED_BYTES) throw new FrameError(`binary history row is ${p.byteLength} bytes; at least ${BINARY_HISTORY_FIXED_BYTES} expected`, frame);
  const seq = view.getFloat64(1, true);
  const ts = view.getFloat64(9, true);
  const step = view.getFloat64(17, true);
  const count = view.getUint16(25, true);
  if (!Number.isSafeInteger(seq) || seq < 1) throw new FrameError(`seq ${seq} is not a positive integer`, frame);
  if (!(ts >= 0 && ts <= 8.64e15)) throw new FrameError(`ts ${ts} is not a time in milliseconds since 1970`, frame);
  if (!Number.isSafeInteger(step) || step < 0) throw new FrameError(`step ${step} is not an integer >= 0`, frame);
  if (count > LIMITS.maxKeysPerRow) throw new FrameError(`row has ${count} metrics; the limit is ${LIMITS.maxKeysPerRow}`, frame);
  const values: Record<string, number> = {};
  let at = BINARY_HISTORY_FIXED_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 2 > p.byteLength) throw new FrameError("binary history row ends inside a key", frame);
    const len = view.getUint16(at, true);
    if (at + 2 + len + 8 > p.byteLength) throw new FrameError("binary history row ends inside a key or value", frame);
    const key = keyAt(i, p, at + 2, len, frame);
    if (key.length === 0 || key.length > LIMITS.maxKeyLength) {
      throw new FrameError(`metric key "${key.slice(0, 40)}" must be 1 to ${LIMITS.maxKeyLength} characters`, frame);
    }
    const v = view.getFloat64(at + 2 + len, true);
    // Own property even for "__proto__": the row is data, never a prototype.
    if (key === "__proto__") Object.defineProperty(values, key, { value: v, enumerable: true, writable: true, configurable: true });
    else values[key] = v;
    at += 2 + len + 8;
  }
  if (at !== p.byteLength) throw new FrameError(`binary history row has ${p.byteLength - at} bytes after its last value`, frame);
  return { seq, ts, type: "history", step, values };
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

// Rows of a run repeat the same keys in the same order: remember the key decoded at each position
// with its bytes, so most keys cost a short byte comparison instead of a UTF-8 decode.
const cachedBytes: Uint8Array[] = [];
const cachedKeys: string[] = [];

function keyAt(i: number, p: Uint8Array, from: number, len: number, frame: number): string {
  const known = cachedBytes[i];
  if (known !== undefined && known.length === len) {
    let same = true;
    for (let j = 0; j < len; j++) if (known[j] !== p[from + j]) { same = false; break; }
    if (same) return cachedKeys[i]!;
  }
  let key: string;
  try {
    key = textDecoder.decode(p.subarray(from, from + len));
  } catch {
    throw new FrameError("a metric key is not valid UTF-8", frame);
  }
  if (i < 4096) {
    cachedBytes[i] = p.slice(from, from + len);
    cachedKeys[i] = key;
  }
  return key;
}

/** Splits a buffer of whole frames into payloads, verifying every length and CRC. */
export function splitFrames(buf: Uint8Array): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < buf.byteLength) {
    if (at + FRAME_HEADER_BYTES > buf.byteLength) throw new FrameError(`frame ${out.length} is cut off in its header`, out.length);
    const len = view.getUint32(at, true);
    const end = at + FRAME_HEADER_BYTES + len;
    if (len === 0 || end > buf.byteLength) throw new FrameError(`frame ${out.length} claims ${len} bytes; ${buf.byteLength - at - FRAME_HEADER_BYTES} remain`, out.length);
    const payload = buf.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== view.getUint32(at + 4, true)) throw new FrameError(`frame ${out.length} fails its CRC-32 check`, out.length);
    out.push(payload);
    at = end;
  }
  return out;
}

/** One frame around `payload`. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32LE(payload.byteLength, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** A binary history payload (writers on a hot path build it in place instead; see the SDK). */
export function encodeBinaryHistory(seq: number, ts: number, step: number, values: Readonly<Record<string, number>>): Buffer {
  const keys = Object.keys(values).map((k) => Buffer.from(k, "utf8"));
  const out = Buffer.allocUnsafe(BINARY_HISTORY_FIXED_BYTES + keys.reduce((n, k) => n + 10 + k.length, 0));
  out[0] = BINARY_HISTORY;
  out.writeDoubleLE(seq, 1);
  out.writeDoubleLE(ts, 9);
  out.writeDoubleLE(step, 17);
  out.writeUInt16LE(keys.length, 25);
  let at = BINARY_HISTORY_FIXED_BYTES;
  const vals = Object.values(values);
  keys.forEach((k, i) => {
    out.writeUInt16LE(k.length, at);
    k.copy(out, at + 2);
    out.writeDoubleLE(vals[i]!, at + 2 + k.length);
    at += 10 + k.length;
  });
  return out;
}
