// Owns the storage contract: what every engine (SQLite today; PostgreSQL, ClickHouse, S3 later)
// must do, stated as semantics, not just signatures. Nothing above this file knows SQL.
// Engines implement the narrow primitives; argument checks live in the wire schemas and the server.
import type {
  Aggregate, ConfigTreePage, ConsoleLine, Field, FilterNode, Project, RecordRejection, Run, RunGroupsPage, RunKeyPage,
  RunPatch, RunQueryPage, RunState, RunValues, Scope, SortSpec, SweepState, TrialState, WireRecord,
} from "@orrery/protocol";
import type { ImageBox } from "@orrery/protocol";
import type { TableColumn } from "@orrery/protocol";
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
   * - config: sets config keys, each replacing that key's whole value: top-level keys, or with
   *   `path` the keys of the object at that path (objects on the way are created; a non-object on
   *   the way becomes an object). Only the keys given are touched, whatever the config's size.
   * - summary: sets summary overrides; a null value removes an override.
   * - define_metric: chooses the aggregate (last, min, max, mean, none) the summary shows for a key.
   * - console: appends text; lines are numbered from 1 in arrival order.
   * - finish: state becomes finished (exitCode 0) or failed, endedAt = ts.
   * - histogram: stores each value as the histogram of (run, key, step), replacing one already
   *   there; a value that is not a valid histogram (protocol histogramProblem) rejects the record.
   * - table: stores each value as the table of (run, key, step), replacing one already there; a
   *   value that is not a valid table (protocol tableProblem, or an image cell whose bytes are not
   *   the PNG/JPEG of the stated size) rejects the record. Image cells and the body go to the blob store.
   * - image: stores each key's images (one or a list) as the images of (run, key, step), replacing
   *   those already there; the bytes go to the BlobStore. An image whose JSON is invalid (protocol
   *   imageProblem), whose data is not a PNG/JPEG of the format given, or whose header states
   *   another width or height (a mask: not an 8-bit grey PNG of the image's size) rejects the record.
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

/** A column, group-by or aggregate field as the client wrote it (the key of its values) and parsed. */
export interface NamedField { text: string; field: Field }

export interface RunQueryOptions {
  /** Parsed filter (protocol parseFilter); null or absent matches every run. */
  filter?: FilterNode | null;
  /** Free text: runs whose name or one of whose tags contains it (A-Z case-insensitive). */
  search?: string;
  /** Default: createdAt descending (newest first, then id descending). */
  sort?: SortSpec;
  limit: number;
  /** nextCursor of the previous page of the same filter, search and sort. */
  cursor?: string;
  /** When given, runs come back as RunRows carrying these config/summary values instead of whole runs. */
  columns?: readonly NamedField[];
  /** Count the matching runs even when that needs a scan of every run. */
  countAll?: boolean;
  /** Diagnostics and tests: force the sort-driven or filter-driven plan (default auto). */
  plan?: "auto" | "sort" | "filter";
}

export interface RunGroupOptions {
  by: readonly NamedField[];
  filter?: FilterNode | null;
  search?: string;
  /** Numeric fields to aggregate per group, with the aggregates wanted (all five when empty). */
  aggregates?: readonly (NamedField & { fns: readonly Aggregate[] })[];
  limit: number;
  cursor?: string;
}

export interface RunKeyOptions { scope?: Scope; search?: string; limit: number; cursor?: string }

export interface RunValuesOptions {
  filter?: FilterNode | null;
  search?: string;
  /** Columns: config/summary fields and run fields (not tags), keyed in the result by their text. */
  keys: readonly NamedField[];
  /** The newest this many matching runs. */
  limit: number;
  /** Only runs with these ids (the importance surrogate re-reads its sample). */
  runs?: readonly string[];
}

export interface ConfigTreeOptions {
  /** Path segments of the object to open; [] is the top level. */
  prefix: readonly string[];
  /** Instead of one level, the leaves under prefix whose dotted path or text value contains this. */
  search?: string;
  limit: number;
  cursor?: string;
}

/**
 * The runs table (filter, sort, group, keys, lazy config) is served from an index of flattened
 * config and summary values kept on ingest. Semantics shared by every engine:
 * - A run's config and summary are flattened into keys: nested objects become paths (segments),
 *   anything else (number, text, boolean, null, array, empty object) is a leaf. The wire strings
 *   "NaN", "Infinity", "-Infinity" are numbers. A run's summary key is its override when set, else
 *   the metric's automatic value (see getRun).
 * - Filters mean what protocol's evaluateFilter says; a field naming a key no run of the project has
 *   matches nothing (and `!=` everything). A path spelled with dots finds a key whose own name holds
 *   dots when no nested key has that path; two such candidates are an invalid_filter error.
 * - Sorting by a key orders runs holding a number, text or boolean there by type (numbers, then
 *   text, then booleans) and value, ties by creation; runs without one (missing, null, NaN, arrays,
 *   objects) come last in both directions, newest first. Cursors are keyset positions: paging stays
 *   exact while runs are added.
 * - Unknown cursors are invalid_request errors with field "cursor"; bad fields are invalid_filter.
 */
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
  /**
   * A page of a project's runs matching filter and search, in sort order. total is the number of
   * matching runs: always counted without filter and search, else when cheap or countAll asks,
   * else null. Whole runs (getRun's shape) unless columns are given. An unknown project gives an
   * empty page.
   */
  queryRuns(p: ProjectRef, opts: RunQueryOptions): Promise<RunQueryPage>;
  /**
   * Groups of the matching runs by the values of `by` (missing and null together as null), in key
   * order (numbers, text, booleans, other values, null last), with their run count and per
   * aggregate field count/mean/min/max/sum of its numeric values (null when the group has none).
   */
  groupRuns(p: ProjectRef, opts: RunGroupOptions): Promise<RunGroupsPage>;
  /** Config keys then summary keys of the project's runs, in path order, with runs per value type. */
  listRunKeys(p: ProjectRef, opts: RunKeyOptions): Promise<RunKeyPage>;
  /**
   * One level of a run's config under a prefix, in path order: leaves with their value, objects
   * with how many leaves they hold (counted up to 10,000); or, with search, the matching leaves.
   * Undefined when the run does not exist.
   */
  configTree(r: RunRef, opts: ConfigTreeOptions): Promise<ConfigTreePage | undefined>;
  /**
   * Run values for plots: the newest `limit` runs matching filter and search (the runs listing's
   * semantics and order), with one column per key in run order. Cells are finite numbers, text,
   * booleans or null (missing, null, NaN, infinities, arrays and objects). total counts every
   * matching run. An unknown project gives no runs.
   */
  runValues(p: ProjectRef, opts: RunValuesOptions): Promise<RunValues>;
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

/** The per-step columns of history besides the metrics (the step itself is the x of every series). */
export type StepColumn = "_timestamp" | "_runtime";

export interface SeriesColumns {
  key: string;
  x: number[];
  /** float64; NaN and infinities kept as numbers (encoding happens at the wire). */
  y: number[];
  /** Points in range before bucketing. */
  count: number;
  sampled: boolean;
}

/**
 * Reads see every acknowledged write at once, however an engine buffers or compacts points in the
 * background, and each call reads one consistent snapshot (no point missing or counted twice while
 * compaction runs). Per key, the later write of an x wins.
 */
export interface SeriesStore {
  /** Metric keys the run has in the stream, sorted (never the row columns _step, _timestamp, _runtime). */
  listKeys(r: RunRef, stream: Stream): Promise<string[]>;
  /**
   * Points of each key within [min, max] (x = step for history, epoch ms for system), reduced to at
   * most maxPoints by min/max-preserving bucketing (see bucketMinMax). Unknown keys yield no entry.
   * When bucketing, an engine may feed the buckets precomputed extremes of stretches narrower than
   * one bucket instead of every point: each returned point is still a real point of the series, the
   * global min and max (spikes) are always kept, and count is exact. With count <= maxPoints every
   * point in range comes back, exactly (NaN, infinities and -0 included).
   */
  query(r: RunRef, stream: Stream, keys: readonly string[] | undefined, range: SeriesRange, maxPoints: number): Promise<SeriesColumns[]>;
  /**
   * A history row column the engine keeps for itself, as a series by step: `_timestamp` (the
   * record's time, epoch seconds) or `_runtime` (seconds since the run started), for steps within
   * [min, max], reduced to at most maxPoints exactly as query reduces a metric. Every history step
   * has both. Undefined when the run does not exist; count 0 when it has no step in range.
   */
  stepColumn(r: RunRef, column: StepColumn, range: SeriesRange, maxPoints: number): Promise<SeriesColumns | undefined>;
  /** Rows with step >= minStep in step order: { _step, _timestamp (s), _runtime (s), ...metrics }. */
  historyRows(r: RunRef, minStep: number, limit: number): Promise<{ rows: Record<string, number>[]; nextMinStep: number | null }>;
  /** Console lines with n > after, in order. */
  consoleLines(r: RunRef, after: number, limit: number): Promise<ConsoleLine[]>;
  /** The run's last `limit` console lines, oldest first (a log's tail, however long the log). */
  consoleTail(r: RunRef, limit: number): Promise<ConsoleLine[]>;
}

/** One histogram as logged: N + 1 ascending bin edges and N counts. */
export interface Histogram { bins: number[]; counts: number[] }

export interface HistogramColumns {
  key: string;
  /** Ascending steps of the histograms returned. */
  steps: number[];
  /** One per step, in the same order. */
  histograms: Histogram[];
  /** Histograms of the key within the step range, before sampling. */
  count: number;
}

/** A run's table at one step, as stored: the body blob holds the cells (see tables/body.ts). */
export interface StoredTable {
  key: string;
  /** The step of this table. */
  step: number;
  /** Every step the key has a table at, ascending. */
  steps: number[];
  /** The body blob (columnar JSON; parseTableBody). */
  digest: string;
  rows: number;
  columns: TableColumn[];
}

export interface TableKeyInfo { key: string; steps: number[]; rows: number; columns: TableColumn[] }

/**
 * A run's logged tables: per key, one table per step (a later write of a step replaces it). Reads
 * see every acknowledged write. Every blob a stored table needs (its body, its image cells) is
 * reported by ArtifactStore.referencedDigests, so gc keeps it.
 */
export interface TableStore {
  /** The run's table keys, sorted, each with its steps and the rows and columns of its last step; [] for an unknown run. */
  listKeys(r: RunRef): Promise<TableKeyInfo[]>;
  /**
   * The key's table at `step` (the one asked, else the last at or before it, else the first;
   * the last step when absent). Undefined when the run has no table under key.
   */
  get(r: RunRef, key: string, step?: number): Promise<StoredTable | undefined>;
  /** True when one of the run's tables needs this blob (its body or an image cell). */
  hasDigest(r: RunRef, digest: string): Promise<boolean>;
}

/**
 * A run's histograms: per key, a series of histograms by step (one per step; a later write of a
 * step replaces it). Reads see every acknowledged write, like SeriesStore.
 */
export interface HistogramStore {
  /** Keys the run has histograms for, sorted (JavaScript string order); [] for an unknown run. */
  listKeys(r: RunRef): Promise<string[]>;
  /**
   * The key's histograms with min <= step <= max, in step order. When more than maxSteps are in
   * range, maxSteps of them are picked at evenly spaced positions, the first and last always kept;
   * count says how many there were. An unknown run or key gives no histograms and count 0.
   */
  query(r: RunRef, key: string, range: SeriesRange, maxSteps: number): Promise<HistogramColumns>;
}

/** One key a run logged images under (`run.log({samples: Image})`). */
export interface MediaKeyInfo { key: string; count: number; firstStep: number; lastStep: number }

/** One logged image as stored: its bytes and each mask's are blobs named by digest. */
export interface MediaImageRecord {
  index: number;
  format: "png" | "jpeg";
  width: number;
  height: number;
  caption: string | null;
  classes: Record<string, string>;
  boxes: ImageBox[];
  masks: { name: string; classes: Record<string, string>; digest: string }[];
  digest: string;
}

/** A key's images at one step, with every step the key has. */
export interface MediaStepRecord { key: string; steps: number[]; step: number; images: MediaImageRecord[] }

/**
 * A run's images: per key and step a list of images (index 0..n-1), written by `image` records
 * (IngestStore; a later record for the same key and step replaces the whole list). Bytes live in
 * the BlobStore; ArtifactStore.referencedDigests counts them as used, so gc keeps them.
 */
export interface MediaStore {
  /** Keys with images, sorted (JavaScript string order), with how many steps each has; [] for an unknown run. */
  listKeys(r: RunRef): Promise<MediaKeyInfo[]>;
  /**
   * The key's images at `step` when it has some there, else at the last step before it, else at its
   * first step; `step` undefined means its last step. Undefined when the run or key has no images.
   */
  stepImages(r: RunRef, key: string, step: number | undefined): Promise<MediaStepRecord | undefined>;
  /** The format of the blob when one of this run's images or masks is that blob, else undefined. */
  fileFormat(r: RunRef, digest: string): Promise<"png" | "jpeg" | undefined>;
}

/** Where a resumable upload stands. */
export interface UploadState {
  /** Bytes durably stored so far. */
  received: number;
  /** The size declared by the first append; null before any. */
  size: number | null;
  /** The blob is stored under its digest (its SHA-256 was checked). */
  complete: boolean;
}

/** appendUpload's offset is not where the upload stands; nothing was written. */
export class UploadOffsetError extends Error {
  constructor(readonly received: number, readonly offset: number) {
    super(`the upload has ${received} bytes; this part starts at ${offset}: resume from offset ${received}`);
    this.name = "UploadOffsetError";
  }
}

/** appendUpload's declared size disagrees with the upload's, or the body runs past it; nothing was written. */
export class UploadSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadSizeError";
  }
}

