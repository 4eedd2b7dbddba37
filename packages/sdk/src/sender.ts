// Owns shipping a spool to the server: read unacknowledged frames from the file (never an
// in-memory copy of the run), POST them in batches, advance ack.json only after the server's
// reply, and retry by the contract below. One request in flight per spool keeps seq order.
// The training process uses it in "live" mode; `orrery sync` uses it in "sync" mode.
//
//   200      batch consumed (accepted, duplicates or rejected): advance the ack; warn per rejection
//   409      seq gap: rewind to the server's lastSeq + 1 (or the start) and resend from there
//   413      halve the batch and resend
//   5xx 429 408, network error, timeout: exponential backoff from 250 ms to 30 s, with jitter
//   other 4xx: live: print the server's message once and retry every 30 s (data is never dropped)
//              sync: fail at once with the server's message
import { OrreryError, type IngestReply } from "@orrery/protocol";
import { FRAMES_CONTENT_TYPE } from "@orrery/protocol/frames";
import { frameSeq, payloadJson, SpoolReader, type Frame, type TailProblem } from "./spool/format.js";
import { readAck, writeAck, SPOOL_FILE, type Ack } from "./spool/ack.js";
import { post, runPath, type Endpoint } from "./transport.js";
import { warn } from "./warn.js";
import { join } from "node:path";

export const MAX_BATCH_RECORDS = 10_000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const BACKOFF_START_MS = 250;
const BACKOFF_CAP_MS = 30_000;
const DRAIN_BACKOFF_CAP_MS = 1_000;
const SLOW_RETRY_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;
const UNREACHABLE_WARN_AFTER_MS = 10_000;
const MAX_REJECTION_LINES = 20;

export interface SenderOptions {
  /** The run folder holding records.spool and ack.json. */
  dir: string;
  /** Server URL and API key; entity, project and run id come from the spool header. */
  url: string;
  apiKey: string | undefined;
  mode: "live" | "sync";
  /** Live mode: the writer's offset, so "caught up" needs no stat call. Sync mode reads to the end of the file. */
  end?: () => number;
  /** Live mode: delay between the first new record and the request, so records travel in batches. */
  flushDelayMs?: number;
  /** Sync mode: give up when no request has succeeded for this long. */
  giveUpAfterMs?: number;
  /** Live mode: true for a run created by this process, so duplicates of seq 1 mean a reused run id. */
  freshRun?: boolean;
  /** Called after each acknowledged batch with the number of records it consumed. */
  onAck?: (records: number) => void;
  /** How long the server may be unreachable before one line says so. Default 10000. */
  warnAfterMs?: number;
}

export interface SendTotals {
  /** Records acknowledged (accepted + duplicates + rejected). */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

type Outcome = "acked" | "again" | "backoff" | "slow";

export class Sender {
  readonly totals: SendTotals = { sent: 0, accepted: 0, duplicates: 0, rejected: 0 };
  /** Set when a damaged or unfinished frame stops reading. */
  problem: TailProblem | undefined;
  readonly endpoint: Endpoint;
  private readonly opts: SenderOptions;
  private readonly reader: SpoolReader;
  private ack: Ack;
  private running = false;
  private stopped = false;
  private draining = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleeper: (() => void) | undefined;
  private inflight: AbortController | undefined;
  private waiters: ((stuck: boolean) => void)[] = [];
  private batchLimit = MAX_BATCH_RECORDS;
  private byteLimit = MAX_BATCH_BYTES;
  private failures = 0;
  private failingSince = 0;
  private warnedDown = false;
  private hardMessageShown = false;
  private conflicts = 0;
  private rejectionLines = 0;
  private firstRequest = true;
  private fatal: Error | undefined;

  constructor(opts: SenderOptions) {
    this.opts = opts;
    this.reader = SpoolReader.open(join(opts.dir, SPOOL_FILE));
    const h = this.reader.header;
    this.endpoint = { url: opts.url, apiKey: opts.apiKey, entity: h.entity, project: h.project, runId: h.runId };
    const ack = readAck(opts.dir);
    this.ack = ack.offset < this.reader.dataStart ? { offset: this.reader.dataStart, seq: 0 } : ack;
  }

  /** Highest seq the server has acknowledged. */
  get ackedSeq(): number {
    return this.ack.seq;
  }

  /** Live mode: new records were appended; send them soon. Cheap enough for the log() hot path. */
  notify(): void {
    if (this.running || this.flushTimer !== undefined || this.stopped) return;
    this.flushTimer = setTimeout(this.onFlushTimer, this.opts.flushDelayMs ?? 100);
    this.flushTimer.unref();
  }

