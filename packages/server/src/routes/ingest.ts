// Owns ingest, in three stages:
//   1. validate the envelope (records is a non-empty array of objects with a seq and a type);
//   2. validate each record on its own, so one bad record is rejected without blocking the rest;
//   3. hand the batch to the store, which commits it durably and idempotently by (run, seq),
//      and only then reply (an acknowledgement means the data survives a crash) and tell the
//      live bus that the run changed.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type, type TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  IngestEnvelope, LIMITS, MetricValue, RESERVED_RUN_IDS, OrreryError, RECORD_SCHEMAS, RECORD_TYPES, RunParams,
  histogramProblem, imageEntryProblem, tableProblem, type RecordType, type WireRecord,
} from "@orrery/protocol";
import { SeqGapError, type IngestItem } from "@orrery/store";
import { jsonPointerToField } from "../errors.js";
import { GroupCommitter } from "../ingest/group-commit.js";
import { isPrechecked, registerFramesBody } from "../ingest/frames-body.js";
import { errorResponses } from "./common.js";

const checks = Object.fromEntries(
  RECORD_TYPES.map((t) => [t, TypeCompiler.Compile(RECORD_SCHEMAS[t] as TSchema, [MetricValue])]),
) as unknown as Record<RecordType, { Check(v: unknown): boolean; Errors(v: unknown): { First(): { path: string; message: string } | undefined } }>;

function compileEnvelopeOrParams(schema: TSchema): (data: unknown) => { value?: unknown; error?: Error } {
  const check = TypeCompiler.Compile(schema);
  return (data) => {
    if (check.Check(data)) return { value: data };
    const e = check.Errors(data).First();
    const field = e ? jsonPointerToField(e.path) : "";
    return { error: new OrreryError("invalid_request", `${field || "body"}: ${e?.message ?? "is invalid"}`, field || "body") };
  };
}

/** Depth of nested objects and arrays, stopping as soon as it passes `limit`. */
function deeperThan(v: unknown, limit: number): boolean {
  if (v === null || typeof v !== "object") return false;
  if (limit === 0) return true;
  for (const k in v as Record<string, unknown>) if (deeperThan((v as Record<string, unknown>)[k], limit - 1)) return true;
  return false;
}

/** JSON Schema cannot bound the length of a record's keys for TypeBox's checker, so do it here. */
function longKey(r: { values?: Record<string, unknown>; config?: Record<string, unknown>; metadata?: Record<string, unknown> }): { where: string; key: string } | undefined {
  for (const where of ["values", "config", "metadata"] as const) {
    const obj = r[where];
    if (!obj) continue;
    for (const key in obj) if (key.length > LIMITS.maxKeyLength) return { where, key };
  }
  return undefined;
}

type ValueProblem = { path: string; message: string } | undefined;

/**
 * Per-value checks of the record types whose values the schema cannot judge alone: a histogram's
 * edges in order, an image's boxes in shape, a table's cells fitting their columns (image and
 * table bytes are the store's to check). Each names the part at fault.
 */
const valueChecks: Partial<Record<RecordType, (value: unknown) => ValueProblem>> = {
  histogram: histogramProblem,
  image: imageEntryProblem,
  table: tableProblem,
};

/** The rejection for the first invalid value of such a record, if any. */
function badValue(raw: { seq: number; values?: unknown }, index: number, problemOf: (value: unknown) => ValueProblem): IngestItem | undefined {
  const values = raw.values;
  if (values === null || typeof values !== "object" || Array.isArray(values)) return undefined; // the schema says why
  for (const key of Object.keys(values)) {
    const problem = problemOf((values as Record<string, unknown>)[key]);
    if (problem === undefined) continue;
    const below = problem.path === "" || problem.path.startsWith("[") ? problem.path : `.${problem.path}`;
    const field = `records[${index}].values.${key.slice(0, LIMITS.maxKeyLength)}${below}`;
    return {
      seq: raw.seq, type: "rejected",
      rejection: { seq: raw.seq, error: "invalid_record", field, message: `${field} ${problem.message}` },
    };
  }
  return undefined;
}