/** The completed upload's bytes hash to another digest; the partial upload was discarded. */
export class DigestMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`the uploaded bytes have SHA-256 ${actual}, not ${expected}: the file changed or was damaged in transit; upload it again`);
    this.name = "DigestMismatchError";
  }
}

export interface BlobInfo { digest: string; size: number; mtimeMs: number }

/**
 * Content-addressed bytes named by their SHA-256 (hex). A blob is visible under its digest only
 * once complete, durable and checked, so a crash never leaves a truncated blob behind a valid
 * name. Large blobs go through resumable uploads and come out as streams: no method holds a whole
 * blob in memory except put(). Local files today; an S3 engine maps uploads to multipart uploads.
 */
export interface BlobStore {
  /** Stores bytes under their SHA-256 (hex) and returns it; storing the same bytes again is a no-op. Durable on return. */
  put(data: Buffer): Promise<string>;
  /**
   * A stream of the blob's bytes from start to end inclusive (the whole blob by default), or
   * undefined when absent. The bytes are not checked here: readers that serve them check them.
   */
  get(digest: string, range?: { start: number; end?: number }): Promise<Readable | undefined>;
  has(digest: string): Promise<boolean>;
  /** The blob's size in bytes, or undefined when absent. */
  size(digest: string): Promise<number | undefined>;
  /** Where the upload of this digest stands; complete when the blob exists. */
  uploadStatus(digest: string): Promise<UploadState>;
  /**
   * Appends body at offset to the upload of digest, declaring the blob's total size. Durable when
   * it resolves. When the bytes reach size, their SHA-256 is checked and the blob published under
   * its digest (DigestMismatchError, upload discarded, when it differs). Appending to a complete
   * blob drains the body and changes nothing. Throws UploadOffsetError when offset is not the
   * bytes received, UploadSizeError when size disagrees with the declared one or the body runs past it.
   * Appends to one digest are serialized; the body is consumed as a stream, in bounded memory.
   */
  appendUpload(digest: string, size: number, offset: number, body: Readable): Promise<UploadState>;
  /** Every stored blob (not partial uploads), in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /** Partial uploads: digest, bytes received, last write time. */
  listUploads(): AsyncIterable<BlobInfo>;
  /** Removes the blob; absent is fine. */
  delete(digest: string): Promise<void>;
  /** Removes a partial upload; absent is fine. */
  deleteUpload(digest: string): Promise<void>;
  /** Re-reads the blob: ok, corrupt (its bytes no longer hash to its name), or missing. */
  verify(digest: string): Promise<"ok" | "corrupt" | "missing">;
  /** Moves a corrupt blob aside (kept for inspection, never served again); absent is fine. */
  quarantine(digest: string): Promise<void>;
}

