// Owns the shapes of projects and runs as the API returns them, the run patch a user may send, and
// the runs-table queries: listing with filter/sort/columns, group-by, the key listing and the lazy
// config tree. Filter and field syntax is the grammar in ../filter (docs/filter-grammar.md).
import { Type, type Static } from "@sinclair/typebox";
import { NAME_PATTERN, RUN_ID_PATTERN, LIMITS } from "../limits.js";

/** A run whose config has more flattened keys than this comes back with a truncated config. */
export const CONFIG_INLINE_MAX_KEYS = 10_000;
/** Entries in one page of a config tree or key listing, and groups in one page of a group-by. */
export const MAX_TREE_PAGE = 1_000;

export const RunState = Type.Union(
  [Type.Literal("running"), Type.Literal("finished"), Type.Literal("failed"), Type.Literal("crashed")],
  { description: "crashed means heartbeats stopped before the run finished" },
);
export type RunState = Static<typeof RunState>;

const Json = Type.Record(Type.String(), Type.Unknown());
const Time = Type.Union([Type.String({ format: "date-time" }), Type.Null()]);

const runBase = {
  id: Type.String(),
  entity: Type.String(),
  project: Type.String(),
  name: Type.String(),
  group: Type.Union([Type.String(), Type.Null()]),
  jobType: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  notes: Type.String(),
  state: RunState,
  createdAt: Type.String({ format: "date-time" }),
  startedAt: Time,
  endedAt: Time,
  heartbeatAt: Time,
  runtime: Type.Number({ description: "seconds from start to end, or to the last record while running" }),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  lastStep: Type.Union([Type.Integer(), Type.Null()]),
  lastSeq: Type.Integer(),
};

export const Run = Type.Object(
  {
    ...runBase,
    config: Type.Record(Type.String(), Type.Unknown(), {
      description: `the run's config; when it has more than ${CONFIG_INLINE_MAX_KEYS.toLocaleString("en")} flattened keys only the first ` +
        `${CONFIG_INLINE_MAX_KEYS.toLocaleString("en")} (in the order they were first logged) are here and configTruncated is true: ` +
        "browse the rest with GET .../runs/{runId}/config",
    }),
    configKeyCount: Type.Integer({ description: "flattened config keys (leaves) the run has" }),
    configTruncated: Type.Boolean({ description: "true when config holds only part of the run's config" }),
    summary: Type.Record(Type.String(), Type.Unknown(), {
      description: "last value of every metric (or its declared aggregate), overridden by keys the user set",
    }),
    metadata: Json,
  },
  { $id: "Run" },
);
export type Run = Static<typeof Run>;


export const RunRow = Type.Object(
  {
    ...runBase,
    values: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "the values of the columns asked for, keyed by each column exactly as written in columns=; a key the run does " +
        "not have is absent. Numbers are JSON numbers (NaN and infinities as the strings \"NaN\", \"Infinity\", " +
        "\"-Infinity\"); a column naming an object (config.optimizer) gets that object",
    }),
  },
  {
    $id: "RunRow",
    description: "a run as a table row: its own fields plus the chosen columns (no config, summary or metadata)",
  },
);
export type RunRow = Static<typeof RunRow>;

export const RunPage = Type.Object(
  {
    runs: Type.Array(Type.Union([Type.Ref("Run"), Type.Ref("RunRow")]), {
      description: "whole runs, or table rows (RunRow) when columns= is given",
    }),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: "pass as cursor= for the next page; null on the last page" }),
    total: Type.Union([Type.Integer(), Type.Null()], {
      description:
        "how many runs match. Always counted without filter and search; with them it is counted when that is cheap " +
        "(a selective filter) and otherwise null, unless total=true asks for it (a scan of every run)",
    }),
  },
  {
    $id: "RunPage",
    example: {
      runs: [{
        id: "k3x9a0bq", entity: "ada", project: "digits", name: "brisk-owl-7", group: "sweep-3", jobType: "train",
        tags: ["baseline"], notes: "", state: "finished", createdAt: "2026-01-05T10:00:00.000Z",
        startedAt: "2026-01-05T10:00:00.120Z", endedAt: "2026-01-05T10:42:10.000Z", heartbeatAt: "2026-01-05T10:42:09.000Z",
        runtime: 2529.88, exitCode: 0, lastStep: 9999, lastSeq: 10412,
        values: { "config.optimizer.lr": 0.003, "summary.val/acc": 0.947 },
      }],
      nextCursor: "WzAsMSwiMC45NDciLDEyXQ",
      total: 3120,
    },
  },
);
/** What GET .../runs returns; total is null only with a filter or search (see RunPage). */
export type RunQueryPage = { runs: (Run | RunRow)[]; nextCursor: string | null; total: number | null };
/** What GET .../runs returns without filter, search and columns: whole runs, always counted. */
export type RunPage = { runs: Run[]; nextCursor: string | null; total: number };

