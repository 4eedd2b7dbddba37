// Owns the byte format of one compressed chunk of a series: a pure codec, no I/O. Which points go
// into which chunk, and where chunks are kept, is the engine's business (sqlite/chunks.ts).
//
// A chunk holds 1 to ~4096 points with x strictly ascending. Layout (little-endian):
//   u8      format version (1)
//   u8      modes: x mode in bits 0-3, y mode in bits 4-7
//             x: 0 = arithmetic (x_i = x0 + i * dx), 1 = varint deltas of safe integers, 2 = float64
//             y: 0 = float64, 1 = zigzag varint deltas of safe integers (never -0)
//   varint  n, the number of points
//   f64     x0
//   f64     dx                    (x mode 0 only)
//   f64     y0                    (y mode 1 only)
//   then sections, each a varint (length * 2 + 1 if deflateRaw'd, length * 2 if stored as is) and
//   its bytes:
//     x mode 1: one section, the n - 1 unsigned varints x_i - x_(i-1)
//     x mode 2: eight sections, the byte planes of x (byte 0 of every x, then byte 1, ...)
//     y mode 0: eight sections, the byte planes of y
//     y mode 1: one section, the n - 1 zigzag varints y_i - y_(i-1)
// Float values are kept as float64 bits, so NaN, the infinities and -0 come back exactly. Splitting
// values into byte planes puts the slowly varying sign/exponent/high-mantissa bytes of neighbouring
// values together, where deflate turns them into runs; the low mantissa planes of noisy values are
// noise, which no compressor shrinks, so a plane whose byte entropy is near 8 bits is stored as is
// (faster both ways, and each deflated plane gets statistics of its own). Noisy float64 training
// curves land near 6.5 to 7 bytes a point, values that were float32 near 3; integer values
// (timestamps, counters) and integer or regularly spaced x cost a byte or less.
import { endianness } from "node:os";
import { deflateRawSync, inflateRawSync } from "node:zlib";

if (endianness() !== "LE") {
  throw new Error("the Orrery series codec reads float64 arrays in place and needs a little-endian CPU");
}

export const CODEC_VERSION = 1;
const X_ARITHMETIC = 0;
const X_VARINT = 1;
const X_FLOAT = 2;
const Y_FLOAT = 0;
const Y_INT = 1;
/** Largest |delta| of integer y whose zigzag form (2|d| or 2|d| - 1) is still an exact double. */
const MAX_Y_DELTA = 2 ** 52;
/**
 * Deflate settings: level 1 costs half the time of 6 and loses about 1% of size on float data; a
 * 4 KiB window covers a whole plane of a 4096-point chunk, and with a smaller hash table it halves
 * the cost of setting up each call. Inflate needs no settings (any window up to 32 KiB reads it).
 */
const DEFLATE = { level: 1, windowBits: 12, memLevel: 6 } as const;
/** A byte plane with at least this much entropy (bits per byte) is stored without deflate. */
const RAW_ENTROPY = 7.95;

export interface Points64 { x: Float64Array; y: Float64Array }

/** How many chunks were encoded and decoded in this process; tests read it to check what a query touched. */
export const codecCounters = { encoded: 0, decoded: 0 };

/**
 * Encodes points (x strictly ascending, same length as y, at least one point) into a chunk.
 * Throws on unsorted or repeated x: merging is the caller's job.
 */
export function encodeChunk(x: Float64Array, y: Float64Array): Buffer {
  const n = x.length;
  if (n === 0 || y.length !== n) throw new Error(`a chunk needs 1 or more points and as many y as x (got ${n} x, ${y.length} y)`);
  for (let i = 1; i < n; i++) {
    if (!(x[i] > x[i - 1])) throw new Error(`chunk x must be strictly ascending: x[${i - 1}] = ${x[i - 1]}, x[${i}] = ${x[i]}`);
  }
  if (!Number.isFinite(x[0]) || !Number.isFinite(x[n - 1])) throw new Error("chunk x must be finite");
  codecCounters.encoded++;
  const xm = xMode(x);
  const ym = yMode(y);
  const parts: Buffer[] = [];
  const head = Buffer.allocUnsafe(2 + 10 + 24);
  head[0] = CODEC_VERSION;
  head[1] = xm | (ym << 4);
  let p = writeVarint(head, 2, n);
  head.writeDoubleLE(x[0], p); p += 8;
  if (xm === X_ARITHMETIC) { head.writeDoubleLE(n > 1 ? x[1] - x[0] : 0, p); p += 8; }
  if (ym === Y_INT) { head.writeDoubleLE(y[0], p); p += 8; }
  parts.push(head.subarray(0, p));

  const scratch = Buffer.allocUnsafe(8 * n);
  if (xm === X_VARINT) {
    let q = 0;
    for (let i = 1; i < n; i++) q = writeVarint(scratch, q, x[i] - x[i - 1]);
    section(parts, scratch.subarray(0, q), true);
  } else if (xm === X_FLOAT) {
    planes(parts, x, scratch);
  }
  if (ym === Y_INT) {
    // A zigzag varint of |d| <= 2^52 takes at most 8 bytes.
    let q = 0;
    for (let i = 1; i < n; i++) {
      const d = y[i] - y[i - 1];
      q = writeVarint(scratch, q, d >= 0 ? 2 * d : -2 * d - 1);
    }
    section(parts, scratch.subarray(0, q), true);
  } else {
    planes(parts, y, scratch);
  }
  return Buffer.concat(parts);
}