export interface ArtifactRef extends ProjectRef { name: string }

export interface ManifestFile {
  path: string;
  digest: string;
  size: number | null;
  ref?: string;
}

export interface ArtifactVersionRecord {
  name: string;
  type: string;
  index: number;
  digest: string;
  description: string;
  metadata: Record<string, unknown>;
  /** Every alias on the version, `latest` included, sorted. */
  aliases: string[];
  size: number;
  fileCount: number;
  createdAt: number;
  createdBy: string | null;
}

export interface ArtifactRecord {
  name: string;
  type: string;
  versionCount: number;
  /** The latest version; null when every version was deleted. */
  latest: ArtifactVersionRecord | null;
  aliases: { alias: string; index: number }[];
  createdAt: number;
  updatedAt: number;
}

export interface NewArtifactDraft {
  name: string;
  type: string;
  description: string;
  metadata: Record<string, unknown>;
  /** Checked by the caller (checkManifest); the digest is the SHA-256 of manifestCanonicalText. */
  manifest: ManifestFile[];
  digest: string;
  aliases: string[];
  runId: string | null;
}

export type DraftOutcome =
  /** A committed version already has this digest: the aliases were moved to it and the run linked as a producer. */
  | { kind: "existing"; version: ArtifactVersionRecord }
  /** A new draft, or the pending draft of the same artifact with the same digest (an interrupted log resumes it). */
  | { kind: "draft"; draftId: string }
  /** The artifact exists with another type. */
  | { kind: "type_conflict"; existingType: string };