export const RunPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    notes: Type.Optional(Type.String({ maxLength: 65536 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 256 })),
  },
  { $id: "RunPatch", additionalProperties: false, minProperties: 1 },
);
export type RunPatch = Static<typeof RunPatch>;

export const Project = Type.Object(
  {
    entity: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    runCount: Type.Integer(),
    lastActivity: Time,
  },
  { $id: "Project" },
);
export type Project = Static<typeof Project>;

export const ProjectList = Type.Object({ projects: Type.Array(Type.Ref("Project")) }, { $id: "ProjectList" });

export const ProjectParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
});
export const RunParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  runId: Type.String({ pattern: RUN_ID_PATTERN }),
});
export type RunParams = Static<typeof RunParams>;

const filterParam = Type.String({
  maxLength: 10_000,
  description:
    "filter expression (docs/filter-grammar.md): conditions on config.<key>, summary.<key> and run fields " +
    "(id, name, state, group, jobType, tags, notes, createdAt, startedAt, endedAt, heartbeatAt, runtime, exitCode, lastStep) " +
    "with = != < <= > >=, in (...), contains, exists, not exists, joined by and, or, not and parentheses. " +
    "Values: numbers (1e-3, NaN, Infinity), \"quoted\" or bare text, true, false, null; times as \"2026-01-31\". " +
    "Key paths may hold / - . and `backtick-quoted` anything. A bad expression gets 400 invalid_filter naming the column",
  examples: ["config.optimizer.lr < 0.01 and summary.val/acc > 0.9 and state = finished"],
});
const searchParam = Type.String({
  maxLength: 256,
  description: "free text: runs whose name or one of whose tags contains it (case-insensitive for A-Z)",
  examples: ["resnet"],
});

export const RunListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxPageSize, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 2048, description: "nextCursor of the previous page (same filter, search and sort)" })),
    state: Type.Optional(RunState),
    filter: Type.Optional(filterParam),
    search: Type.Optional(searchParam),
    sort: Type.Optional(Type.String({
      maxLength: 1024,
      description:
        "one field, then :asc or :desc: config.<key>, summary.<key> or a run field. Default createdAt:desc (newest first). " +
        "Runs without a value for the key (or with null or NaN) come last in either direction; values of mixed types " +
        "order numbers, then text, then booleans",
      examples: ["summary.val/acc:desc"],
    })),
    columns: Type.Optional(Type.String({
      maxLength: 65_536,
      description:
        "comma-separated config.<key> and summary.<key> fields: each run then comes back as a RunRow with only its " +
        "own fields and these values (no config, summary or metadata)",
      examples: ["config.optimizer.lr,summary.val/acc"],
    })),
    total: Type.Optional(Type.Boolean({ description: "count the matching runs even when that needs a scan of every run" })),
  },
  { additionalProperties: false },
);
export type RunListQuery = Static<typeof RunListQuery>;

export const AGGREGATES = ["count", "mean", "min", "max", "sum"] as const;
export type Aggregate = (typeof AGGREGATES)[number];

