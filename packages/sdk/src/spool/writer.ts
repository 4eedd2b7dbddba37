// Owns appending frames to a run's spool. Each append is one synchronous write(2) of a whole
// frame, so when append() returns the record is in the operating system's page cache: it survives
// kill -9 of this process, but not a power cut or kernel crash (we do not fsync per record; that
// would cost milliseconds per log() call). Reading and the format itself live in format.ts.
import { closeSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { BINARY_HISTORY, BINARY_HISTORY_FIXED_BYTES, encodeSpoolStart, FRAME_HEADER_BYTES, type SpoolHeader } from "./format.js";

export class SpoolWriter {
  readonly path: string;
  /** Offset just past the last complete frame: the file's length as far as this writer knows. */
  offset: number;
  /** Offset of the first record frame. */
  readonly dataStart: number;
  private fd: number;
  // Reused between appends so the hot path does not allocate a Buffer per record.
  private buf = Buffer.allocUnsafe(16 * 1024);

  private constructor(path: string, fd: number, dataStart: number) {
    this.path = path;
    this.fd = fd;
    this.offset = dataStart;
    this.dataStart = dataStart;
  }

  /** Creates a new spool file (refusing to overwrite one) and writes magic and header. */
  static create(path: string, header: SpoolHeader): SpoolWriter {
    const fd = openSync(path, "wx");
    const start = encodeSpoolStart(header);
    try {
      writeAll(fd, start, start.length, 0);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new SpoolWriter(path, fd, start.length);
  }

  /**
   * Appends one frame holding `json`. Returns false (and leaves the file as it was) when the write
   * fails, e.g. a full disk; the caller then must not consume the record's seq.
   */
  append(json: string): boolean {
    if (this.fd < 0) return false;
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const need = FRAME_HEADER_BYTES + json.length * 3;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    return this.commit(this.buf.write(json, FRAME_HEADER_BYTES, "utf8"));
  }

  /** Appends one history row as a binary frame (format.ts); same guarantees as append(). */
  appendHistory(seq: number, ts: number, step: number, keys: readonly Buffer[], values: readonly number[], count: number): boolean {
    if (this.fd < 0) return false;
    let need = FRAME_HEADER_BYTES + BINARY_HISTORY_FIXED_BYTES;
    for (let i = 0; i < count; i++) need += 10 + keys[i]!.length;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    const buf = this.buf;
    buf[FRAME_HEADER_BYTES] = BINARY_HISTORY;
    buf.writeDoubleLE(seq, FRAME_HEADER_BYTES + 1);
    buf.writeDoubleLE(ts, FRAME_HEADER_BYTES + 9);
    buf.writeDoubleLE(step, FRAME_HEADER_BYTES + 17);
    buf.writeUInt16LE(count, FRAME_HEADER_BYTES + 25);
    let at = FRAME_HEADER_BYTES + BINARY_HISTORY_FIXED_BYTES;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      buf.writeUInt16LE(key.length, at);
      at += 2 + key.copy(buf, at + 2);
      buf.writeDoubleLE(values[i]!, at);
      at += 8;
    }
    return this.commit(at - FRAME_HEADER_BYTES);
  }

  /** Frames the n payload bytes already in the buffer and writes them. */
  private commit(n: number): boolean {
    const buf = this.buf;
    buf.writeUInt32LE(n, 0);
    buf.writeUInt32LE(crc32(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + n)), 4);
    try {
      writeAll(this.fd, buf, FRAME_HEADER_BYTES + n, this.offset);
    } catch {
      // Cut off a partial frame so later frames stay readable.
      try {
        ftruncateSync(this.fd, this.offset);
      } catch {
        // nothing more to try
      }
      return false;
    }
    this.offset += FRAME_HEADER_BYTES + n;
    if (this.buf.length > 1024 * 1024) this.buf = Buffer.allocUnsafe(16 * 1024); // don't pin a huge buffer
    return true;
  }

  close(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = -1;
  }
}

/** Positional writes: after a failed, truncated append the next frame still lands at `offset`. */
function writeAll(fd: number, buf: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) done += writeSync(fd, buf, done, length - done, position + done);
}
