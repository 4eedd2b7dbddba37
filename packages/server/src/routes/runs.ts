// Owns the run resources: the runs table (filter, search, sort, columns, pages), group-by, the key
// listing, one run, its lazy config tree, editing its name, notes and tags, its heartbeat, and its
// git diff. Filter and field text is parsed here with the protocol's grammar, so a bad expression is
// a 400 invalid_filter that points at its column before the store sees it. Edits and heartbeats are
// told to the live bus. Ingest lives in ingest.ts.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  AGGREGATES, ConfigTreeQuery, FilterSyntaxError, OrreryError, parseField, parseFieldList, parseFilter, parseSort,
  MAX_GROUP_FIELDS, ProjectParams, RunGroupsQuery, RunKeysQuery, RunListQuery, RunParams, RunPatch, splitList,
  type Aggregate, type FilterNode,
} from "@orrery/protocol";
import type { NamedField } from "@orrery/store";
import { errorResponses, projectNotFound, runNotFound, parsed } from "./common.js";

/** Columns in one runs query, fields in one group-by, aggregates in one group-by. */
const MAX_COLUMNS = 200;
const MAX_AGGREGATES = 50;

const GRAMMAR_SUMMARY =
  "Filter grammar (docs/filter-grammar.md): conditions `field op value` joined with `and`, `or`, `not` and parentheses. " +
  "Fields: `config.<path>`, `summary.<path>` (paths may contain / - . and `backtick-quoted` anything; `summary.val/acc`), " +
  "and run fields id, name, state, group, jobType, tags, notes, createdAt, startedAt, endedAt, heartbeatAt, runtime (s), exitCode, lastStep. " +
  "Operators: = != < <= > >= (typed: numbers compare with numbers, text with text), `in (a, b)`, `not in (...)`, " +
  "`contains` (text: case-insensitive substring; tags and arrays: membership), `exists`, `not exists`. " +
  "Values: numbers (1e-3, NaN, Infinity), \"quoted\" or bare text (finished, adam), true, false, null; times as \"2026-01-31\". " +
  "`!=` is `not =`: runs without the key match it. A bad expression gets 400 invalid_filter with a message that quotes it, " +
  "gives the column and says what was expected.";

function combinedFilter(filter: string | undefined, state: string | undefined): FilterNode | null {
  const node = filter === undefined ? null : parsed(() => parseFilter(filter));
  if (state === undefined) return node;
  const stateNode: FilterNode = {
    type: "compare", op: "=", start: 0, end: 0,
    field: { kind: "attribute", name: "state", start: 0, end: 0 },
    value: { kind: "string", value: state, quoted: true, start: 0, end: 0 },
  };
  if (node === null) return stateNode;
  return { type: "and", items: [stateNode, ...(node.type === "and" ? node.items : [node])], start: node.start, end: node.end };
}

function fieldList(src: string, what: string, max: number): NamedField[] {
  const fields = parsed(() => parseFieldList(src, what));
  if (fields.length > max) throw new OrreryError("invalid_filter", `${what} names ${fields.length} fields; the limit is ${max}: ask for fewer`, what);
  return fields;
}

function aggregateList(src: string): (NamedField & { fns: Aggregate[] })[] {
  return parsed(() => {
    const out: (NamedField & { fns: Aggregate[] })[] = [];
    for (const item of splitList(src, "aggregate", true)) {
      const field = parseField(src, "aggregate", item.start, item.end);
      const text = src.slice(item.start, item.end);
      let fns: Aggregate[] = [];
      if (item.suffix !== undefined) {
        const fn = item.suffix.text.toLowerCase() as Aggregate;
        if (!(AGGREGATES as readonly string[]).includes(fn)) {
          throw new FilterSyntaxError(src, item.suffix.start, Math.max(1, item.suffix.text.length), `unknown aggregate "${item.suffix.text}": use ${AGGREGATES.join(", ")}`, "aggregate");
        }
        fns = [fn];
      }
      const same = out.find((a) => a.text === text);
      if (same === undefined) out.push({ text, field, fns });
      else if (same.fns.length > 0) same.fns = fns.length === 0 ? [] : [...new Set([...same.fns, ...fns])];
    }
    if (out.length > MAX_AGGREGATES) throw new OrreryError("invalid_filter", `aggregate names ${out.length} fields; the limit is ${MAX_AGGREGATES}`, "aggregate");
    return out;
  });
}

/** A config path as the tree's prefix parameter: the field grammar without "config.". */
function configPrefix(prefix: string | undefined): string[] {
  if (prefix === undefined || prefix.trim() === "") return [];
  try {
    const field = parseField(`config.${prefix}`, "prefix");
    return field.kind === "key" ? field.path : [];
  } catch (err) {
    if (err instanceof FilterSyntaxError) {
      const at = Math.max(0, err.offset - "config.".length);
      throw new OrreryError("invalid_filter", new FilterSyntaxError(prefix, at, err.length, err.detail.replace(/config\./g, ""), "prefix").message, "prefix");
    }
    throw err;
  }
}

