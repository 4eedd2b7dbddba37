// Owns the shapes behind the workspace's insight panels: run values for plots (one column per key
// over every matching run, for parallel coordinates and scatter at 100,000 runs) and parameter
// importance (a random-forest surrogate's permutation importance and the Pearson correlation of each
// config key with a metric). Both take the runs listing's filter and search (docs/filter-grammar.md).
import { Type, type Static } from "@sinclair/typebox";

/** Runs one values reply may hold: the default and the most a client may ask for. */
export const RUN_VALUES_DEFAULT_LIMIT = 100_000;
export const RUN_VALUES_MAX_LIMIT = 200_000;
/** Keys (columns) in one values reply. */
export const RUN_VALUES_MAX_KEYS = 32;
/** Config keys one importance query weighs at most (given or found). */
export const IMPORTANCE_MAX_PARAMS = 100;
/** Runs with a finite metric below which importance is not computed (correlations need 3). */
export const IMPORTANCE_MIN_RUNS = 10;
export const CORRELATION_MIN_RUNS = 3;
/** Runs the surrogate is fitted on at most: more are sampled down (seeded, so answers repeat). */
export const IMPORTANCE_MAX_SAMPLE = 5_000;

/** The run fields a values query may ask for besides config.<key> and summary.<key>. */
export const RUN_VALUE_FIELDS = ["name", "state", "group", "jobType", "createdAt", "runtime", "lastStep", "exitCode"] as const;
export type RunValueField = (typeof RUN_VALUE_FIELDS)[number];

const filterParam = Type.String({
  maxLength: 10_000,
  description: "the runs listing's filter expression (docs/filter-grammar.md); a bad one gets 400 invalid_filter, field filter",
  examples: ["config.optimizer.lr < 0.01 and state = finished"],
});
const searchParam = Type.String({ maxLength: 256, description: "free text: runs whose name or a tag contains it, as in the runs listing" });

export const RunValuesQuery = Type.Object(
  {
    keys: Type.String({
      minLength: 1, maxLength: 65_536,
      description:
        `1 to ${RUN_VALUES_MAX_KEYS} comma-separated fields: config.<key>, summary.<key>, or the run fields ` +
        `${RUN_VALUE_FIELDS.join(", ")}`,
      examples: ["config.optimizer.lr,config.batch_size,summary.val/acc,runtime"],
    }),
    filter: Type.Optional(filterParam),
    search: Type.Optional(searchParam),
    limit: Type.Optional(Type.Integer({
      minimum: 1, maximum: RUN_VALUES_MAX_LIMIT, default: RUN_VALUES_DEFAULT_LIMIT,
      description: "the newest this many matching runs come back; truncated says when more matched",
    })),
  },
  { additionalProperties: false },
);
export type RunValuesQuery = Static<typeof RunValuesQuery>;

export const RunValue = Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]);
export type RunValue = Static<typeof RunValue>;

export const RunValues = Type.Object(
  {
    total: Type.Integer({ description: "runs matching filter and search" }),
    truncated: Type.Boolean({ description: "true when more runs matched than came back (raise limit, or narrow the filter)" }),
    ids: Type.Array(Type.String(), { description: "run ids, newest first (the runs listing's default order)" }),
    names: Type.Array(Type.String(), { description: "run names, in the order of ids" }),
    columns: Type.Record(Type.String(), Type.Array(RunValue), {
      description:
        "per key, exactly as written in keys=, one value per run in the order of ids. Missing values, null, NaN and " +
        "infinities are null; arrays and objects are null too (plots take numbers, text and booleans). createdAt is " +
        "epoch milliseconds, runtime seconds",
    }),
  },
  {
    $id: "RunValues",
    example: {
      total: 3, truncated: false, ids: ["k3x9a0bq", "p2m1z8cw", "a0b1c2d3"], names: ["brisk-owl-7", "calm-fox-2", "dark-sun-1"],
      columns: { "config.optimizer.lr": [0.003, 0.01, null], "summary.val/acc": [0.947, 0.912, 0.5], state: ["finished", "running", "crashed"] },
    },
  },
);
export type RunValues = { total: number; truncated: boolean; ids: string[]; names: string[]; columns: Record<string, RunValue[]> };

export const ImportanceQuery = Type.Object(
  {
    metric: Type.String({
      minLength: 1, maxLength: 4096,
      description: "the target: summary.<key> (or config.<key>, runtime, lastStep, exitCode); runs without a finite number there are left out",
      examples: ["summary.val/acc"],
    }),
    params: Type.Optional(Type.String({
      maxLength: 65_536,
      description:
        `comma-separated config.<key> fields to weigh (at most ${IMPORTANCE_MAX_PARAMS}); by default every config key ` +
        `whose value varies across the runs used, up to ${IMPORTANCE_MAX_PARAMS}`,
      examples: ["config.optimizer.lr,config.batch_size,config.seed"],
    })),
    filter: Type.Optional(filterParam),
    search: Type.Optional(searchParam),
  },
  { additionalProperties: false },
);
export type ImportanceQuery = Static<typeof ImportanceQuery>;

export const ParamImportance = Type.Object({
  key: Type.String({ description: "the config key, as written in params= (or as config.<path> when found)" }),
  kind: Type.Union([Type.Literal("number"), Type.Literal("category")], {
    description: "number when every value the runs hold is a number; otherwise category (text, booleans, mixed)",
  }),
  importance: Type.Union([Type.Number(), Type.Null()], {
    description: "permutation importance of the surrogate, normalized to sum 1 over params; null when there were too few runs",
  }),
  correlation: Type.Union([Type.Number(), Type.Null()], {
    description: "Pearson correlation with the metric over runs holding a number for both; null for categories, constant keys or under 3 runs",
  }),
  runs: Type.Integer({ description: "runs used that hold a value for this key" }),
});
export type ParamImportance = Static<typeof ParamImportance>;

export const Importance = Type.Object(
  {
    metric: Type.String(),
    runsTotal: Type.Integer({ description: "runs matching filter and search" }),
    runsUsed: Type.Integer({ description: "of those, runs with a finite number for the metric" }),
    enough: Type.Boolean({ description: "false when there were too few runs (or no varying key) to fit the surrogate; message says why" }),
    message: Type.Union([Type.String(), Type.Null()], { description: "what the numbers rest on: sampling, fit quality, or why there are none" }),
    method: Type.String({ description: "how importance was computed" }),
    params: Type.Array(ParamImportance, { description: "by importance (nulls last), then by |correlation|" }),
  },
  {
    $id: "Importance",
    example: {
      metric: "summary.val/acc", runsTotal: 412, runsUsed: 400, enough: true, message: null,
      method: "random forest (100 trees, depth <= 8) fitted to the metric; permutation importance on out-of-bag runs",
      params: [
        { key: "config.optimizer.lr", kind: "number", importance: 0.81, correlation: -0.62, runs: 400 },
        { key: "config.optimizer.name", kind: "category", importance: 0.15, correlation: null, runs: 400 },
        { key: "config.seed", kind: "number", importance: 0.04, correlation: 0.01, runs: 400 },
      ],
    },
  },
);
export type Importance = Static<typeof Importance>;