  /**
   * Resolves true once everything written so far is acknowledged, false when `timeoutMs` passes
   * first. Its timer is not unref()ed: a process finishing its run waits for the upload.
   */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.caughtUp()) return Promise.resolve(true);
    this.draining = true;
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(ok);
      };
      const waiter = (stuck: boolean): void => {
        if (this.caughtUp()) done(true);
        else if (stuck) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.push(waiter);
      this.kick();
    });
  }

  /** Sync mode: sends every readable frame, then resolves; rejects when the server refuses or stays unreachable. */
  async sendAll(): Promise<void> {
    await this.pump();
    if (this.fatal) throw this.fatal;
  }

  /** Stops sending (an in-flight request is aborted) and releases the file. */
  stop(): void {
    this.stopped = true;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.inflight?.abort();
    this.wake();
    if (!this.running) this.reader.close();
  }

  private readonly onFlushTimer = (): void => {
    this.flushTimer = undefined;
    void this.pump();
  };

  private kick(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    this.wake();
    void this.pump();
  }

  private caughtUp(): boolean {
    const end = this.opts.end;
    return end !== undefined && this.ack.offset >= end();
  }

  private async pump(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let stuck = false;
    try {
      while (!this.stopped && this.fatal === undefined) {
        const batch = this.reader.read(this.ack.offset, this.batchLimit, this.byteLimit);
        if (batch.problem && this.problem === undefined) {
          this.problem = batch.problem;
          if (this.opts.mode === "live") {
            warn(`spool ${this.reader.path} has a damaged frame at byte ${batch.problem.offset} (${batch.problem.reason}); records after it cannot be sent`);
          }
        }
        if (batch.frames.length === 0) {
          stuck = batch.problem !== undefined;
          break;
        }
        const outcome = await this.ship(batch.frames);
        if (outcome === "backoff") await this.backoff();
        else if (outcome === "slow") await this.sleep(this.draining ? DRAIN_BACKOFF_CAP_MS * 5 : SLOW_RETRY_MS);
      }
    } catch (err) {
      // Never let background work throw into the training process.
      if (this.opts.mode === "sync") this.fatal = err instanceof Error ? err : new Error(String(err));
      else warn(`sender stopped: ${err instanceof Error ? err.message : String(err)}`);
      stuck = true;
    } finally {
      this.running = false;
      if (this.stopped) this.reader.close();
      for (const w of [...this.waiters]) w(stuck || this.stopped);
    }
  }

  private async ship(frames: Frame[]): Promise<Outcome> {
    const firstSeq = frameSeq(frames[0]!.payload);
    const last = frames[frames.length - 1]!;
    const lastSeq = frameSeq(last.payload);
    const body = buildBody(frames);
    this.inflight = new AbortController();
    const signal = AbortSignal.any([this.inflight.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    const reply = await post(`${runPath(this.endpoint)}/records`, this.opts.apiKey, body, signal, FRAMES_CONTENT_TYPE);
    this.inflight = undefined;
    const wasFirst = this.firstRequest && this.failures === 0;
    this.firstRequest = false;
    if (!reply.ok) return this.failed(`cannot reach ${this.opts.url} (${reply.error})`);
    const { status } = reply;
    if (status >= 200 && status < 300) {
      const parsed = parseJson(reply.body) as Partial<IngestReply> | undefined;
      if (!parsed || typeof parsed.accepted !== "number") return this.failed(`unexpected reply from ${this.opts.url} (${status})`);
      this.ack = { offset: last.end, seq: lastSeq };
      writeAck(this.opts.dir, this.ack);
      const rejected = Array.isArray(parsed.rejected) ? parsed.rejected : [];
      this.totals.sent += frames.length;
      this.totals.accepted += parsed.accepted;
      this.totals.duplicates += parsed.duplicates ?? 0;
      this.totals.rejected += rejected.length;
      this.reportRejections(rejected, frames, firstSeq);
      if (wasFirst && firstSeq === 1 && this.opts.freshRun && (parsed.duplicates ?? 0) > 0) {
        warn(`the server already held records of run ${this.endpoint.runId} (this run id was used before); ${parsed.duplicates} records were dropped as duplicates: use a new id for a new run`);
      }
      this.succeeded();
      this.opts.onAck?.(frames.length);
      for (const w of [...this.waiters]) w(false);
      return "acked";
    }
    if (status === 409) {
      this.conflicts++;
      if (this.conflicts > 3) return this.refused(status, reply.body);
      this.rewind(conflictLastSeq(reply.body));
      return "again";
    }
    if (status === 413) {
      if (frames.length === 1) return this.refused(status, reply.body);
      this.batchLimit = Math.max(1, Math.ceil(frames.length / 2));
      this.byteLimit = Math.max(64 * 1024, Math.floor(this.byteLimit / 2));
      return "again";
    }
    if (status >= 500 || status === 429 || status === 408) {
      return this.failed(`${this.opts.url} answered ${status}${serverMessage(reply.body, ": ")}`);
    }
    return this.refused(status, reply.body);
  }

  private failed(reason: string): Outcome {
    const now = Date.now();
    this.failures++;
    if (this.failingSince === 0) this.failingSince = now;
    const downFor = now - this.failingSince;
    if (this.opts.mode === "sync" && downFor >= (this.opts.giveUpAfterMs ?? 60_000)) {
      throw new OrreryError("unavailable", `${reason} for ${Math.round(downFor / 1000)} s; nothing was lost: run orrery sync again when the server is up`);
    }
    if (!this.warnedDown && downFor >= (this.opts.warnAfterMs ?? UNREACHABLE_WARN_AFTER_MS)) {
      this.warnedDown = true;
      warn(`${reason}; records are kept in ${this.opts.dir} and will be sent when it is back`);
    }
    return "backoff";
  }

  private refused(status: number, body: string): Outcome {
    const message = `${this.opts.url} refused records of run ${this.endpoint.runId} (${status}${serverMessage(body, ": ")})`;
    if (this.opts.mode === "sync") throw new OrreryError(status === 401 ? "unauthorized" : "invalid_request", message);
    if (!this.hardMessageShown) {
      this.hardMessageShown = true;
      warn(`${message}; retrying every ${SLOW_RETRY_MS / 1000} s, records are kept in ${this.opts.dir}`);
    }
    return "slow";
  }

  private succeeded(): void {
    if (this.warnedDown) warn(`reconnected to ${this.opts.url}; sending the kept records`);
    this.failures = 0;
    this.failingSince = 0;
    this.warnedDown = false;
    this.conflicts = 0;
    this.hardMessageShown = false;
  }

  private rewind(serverLastSeq: number | undefined): void {
    const start: Ack = { offset: this.reader.dataStart, seq: 0 };
    if (serverLastSeq === undefined || serverLastSeq <= 0) {
      this.ack = start;
      return;
    }
    const offset = this.reader.findSeq(serverLastSeq + 1);
    this.ack = offset === undefined ? start : { offset, seq: serverLastSeq };
  }

  private reportRejections(rejected: readonly { seq: number; error: string; message: string; field?: string }[], frames: Frame[], firstSeq: number): void {
    for (const r of rejected) {
      if (this.rejectionLines >= MAX_REJECTION_LINES) {
        if (this.rejectionLines++ === MAX_REJECTION_LINES) warn("more records were refused; further refusals are not shown");
        continue;
      }
      this.rejectionLines++;
      const frame = frames[r.seq - firstSeq];
      let type = "record";
      if (frame) {
        const rec = parseJson(payloadJson(frame.payload)) as { type?: unknown } | undefined;
        if (typeof rec?.type === "string") type = `${rec.type} record`;
      }
      const field = r.field ? ` field ${r.field}` : "";
      warn(`the server refused ${type} seq ${r.seq}${field}: ${r.message} (${r.error}); it will not be resent`);
    }
  }

  private backoff(): Promise<void> {
    const cap = this.draining ? DRAIN_BACKOFF_CAP_MS : BACKOFF_CAP_MS;
    const base = Math.min(cap, BACKOFF_START_MS * 2 ** Math.min(this.failures - 1, 20));
    return this.sleep(base * (0.5 + Math.random() * 0.5));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleeper = resolve;
      this.sleepTimer = setTimeout(() => this.wake(), ms);
      // Live: a waiting retry must not keep the training process alive. Sync: it must.
      if (this.opts.mode === "live") this.sleepTimer.unref();
    });
  }

  private wake(): void {
    if (this.sleepTimer !== undefined) clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    const resolve = this.wakeSleeper;
    this.wakeSleeper = undefined;
    resolve?.();
  }
}

