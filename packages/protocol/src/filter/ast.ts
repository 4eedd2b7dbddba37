// Owns the shape of a parsed runs filter: fields (config/summary key paths and run attributes),
// literals and boolean nodes, each with its source span so later stages can point at it. Pure data;
// parsing lives in parser.ts, evaluation rules in evaluate.ts, SQL in the store.

/** Run attributes a filter, sort or group-by may name (besides config.<path> and summary.<path>). */
export const RUN_ATTRIBUTES = [
  "id", "name", "state", "group", "jobType", "tags", "notes",
  "createdAt", "startedAt", "endedAt", "heartbeatAt", "runtime", "exitCode", "lastStep",
] as const;
export type RunAttribute = (typeof RUN_ATTRIBUTES)[number];

/** What a run attribute holds, which decides the operators and literals it accepts. */
export type AttributeKind = "text" | "nullableText" | "state" | "tags" | "time" | "number";

export const ATTRIBUTE_KINDS: Readonly<Record<RunAttribute, AttributeKind>> = {
  id: "text",
  name: "text",
  state: "state",
  group: "nullableText",
  jobType: "nullableText",
  tags: "tags",
  notes: "text",
  createdAt: "time",
  startedAt: "time",
  endedAt: "time",
  heartbeatAt: "time",
  runtime: "number",
  exitCode: "number",
  lastStep: "number",
};

/** Other spellings users type for an attribute (W&B and SQL habits). */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, RunAttribute>> = {
  job_type: "jobType", jobtype: "jobType", created_at: "createdAt", createdat: "createdAt",
  started_at: "startedAt", ended_at: "endedAt", heartbeat_at: "heartbeatAt", exit_code: "exitCode",
  last_step: "lastStep", tag: "tags", run: "id", runId: "id", run_id: "id", displayName: "name",
};

export const RUN_STATES = ["running", "finished", "failed", "crashed"] as const;

/** A span of the source text: [start, end) in UTF-16 code units. */
export interface Span { start: number; end: number }

export type Scope = "config" | "summary";

/** `config.optimizer.lr`: a config or summary key, as its path segments. */
export interface KeyField extends Span {
  kind: "key";
  scope: Scope;
  /** Path segments: bare dots separate segments, a backtick-quoted segment is taken literally. */
  path: string[];
}

export interface AttributeField extends Span {
  kind: "attribute";
  name: RunAttribute;
}

export type Field = KeyField | AttributeField;

export type Literal =
  | (Span & { kind: "number"; value: number })
  | (Span & { kind: "string"; value: string; quoted: boolean })
  | (Span & { kind: "bool"; value: boolean })
  | (Span & { kind: "null" });

export type CompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type FilterNode =
  | (Span & { type: "and"; items: FilterNode[] })
  | (Span & { type: "or"; items: FilterNode[] })
  | (Span & { type: "not"; item: FilterNode })
  | (Span & { type: "compare"; field: Field; op: CompareOp; value: Literal })
  | (Span & { type: "in"; field: Field; values: Literal[] })
  | (Span & { type: "contains"; field: Field; value: Literal })
  | (Span & { type: "exists"; field: Field });

export type SortDirection = "asc" | "desc";
export interface SortSpec { field: Field; direction: SortDirection }
