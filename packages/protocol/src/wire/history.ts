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