/** The frames exactly as they are in the spool, back to back: the binary ingest body. */
function buildBody(frames: Frame[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const f of frames) size += f.raw.length;
  // A plain ArrayBuffer-backed buffer (not the shared pool) is what fetch's BodyInit accepts.
  const out = Buffer.from(new ArrayBuffer(size));
  let at = 0;
  for (const f of frames) at += f.raw.copy(out, at);
  return new Uint8Array(out.buffer as ArrayBuffer, 0, size);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function serverMessage(body: string, prefix: string): string {
  const parsed = parseJson(body) as { message?: unknown; error?: unknown } | undefined;
  if (typeof parsed?.message === "string") return `${prefix}${parsed.message}`;
  const text = body.trim().slice(0, 200);
  return text ? `${prefix}${text}` : "";
}

/** The server's last held seq from a 409 body, under any of the names a server might use. */
function conflictLastSeq(body: string): number | undefined {
  const parsed = parseJson(body) as Record<string, unknown> | undefined;
  if (!parsed) return undefined;
  const details = (parsed.details ?? {}) as Record<string, unknown>;
  for (const source of [parsed, details]) {
    if (typeof source.lastSeq === "number") return source.lastSeq;
    if (typeof source.expectedSeq === "number") return source.expectedSeq - 1;
  }
  // The reference server says "... expected seq N, got M; resend from seq N".
  const m = typeof parsed.message === "string" ? /(?:resend from|expected) seq (\d+)/.exec(parsed.message) : null;
  return m ? Number(m[1]) - 1 : undefined;
}