export interface AliasEventRecord { alias: string; from: number | null; to: number | null; at: number; runId: string | null }
export interface RunLinkRecord { runId: string; name: string | null; state: string | null; at: number }
export interface VersionLinkRecord { version: ArtifactVersionRecord; at: number }

export interface ArtifactVersionPatchInput {
  description?: string;
  metadata?: Record<string, unknown>;
  addAliases?: string[];
  removeAliases?: string[];
  runId?: string | null;
}

/** One hop of lineage: artifact versions a run used (input) or produced (output). */
export interface LineageLink { runId: string; name: string; index: number; direction: "input" | "output" }

/**
 * Artifact metadata: artifacts, versions (drafts until committed), manifests, aliases with their
 * history, and the links between runs and versions. Blobs are the BlobStore's; this store only
 * records digests. Version numbers are never reused, even after a delete. Every method that changes
 * something is one transaction.
 */
export interface ArtifactStore {
  /**
   * Records a draft for the manifest, or finds that its digest is already a committed version of
   * the artifact (then applies `aliases` to that version and links `runId` as a producer, and
   * returns it), or returns the pending draft with the same digest. Creates the project and the
   * artifact when absent.
   */
  createDraft(p: ProjectRef, input: NewArtifactDraft, now: number): Promise<DraftOutcome>;
  /** Stored-file digests of a pending draft, distinct; undefined when there is no such pending draft. */
  draftDigests(a: ArtifactRef, draftId: string): Promise<string[] | undefined>;
  /**
   * Makes the draft the next version v<n>, moves `latest` and the draft's aliases to it, and links
   * its run as producer. Committing a committed draft returns its version again. Undefined when
   * no such draft exists.
   */
  commitDraft(a: ArtifactRef, draftId: string, now: number): Promise<ArtifactVersionRecord | undefined>;
  /** Marks the draft touched (uploads in progress keep it from expiring). */
  touchDrafts(digest: string, now: number): Promise<void>;
  /** Whether any pending draft lists this stored-file digest (uploads are only accepted for those). */
  isDraftDigest(digest: string): Promise<boolean>;
  /** Deletes pending drafts untouched since before `before`; returns how many. */
  expireDrafts(before: number): Promise<number>;

