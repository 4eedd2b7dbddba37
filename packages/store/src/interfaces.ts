// Owns the storage contract: what every engine (SQLite today; PostgreSQL, ClickHouse, S3 later)
// must do, stated as semantics, not just signatures. Nothing above this file knows SQL.
// Engines implement the narrow primitives; argument checks live in the wire schemas and the server.
import type {
  ConsoleLine, Project, RecordRejection, Run, RunPatch, RunState, WireRecord,
} from "@orrery/protocol";
import type { Readable } from "node:stream";

export interface ProjectRef { entity: string; project: string }
export interface RunRef extends ProjectRef { runId: string }

export interface AppendResult {
  accepted: number;
  duplicates: number;
  rejected: RecordRejection[];
  lastSeq: number;
}

/**
 * Thrown by appendBatch when a batch skips sequence numbers (its first new seq is not lastSeq + 1).
 * Nothing of that batch is stored; the client resends from `expected`.
 */
export class SeqGapError extends Error {
  constructor(readonly expected: number, readonly got: number) {
    super(`records must arrive in seq order: expected seq ${expected}, got ${got}; resend from seq ${expected}`);
    this.name = "SeqGapError";
  }
}

/**
 * A record the server refused for its content. It still occupies its seq, so the engine consumes
 * the seq (the run's lastSeq moves past it) and reports the rejection, storing nothing else.
 */
export interface RejectedItem { seq: number; type: "rejected"; rejection: RecordRejection }
export type IngestItem = WireRecord | RejectedItem;

export interface IngestBatchInput { run: RunRef; records: readonly IngestItem[] }
export type AppendOutcome = { result: AppendResult } | { error: unknown };

export interface IngestStore {
  /**
   * Applies already-validated records of one run, in order, atomically, and returns only after
   * they are durable (committed and synced): the caller acknowledges on return.
   *
   * Idempotent by (run, seq): a record whose seq is <= the run's lastSeq is a duplicate and is
   * dropped without effect. A record with seq = lastSeq + 1 is applied (or rejected for its content,
   * which still consumes its seq). A seq beyond lastSeq + 1 throws SeqGapError and stores nothing.
   *
   * Semantics per record type:
   * - run: creates the run (and its project) if absent; fields given overwrite; config is merged
   *   at top level. A run that receives any record without a prior `run` record is created with
   *   defaults (name = runId).
   * - history: merges values into the row at `step`; per key the later write wins. `_timestamp`
   *   of the row is the record's ts; `_runtime` is ts minus the run's start, in seconds.
   * - system: one sample, x = ts (epoch ms).
   * - config: sets top-level config keys.
   * - summary: sets summary overrides; a null value removes an override.
   * - define_metric: chooses the aggregate (last, min, max, mean, none) the summary shows for a key.
   * - console: appends text; lines are numbered from 1 in arrival order.
   * - finish: state becomes finished (exitCode 0) or failed, endedAt = ts.
   * Any record for a run refreshes its heartbeat while it is running; a crashed run stays crashed
   * unless a finish record arrives.
   */
  appendBatch(run: RunRef, records: readonly IngestItem[], now: number): Promise<AppendResult>;

  /**
   * appendBatch for several batches (of any runs) with one commit: the group-commit primitive.
   * Outcomes come back in input order; a batch that fails (e.g. SeqGapError) fails alone and the
   * others are stored, exactly as if each had been appended by appendBatch.
   */
  appendMany(batches: readonly IngestBatchInput[], now: number): Promise<AppendOutcome[]>;
}

export interface RunListOptions { limit: number; cursor?: string; state?: RunState }

export interface MetaStore {
  listProjects(): Promise<Project[]>;
  getProject(p: ProjectRef): Promise<Project | undefined>;
  /** True when the run exists; cheap (no config, summary or metadata is read). */
  hasRun(r: RunRef): Promise<boolean>;
  /** Summary = for each history key its last value (value at the highest step; the later write wins a tie), or the declared aggregate, then user overrides on top. */
  getRun(r: RunRef): Promise<Run | undefined>;
  /** Newest first (createdAt, then id); cursor is opaque. total counts every run that matches. */
  listRuns(p: ProjectRef, opts: RunListOptions): Promise<{ runs: Run[]; nextCursor: string | null; total: number }>;
  patchRun(r: RunRef, patch: RunPatch): Promise<Run | undefined>;
  /** Returns false when the run does not exist. Refreshes heartbeatAt of a running run, and makes a crashed run running again (a heartbeat proves the process is alive). */
  heartbeat(r: RunRef, now: number): Promise<boolean>;
  /** Marks `running` runs whose heartbeat is older than now - timeoutMs as crashed; returns how many. */
  markCrashed(now: number, timeoutMs: number): Promise<number>;
}

export interface ApiKeyInfo { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null }

export interface KeyStore {
  /** Returns the secret once; only its SHA-256 is stored. */
  createApiKey(name: string, now: number): Promise<ApiKeyInfo & { key: string }>;
  listApiKeys(): Promise<ApiKeyInfo[]>;
  /** Returns false when no such key exists. */
  revokeApiKey(id: string): Promise<boolean>;
  /** True when the secret matches an unrevoked key. Constant work whatever the answer. */
  verifyApiKey(secret: string, now: number): Promise<boolean>;
}

export type Stream = "history" | "system";

export interface SeriesRange { min?: number; max?: number }

export interface SeriesColumns {
  key: string;
  x: number[];
  /** float64; NaN and infinities kept as numbers (encoding happens at the wire). */
  y: number[];
  /** Points in range before bucketing. */
  count: number;
  sampled: boolean;
}

export interface SeriesStore {
  /** Metric keys the run has in the stream, sorted. */
  listKeys(r: RunRef, stream: Stream): Promise<string[]>;
  /**
   * Points of each key within [min, max] (x = step for history, epoch ms for system), reduced to at
   * most maxPoints by min/max-preserving bucketing (see bucketMinMax). Unknown keys yield no entry.
   */
  query(r: RunRef, stream: Stream, keys: readonly string[] | undefined, range: SeriesRange, maxPoints: number): Promise<SeriesColumns[]>;
  /** Rows with step >= minStep in step order: { _step, _timestamp (s), _runtime (s), ...metrics }. */
  historyRows(r: RunRef, minStep: number, limit: number): Promise<{ rows: Record<string, number>[]; nextMinStep: number | null }>;
  /** Console lines with n > after, in order. */
  consoleLines(r: RunRef, after: number, limit: number): Promise<ConsoleLine[]>;
}

export interface BlobStore {
  /** Stores bytes under their SHA-256 (hex) and returns it; storing the same bytes again is a no-op. Durable on return. */
  put(data: Buffer): Promise<string>;
  /** A stream of the blob, or undefined when absent. */
  get(digest: string): Promise<Readable | undefined>;
  has(digest: string): Promise<boolean>;
}

export interface Store extends IngestStore {
  readonly meta: MetaStore;
  readonly series: SeriesStore;
  readonly blobs: BlobStore;
  readonly keys: KeyStore;
  /** Flushes and closes; further calls fail. */
  close(): Promise<void>;
}
