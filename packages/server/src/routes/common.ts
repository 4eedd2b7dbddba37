// Owns small helpers shared by route plugins: the error responses every route documents and
// looking up a run or answering 404 in one place.
import { Type } from "@sinclair/typebox";
import { OrreryError } from "@orrery/protocol";
import type { ProjectRef, Store, RunRef } from "@orrery/store";

export const errorResponses = {
  400: Type.Ref("ErrorBody"),
  401: Type.Ref("ErrorBody"),
  404: Type.Ref("ErrorBody"),
};

export async function requireRun(store: Store, ref: RunRef): Promise<void> {
  if (!(await store.meta.hasRun(ref))) throw runNotFound(ref);
}

export function runNotFound(ref: RunRef): OrreryError {
  return new OrreryError(
    "run_not_found",
    `run '${ref.runId}' does not exist in project ${ref.entity}/${ref.project}: check the id with 'orrery runs --project ${ref.entity}/${ref.project}'`,
    "runId",
  );
}

export function projectNotFound(ref: ProjectRef): OrreryError {
  return new OrreryError(
    "project_not_found",
    `project ${ref.entity}/${ref.project} does not exist: list projects with GET /api/v1/projects, or log a run to create it`,
    "project",
  );
}