  listArtifacts(p: ProjectRef, filter: { type?: string; search?: string }): Promise<ArtifactRecord[]>;
  getArtifact(a: ArtifactRef): Promise<ArtifactRecord | undefined>;
  /** Committed versions, newest first. */
  listVersions(a: ArtifactRef): Promise<ArtifactVersionRecord[]>;
  /** `v3` or an alias; undefined when it names nothing. */
  getVersion(a: ArtifactRef, ref: string): Promise<ArtifactVersionRecord | undefined>;
  /** Entries with the prefix in path order (SQLite BINARY = UTF-8 byte order), after the cursor path. */
  manifestPage(a: ArtifactRef, index: number, opts: { prefix?: string; after?: string; limit: number }): Promise<{ entries: ManifestFile[]; total: number }>;
  /** One entry by exact path. */
  manifestEntry(a: ArtifactRef, index: number, path: string): Promise<ManifestFile | undefined>;
  /** Applies description/metadata and alias moves (recorded in the history); undefined when the version does not exist. */
  patchVersion(a: ArtifactRef, index: number, patch: ArtifactVersionPatchInput, now: number): Promise<ArtifactVersionRecord | undefined>;
  /**
   * Deletes a committed version, its manifest and links; `latest` moves to the highest remaining
   * version. Refused ("has_aliases", with them) when user aliases point at it and force is false;
   * with force they are removed (recorded). The artifact goes when its last version goes.
   */
  deleteVersion(a: ArtifactRef, index: number, force: boolean, now: number): Promise<{ kind: "deleted" } | { kind: "missing" } | { kind: "has_aliases"; aliases: string[] }>;
  /** Newest first, at most `limit`. */
  aliasHistory(a: ArtifactRef, limit: number): Promise<AliasEventRecord[]>;
  /** Links the run as a consumer (idempotent: the first time is kept). False when the version does not exist. */
  useVersion(a: ArtifactRef, index: number, runId: string, now: number): Promise<boolean>;
  versionRuns(a: ArtifactRef, index: number): Promise<{ producers: RunLinkRecord[]; consumers: RunLinkRecord[] }>;
  runArtifacts(r: RunRef): Promise<{ used: VersionLinkRecord[]; produced: VersionLinkRecord[] }>;
  /** Every link touching these runs or these versions, for lineage walks (one query per hop). */
  linksOfRuns(p: ProjectRef, runIds: string[]): Promise<LineageLink[]>;
  linksOfVersions(p: ProjectRef, versions: { name: string; index: number }[]): Promise<LineageLink[]>;
  /**
   * Of these digests, those something still needs: a stored file of any version or pending draft,
   * a run's git diff, or a run's logged image or mask (MediaStore). Garbage collection keeps them.
   */
  referencedDigests(digests: string[]): Promise<Set<string>>;
}
export interface SweepRef extends ProjectRef { sweepId: string }

