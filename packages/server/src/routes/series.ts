// Owns reading a run's series back: bucketed history and system-metric queries (columns, at most
// maxPoints per key, min/max preserved), raw history rows for export, and console lines.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  ConsoleQuery, HistoryRowsQuery, LIMITS, OrreryError, RunParams, SeriesQuery, encodeMetric,
  type SeriesResponse,
} from "@orrery/protocol";
import type { RunRef, SeriesColumns, Stream } from "@orrery/store";
import { errorResponses, requireRun } from "./common.js";

const MAX_POINTS_PER_REPLY = 2_000_000;

function parseKeys(keys: string | undefined): string[] | undefined {
  if (keys === undefined || keys === "") return undefined;
  const list = keys.split(",").map((k) => k.trim()).filter(Boolean);
  if (list.length > LIMITS.maxQueryKeys) {
    throw new OrreryError("invalid_request", `keys names ${list.length} metrics; the limit is ${LIMITS.maxQueryKeys}: query fewer keys at a time`, "keys");
  }
  const long = list.find((k) => k.length > LIMITS.maxKeyLength);
  if (long) throw new OrreryError("invalid_request", `key '${long.slice(0, 40)}…' is longer than ${LIMITS.maxKeyLength} characters`, "keys");
  return list;
}

function toWire(runId: string, xAxis: string, cols: SeriesColumns[]): SeriesResponse {
  return {
    runId, xAxis,
    series: cols.map((c) => ({ key: c.key, x: c.x, y: c.y.map(encodeMetric), count: c.count, sampled: c.sampled })),
  };
}

export const seriesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { series } = app.store;

  const seriesRoute = (path: string, stream: Stream, xAxis: string, summary: string) =>
    app.get(`/api/v1/projects/:entity/:project/runs/:runId/${path}`, {
      schema: { summary, params: RunParams, querystring: SeriesQuery, response: { 200: Type.Ref("SeriesResponse"), ...errorResponses } },
    }, async (req) => {
      const q = req.query;
      if (q.min !== undefined && q.max !== undefined && q.min > q.max) {
        throw new OrreryError("invalid_request", `min (${q.min}) is greater than max (${q.max}): swap them`, "min");
      }
      let keys = parseKeys(q.keys);
      await requireRun(app.store, req.params);
      const maxPoints = q.maxPoints ?? 1000;
      if (keys === undefined) {
        const all = await series.listKeys(req.params, stream);
        if (all.length > LIMITS.maxQueryKeys) {
          throw new OrreryError("invalid_request", `the run has ${all.length} ${stream} keys; name at most ${LIMITS.maxQueryKeys} with keys=a,b,c (list them at .../${path}/keys)`, "keys");
        }
        keys = all;
      }
      // One reply stays bounded: keys x maxPoints points at most.
      if (keys.length * maxPoints > MAX_POINTS_PER_REPLY) {
        throw new OrreryError("invalid_request", `${keys.length} keys x maxPoints ${maxPoints} is more than ${MAX_POINTS_PER_REPLY.toLocaleString("en")} points in one reply: ask for fewer keys or a smaller maxPoints`, "maxPoints");
      }
      const cols = await series.query(req.params, stream, keys, { min: q.min, max: q.max }, maxPoints);
      return toWire(req.params.runId, xAxis, cols);
    });

  seriesRoute("history", "history", "_step", "A run's metrics by step, bucketed to at most maxPoints per key (min and max of each bucket kept)");
  seriesRoute("system", "system", "_timestamp_ms", "A run's system metrics by time (epoch ms), bucketed like history");

  const keysRoute = (path: string, stream: Stream) =>
    app.get(`/api/v1/projects/:entity/:project/runs/:runId/${path}/keys`, {
      schema: { summary: `Metric keys the run logged (${stream})`, params: RunParams, response: { 200: Type.Ref("KeyList"), ...errorResponses } },
    }, async (req) => {
      await requireRun(app.store, req.params);
      return { keys: await series.listKeys(req.params as RunRef, stream) };
    });
  keysRoute("history", "history");
  keysRoute("system", "system");

  app.get("/api/v1/projects/:entity/:project/runs/:runId/history/rows", {
    schema: {
      summary: "Raw history rows in step order, for export (page with nextMinStep)",
      params: RunParams, querystring: HistoryRowsQuery, response: { 200: Type.Ref("HistoryRows"), ...errorResponses },
    },
  }, async (req) => {
    await requireRun(app.store, req.params);
    const page = await series.historyRows(req.params, req.query.minStep ?? 0, req.query.limit ?? 1000);
    const rows = page.rows.map((r) => {
      const out: Record<string, number | string> = {};
      // defineProperty: a metric named "__proto__" is data, not the object's prototype.
      for (const k of Object.keys(r)) Object.defineProperty(out, k, { value: encodeMetric(r[k]!), enumerable: true, writable: true, configurable: true });
      return out;
    });
    return { rows, nextMinStep: page.nextMinStep };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/console", {
    schema: { summary: "Console output lines after a line number", params: RunParams, querystring: ConsoleQuery, response: { 200: Type.Ref("ConsoleLines"), ...errorResponses } },
  }, async (req) => {
    await requireRun(app.store, req.params);
    return { lines: await series.consoleLines(req.params, req.query.after ?? 0, req.query.limit ?? 1000) };
  });
};
