// Owns the ingest records: what a client appends to its spool and later ships to the server.
// Every record carries its run's sequence number `seq` (1, 2, 3 ... per run), which makes
// delivery idempotent: the server stores each seq once and drops any it already holds.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../limits.js";

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
export type WireRecord =
  | RunRecord | HistoryRecord | ConfigRecord | SummaryRecord | SystemRecord | ConsoleRecord
  | DefineMetricRecord | FinishRecord;

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
