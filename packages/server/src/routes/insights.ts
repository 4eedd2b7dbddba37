// Owns the project-level routes behind the workspace's insight panels: run values for plots
// (columns over up to 200,000 matching runs) and parameter importance (reads the metric of every
// matching run, samples at most 5,000 of those with a finite metric, reads their config keys, and
// hands them to insights/importance.ts). Both take the runs listing's filter and search, parsed
// here so a bad expression is a 400 naming its column. The paths are static segments under runs/,
// which the router prefers to runs/:runId; "values" and "importance" are reserved run ids too.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  IMPORTANCE_MAX_PARAMS, IMPORTANCE_MAX_SAMPLE, ImportanceQuery, OrreryError, parseField, parseFieldList,
  parseFilter, ProjectParams, RUN_VALUE_FIELDS, RUN_VALUES_DEFAULT_LIMIT, RUN_VALUES_MAX_KEYS, RUN_VALUES_MAX_LIMIT, RunValuesQuery,
  type Field, type FilterNode, type RunValue,
} from "@orrery/protocol";
import type { NamedField, ProjectRef, Store } from "@orrery/store";
import { computeImportance, sampleIndices, varies } from "../insights/importance.js";
import { errorResponses, projectNotFound, parsed } from "./common.js";

/** Seeds the run sample, so the same runs give the same answer. */
const SAMPLE_SEED = 0x1337;
/** Config keys looked at when params is not given: listed first (most runs), then checked for variation. */
const DISCOVERY_KEYS = 2_000;
const DISCOVERY_CANDIDATES = 2 * IMPORTANCE_MAX_PARAMS;
const NUMERIC_RUN_FIELDS = new Set(["runtime", "lastStep", "exitCode", "createdAt"]);

function filterOf(q: { filter?: string; search?: string }): { filter: FilterNode | null; search: string | undefined } {
  return {
    filter: q.filter === undefined || q.filter.trim() === "" ? null : parsed(() => parseFilter(q.filter!)),
    search: q.search === undefined || q.search.trim() === "" ? undefined : q.search,
  };
}

function valueKeys(src: string): NamedField[] {
  const fields = parsed(() => parseFieldList(src, "keys"));
  if (fields.length > RUN_VALUES_MAX_KEYS) {
    throw new OrreryError("invalid_request", `keys names ${fields.length} fields; the limit is ${RUN_VALUES_MAX_KEYS}: ask in several requests`, "keys");
  }
  for (const f of fields) {
    if (f.field.kind === "attribute" && !(RUN_VALUE_FIELDS as readonly string[]).includes(f.field.name)) {
      throw new OrreryError(
        "invalid_request",
        `keys: ${f.field.name} is not a run field plots take: use config.<key>, summary.<key>, or ${RUN_VALUE_FIELDS.join(", ")}`,
        "keys",
      );
    }
  }
  return fields;
}

function metricField(src: string): NamedField {
  const field = parsed(() => parseField(src.trim(), "metric"));
  if (field.kind === "attribute" && !NUMERIC_RUN_FIELDS.has(field.name)) {
    throw new OrreryError("invalid_request", `metric: ${field.name} is not a number: use summary.<key> (or config.<key>, runtime, lastStep, exitCode)`, "metric");
  }
  return { text: src.trim(), field };
}

function paramFields(src: string, metric: NamedField): NamedField[] {
  const fields = parsed(() => parseFieldList(src, "params"));
  const unique = fields.filter((f, i) => fields.findIndex((g) => g.text === f.text) === i);
  if (unique.length > IMPORTANCE_MAX_PARAMS) {
    throw new OrreryError("invalid_request", `params names ${unique.length} keys; the limit is ${IMPORTANCE_MAX_PARAMS}: weigh fewer at a time`, "params");
  }
  for (const f of unique) {
    if (f.field.kind !== "key") throw new OrreryError("invalid_request", `params: ${f.text} is a run field: weigh config.<key> (or summary.<key>) fields`, "params");
    if (f.text === metric.text) throw new OrreryError("invalid_request", `params: ${f.text} is the metric itself: leave it out`, "params");
  }
  return unique;
}

