// Owns small helpers shared by route plugins: the error responses every route documents, looking
// up a run or answering 404 in one place, and the parameters series queries share (key lists, run
// lists, the bound on points in one reply).
import { Type } from "@sinclair/typebox";
import { FilterSyntaxError, LIMITS, MAX_QUERY_RUNS, OrreryError, RUN_ID_PATTERN } from "@orrery/protocol";
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

/** Points one series reply may hold in all: keys x runs x maxPoints. */
export const MAX_POINTS_PER_REPLY = 2_000_000;

/** A comma-separated key list; undefined when absent or empty. */
export function parseKeys(keys: string | undefined): string[] | undefined {
  if (keys === undefined || keys === "") return undefined;
  const list = [...new Set(keys.split(",").map((k) => k.trim()).filter(Boolean))];
  if (list.length > LIMITS.maxQueryKeys) {
    throw new OrreryError("invalid_request", `keys names ${list.length} metrics; the limit is ${LIMITS.maxQueryKeys}: query fewer keys at a time`, "keys");
  }
  const long = list.find((k) => k.length > LIMITS.maxKeyLength);
  if (long) throw new OrreryError("invalid_request", `key '${long.slice(0, 40)}…' is longer than ${LIMITS.maxKeyLength} characters`, "keys");
  return list;
}

const RUN_ID = new RegExp(RUN_ID_PATTERN);

/** A comma-separated list of 1 to MAX_QUERY_RUNS run ids, each well formed, repeats dropped. */
export function parseRunIds(runs: string): string[] {
  const list = [...new Set(runs.split(",").map((r) => r.trim()).filter(Boolean))];
  if (list.length === 0) throw new OrreryError("invalid_request", "runs names no run: pass runs=<id>,<id>,...", "runs");
  if (list.length > MAX_QUERY_RUNS) {
    throw new OrreryError("invalid_request", `runs names ${list.length} runs; the limit is ${MAX_QUERY_RUNS}: ask in several requests`, "runs");
  }
  const bad = list.find((r) => !RUN_ID.test(r));
  if (bad !== undefined) {
    throw new OrreryError("invalid_request", `'${bad.slice(0, 70)}' is not a run id (1 to 64 of A-Z a-z 0-9 _ -)`, "runs");
  }
  return list;
}

/** Refuses a reply of more than MAX_POINTS_PER_REPLY points (field maxPoints). */
export function checkReplySize(keys: number, runs: number, maxPoints: number): void {
  if (keys * runs * maxPoints <= MAX_POINTS_PER_REPLY) return;
  const what = runs === 1 ? `${keys} keys x maxPoints ${maxPoints}` : `${keys} keys x ${runs} runs x maxPoints ${maxPoints}`;
  throw new OrreryError(
    "invalid_request",
    `${what} is more than ${MAX_POINTS_PER_REPLY.toLocaleString("en")} points in one reply: ask for fewer keys${runs === 1 ? "" : " or runs"} or a smaller maxPoints`,
    "maxPoints",
  );
}

/** Runs a parse, turning a grammar error into the 400 invalid_filter the API documents. */
export function parsed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new OrreryError("invalid_filter", err.message, err.what);
    throw err;
  }
}
