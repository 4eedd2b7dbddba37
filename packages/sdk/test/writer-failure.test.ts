// A spool write that fails halfway (a full disk) must leave the file readable: the partial frame
// is cut off and the next frame is written where it belongs, not after a hole.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { tempDir } from "./helpers.js";

const failure = { writesLeft: Infinity, shortBy: 0 };
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const writeSync = (fd: number, buf: Buffer, offset: number, length: number, position?: number | null): number => {
    if (failure.writesLeft <= 0) throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    failure.writesLeft--;
    // The first write after arming is short: part of the frame reaches the file.
    const n = failure.writesLeft === 0 ? Math.max(1, length - failure.shortBy) : length;
    return fs.writeSync(fd, buf, offset, n, position);
  };
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { SpoolWriter } = await import("../src/spool/writer.js");
const { readSpoolFile } = await import("../src/spool/format.js");

let dir: ReturnType<typeof tempDir>;
beforeEach(() => { dir = tempDir(); failure.writesLeft = Infinity; failure.shortBy = 0; });
afterEach(() => dir.cleanup());

describe("spool writer after a failed write", () => {
  it("cuts off the partial frame and writes the next one right after the last good frame", () => {
    const path = join(dir.path, "records.spool");
    const w = SpoolWriter.create(path, { spool: 1, entity: "e", project: "p", runId: "r", createdAt: 1 });
    expect(w.append(JSON.stringify({ seq: 1, ts: 0, type: "run" }))).toBe(true);
    failure.writesLeft = 1; // one short write, then the disk is full
    failure.shortBy = 5;
    expect(w.append(JSON.stringify({ seq: 2, ts: 0, type: "history", step: 0, values: { a: 1 } }))).toBe(false);
    failure.writesLeft = Infinity; // space is back
    expect(w.append(JSON.stringify({ seq: 2, ts: 0, type: "history", step: 0, values: { a: 2 } }))).toBe(true);
    w.close();
    const { records, problem } = readSpoolFile(path);
    expect(problem).toBeUndefined();
    expect(records.map((r) => [r.seq, (r.values as { a?: number } | undefined)?.a])).toEqual([[1, undefined], [2, 2]]);
  });
});
