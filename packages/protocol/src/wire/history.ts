// Owns the history, system-metrics and console query shapes. Series come back as columns (one
// x array and one y array per key), never as per-point objects, and never longer than maxPoints.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../limits.js";
import { MetricValue } from "./records.js";

export const SeriesQuery = Type.Object(
  {
    keys: Type.Optional(Type.String({
      maxLength: 65536, examples: ["train/loss,val/acc"],
      description: `comma-separated metric keys; all keys when absent (at most ${LIMITS.maxQueryKeys} keys)`,
    })),
    min: Type.Optional(Type.Number({ examples: [1000], description: "smallest x (step for history, epoch ms for system metrics) to include; a zoomed view" })),
    max: Type.Optional(Type.Number({ examples: [2000], description: "largest x to include" })),
    maxPoints: Type.Optional(Type.Integer({
      minimum: 2, maximum: LIMITS.maxQueryPoints, default: 1000, examples: [1000],
      description: "most points per key in the reply (use the chart's width in pixels); each bucket keeps its min and max",
    })),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuery>;

export const Series = Type.Object({
  key: Type.String(),
  x: Type.Array(Type.Number()),
  y: Type.Array(Type.Ref(MetricValue)),
  count: Type.Integer({ description: "points in the requested range before bucketing" }),
  sampled: Type.Boolean({ description: "true when buckets replaced raw points (each bucket keeps its min and max)" }),
});

export const SeriesResponse = Type.Object(
  { runId: Type.String(), xAxis: Type.String(), series: Type.Array(Series) },
  {
    $id: "SeriesResponse",
    example: {
      runId: "k3x9a0bq", xAxis: "_step",
      series: [{ key: "train/loss", x: [0, 417, 842, 999], y: [2.31, 0.92, "NaN", 0.41], count: 1000000, sampled: true }],
    },
  },
);
export type SeriesResponse = {
  runId: string;
  xAxis: string;
  series: { key: string; x: number[]; y: (number | string)[]; count: number; sampled: boolean }[];
};

export const HistoryRowsQuery = Type.Object(
  {
    minStep: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  },
  { additionalProperties: false },
);
export const HistoryRows = Type.Object(
  {
    rows: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
      description: "one object per step with _step, _timestamp (seconds), _runtime (seconds) and the metrics",
    }),
    nextMinStep: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: "HistoryRows" },
);

export const KeyList = Type.Object({ keys: Type.Array(Type.String()) }, { $id: "KeyList" });

export const ConsoleQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: "return lines after this line number" })),
    tail: Type.Optional(Type.Integer({
      minimum: 1, maximum: 10_000,
      description: "instead of reading forward, return the last this many lines (oldest first); not with after",
    })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  },
  { additionalProperties: false },
);
export const ConsoleLines = Type.Object(
  {
    lines: Type.Array(Type.Object({ n: Type.Integer(), ts: Type.Number(), stream: Type.String(), text: Type.String() })),
  },
  { $id: "ConsoleLines" },
);
export type ConsoleLine = { n: number; ts: number; stream: "stdout" | "stderr"; text: string };

/** Runs one multi-run history query (or key listing) may name. */
export const MAX_QUERY_RUNS = 100;

/** The x axes every run has besides its logged metrics: steps, wall time (epoch s), seconds since start. */
export const BUILTIN_X_AXES = ["_step", "_timestamp", "_runtime"] as const;

const runsParam = Type.String({
  maxLength: MAX_QUERY_RUNS * 65, examples: ["k3x9a0bq,m2p7c1dd"],
  description: `comma-separated run ids of the project (1 to ${MAX_QUERY_RUNS}); runs that do not exist are left out of the reply`,
});