/** Decodes a chunk made by encodeChunk; the arrays are fresh and owned by the caller. */
export function decodeChunk(chunk: Uint8Array): Points64 {
  const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (buf.length < 11 || buf[0] !== CODEC_VERSION) {
    throw new Error(`not a series chunk of format ${CODEC_VERSION} (first byte ${buf[0]}): the database may come from a newer Orrery`);
  }
  codecCounters.decoded++;
  const xm = buf[1] & 0x0f;
  const ym = buf[1] >> 4;
  if (xm > X_FLOAT || ym > Y_INT) throw new Error(`unknown chunk modes ${buf[1]}: the database may come from a newer Orrery`);
  const r = new Reader(buf, 2);
  const n = r.varint();
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const x0 = r.f64();
  const dx = xm === X_ARITHMETIC ? r.f64() : 0;
  const y0 = ym === Y_INT ? r.f64() : 0;

  if (xm === X_ARITHMETIC) {
    for (let i = 0; i < n; i++) x[i] = x0 + i * dx;
  } else if (xm === X_VARINT) {
    readDeltas(r.section(), x, x0, n, false, "x deltas");
  } else {
    unplanes(r, x);
  }

  if (ym === Y_INT) {
    readDeltas(r.section(), y, y0, n, true, "y deltas");
  } else {
    unplanes(r, y);
  }
  if (r.at !== buf.length) throw new Error("corrupt series chunk: trailing bytes");
  return { x, y };
}

/** Number of points in a chunk, read from its header without decoding. */
export function chunkLength(chunk: Uint8Array): number {
  return new Reader(chunk, 2).varint();
}

function xMode(x: Float64Array): number {
  const n = x.length;
  const x0 = x[0];
  if (n === 1) return X_ARITHMETIC;
  const dx = x[1] - x0;
  let arithmetic = true;
  for (let i = 2; i < n; i++) {
    if (x0 + i * dx !== x[i]) { arithmetic = false; break; }
  }
  if (arithmetic) return X_ARITHMETIC;
  for (let i = 0; i < n; i++) if (!Number.isSafeInteger(x[i])) return X_FLOAT;
  for (let i = 1; i < n; i++) if (x[i] - x[i - 1] > Number.MAX_SAFE_INTEGER) return X_FLOAT;
  return X_VARINT;
}

function yMode(y: Float64Array): number {
  const n = y.length;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isSafeInteger(v) || (v === 0 && 1 / v < 0)) return Y_FLOAT;
  }
  for (let i = 1; i < n; i++) if (Math.abs(y[i] - y[i - 1]) > MAX_Y_DELTA) return Y_FLOAT;
  return Y_INT;
}

/** Appends a section: deflated when asked and smaller, else as is. */
function section(parts: Buffer[], bytes: Buffer, tryDeflate: boolean): void {
  let body = bytes;
  let deflated = false;
  if (tryDeflate && bytes.length > 0) {
    const d = deflateRawSync(bytes, DEFLATE);
    if (d.length < bytes.length) { body = d; deflated = true; }
  }
  const len = Buffer.allocUnsafe(10);
  // Raw bytes may be a view of the caller's scratch buffer, which it reuses: copy them.
  parts.push(len.subarray(0, writeVarint(len, 0, body.length * 2 + (deflated ? 1 : 0))), deflated ? body : Buffer.from(body));
}

/** c * log2(c) for the counts of a sampled histogram (at most ENTROPY_SAMPLES). */
const ENTROPY_SAMPLES = 1024;
const N_LOG_N = new Float64Array(ENTROPY_SAMPLES + 1).map((_, c) => (c === 0 ? 0 : c * Math.log2(c)));
const histogram = new Uint32Array(256);

/**
 * Whether a byte plane looks like noise: the entropy of up to 1,024 evenly spaced bytes, with the
 * Miller-Madow correction for the bias of so small a sample, is at least RAW_ENTROPY bits per byte.
 * Sampling keeps this a small fraction of the deflate it saves.
 */