export interface SweepRecord {
  id: string;
  entity: string;
  project: string;
  name: string;
  state: SweepState;
  method: string;
  /** The parsed config (JSON); the controller owns its meaning. */
  config: Record<string, unknown>;
  /** The config as the user sent it (YAML or JSON text, or the object re-serialized). */
  source: string;
  runCap: number | null;
  createdAt: number;
  updatedAt: number;
  /** Grows on every change to the sweep or its trials: a cheap "has anything changed" check and the claim guard. */
  version: number;
}

export interface TrialRecord {
  runId: string;
  /** Flat (dotted) parameter names, as the search proposed them. */
  params: Record<string, unknown>;
  state: TrialState;
  value: number | null;
  /** 1 for a configuration's first run; a retry or a reassignment after loss is the previous attempt + 1. */
  attempt: number;
  agentId: string | null;
  createdAt: number;
  endedAt: number | null;
  earlyStopped: boolean;
  /** The runId of the trial whose configuration this one runs again; null for a new configuration. */
  retryOf: string | null;
}

export interface AgentRecord {
  id: string;
  sweepId: string;
  host: string | null;
  pid: number | null;
  /** What `${interpreter}` expands to for this agent's commands. */
  interpreter: string | null;
  createdAt: number;
  heartbeatAt: number;
  /** When the agent was declared lost (silent past the timeout); null while alive. */
  lostAt: number | null;
}