export const MultiSeriesQuery = Type.Object(
  {
    runs: runsParam,
    keys: Type.String({
      maxLength: 65536, examples: ["train/loss,val/acc"],
      description: `comma-separated metric keys (at most ${LIMITS.maxQueryKeys})`,
    }),
    x: Type.Optional(Type.String({
      maxLength: LIMITS.maxKeyLength, default: "_step", examples: ["_step", "_timestamp", "_runtime", "epoch"],
      description:
        "the x axis: _step (default), _timestamp (wall time, epoch seconds), _runtime (seconds since the run started), " +
        "or any logged metric key. Other than _step, each point's x is that series' value at the point's step, " +
        "interpolated linearly between its samples; points whose step lies outside the x series' steps are dropped, " +
        "and each series comes back sorted by x. A run that did not log the x key gets empty series",
    })),
    min: Type.Optional(Type.Number({
      examples: [1000],
      description: "smallest x to include, in x units. For an x other than _step the range is found on the x series, " +
        "which is assumed to grow with step (time, epochs, samples seen)",
    })),
    max: Type.Optional(Type.Number({ examples: [2000], description: "largest x to include, in x units" })),
    maxPoints: Type.Optional(Type.Integer({
      minimum: 2, maximum: LIMITS.maxQueryPoints, default: 1000, examples: [1000],
      description: "most points per run and key (use the chart's width in pixels); each bucket keeps its min and max",
    })),
  },
  { additionalProperties: false },
);
export type MultiSeriesQuery = Static<typeof MultiSeriesQuery>;

export const MultiRunQuery = Type.Object({ runs: runsParam }, { additionalProperties: false });
export type MultiRunQuery = Static<typeof MultiRunQuery>;

export const MultiSeriesResponse = Type.Object(
  {
    xAxis: Type.String({ description: "the x axis of every series: _step, _timestamp, _runtime or a metric key" }),
    runs: Type.Array(Type.Object({ runId: Type.String(), series: Type.Array(Series) }), {
      description: "one entry per requested run that exists, in the order asked; a run has an entry per key it logged",
    }),
  },
  {
    $id: "MultiSeriesResponse",
    example: {
      xAxis: "_runtime",
      runs: [
        { runId: "k3x9a0bq", series: [{ key: "train/loss", x: [0.5, 61.2, 130.9], y: [2.31, 0.92, 0.41], count: 3, sampled: false }] },
        { runId: "m2p7c1dd", series: [{ key: "train/loss", x: [0.4, 58.7, 127.3], y: [2.4, "NaN", 0.5], count: 3, sampled: false }] },
      ],
    },
  },
);
export type MultiSeriesResponse = {
  xAxis: string;
  runs: { runId: string; series: SeriesResponse["series"] }[];
};

/** Most histograms (steps) one histogram query may return. */
export const MAX_HISTOGRAM_STEPS = 2_000;

export const HistogramQuery = Type.Object(
  {
    key: Type.String({
      minLength: 1, maxLength: LIMITS.maxKeyLength, examples: ["gradients/fc1.weight"],
      description: "the histogram key (list them at .../histograms/keys)",
    }),
    min: Type.Optional(Type.Integer({ minimum: 0, examples: [1000], description: "smallest step to include" })),
    max: Type.Optional(Type.Integer({ minimum: 0, examples: [2000], description: "largest step to include" })),
    maxSteps: Type.Optional(Type.Integer({
      minimum: 1, maximum: MAX_HISTOGRAM_STEPS, default: 200, examples: [200],
      description: "most histograms in the reply (use the heatmap's width in columns); steps in range are sampled evenly, first and last kept",
    })),
  },
  { additionalProperties: false },
);
export type HistogramQuery = Static<typeof HistogramQuery>;

export const HistogramSeriesResponse = Type.Object(
  {
    key: Type.String(),
    steps: Type.Array(Type.Integer(), { description: "ascending steps of the histograms returned" }),
    histograms: Type.Array(
      Type.Object({ bins: Type.Array(Type.Number()), counts: Type.Array(Type.Number()) }),
      { description: "one per step, in the same order: N + 1 bin edges and N counts as logged" },
    ),
    count: Type.Integer({ description: "histograms of the key in the requested step range before sampling" }),
  },
  {
    $id: "HistogramSeriesResponse",
    example: {
      key: "gradients/fc1.weight", steps: [0, 100, 200],
      histograms: [
        { bins: [-0.2, 0, 0.2], counts: [40, 24] },
        { bins: [-0.1, 0, 0.1], counts: [30, 34] },
        { bins: [-0.05, 0, 0.05], counts: [33, 31] },
      ],
      count: 3,
    },
  },
);
export type HistogramSeriesResponse = {
  key: string;
  steps: number[];
  histograms: { bins: number[]; counts: number[] }[];
  count: number;
};
