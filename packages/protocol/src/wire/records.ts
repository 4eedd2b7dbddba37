// Owns the ingest records: what a client appends to its spool and later ships to the server.
// Every record carries its run's sequence number `seq` (1, 2, 3 ... per run), which makes
// delivery idempotent: the server stores each seq once and drops any it already holds.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../limits.js";
import { ImageEntry } from "./media.js";
import { TableRecord } from "./tables.js";

export const MetricValue = Type.Union(
  [Type.Number(), Type.Literal("NaN"), Type.Literal("Infinity"), Type.Literal("-Infinity")],
  { $id: "MetricValue", description: "float64; NaN and infinities travel as the strings NaN, Infinity, -Infinity" },
);

const key = Type.String({ minLength: 1, maxLength: LIMITS.maxKeyLength });
const Metrics = Type.Record(key, Type.Ref(MetricValue), { maxProperties: LIMITS.maxKeysPerRow });
const JsonObject = Type.Record(key, Type.Unknown());
const seq = Type.Integer({ minimum: 1, description: "per-run sequence number, from 1, no gaps" });
const ts = Type.Number({ minimum: 0, maximum: 8.64e15, description: "client wall clock, milliseconds since the Unix epoch" });

export const RunRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("run"),
    name: Type.Optional(Type.String({ maxLength: 256 })),
    group: Type.Optional(Type.String({ maxLength: 256 })),
    jobType: Type.Optional(Type.String({ maxLength: 256 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 256 })),
    notes: Type.Optional(Type.String({ maxLength: 65536 })),
    config: Type.Optional(JsonObject),
    metadata: Type.Optional(JsonObject),
  },
  { $id: "RunRecord", additionalProperties: false, description: "opens a run; sent first (seq 1)" },
);

export const HistoryRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("history"),
    step: Type.Integer({ minimum: 0, maximum: LIMITS.maxStep }),
    values: Metrics,
  },
  {
    $id: "HistoryRecord", additionalProperties: false,
    description: "one history row; a row for a step that already exists is merged into it, the later write winning per key",
  },
);

export const ConfigRecord = Type.Object(
  {
    seq, ts, type: Type.Literal("config"), values: JsonObject,
    path: Type.Optional(Type.Array(key, {
      minItems: 1, maxItems: LIMITS.maxDepth,
      description:
        "where the keys of values go: absent = the top level; [\"model\", \"encoder\"] sets config.model.encoder.<key> " +
        "for each key of values. Objects along the path are created, and a non-object value on the path (such as the {} " +
        "that cleared it) is replaced by an object. Lets a client send one value too large for a record in parts: " +
        "first {\"model\": {}} (which replaces the old value whole), then records with path [\"model\"] holding its keys, " +
        "splitting deeper the same way where one of them is still too large",
    })),
  },
  {
    $id: "ConfigRecord", additionalProperties: false,
    description: "sets config keys: each key of values replaces that key's whole previous value (at the top level, or under path)",
  },
);

export const SummaryRecord = Type.Object(
  { seq, ts, type: Type.Literal("summary"), values: JsonObject },
  { $id: "SummaryRecord", additionalProperties: false, description: "sets summary keys; a set key wins over the automatic last value; null removes the override" },
);

/** Most bins one histogram may have; clients default to DEFAULT_HISTOGRAM_BINS. */
export const MAX_HISTOGRAM_BINS = 512;
export const DEFAULT_HISTOGRAM_BINS = 64;

/**
 * One histogram: N + 1 bin edges and N counts. What JSON Schema cannot say (edges in order,
 * counts.length = bins.length - 1) is checked by histogramProblem, which server and clients share.
 */
export const HistogramValue = Type.Object(
  {
    bins: Type.Array(Type.Number(), {
      minItems: 2, maxItems: MAX_HISTOGRAM_BINS + 1,
      description: "N + 1 finite bin edges in ascending order (equal neighbours allowed: a zero-width bin)",
    }),
    counts: Type.Array(Type.Number({ minimum: 0 }), {
      minItems: 1, maxItems: MAX_HISTOGRAM_BINS,
      description: `N finite counts >= 0 (1 <= N <= ${MAX_HISTOGRAM_BINS}); counts[i] is for [bins[i], bins[i+1]), the last bin closed`,
    }),
  },
  { additionalProperties: false },
);
export type HistogramValue = Static<typeof HistogramValue>;

export const HistogramRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("histogram"),
    step: Type.Integer({ minimum: 0, maximum: LIMITS.maxStep }),
    values: Type.Record(key, HistogramValue, { maxProperties: LIMITS.maxKeysPerRow }),
  },
  {
    $id: "HistogramRecord", additionalProperties: false,
    description:
      "histograms at one step, one per key (weights or gradients of a layer, say): each is stored as its own series by " +
      "step, and a histogram for a (key, step) that already exists is replaced by the later write",
  },
);

/**
 * What is wrong with a histogram, if anything: the offending part's path below the value
 * ("bins", "counts[3]") and a message that says how to fix it. Undefined for a valid one.
 */