export interface NewSweep {
  name: string | null;
  method: string;
  config: Record<string, unknown>;
  source: string;
  runCap: number | null;
}

export interface TrialClaim {
  agentId: string;
  /** Flat parameter names. */
  params: Record<string, unknown>;
  /** Re-run the configuration of this trial (a retry or a lost trial's reassignment). */
  retryOf?: string;
  /** The sweep version the claim was computed from. */
  expectedVersion: number;
}

export type ClaimRefusal =
  /** The sweep changed since expectedVersion (another process claimed first): recompute and try again. */
  | "conflict"
  /** The sweep is not running (paused, stopped, finished). */
  | "not_running"
  /** A new configuration would exceed run_cap. */
  | "run_cap"
  /** The agent is unknown or was declared lost. */
  | "agent_lost"
  /** retryOf is unknown, not failed/crashed/lost, or already offered again. */
  | "not_retryable";

export type ClaimResult = { ok: true; trial: TrialRecord } | { ok: false; reason: ClaimRefusal };

export interface TrialPatch {
  state?: TrialState;
  value?: number | null;
  endedAt?: number | null;
  earlyStopped?: boolean;
}

export interface StaleAgent extends SweepRef { agentId: string }

/**
 * Sweeps: their configs, the trials the controller handed out, and the agents that ask for work.
 * The search itself (which parameters to try) is the caller's: the store only records and guards.
 * Semantics every engine must keep:
 * - Sweep ids are unique across the store (short, URL-safe); run ids minted for trials are unique in
 *   their project (never an existing run's id, nor another trial's).
 * - Trials come back in creation order. run_cap counts configurations: trials with retryOf null.
 *   Retries and reassignments re-run a configuration and do not count again.
 * - claimTrial is one write transaction (cross-process: SQLite's write lock): it checks that the sweep
 *   is running, that its version is still expectedVersion, that the agent is alive, that a new
 *   configuration stays within run_cap, and that retryOf (when given) has not been offered again, then
 *   inserts the trial (state assigned) and bumps the version. So under any number of racing agents
 *   and server processes run_cap holds exactly and one configuration goes to one agent.
 * - markAgentLost is one transaction too: the agent's assigned and running trials become lost together.
 * - Every change to a sweep or its trials bumps its version.
 */