export const runRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { meta, blobs } = app.store;

  app.get("/api/v1/projects/:entity/:project/runs", {
    schema: {
      summary: "Query a project's runs: filter, search, sort, pick columns, page",
      description:
        "Newest first by default. Pages are keyset cursors (nextCursor), stable while runs are added. " +
        "With columns=, each run is a RunRow (its own fields plus the chosen values) instead of a whole Run. " +
        GRAMMAR_SUMMARY,
      params: ProjectParams, querystring: RunListQuery,
      response: { 200: Type.Ref("RunPage"), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    const filter = combinedFilter(q.filter, q.state);
    const sort = q.sort === undefined ? undefined : parsed(() => parseSort(q.sort!));
    const columns = q.columns === undefined ? undefined : fieldList(q.columns, "columns", MAX_COLUMNS);
    const search = q.search?.trim() === "" ? undefined : q.search;
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    return meta.queryRuns(req.params, {
      filter, search, sort, columns, limit: q.limit ?? 100, cursor: q.cursor,
      countAll: q.total ?? (q.filter === undefined && search === undefined),
    });
  });

  app.get("/api/v1/projects/:entity/:project/runs/groups", {
    schema: {
      summary: "Group a project's runs by config, summary or run fields, with counts and aggregates",
      description:
        "Takes the same filter and search as the runs query. Groups come in order of their key; runs without the key " +
        "(or with null) form the last group, keyed null. " + GRAMMAR_SUMMARY,
      params: ProjectParams, querystring: RunGroupsQuery,
      response: { 200: Type.Ref("RunGroupsPage"), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    const by = fieldList(q.by, "by", MAX_GROUP_FIELDS);
    const filter = combinedFilter(q.filter, undefined);
    const aggregates = q.aggregate === undefined ? [] : aggregateList(q.aggregate);
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    return meta.groupRuns(req.params, {
      by, filter, search: q.search?.trim() === "" ? undefined : q.search, aggregates, limit: q.limit ?? 100, cursor: q.cursor,
    });
  });

  app.get("/api/v1/projects/:entity/:project/runs/keys", {
    schema: {
      summary: "Every config and summary key of a project's runs, with its types and how many runs have it",
      description: "For a column chooser: paged (a project may have millions of keys) and searchable by dotted path.",
      params: ProjectParams, querystring: RunKeysQuery,
      response: { 200: Type.Ref("RunKeyPage"), ...errorResponses },
    },
  }, async (req) => {
    if (!(await meta.getProject(req.params))) throw projectNotFound(req.params);
    const q = req.query;
    return meta.listRunKeys(req.params, {
      scope: q.scope, search: q.search?.trim() === "" ? undefined : q.search, limit: q.limit ?? 100, cursor: q.cursor,
    });
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId", {
    schema: {
      summary: "One run with config, summary and metadata",
      description: "A config of more than 10,000 flattened keys comes back truncated (configTruncated); browse it with .../config.",
      params: RunParams, response: { 200: Type.Ref("Run"), ...errorResponses },
    },
  }, async (req) => {
    const run = await meta.getRun(req.params);
    if (!run) throw runNotFound(req.params);
    return run;
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/config", {
    schema: {
      summary: "Browse a run's config one level at a time, or search it",
      description:
        "Without search: the keys directly under prefix, in path order; a leaf comes with its value, an object with " +
        "how many leaves it holds (open it by passing its path as prefix). With search: the leaves under prefix whose " +
        "dotted path or text value contains the search text. Works on configs of millions of keys.",
      params: RunParams, querystring: ConfigTreeQuery,
      response: { 200: Type.Ref("ConfigTreePage"), ...errorResponses },
    },
  }, async (req) => {
    const q = req.query;
    const prefix = configPrefix(q.prefix);
    const page = await meta.configTree(req.params, {
      prefix, search: q.search === "" ? undefined : q.search, limit: q.limit ?? 200, cursor: q.cursor,
    });
    if (!page) throw runNotFound(req.params);
    return page;
  });

  app.patch("/api/v1/projects/:entity/:project/runs/:runId", {
    schema: { summary: "Edit a run's name, notes or tags", params: RunParams, body: RunPatch, response: { 200: Type.Ref("Run"), ...errorResponses } },
  }, async (req) => {
    const run = await meta.patchRun(req.params, req.body);
    if (!run) throw runNotFound(req.params);
    app.live.publishRuns(req.params, [req.params.runId]);
    return run;
  });

  app.post("/api/v1/projects/:entity/:project/runs/:runId/heartbeat", {
    schema: { summary: "Tell the server the run's process is alive", params: RunParams, response: { 204: Type.Null(), ...errorResponses } },
  }, async (req, reply) => {
    if (!(await meta.heartbeat(req.params, Date.now()))) throw runNotFound(req.params);
    app.live.publishRuns(req.params, [req.params.runId]);
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
