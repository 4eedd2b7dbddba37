// Owns the numeric limits that server and clients share, so a client can refuse early with the
// same words the server would use.

export const LIMITS = {
  /** Records in one ingest batch. */
  maxBatchRecords: 10_000,
  /** Request body size, bytes. Larger bodies get 413. */
  maxBodyBytes: 32 * 1024 * 1024,
  /** Length of a metric, config or summary key. */
  maxKeyLength: 256,
  /** Metrics in one history row. */
  maxKeysPerRow: 10_000,
  /** One record's JSON, bytes: anything larger could never fit a request, so clients refuse it. */
  maxRecordBytes: 8 * 1024 * 1024,
  /** Nesting depth of config, summary and metadata values. */
  maxDepth: 64,
  /** Console text in one record, characters. */
  maxConsoleChars: 64 * 1024,
  /** Points a history query may ask for per key. */
  maxQueryPoints: 100_000,
  /** Keys a history query may ask for at once. */
  maxQueryKeys: 1_000,
  /** Runs in one page of a runs listing. */
  maxPageSize: 1_000,
  /** Largest step accepted (steps are integers and must stay exact in float64). */
  maxStep: Number.MAX_SAFE_INTEGER,
} as const;

/** Fields one group-by may name (runs table grouping, `runs/groups?by=`). */
export const MAX_GROUP_FIELDS = 4;

/** Ids that name project-level routes (`.../runs/groups`, `.../runs/keys`, `.../runs/values`), so no run may take them. */
export const RESERVED_RUN_IDS: readonly string[] = ["groups", "keys", "values", "importance"];

/** Run ids are short, URL-safe and unique in their project. */
export const RUN_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
/** Entity and project names: no slashes, so `entity/project` stays unambiguous. */
export const NAME_PATTERN = "^[A-Za-z0-9_.-]{1,128}$";
