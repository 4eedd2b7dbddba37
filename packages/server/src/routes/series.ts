// Owns reading a run's series back: bucketed history and system-metric queries (columns, at most
// maxPoints per key, min/max preserved), raw history rows for export, and console lines.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  ConsoleQuery, HistoryRowsQuery, LIMITS, OrreryError, RunParams, SeriesQuery, encodeMetric,
  type SeriesResponse,
} from "@orrery/protocol";
import type { RunRef, SeriesColumns, Stream } from "@orrery/store";
import { checkReplySize, errorResponses, parseKeys, requireRun } from "./common.js";

/** Store columns as wire series: NaN and infinities become their strings. */
export function seriesToWire(cols: readonly SeriesColumns[]): SeriesResponse["series"] {
  return cols.map((c) => ({ key: c.key, x: c.x, y: c.y.map(encodeMetric), count: c.count, sampled: c.sampled }));
}

function toWire(runId: string, xAxis: string, cols: SeriesColumns[]): SeriesResponse {
  return { runId, xAxis, series: seriesToWire(cols) };
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
      checkReplySize(keys.length, 1, maxPoints);
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
    const q = req.query;
    if (q.tail !== undefined && q.after !== undefined) {
      throw new OrreryError("invalid_request", "tail and after cannot be combined: use tail for the end of the log, after to read forward", "tail");
    }
    await requireRun(app.store, req.params);
    if (q.tail !== undefined) return { lines: await series.consoleTail(req.params, q.tail) };
    return { lines: await series.consoleLines(req.params, q.after ?? 0, q.limit ?? 1000) };
  });
};