/** Validates one record; returns it typed, or the rejection to report. */
export function checkRecord(raw: { seq: number; type: string }, index: number): IngestItem {
  if (isPrechecked(raw)) return raw as unknown as WireRecord;
  const type = raw.type as RecordType;
  const check = checks[type];
  if (!check) {
    return {
      seq: raw.seq, type: "rejected",
      rejection: { seq: raw.seq, error: "invalid_record", field: `records[${index}].type`, message: `unknown record type '${raw.type}': use one of ${RECORD_TYPES.join(", ")}` },
    };
  }
  // Before the schema: these checks name the part at fault (edges out of order, a box out of shape, a cell of the wrong type).
  const problemOf = valueChecks[type];
  if (problemOf !== undefined) {
    const bad = badValue(raw as { seq: number; values?: unknown }, index, problemOf);
    if (bad !== undefined) return bad;
  }
  if (check.Check(raw as unknown)) {
    const rec = raw as unknown as { values?: Record<string, unknown>; config?: Record<string, unknown>; metadata?: Record<string, unknown> };
    for (const where of ["values", "config", "metadata"] as const) {
      if (deeperThan(rec[where], LIMITS.maxDepth)) {
        const field = `records[${index}].${where}`;
        return {
          seq: raw.seq, type: "rejected",
          rejection: { seq: raw.seq, error: "invalid_record", field, message: `${field}: nested more than ${LIMITS.maxDepth} levels deep; flatten it` },
        };
      }
    }
    const long = longKey(rec);
    if (long === undefined) return raw as unknown as WireRecord;
    const field = `records[${index}].${long.where}.${long.key.slice(0, 40)}…`;
    return {
      seq: raw.seq, type: "rejected",
      rejection: { seq: raw.seq, error: "invalid_record", field, message: `${field}: keys are at most ${LIMITS.maxKeyLength} characters; shorten the name` },
    };
  }
  const e = check.Errors(raw).First();
  const field = `records[${index}]${e ? jsonPointerToField(e.path).replace(/^(?=[^[])/, ".") : ""}`;
  return {
    seq: raw.seq, type: "rejected",
    rejection: { seq: raw.seq, error: "invalid_record", field, message: `${field}: ${e?.message ?? "is invalid"}${e?.path.includes("/values/") && type !== "histogram" && type !== "image" && type !== "table" ? " (metric values must be numbers, or the strings NaN, Infinity, -Infinity)" : ""}` },
  };
}

export const ingestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const envelope = compileEnvelopeOrParams(IngestEnvelope);
  // Ingest stores image, table and git-diff blobs before its transaction references them: gc must
  // not delete one of those (an old, unreferenced copy of the same bytes) in between.
  const committer = new GroupCommitter(app.store, (commit) => app.artifacts.holdingBlobs(commit));
  registerFramesBody(app);
  app.post("/api/v1/projects/:entity/:project/runs/:runId/records", {
    schema: {
      summary: "Append a batch of a run's records (idempotent by seq)",
      description:
        "The body is JSON ({records: [...]}) or, with content type application/vnd.orrery.frames, the client's " +
        "spool frames back to back (docs/spool-format.md; binary history rows skip JSON entirely). " +
        "Records are applied in order. A record whose seq the server already holds is dropped as a duplicate; " +
        "a record that fails validation is rejected on its own and consumes its seq; a batch that skips seqs " +
        "gets 409 and stores nothing. The reply is sent only after the batch is durable.",
      params: RunParams,
      body: Type.Ref("IngestBatch"),
      response: { 200: Type.Ref("IngestReply"), 409: Type.Ref("ErrorBody"), 413: Type.Ref("ErrorBody"), ...errorResponses },
    },
    // The documented body is the full union; validation is split into envelope + per record (above).
    validatorCompiler: ({ schema, httpPart }) => (httpPart === "body" ? envelope : compileEnvelopeOrParams(schema as unknown as TSchema)),
  }, async (req) => {
    if (RESERVED_RUN_IDS.includes(req.params.runId)) {
      throw new OrreryError("invalid_request", `run id '${req.params.runId}' is reserved (it names the route .../runs/${req.params.runId}): choose another id`, "runId");
    }
    const body = req.body as unknown as { records: { seq: number; type: string }[] };
    const items = body.records.map(checkRecord);
    try {
      const result = await committer.append({ run: req.params, records: items });
      // Durable now: live streams may show it.
      if (result.accepted > 0 || result.rejected.length > 0) app.live.publishRuns(req.params, [req.params.runId]);
      // The store names fields within a record; prefix each with the record's place in the batch.
      const indexBySeq = new Map(body.records.map((r, i) => [r.seq, i]));
      for (const rej of result.rejected) {
        if (rej.field !== undefined && !rej.field.startsWith("records[")) rej.field = `records[${indexBySeq.get(rej.seq) ?? 0}].${rej.field}`;
      }
      return result;
    } catch (err: unknown) {
      if (err instanceof SeqGapError) throw new OrreryError("conflict", err.message, "records[0].seq");
      throw err;
    }
  });
};
