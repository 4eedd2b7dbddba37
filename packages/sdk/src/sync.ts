// Owns `orrery sync`: find the spools under a folder and upload what the server has not
// acknowledged, with the same Sender the training process uses. Safe to repeat: acknowledged
// frames are skipped by ack.json, and anything resent anyway is dropped by the server by seq.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrreryError } from "@orrery/protocol";
import { resolveServer } from "./settings.js";
import { readAck, SPOOL_FILE } from "./spool/ack.js";
import { SpoolReader, type TailProblem } from "./spool/format.js";
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, Sender } from "./sender.js";
import { warn } from "./warn.js";

export interface SyncOptions {
  /** Server URL. Default: $ORRERY_URL, else http://127.0.0.1:5170. */
  url?: string;
  /** API key. Default: $ORRERY_API_KEY. */
  apiKey?: string;
  /** Called after each acknowledged batch: records sent so far and in total, over all runs. */
  onProgress?: (sentRecords: number, totalRecords: number) => void;
  /** Give up when no request succeeds for this long. Default 60000. */
  giveUpAfterMs?: number;
}

export interface SyncReport {
  runId: string;
  entity: string;
  project: string;
  spoolDir: string;
  /** Records acknowledged by the server in this call (accepted + duplicates + rejected). */
  sent: number;
  /** Of those, records the server already held (dropped). */
  duplicates: number;
  /** Of those, records the server refused for their content (consumed, not resent). */
  rejected: number;
  /** Bytes at the end of the spool that could not be read (a crash mid-write); 0 when intact. */
  tornTailBytes: number;
  /** Why this run could not be uploaded completely (the server refused a record); the others still are. */
  error?: string;
}

/**
 * Uploads every unacknowledged record of the spool in `dir`, or of every run folder directly
 * inside `dir`. Runs one after another, one request in flight. A run whose records the server
 * refuses is reported with `error` and the others continue. Rejects when the key is refused (401)
 * or the server stays unreachable for giveUpAfterMs; what was acknowledged until then
 * stays acknowledged, so running it again continues where it stopped.
 */
export async function syncDir(dir: string, options: SyncOptions = {}): Promise<SyncReport[]> {
  const { url, apiKey } = resolveServer(options.url, options.apiKey);
  const spoolDirs = findSpools(resolve(dir));
  const pending = spoolDirs.map((d) => ({ dir: d, ...countUnsent(d) })).filter((p) => p.readable);
  const total = pending.reduce((n, p) => n + p.records, 0);
  let sent = 0;
  options.onProgress?.(0, total);
  const reports: SyncReport[] = [];
  for (const p of pending) {
    const sender = new Sender({
      dir: p.dir, url, apiKey, mode: "sync", giveUpAfterMs: options.giveUpAfterMs ?? 60_000,
      onAck: (n) => {
        sent += n;
        options.onProgress?.(Math.min(sent, total), total);
      },
    });
    let error: string | undefined;
    try {
      await sender.sendAll();
    } catch (err) {
      // An unreachable server or a bad key fails every run alike: stop. A run the server refuses
      // for its own content must not keep the others from being uploaded.
      if (!(err instanceof OrreryError) || err.code === "unavailable" || err.code === "unauthorized") throw err;
      error = err.message;
    } finally {
      sender.stop();
    }
    const e = sender.endpoint;
    reports.push({
      runId: e.runId, entity: e.entity, project: e.project, spoolDir: p.dir,
      sent: sender.totals.sent, duplicates: sender.totals.duplicates, rejected: sender.totals.rejected,
      tornTailBytes: (sender.problem ?? p.problem)?.bytes ?? 0,
      ...(error === undefined ? {} : { error }),
    });
  }
  return reports;
}

/** `dir` itself when it is a run folder, else its run folders in name (= time) order. */
export function findSpools(dir: string): string[] {
  if (!existsSync(dir)) {
    throw new OrreryError("not_found", `orrery sync: ${dir} does not exist; pass a run folder or the folder holding them (default ./orrery)`);
  }
  if (existsSync(join(dir, SPOOL_FILE))) return [dir];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((d) => {
      try {
        return statSync(d).isDirectory() && existsSync(join(d, SPOOL_FILE));
      } catch {
        return false;
      }
    });
}

function countUnsent(dir: string): { readable: boolean; records: number; problem: TailProblem | undefined } {
  let reader: SpoolReader;
  try {
    reader = SpoolReader.open(join(dir, SPOOL_FILE));
  } catch (err) {
    warn(`skipping ${dir}: ${err instanceof Error ? err.message : String(err)}`);
    return { readable: false, records: 0, problem: undefined };
  }
  try {
    const ack = readAck(dir);
    let offset = Math.max(ack.offset, reader.dataStart);
    let records = 0;
    for (;;) {
      const batch = reader.read(offset, MAX_BATCH_RECORDS, MAX_BATCH_BYTES);
      records += batch.frames.length;
      if (batch.problem || batch.frames.length === 0) return { readable: true, records, problem: batch.problem };
      offset = batch.next;
    }
  } finally {
    reader.close();
  }
}
