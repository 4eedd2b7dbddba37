// Owns reading a run's histograms back: the keys it logged histograms for, and one key's
// histograms by step, evenly sampled down to maxSteps. Ingest (routes/ingest.ts) writes them;
// re-binning for display is the dashboard's business.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { HistogramQuery, OrreryError, RunParams } from "@orrery/protocol";
import { errorResponses, requireRun } from "./common.js";

export const histogramRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/api/v1/projects/:entity/:project/runs/:runId/histograms/keys", {
    schema: {
      summary: "Keys the run logged histograms for (e.g. per-layer gradients), sorted",
      params: RunParams, response: { 200: Type.Ref("KeyList"), ...errorResponses },
    },
  }, async (req) => {
    await requireRun(app.store, req.params);
    return { keys: await app.store.histograms.listKeys(req.params) };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/histograms", {
    schema: {
      summary: "One key's histograms by step, sampled evenly down to at most maxSteps (first and last kept)",
      description:
        "Each histogram comes back as logged: N + 1 ascending bin edges and N counts. Steps are ascending; count is " +
        "how many histograms the key has in [min, max] before sampling. A key the run never logged gives no histograms.",
      params: RunParams, querystring: HistogramQuery,
      response: { 200: Type.Ref("HistogramSeriesResponse"), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    if (q.min !== undefined && q.max !== undefined && q.min > q.max) {
      throw new OrreryError("invalid_request", `min (${q.min}) is greater than max (${q.max}): swap them`, "min");
    }
    await requireRun(app.store, req.params);
    return app.store.histograms.query(req.params, q.key, { min: q.min, max: q.max }, q.maxSteps ?? 200);
  });
};