export function histogramProblem(v: unknown): { path: string; message: string } | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return { path: "", message: "must be an object {bins: [...], counts: [...]}" };
  }
  const { bins, counts } = v as { bins?: unknown; counts?: unknown };
  for (const k of Object.keys(v)) {
    if (k !== "bins" && k !== "counts") return { path: k, message: "is not a histogram field: send only bins and counts" };
  }
  if (!Array.isArray(counts) || counts.length < 1 || counts.length > MAX_HISTOGRAM_BINS) {
    return { path: "counts", message: `must be an array of 1 to ${MAX_HISTOGRAM_BINS} counts` };
  }
  if (!Array.isArray(bins) || bins.length !== counts.length + 1) {
    return { path: "bins", message: `must be an array of counts.length + 1 = ${counts.length + 1} edges` };
  }
  for (let i = 0; i < bins.length; i++) {
    const e: unknown = bins[i];
    if (typeof e !== "number" || !Number.isFinite(e)) return { path: `bins[${i}]`, message: "must be a finite number" };
    if (i > 0 && e < (bins[i - 1] as number)) {
      return { path: `bins[${i}]`, message: `is ${e}, below the previous edge ${bins[i - 1] as number}: edges must ascend` };
    }
  }
  for (let i = 0; i < counts.length; i++) {
    const c: unknown = counts[i];
    if (typeof c !== "number" || !Number.isFinite(c) || c < 0) return { path: `counts[${i}]`, message: "must be a finite number >= 0" };
  }
  return undefined;
}

export const ImageRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("image"),
    step: Type.Integer({ minimum: 0, maximum: LIMITS.maxStep }),
    values: Type.Record(key, ImageEntry, { maxProperties: 256 }),
  },
  {
    $id: "ImageRecord", additionalProperties: false,
    description:
      "images at one step: per key one image or a list of up to 32 (media.ts ImageValue), with optional boxes and masks. " +
      "The bytes must be a PNG or JPEG whose header states the given width and height; each key's images replace any " +
      "the (key, step) already had",
  },
);

export const SystemRecord = Type.Object(
  { seq, ts, type: Type.Literal("system"), values: Metrics },
  { $id: "SystemRecord", additionalProperties: false, description: "one sample of system metrics (cpu, memory, gpu)" },
);

export const ConsoleRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("console"),
    stream: Type.Union([Type.Literal("stdout"), Type.Literal("stderr")]),
    text: Type.String({ maxLength: LIMITS.maxConsoleChars }),
  },
  { $id: "ConsoleRecord", additionalProperties: false },
);

export const SummaryMode = Type.Union([
  Type.Literal("last"), Type.Literal("min"), Type.Literal("max"), Type.Literal("mean"), Type.Literal("none"),
]);
export type SummaryMode = Static<typeof SummaryMode>;

export const DefineMetricRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("define_metric"),
    key,
    summary: SummaryMode,
  },
  { $id: "DefineMetricRecord", additionalProperties: false, description: "chooses which aggregate of a metric the summary shows" },
);

export const FinishRecord = Type.Object(
  {
    seq, ts,
    type: Type.Literal("finish"),
    exitCode: Type.Integer({ minimum: -255, maximum: 255 }),
  },
  { $id: "FinishRecord", additionalProperties: false, description: "ends the run: exit code 0 is finished, anything else failed" },
);

export const RECORD_SCHEMAS = {
  run: RunRecord,
  history: HistoryRecord,
  config: ConfigRecord,
  summary: SummaryRecord,
  system: SystemRecord,
  console: ConsoleRecord,
  define_metric: DefineMetricRecord,
  finish: FinishRecord,
  histogram: HistogramRecord,
  image: ImageRecord,
  table: TableRecord,
} as const;
export type RecordType = keyof typeof RECORD_SCHEMAS;
export const RECORD_TYPES = Object.keys(RECORD_SCHEMAS) as RecordType[];

export type RunRecord = Static<typeof RunRecord>;
export type HistoryRecord = Static<typeof HistoryRecord>;
export type ConfigRecord = Static<typeof ConfigRecord>;
export type SummaryRecord = Static<typeof SummaryRecord>;
export type SystemRecord = Static<typeof SystemRecord>;
export type ConsoleRecord = Static<typeof ConsoleRecord>;
export type DefineMetricRecord = Static<typeof DefineMetricRecord>;
export type FinishRecord = Static<typeof FinishRecord>;
export type HistogramRecord = Static<typeof HistogramRecord>;
export type ImageRecord = Static<typeof ImageRecord>;
export type WireRecord =
  | RunRecord | HistoryRecord | ConfigRecord | SummaryRecord | SystemRecord | ConsoleRecord
  | DefineMetricRecord | FinishRecord | HistogramRecord | ImageRecord | TableRecord;

/** Documented shape of an ingest batch (each record is validated on its own, see IngestReply). */
export const IngestBatch = Type.Object(
  {
    records: Type.Array(
      Type.Union(Object.values(RECORD_SCHEMAS).map((s) => Type.Ref(s.$id!))),
      { minItems: 1, maxItems: LIMITS.maxBatchRecords },
    ),
  },
  { $id: "IngestBatch", additionalProperties: false },
);

/** What the server validates on the whole batch before looking at records one by one. */
export const IngestEnvelope = Type.Object(
  {
    records: Type.Array(
      Type.Object({ seq, type: Type.String() }, { additionalProperties: true }),
      { minItems: 1, maxItems: LIMITS.maxBatchRecords },
    ),
  },
  { additionalProperties: false },
);

export const RecordRejection = Type.Object({
  seq: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});
export type RecordRejection = Static<typeof RecordRejection>;

export const IngestReply = Type.Object(
  {
    accepted: Type.Integer({ description: "records stored by this request" }),
    duplicates: Type.Integer({ description: "records whose seq the server already held (dropped)" }),
    rejected: Type.Array(RecordRejection, { description: "records refused for their content; they are consumed and must not be resent" }),
    lastSeq: Type.Integer({ description: "highest seq now held for the run; the next record must be lastSeq + 1" }),
  },
  { $id: "IngestReply" },
);
export type IngestReply = Static<typeof IngestReply>;
