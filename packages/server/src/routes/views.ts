// Owns the saved-view routes: list, create, read, update and delete a project's views. Bodies are
// checked by the wire schemas (packages/protocol/src/wire/views.ts); what a view's state means is
// the dashboard's, so the server only checks that it is a query string and drops any view= in it.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  OrreryError, ProjectParams, ViewCreate, ViewParams, ViewPatch, normalizeViewState, viewStateProblem, type View,
} from "@orrery/protocol";
import type { ProjectRef, ViewRecord, ViewRef } from "@orrery/store";
import { errorResponses, projectNotFound } from "./common.js";

const iso = (ms: number) => new Date(ms).toISOString();
const toWire = (v: ViewRecord): View => ({ ...v, createdAt: iso(v.createdAt), updatedAt: iso(v.updatedAt) });

function viewNotFound(ref: ViewRef): OrreryError {
  return new OrreryError(
    "not_found",
    `view '${ref.viewId}' does not exist in project ${ref.entity}/${ref.project}: list the project's views with GET /api/v1/projects/${ref.entity}/${ref.project}/views`,
    "viewId",
  );
}

/** The name trimmed; a blank one is refused (the schema alone lets "   " through). */
function checkName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === "") throw new OrreryError("invalid_request", "name is blank: give the view a name people will recognise in the list", "name");
  return trimmed;
}

function checkState(state: string | undefined): string | undefined {
  if (state === undefined) return undefined;
  const problem = viewStateProblem(state);
  if (problem !== null) throw new OrreryError("invalid_request", problem, "state");
  return normalizeViewState(state);
}

export const viewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const views = app.store.views;
  const base = "/api/v1/projects/:entity/:project/views";
  const requireProject = async (p: ProjectRef) => {
    if (!(await app.store.meta.getProject(p))) throw projectNotFound(p);
  };

  app.get(base, {
    schema: {
      summary: "A project's saved views, most recently updated first",
      params: ProjectParams,
      response: { 200: Type.Ref("ViewList"), ...errorResponses },
    },
  }, async (req) => {
    await requireProject(req.params);
    return { views: (await views.listViews(req.params)).map(toWire) };
  });

  app.post(base, {
    schema: {
      summary: "Save a workspace view: a name, a markdown note and the workspace URL's query string",
      description:
        "state is what follows ? in the workspace URL (filters, grouping, columns, selected runs, panels); a view= " +
        "parameter in it is dropped. Open the view at /p/<entity>/<project>?view=<id>.",
      params: ProjectParams, body: ViewCreate,
      response: { 201: Type.Ref("View"), ...errorResponses },
    },
  }, async (req, reply) => {
    const input = { name: checkName(req.body.name)!, note: req.body.note ?? "", state: checkState(req.body.state) ?? "" };
    const view = await views.createView(req.params, input, Date.now());
    if (view === undefined) throw projectNotFound(req.params);
    return reply.status(201).send(toWire(view));
  });

  app.get(`${base}/:viewId`, {
    schema: {
      summary: "One saved view",
      params: ViewParams,
      response: { 200: Type.Ref("View"), ...errorResponses },
    },
  }, async (req) => {
    await requireProject(req.params);
    const view = await views.getView(req.params);
    if (view === undefined) throw viewNotFound(req.params);
    return toWire(view);
  });

  app.patch(`${base}/:viewId`, {
    schema: {
      summary: "Rename a view, edit its note, or overwrite its state with the current workspace",
      params: ViewParams, body: ViewPatch,
      response: { 200: Type.Ref("View"), ...errorResponses },
    },
  }, async (req) => {
    const patch = { name: checkName(req.body.name), note: req.body.note, state: checkState(req.body.state) };
    await requireProject(req.params);
    const view = await views.updateView(req.params, patch, Date.now());
    if (view === undefined) throw viewNotFound(req.params);
    return toWire(view);
  });

  app.delete(`${base}/:viewId`, {
    schema: {
      summary: "Delete a saved view (links to it then open the plain workspace)",
      params: ViewParams,
      response: { 204: Type.Null(), ...errorResponses },
    },
  }, async (req, reply) => {
    await requireProject(req.params);
    if (!(await views.deleteView(req.params))) throw viewNotFound(req.params);
    return reply.status(204).send(null);
  });
};
