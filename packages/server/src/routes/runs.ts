// Owns the run resources: listing a project's runs, reading one run, editing its name, notes and
// tags, its heartbeat, and its git diff. Ingest of run data lives in ingest.ts.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ProjectParams, RunListQuery, RunParams, RunPatch } from "@orrery/protocol";
import { errorResponses, projectNotFound, runNotFound } from "./common.js";

export const runRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { meta, blobs } = app.store;

  app.get("/api/v1/projects/:entity/:project/runs", {
    schema: {
      summary: "List a project's runs, newest first",
      params: ProjectParams, querystring: RunListQuery,
      response: { 200: Type.Ref("RunPage"), ...errorResponses },
    },
  }, async (req) => {
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    return meta.listRuns(req.params, { limit: req.query.limit ?? 100, cursor: req.query.cursor, state: req.query.state });
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId", {
    schema: { summary: "One run with config, summary and metadata", params: RunParams, response: { 200: Type.Ref("Run"), ...errorResponses } },
  }, async (req) => {
    const run = await meta.getRun(req.params);
    if (!run) throw runNotFound(req.params);
    return run;
  });

  app.patch("/api/v1/projects/:entity/:project/runs/:runId", {
    schema: { summary: "Edit a run's name, notes or tags", params: RunParams, body: RunPatch, response: { 200: Type.Ref("Run"), ...errorResponses } },
  }, async (req) => {
    const run = await meta.patchRun(req.params, req.body);
    if (!run) throw runNotFound(req.params);
    return run;
  });

  app.post("/api/v1/projects/:entity/:project/runs/:runId/heartbeat", {
    schema: { summary: "Tell the server the run's process is alive", params: RunParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (req, reply) => {
    if (!(await meta.heartbeat(req.params, Date.now()))) throw runNotFound(req.params);
    return reply.status(204).send(null);
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/diff", {
    schema: {
      summary: "The uncommitted git diff captured when the run started (text/plain; empty when the tree was clean)",
      params: RunParams,
      response: { 200: Type.String(), ...errorResponses },
    },
  }, async (req, reply) => {
    const run = await meta.getRun(req.params);
    if (!run) throw runNotFound(req.params);
    const git = (run.metadata.git ?? {}) as { diff?: unknown; diffBlob?: unknown };
    void reply.type("text/plain; charset=utf-8");
    if (typeof git.diff === "string") return git.diff;
    if (typeof git.diffBlob === "string") {
      const stream = await blobs.get(git.diffBlob);
      if (stream) return reply.send(stream);
    }
    return "";
  });
};