export interface SweepStore {
  /** Creates the sweep (and its project when absent), state running. */
  createSweep(p: ProjectRef, input: NewSweep, now: number): Promise<SweepRecord>;
  getSweep(s: SweepRef): Promise<SweepRecord | undefined>;
  /** Newest first. */
  listSweeps(p: ProjectRef): Promise<SweepRecord[]>;
  /** Undefined when the sweep does not exist. */
  setSweepState(s: SweepRef, state: SweepState, now: number): Promise<SweepRecord | undefined>;
  /** In creation order; [] for an unknown sweep. */
  listTrials(s: SweepRef): Promise<TrialRecord[]>;
  getTrial(s: SweepRef, runId: string): Promise<TrialRecord | undefined>;
  claimTrial(s: SweepRef, claim: TrialClaim, now: number): Promise<ClaimResult>;
  /** Applies the fields given; undefined when the trial does not exist. */
  updateTrial(s: SweepRef, runId: string, patch: TrialPatch): Promise<TrialRecord | undefined>;
  /** Undefined when the sweep does not exist. */
  createAgent(s: SweepRef, input: { host: string | null; pid: number | null; interpreter: string | null }, now: number): Promise<AgentRecord | undefined>;
  getAgent(s: SweepRef, agentId: string): Promise<AgentRecord | undefined>;
  /** Refreshes the agent's heartbeat; an agent declared lost that speaks again is alive again. False when unknown. */
  touchAgent(s: SweepRef, agentId: string, now: number): Promise<boolean>;
  /** Alive agents whose last heartbeat is older than now - timeoutMs, in any sweep. */
  staleAgents(now: number, timeoutMs: number): Promise<StaleAgent[]>;
  /** Declares the agent lost and its assigned/running trials lost, atomically; returns those trials. */
  markAgentLost(s: SweepRef, agentId: string, now: number): Promise<TrialRecord[]>;
}

export interface ViewRef extends ProjectRef { viewId: string }

export interface ViewRecord {
  id: string;
  name: string;
  /** Markdown, as the user wrote it. */
  note: string;
  /** The workspace URL's query string; opaque to the store. */
  state: string;
  createdAt: number;
  /** The last change to name, note or state. */
  updatedAt: number;
}

export interface ViewPatchInput { name?: string; note?: string; state?: string }

/**
 * Saved workspace views of a project. Semantics every engine must keep:
 * - View ids are unique across the store (short, URL-safe). A view belongs to an existing project:
 *   creating one never creates the project.
 * - listViews orders by updatedAt, newest first; ties go to the later created view.
 * - updateView applies only the fields given and sets updatedAt, even when nothing else changed
 *   (saving the same state again marks the view as freshly updated).
 * - A view of another project is not found: the ref's project must match.
 */
export interface ViewStore {
  /** Undefined when the project does not exist. */
  createView(p: ProjectRef, input: { name: string; note: string; state: string }, now: number): Promise<ViewRecord | undefined>;
  getView(v: ViewRef): Promise<ViewRecord | undefined>;
  /** Most recently updated first; [] for an unknown project. */
  listViews(p: ProjectRef): Promise<ViewRecord[]>;
  /** Undefined when the view does not exist. */
  updateView(v: ViewRef, patch: ViewPatchInput, now: number): Promise<ViewRecord | undefined>;
  /** False when the view did not exist. */
  deleteView(v: ViewRef): Promise<boolean>;
}

export interface Store extends IngestStore {
  readonly meta: MetaStore;
  readonly series: SeriesStore;
  readonly histograms: HistogramStore;
  readonly tables: TableStore;
  readonly blobs: BlobStore;
  readonly keys: KeyStore;
  readonly sweeps: SweepStore;
  readonly artifacts: ArtifactStore;
  readonly views: ViewStore;
  readonly media: MediaStore;
  /**
   * Optional: finishes background work that reads never wait for (the SQLite engine moves its
   * series tail into compressed chunks), for benchmarks and tests that want a settled store. Reads
   * are complete and correct without it.
   */
  materializeAll?(): Promise<void>;
  /** Flushes and closes; further calls fail. */
  close(): Promise<void>;
}
