// The spool file format: frames round-trip, checksums catch damage, and a reader stops at a torn
// tail instead of trusting it.
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeFrame, frameSeq, MAGIC, readSpoolFile, SpoolReader } from "../src/spool/format.js";
import { SpoolWriter } from "../src/spool/writer.js";
import { readAck, writeAck } from "../src/spool/ack.js";
import { tempDir } from "./helpers.js";

const header = { spool: 1, entity: "e", project: "p", runId: "r1", createdAt: 1 };
let dir: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  dir = tempDir();
  path = join(dir.path, "records.spool");
});
afterEach(() => dir.cleanup());

function writeRecords(n: number): SpoolWriter {
  const w = SpoolWriter.create(path, header);
  for (let i = 1; i <= n; i++) w.append(JSON.stringify({ seq: i, ts: 0, type: "history", step: i - 1, values: { x: i } }));
  return w;
}

describe("spool format", () => {
  it("a binary history row reads back as the same JSON record, non-finite values and unicode keys included", () => {
    const w = SpoolWriter.create(path, header);
    const keys = ["loss", "val/acc", "température", "x"].map((k) => Buffer.from(k, "utf8"));
    expect(w.appendHistory(1, 1_700_000_000_123, 42, keys, [0.1 + 0.2, NaN, -Infinity, -0], 4)).toBe(true);
    expect(w.appendHistory(2, 1_700_000_000_124, 43, keys, [Infinity, 5e-324, 1.7976931348623157e308, 3], 2)).toBe(true);
    w.close();
    const { records, problem } = readSpoolFile(path);
    expect(problem).toBeUndefined();
    expect(records).toEqual([
      { seq: 1, ts: 1_700_000_000_123, type: "history", step: 42, values: { loss: 0.30000000000000004, "val/acc": "NaN", "température": "-Infinity", x: 0 } },
      { seq: 2, ts: 1_700_000_000_124, type: "history", step: 43, values: { loss: "Infinity", "val/acc": 5e-324 } },
    ]);
    const reader = SpoolReader.open(path);
    try {
      expect(reader.read(reader.dataStart, 10, 1 << 20).frames.map((f) => frameSeq(f.payload))).toEqual([1, 2]);
    } finally {
      reader.close();
    }
  });

  it("a frame is length, CRC-32 and the UTF-8 payload, little-endian", () => {
    const frame = encodeFrame('{"a":"é"}');
    const payload = Buffer.from('{"a":"é"}', "utf8");
    expect(frame.readUInt32LE(0)).toBe(payload.length);
    expect(frame.readUInt32LE(4)).toBe(crc32(payload));
    expect(frame.subarray(8).equals(payload)).toBe(true);
  });

  it("a written spool starts with the magic and the header frame, and reads back record by record", () => {
    writeRecords(3).close();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 8).equals(MAGIC)).toBe(true);
    expect(bytes.subarray(0, 8).toString("latin1")).toBe("ORRSPL01");
    const { header: h, records, problem } = readSpoolFile(path);
    expect(h).toEqual(header);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(problem).toBeUndefined();
  });

  it("non-ASCII keys survive the hand-built frame", () => {
    const w = SpoolWriter.create(path, header);
    w.append('{"seq":1,"ts":0,"type":"history","step":0,"values":{"λ/损失":1.5,"emoji😀":2}}');
    w.close();
    expect(readSpoolFile(path).records[0]!.values).toEqual({ "λ/损失": 1.5, "emoji😀": 2 });
  });

  it("the reader stops at a frame cut off mid-write and reports the torn bytes", () => {
    writeRecords(5).close();
    const full = readFileSync(path).length;
    truncateSync(path, full - 7);
    const { records, problem } = readSpoolFile(path);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(problem).toMatchObject({ reason: "incomplete frame" });
    expect(problem!.offset + problem!.bytes).toBe(full - 7);
  });

  it("the reader stops at a torn frame header (fewer than 8 bytes left)", () => {
    writeRecords(2).close();
    appendFileSync(path, Buffer.from([5, 0, 0]));
    const { records, problem } = readSpoolFile(path);
    expect(records).toHaveLength(2);
    expect(problem).toMatchObject({ reason: "incomplete frame", bytes: 3 });
  });

  it("the reader stops at a corrupted byte and trusts nothing after it", () => {
    writeRecords(4).close();
    const bytes = readFileSync(path);
    const third = frameOffsets(path)[2]!;
    bytes[third + 12] ^= 0xff; // inside the third record's payload
    writeFileSync(path, bytes);
    const { records, problem } = readSpoolFile(path);
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    expect(problem).toMatchObject({ reason: "checksum mismatch", offset: third });
  });

  it("an absurd frame length is reported as damage, not allocated", () => {
    writeRecords(1).close();
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(0xfffffff0, 0);
    appendFileSync(path, bad);
    const { records, problem } = readSpoolFile(path);
    expect(records).toHaveLength(1);
    expect(problem).toMatchObject({ reason: "impossible length" });
  });

  it("a file that is not a spool is refused with a message saying so", () => {
    writeFileSync(path, "hello world, not a spool");
    expect(() => SpoolReader.open(path)).toThrow(/not an Orrery spool/);
  });

  it("batches respect the record and byte limits but always return a frame larger than the byte limit", () => {
    const w = SpoolWriter.create(path, header);
    w.append(JSON.stringify({ seq: 1, big: "x".repeat(200_000) }));
    for (let i = 2; i <= 10; i++) w.append(JSON.stringify({ seq: i }));
    w.close();
    const reader = SpoolReader.open(path);
    try {
      const first = reader.read(reader.dataStart, 100, 1000);
      expect(first.frames).toHaveLength(1);
      const rest = reader.read(first.next, 4, 1_000_000);
      expect(rest.frames.map((f) => frameSeq(f.payload))).toEqual([2, 3, 4, 5]);
      const end = reader.read(reader.read(rest.next, 100, 1_000_000).next, 100, 1_000_000);
      expect(end.frames).toHaveLength(0);
      expect(end.problem).toBeUndefined();
    } finally {
      reader.close();
    }
  });

  it("finds the frame of a given seq, for resending after a gap", () => {
    writeRecords(20).close();
    const reader = SpoolReader.open(path);
    try {
      const at = reader.findSeq(7)!;
      expect(frameSeq(reader.read(at, 1, 1000).frames[0]!.payload)).toBe(7);
      expect(reader.findSeq(99)).toBeUndefined();
    } finally {
      reader.close();
    }
  });

  it("frameSeq reads seq from any key order", () => {
    expect(frameSeq(Buffer.from('{"seq":42,"type":"x"}'))).toBe(42);
    expect(frameSeq(Buffer.from('{"type":"x","seq":43}'))).toBe(43);
  });

  it("ack.json round-trips and a missing one means nothing was acknowledged", () => {
    expect(readAck(dir.path)).toEqual({ offset: 0, seq: 0 });
    writeAck(dir.path, { offset: 1234, seq: 56 });
    expect(readAck(dir.path)).toEqual({ offset: 1234, seq: 56 });
    writeFileSync(join(dir.path, "ack.json"), "{garbage");
    expect(readAck(dir.path)).toEqual({ offset: 0, seq: 0 });
  });
});

/** Frame offsets of a spool, for aiming corruption at one frame. */
function frameOffsets(file: string): number[] {
  const r = SpoolReader.open(file);
  try {
    return r.read(r.dataStart, 1000, 1 << 20).frames.map((f) => f.offset);
  } finally {
    r.close();
  }
}