/** The project's config keys that hold numbers, text or booleans in the most runs, up to `max`. */
async function candidateKeys(store: Store, p: ProjectRef, max: number): Promise<{ fields: NamedField[]; listed: number; more: boolean }> {
  const keys: { field: string; runs: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.meta.listRunKeys(p, { scope: "config", limit: 1_000, cursor });
    for (const k of page.keys) {
      const plottable = (k.types.number ?? 0) + (k.types.string ?? 0) + (k.types.boolean ?? 0);
      if (plottable > 0) keys.push({ field: k.field, runs: plottable });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && keys.length < DISCOVERY_KEYS);
  keys.sort((a, b) => b.runs - a.runs);
  const fields: NamedField[] = [];
  for (const k of keys.slice(0, max)) fields.push({ text: k.field, field: parseField(k.field, "params") as Field });
  return { fields, listed: keys.length, more: cursor !== undefined };
}

export const insightRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.store;
  const { meta } = store;

  app.get("/api/v1/projects/:entity/:project/runs/values", {
    schema: {
      summary: "Columns of config, summary and run-field values over every matching run, for plots",
      description:
        `One array per key, in the order of ids (newest first), for up to ${RUN_VALUES_MAX_LIMIT.toLocaleString("en")} runs ` +
        `(default ${RUN_VALUES_DEFAULT_LIMIT.toLocaleString("en")}). Cells are finite numbers, text, booleans or null ` +
        "(missing, null, NaN, infinities, arrays and objects). Takes the runs listing's filter and search.",
      params: ProjectParams, querystring: RunValuesQuery,
      response: { 200: Type.Ref("RunValues"), ...errorResponses },
    },
  }, async (req, reply) => {
    const q = req.query;
    const keys = valueKeys(q.keys);
    const { filter, search } = filterOf(q);
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    const values = await meta.runValues(req.params, { keys, filter, search, limit: q.limit ?? RUN_VALUES_DEFAULT_LIMIT });
    // Serialized natively: 100,000 runs x 6 keys is 8 MB, which the schema serializer would walk cell by cell.
    return reply.type("application/json; charset=utf-8").send(JSON.stringify(values));
  });

  app.get("/api/v1/projects/:entity/:project/runs/importance", {
    schema: {
      summary: "How much each config key matters to a metric: a random-forest surrogate's permutation importance, and correlation",
      description:
        `Fitted server-side on the matching runs with a finite metric (a seeded sample of ${IMPORTANCE_MAX_SAMPLE.toLocaleString("en")} ` +
        "when there are more), so the same runs give the same answer. runsTotal, runsUsed and message say what the numbers rest on; " +
        "with fewer than 10 runs enough is false and importance null (correlations from 3 runs). Takes the runs listing's filter and search.",
      params: ProjectParams, querystring: ImportanceQuery,
      response: { 200: Type.Ref("Importance"), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    const metric = metricField(q.metric);
    const given = q.params === undefined || q.params.trim() === "" ? undefined : paramFields(q.params, metric);
    const { filter, search } = filterOf(q);
    const p = req.params;
    if (!(await meta.getProject(p))) throw projectNotFound(p);

    const target = await meta.runValues(p, { keys: [metric], filter, search, limit: RUN_VALUES_MAX_LIMIT });
    const column = target.columns[metric.text]!;
    const finite: number[] = [];
    column.forEach((v, i) => { if (typeof v === "number") finite.push(i); });
    const notes: string[] = [];
    if (target.truncated) {
      notes.push(`Only the newest ${RUN_VALUES_MAX_LIMIT.toLocaleString("en")} of the ${target.total.toLocaleString("en")} matching runs were read.`);
    }
    const chosen = sampleIndices(finite.length, IMPORTANCE_MAX_SAMPLE, SAMPLE_SEED).map((k) => finite[k]!);
    if (finite.length > IMPORTANCE_MAX_SAMPLE) {
      notes.push(
        `Fitted on a random sample of ${IMPORTANCE_MAX_SAMPLE.toLocaleString("en")} of the ${finite.length.toLocaleString("en")} runs ` +
        `with a finite ${metric.text} (the cap); correlations use the same sample.`,
      );
    }
    const found = given === undefined
      ? await candidateKeys(store, p, DISCOVERY_CANDIDATES)
      : { fields: given, listed: given.length, more: false };
    const fields = found.fields.filter((f) => f.text !== metric.text);
    const runIds = chosen.map((i) => target.ids[i]!);
    const y = chosen.map((i) => column[i] as number);
    let params: { key: string; values: RunValue[] }[] = [];
    if (fields.length > 0 && runIds.length > 0) {
      const values = await meta.runValues(p, { keys: fields, runs: runIds, limit: runIds.length });
      // Back in the sample's order (the store answers newest first, as the sample already is).
      const at = new Map(values.ids.map((id, i) => [id, i]));
      params = fields.map((f) => {
        const col = values.columns[f.text]!;
        return { key: f.text, values: runIds.map((id) => { const i = at.get(id); return i === undefined ? null : col[i]!; }) };
      });
    } else {
      params = fields.map((f) => ({ key: f.text, values: runIds.map(() => null) }));
    }
    if (given === undefined) {
      const varying = params.filter((x) => varies(x.values));
      if (varying.length > IMPORTANCE_MAX_PARAMS || found.more || found.listed > DISCOVERY_CANDIDATES) {
        notes.push(`Weighed the ${Math.min(varying.length, IMPORTANCE_MAX_PARAMS)} varying config keys held by the most runs; name others with params=.`);
      }
      params = varying.slice(0, IMPORTANCE_MAX_PARAMS);
    }
    return computeImportance({ metric: metric.text, runsTotal: target.total, runsUsed: finite.length, y, params, notes });
  });
};
