// Owns reading many runs' history in one request, for charts that draw up to MAX_QUERY_RUNS runs:
// their series against a chosen x axis (step, wall time, runtime or a logged metric), and the
// union of the metric keys they logged. Runs that do not exist are left out rather than failing
// the request (a dashboard may ask for a run deleted a moment ago); an unknown project is a 404.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  LIMITS, MultiRunQuery, MultiSeriesQuery, OrreryError, ProjectParams, type MultiSeriesResponse,
} from "@orrery/protocol";
import type { ProjectRef, RunRef, SeriesColumns, SeriesStore } from "@orrery/store";
import { reindexByX, stepRangeForX, type XSamples } from "../series/x-axis.js";
import { checkReplySize, errorResponses, parseKeys, parseRunIds, projectNotFound } from "./common.js";
import { seriesToWire } from "./series.js";

interface XQuery { keys: string[]; x: string; min?: number; max?: number; maxPoints: number }

/** The x series of a run by step at a resolution fine enough to interpolate maxPoints points. */
async function xSamples(series: SeriesStore, ref: RunRef, x: string, range: { min?: number; max?: number }, maxPoints: number): Promise<XSamples | undefined> {
  const resolution = Math.min(LIMITS.maxQueryPoints, 8 * maxPoints);
  if (x === "_timestamp" || x === "_runtime") return series.stepColumn(ref, x, range, resolution);
  const [col] = await series.query(ref, "history", [x], range, resolution);
  return col;
}

const empty = (key: string): SeriesColumns => ({ key, x: [], y: [], count: 0, sampled: false });

/** One run's series against q.x (see x-axis.ts for how a point finds its x). */
export async function runSeriesByX(series: SeriesStore, ref: RunRef, q: XQuery): Promise<SeriesColumns[]> {
  if (q.x === "_step") return series.query(ref, "history", q.keys, { min: q.min, max: q.max }, q.maxPoints);
  const zoomed = q.min !== undefined || q.max !== undefined;
  // Without a range, one read of the x series serves both purposes.
  let samples = await xSamples(series, ref, q.x, {}, q.maxPoints);
  let steps: { min?: number; max?: number } | null = {};
  if (samples !== undefined && samples.x.length > 0 && zoomed) {
    steps = stepRangeForX(samples, q.min, q.max);
    if (steps !== null) samples = await xSamples(series, ref, q.x, steps, q.maxPoints);
  }
  if (samples === undefined || samples.x.length === 0 || steps === null) {
    // Nothing to place the points on: the keys the run has come back empty.
    const have = new Set(await series.listKeys(ref, "history"));
    return q.keys.filter((k) => have.has(k)).map(empty);
  }
  const cols = await series.query(ref, "history", q.keys, steps, q.maxPoints);
  return cols.map((c) => reindexByX(c, samples, { min: q.min, max: q.max }));
}

export const projectSeriesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { meta, series } = app.store;

  /** The requested runs that exist, in the order asked. */
  async function existingRuns(p: ProjectRef, ids: readonly string[]): Promise<RunRef[]> {
    const refs = ids.map((runId) => ({ entity: p.entity, project: p.project, runId }));
    const exists = await Promise.all(refs.map((r) => meta.hasRun(r)));
    return refs.filter((_, i) => exists[i]);
  }

  app.get("/api/v1/projects/:entity/:project/history", {
    schema: {
      summary: "Many runs' metrics in one request, against step, wall time, runtime or a logged metric",
      description:
        "For charts of up to 100 runs: each run's series, bucketed to at most maxPoints per key like the per-run " +
        "history (min and max of each bucket kept). Runs that do not exist are left out. With x other than _step, " +
        "a point's x is the x series' value at its step, interpolated between that series' samples; min and max " +
        "are in x units and assume the x series grows with step.",
      params: ProjectParams, querystring: MultiSeriesQuery,
      response: { 200: Type.Ref("MultiSeriesResponse"), ...errorResponses },
    },
  }, async (req): Promise<MultiSeriesResponse> => {
    const q = req.query;
    const ids = parseRunIds(q.runs);
    const keys = parseKeys(q.keys);
    if (keys === undefined) throw new OrreryError("invalid_request", "keys names no metric: pass keys=<key>,<key>,... (list them at .../history/keys?runs=...)", "keys");
    const x = (q.x ?? "_step").trim();
    if (x === "") throw new OrreryError("invalid_request", "x is empty: pass _step, _timestamp, _runtime or a metric key", "x");
    if (q.min !== undefined && q.max !== undefined && q.min > q.max) {
      throw new OrreryError("invalid_request", `min (${q.min}) is greater than max (${q.max}): swap them`, "min");
    }
    const maxPoints = q.maxPoints ?? 1000;
    checkReplySize(keys.length, ids.length, maxPoints);
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    const refs = await existingRuns(req.params, ids);
    const runs = await Promise.all(refs.map(async (ref) => ({
      runId: ref.runId,
      series: seriesToWire(await runSeriesByX(series, ref, { keys, x, min: q.min, max: q.max, maxPoints })),
    })));
    return { xAxis: x, runs };
  });

  app.get("/api/v1/projects/:entity/:project/history/keys", {
    schema: {
      summary: "The metric keys any of the given runs logged (their union, sorted)",
      description: "Keys starting with _ (_timestamp, _runtime and the like) are left out; runs that do not exist are ignored.",
      params: ProjectParams, querystring: MultiRunQuery,
      response: { 200: Type.Ref("KeyList"), ...errorResponses },
    },
  }, async (req) => {
    const ids = parseRunIds(req.query.runs);
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    const refs = await existingRuns(req.params, ids);
    const union = new Set<string>();
    for (const keys of await Promise.all(refs.map((r) => series.listKeys(r, "history")))) {
      for (const k of keys) if (!k.startsWith("_")) union.add(k);
    }
    return { keys: [...union].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
  });
};
