// Owns the project resources: the list with run counts and one project by name.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ProjectParams } from "@orrery/protocol";
import { errorResponses, projectNotFound } from "./common.js";

export const projectRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get("/api/v1/projects", {
    schema: { summary: "List projects with run counts and last activity", response: { 200: Type.Ref("ProjectList"), 401: errorResponses[401] } },
  }, async () => ({ projects: await app.store.meta.listProjects() }));

  app.get("/api/v1/projects/:entity/:project", {
    schema: { summary: "One project", params: ProjectParams, response: { 200: Type.Ref("Project"), ...errorResponses } },
  }, async (req) => {
    const p = await app.store.meta.getProject(req.params);
    if (!p) throw projectNotFound(req.params);
    return p;
  });
};