function looksLikeNoise(plane: Uint8Array): boolean {
  const n = plane.length;
  if (n < 256) return false;
  const step = Math.max(1, Math.floor(n / ENTROPY_SAMPLES));
  histogram.fill(0);
  let m = 0;
  for (let i = 0; i < n && m < ENTROPY_SAMPLES; i += step, m++) histogram[plane[i]]++;
  let s = 0;
  let used = 0;
  for (let b = 0; b < 256; b++) {
    const c = histogram[b];
    if (c > 0) { s += N_LOG_N[c]; used++; }
  }
  const bits = Math.log2(m) - s / m + (used - 1) / (2 * m * Math.LN2);
  return bits >= RAW_ENTROPY;
}

/** Appends the 8 byte planes of v as sections, deflating those that are not noise. */
function planes(parts: Buffer[], v: Float64Array, scratch: Buffer): void {
  const n = v.length;
  const src = new Uint8Array(v.buffer, v.byteOffset, 8 * n);
  const p1 = n, p2 = 2 * n, p3 = 3 * n, p4 = 4 * n, p5 = 5 * n, p6 = 6 * n, p7 = 7 * n;
  for (let i = 0, j = 0; i < n; i++, j += 8) {
    scratch[i] = src[j];
    scratch[p1 + i] = src[j + 1];
    scratch[p2 + i] = src[j + 2];
    scratch[p3 + i] = src[j + 3];
    scratch[p4 + i] = src[j + 4];
    scratch[p5 + i] = src[j + 5];
    scratch[p6 + i] = src[j + 6];
    scratch[p7 + i] = src[j + 7];
  }
  for (let b = 0; b < 8; b++) {
    const plane = scratch.subarray(b * n, (b + 1) * n);
    section(parts, plane, !looksLikeNoise(plane));
  }
}

/** Reads 8 plane sections back into v. */
function unplanes(r: Reader, v: Float64Array): void {
  const n = v.length;
  const p: Uint8Array[] = [];
  for (let b = 0; b < 8; b++) {
    const plane = r.section();
    if (plane.length !== n) throw new Error(`corrupt series chunk: a byte plane holds ${plane.length} bytes for ${n} points`);
    p.push(plane);
  }
  const out = new Uint8Array(v.buffer, v.byteOffset, 8 * n);
  const [p0, p1, p2, p3, p4, p5, p6, p7] = p as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  for (let i = 0, j = 0; i < n; i++, j += 8) {
    out[j] = p0[i];
    out[j + 1] = p1[i];
    out[j + 2] = p2[i];
    out[j + 3] = p3[i];
    out[j + 4] = p4[i];
    out[j + 5] = p5[i];
    out[j + 6] = p6[i];
    out[j + 7] = p7[i];
  }
}

class Reader {
  constructor(private readonly buf: Uint8Array, public at: number) {}

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.buf.length) throw new Error("corrupt series chunk: truncated");
      const b = this.buf[this.at++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  }

  f64(): number {
    if (this.at + 8 > this.buf.length) throw new Error("corrupt series chunk: truncated");
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.at, 8).readDoubleLE(0);
    this.at += 8;
    return v;
  }

  /** The next section's bytes, inflated if it was deflated. */
  section(): Uint8Array {
    const tag = this.varint();
    const len = Math.floor(tag / 2);
    if (this.at + len > this.buf.length) throw new Error("corrupt series chunk: truncated");
    const bytes = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return tag % 2 === 1 ? inflateRawSync(bytes) : bytes;
  }
}

/** Writes a non-negative safe integer as an unsigned LEB128 varint; returns the next offset. */
function writeVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    buf[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}

/**
 * Reads n - 1 varint deltas after `first` into out[0..n). Zigzag deltas may be negative
 * (even = v / 2, odd = -(v + 1) / 2); plain ones are not. Inlined varint reading: deltas
 * nearly always fit one or two bytes.
 */
function readDeltas(body: Uint8Array, out: Float64Array, first: number, n: number, zigzag: boolean, what: string): void {
  out[0] = first;
  let prev = first;
  let q = 0;
  for (let i = 1; i < n; i++) {
    let b = body[q++]!;
    let v = b & 0x7f;
    if (b >= 0x80) {
      let scale = 128;
      do {
        b = body[q++]!;
        v += (b & 0x7f) * scale;
        scale *= 128;
      } while (b >= 0x80);
    }
    prev += zigzag ? (v % 2 === 0 ? v / 2 : -(v + 1) / 2) : v;
    out[i] = prev;
  }
  if (q !== body.length) throw new Error(`corrupt series chunk: ${what} do not match the point count`);
}