export const RunGroupsQuery = Type.Object(
  {
    by: Type.String({
      minLength: 1, maxLength: 4096,
      description: "one to four comma-separated fields to group by: config.<key>, summary.<key>, group, jobType, state, name",
      examples: ["config.optimizer.name,group"],
    }),
    filter: Type.Optional(filterParam),
    search: Type.Optional(searchParam),
    aggregate: Type.Optional(Type.String({
      maxLength: 65_536,
      description:
        "comma-separated numeric fields to aggregate per group, each optionally :count, :mean, :min, :max or :sum " +
        "(all five when left out). Only numeric values count (NaN, text and missing values are skipped)",
      examples: ["summary.val/acc:mean,summary.val/acc:max,runtime"],
    })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TREE_PAGE, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type RunGroupsQuery = Static<typeof RunGroupsQuery>;

const AggregateValue = Type.Union([Type.Number(), Type.Literal("NaN"), Type.Literal("Infinity"), Type.Literal("-Infinity"), Type.Null()]);

export const RunGroup = Type.Object({
  key: Type.Record(Type.String(), Type.Unknown(), {
    description: "the group's value of each by= field, keyed as written in by=; null for runs without the key (or with null)",
  }),
  count: Type.Integer({ description: "runs in the group" }),
  aggregates: Type.Record(Type.String(), Type.Record(Type.String(), AggregateValue), {
    description: "per aggregate= field (keyed as written, without the :suffix), the asked aggregates; count is the runs with a numeric value",
  }),
});
export type RunGroup = Static<typeof RunGroup>;

export const RunGroupsPage = Type.Object(
  {
    groups: Type.Array(RunGroup, {
      description: "groups in order of their key: numbers, then text, then booleans, other values, and null (no value) last",
    }),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  {
    $id: "RunGroupsPage",
    example: {
      groups: [
        { key: { "config.optimizer.name": "adam", group: "sweep-3" }, count: 412, aggregates: { "summary.val/acc": { mean: 0.912, max: 0.951 } } },
        { key: { "config.optimizer.name": "sgd", group: "sweep-3" }, count: 380, aggregates: { "summary.val/acc": { mean: 0.884, max: 0.93 } } },
      ],
      nextCursor: null,
    },
  },
);
export type RunGroupsPage = Static<typeof RunGroupsPage>;

export const RunKeysQuery = Type.Object(
  {
    scope: Type.Optional(Type.Union([Type.Literal("config"), Type.Literal("summary")], { description: "only config keys, or only summary keys" })),
    search: Type.Optional(Type.String({ maxLength: 256, description: "keys whose dotted path contains this text (case-insensitive for A-Z)", examples: ["lr"] })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TREE_PAGE, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type RunKeysQuery = Static<typeof RunKeysQuery>;

export const RunKey = Type.Object({
  field: Type.String({ description: "the key as a filter, sort or column field, e.g. config.optimizer.lr" }),
  scope: Type.Union([Type.Literal("config"), Type.Literal("summary")]),
  path: Type.Array(Type.String(), { description: "the key's path segments" }),
  runs: Type.Integer({ description: "runs that have the key" }),
  types: Type.Record(Type.String(), Type.Integer(), {
    description: "runs per value type: number (NaN included), string, boolean, array, object (an empty one), null",
  }),
});
export type RunKey = Static<typeof RunKey>;

export const RunKeyPage = Type.Object(
  { keys: Type.Array(RunKey, { description: "config keys, then summary keys, each in path order" }), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  {
    $id: "RunKeyPage",
    example: {
      keys: [
        { field: "config.optimizer.lr", scope: "config", path: ["optimizer", "lr"], runs: 1000000, types: { number: 1000000 } },
        { field: "summary.val/acc", scope: "summary", path: ["val/acc"], runs: 998120, types: { number: 998120 } },
      ],
      nextCursor: "WzAsIm9wdGltaXplcgFsciJd",
    },
  },
);
export type RunKeyPage = Static<typeof RunKeyPage>;

export const ConfigTreeQuery = Type.Object(
  {
    prefix: Type.Optional(Type.String({
      maxLength: 65_536,
      description: "the path to open, as in a filter but without config. (optimizer, or model.`layer.0`); the top level when absent",
      examples: ["optimizer"],
    })),
    search: Type.Optional(Type.String({
      maxLength: 256,
      description: "instead of one level, the keys under prefix whose path or text value contains this (case-insensitive for A-Z)",
      examples: ["lr"],
    })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TREE_PAGE, default: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 65_536 })),
  },
  { additionalProperties: false },
);
export type ConfigTreeQuery = Static<typeof ConfigTreeQuery>;

export const ConfigEntry = Type.Object({
  key: Type.String({ description: "the last segment of the path" }),
  path: Type.String({ description: "the whole path in filter syntax (without config.); pass it as prefix= to open an object" }),
  value: Type.Optional(Type.Unknown({ description: "the value, for a leaf (anything but a non-empty object)" })),
  keyCount: Type.Optional(Type.Integer({ description: "for an object: the leaves under it, counted up to 10,000" })),
  keyCountCapped: Type.Optional(Type.Boolean({ description: "true when the object has more leaves than keyCount says" })),
});
export type ConfigEntry = Static<typeof ConfigEntry>;

export const ConfigTreePage = Type.Object(
  {
    prefix: Type.String(),
    entries: Type.Array(ConfigEntry, { description: "in path order" }),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
    configKeyCount: Type.Integer({ description: "flattened config keys (leaves) the whole run has" }),
  },
  {
    $id: "ConfigTreePage",
    example: {
      prefix: "optimizer",
      entries: [
        { key: "betas", path: "optimizer.betas", value: [0.9, 0.999] },
        { key: "lr", path: "optimizer.lr", value: 0.003 },
        { key: "schedule", path: "optimizer.schedule", keyCount: 3, keyCountCapped: false },
      ],
      nextCursor: null,
      configKeyCount: 1000000,
    },
  },
);
export type ConfigTreePage = Static<typeof ConfigTreePage>;
