// Owns ack.json, the record of what the server has acknowledged for one spool: the byte offset
// just past the last acknowledged frame and that frame's seq. It is replaced atomically (temp
// file + rename). It is not fsynced: losing an update only means resending records the server
// already holds, which it drops as duplicates.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Ack {
  offset: number;
  seq: number;
}

export const ACK_FILE = "ack.json";
export const SPOOL_FILE = "records.spool";

/** The acknowledged position of the spool in `dir`; { offset: 0, seq: 0 } when nothing was acknowledged. */
export function readAck(dir: string): Ack {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, ACK_FILE), "utf8")) as Partial<Ack>;
    const offset = Number(parsed.offset);
    const seq = Number(parsed.seq);
    if (Number.isSafeInteger(offset) && offset >= 0 && Number.isSafeInteger(seq) && seq >= 0) return { offset, seq };
  } catch {
    // missing or unreadable: start from the beginning; the server drops what it already holds
  }
  return { offset: 0, seq: 0 };
}

export function writeAck(dir: string, ack: Ack): void {
  const tmp = join(dir, `${ACK_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify({ offset: ack.offset, seq: ack.seq })}\n`);
  renameSync(tmp, join(dir, ACK_FILE));
}
