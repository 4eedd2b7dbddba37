// Owns reading logged tables back: a run's table keys, one page of a table (sorted, filtered,
// paged, images as URLs), the confusion matrix of two label columns, one key compared across 2 to 4
// runs (tables/compare.ts), and the image bytes of image cells. Ingest (routes/ingest.ts and the
// store) writes tables; decoding, caching and paging live in ../tables/.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  ConfusionQuery, LIMITS, MAX_TABLE_COMPARE_RUNS, MIN_TABLE_COMPARE_RUNS, OrreryError, ProjectParams, RunParams,
  TableCompareQuery, TablePageQuery, type TableCompare, type TablePage, imageHeader,
} from "@orrery/protocol";
import type { RunRef, StoredTable, Store } from "@orrery/store";
import { errorResponses, parseRunIds, requireRun, runNotFound } from "./common.js";
import { TableCache } from "../tables/decode.js";
import { JoinCache } from "../tables/compare.js";
import { confusionMatrix } from "../tables/confusion.js";
import { cellOut, page } from "../tables/query.js";
import { serveBlob, type BlobSource } from "../artifacts/serve-blob.js";

/** Enough of a file to find a JPEG's frame header behind its metadata segments. */
const IMAGE_HEAD_BYTES = 256 * 1024;

const KeyParams = Type.Object({
  ...RunParams.properties,
  key: Type.String({ minLength: 1, maxLength: LIMITS.maxKeyLength, description: "the table key (URL-encoded; list them at .../tables/keys)" }),
});
const ImageParams = Type.Object({
  ...RunParams.properties,
  digest: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the image bytes, from an image cell's URL" }),
});

/** Where an image cell's bytes are served. */
export function tableImageUrl(r: RunRef, digest: string): string {
  const e = encodeURIComponent;
  return `/api/v1/projects/${e(r.entity)}/${e(r.project)}/runs/${e(r.runId)}/table-images/${digest}`;
}

async function requireTable(store: Store, r: RunRef, key: string, step: number | undefined): Promise<StoredTable> {
  const t = await store.tables.get(r, key, step);
  if (t !== undefined) return t;
  await requireRun(store, r);
  throw new OrreryError("not_found", `run '${r.runId}' has no table ${JSON.stringify(key)}: list its tables at .../runs/${r.runId}/tables/keys`, "key");
}

export const tableRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cache = new TableCache(app.store);
  const joins = new JoinCache();

  app.get("/api/v1/projects/:entity/:project/runs/:runId/tables/keys", {
    schema: {
      summary: "The run's table keys, each with its steps and the rows and columns of its last table",
      params: RunParams, response: { 200: Type.Ref("TableKeys"), ...errorResponses },
    },
  }, async (req) => {
    await requireRun(app.store, req.params);
    return { keys: await app.store.tables.listKeys(req.params) };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/tables/:key", {
    schema: {
      summary: "One page of a logged table: filtered, sorted, paged; image cells as {image: url}",
      description:
        "step: the one asked, else the last at or before it, else the first (default the last). sort: <column>:asc|desc " +
        "(missing and NaN last either way; ties in logged order). filter: conditions <column> <op> <value> with " +
        "= != < <= > >= contains joined by and/or (400, field filter, naming the column at fault). total counts the " +
        "rows matching the filter; index gives each returned row's position in the logged table.",
      params: KeyParams, querystring: TablePageQuery,
      response: { 200: Type.Ref("TablePage"), ...errorResponses },
    },
  }, async (req): Promise<TablePage> => {
    const { key, ...ref } = req.params;
    const q = req.query;
    const stored = await requireTable(app.store, ref, key, q.step);
    const table = await cache.get(stored.digest);
    const offset = q.offset ?? 0;
    const { total, index } = page(table, { sort: q.sort, filter: q.filter, offset, limit: q.limit ?? 100 });
    const url = (d: string): string => tableImageUrl(ref, d);
    return {
      key, step: stored.step, steps: stored.steps, columns: table.columns, classes: table.classes, total, offset, index,
      rows: index.map((r) => table.cols.map((c) => cellOut(c.values[r]!, url))),
    };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/tables/:key/confusion", {
    schema: {
      summary: "Confusion matrix of two label columns of a table (rows actual, columns predicted)",
      params: KeyParams, querystring: ConfusionQuery,
      response: { 200: Type.Ref("ConfusionMatrix"), ...errorResponses },
    },
  }, async (req) => {
    const { key, ...ref } = req.params;
    const stored = await requireTable(app.store, ref, key, req.query.step);
    return confusionMatrix(await cache.get(stored.digest), req.query.actual, req.query.predicted);
  });

  app.get("/api/v1/projects/:entity/:project/tables/compare", {
    schema: {
      summary: `One table key compared across ${MIN_TABLE_COMPARE_RUNS} to ${MAX_TABLE_COMPARE_RUNS} runs, joined row by row`,
      description:
        "Rows are joined on the join column (repeated values pair up by occurrence) or, with join=_index, by position. " +
        "The join column comes once; every other column once per run, and sort and filter name those <runId>/<column> " +
        "(see each column's key). Each run's table is taken at step as a page's is.",
      params: ProjectParams, querystring: TableCompareQuery,
      response: { 200: Type.Ref("TableCompare"), ...errorResponses },
    },
  }, async (req): Promise<TableCompare> => {
    const q = req.query;
    const runIds = parseRunIds(q.runs);
    if (runIds.length < MIN_TABLE_COMPARE_RUNS || runIds.length > MAX_TABLE_COMPARE_RUNS) {
      throw new OrreryError("invalid_request", `runs names ${runIds.length} run${runIds.length === 1 ? "" : "s"}; compare ${MIN_TABLE_COMPARE_RUNS} to ${MAX_TABLE_COMPARE_RUNS} runs at a time`, "runs");
    }
    const refs = runIds.map((runId) => ({ ...req.params, runId }));
    const stored: StoredTable[] = [];
    for (const r of refs) {
      if (!(await app.store.meta.hasRun(r))) throw runNotFound(r);
      stored.push(await requireTable(app.store, r, q.key, q.step));
    }
    const tables = await Promise.all(stored.map((s) => cache.get(s.digest)));
    const join = q.join ?? "_index";
    const joined = joins.get(runIds, tables, join);
    const offset = q.offset ?? 0;
    const { total, index } = page(joined.frame, { sort: q.sort, filter: q.filter, offset, limit: q.limit ?? 100 });
    const urls = joined.columns.map((c) => (d: string): string => tableImageUrl({ ...req.params, runId: c.run ?? runIds[0]! }, d));
    return {
      key: q.key, join,
      runs: stored.map((s, k) => ({ runId: runIds[k]!, step: s.step, rows: s.rows, classes: tables[k]!.classes })),
      columns: joined.columns, total, offset,
      rows: index.map((r) => joined.frame.cols.map((c, i) => cellOut(c.values[r]!, urls[i]!))),
    };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/table-images/:digest", {
    schema: {
      summary: "The bytes of an image cell of one of the run's tables (image/png or image/jpeg)",
      params: ImageParams, response: errorResponses,
    },
  }, async (req, reply) => {
    const { digest, ...ref } = req.params;
    if (!(await app.store.tables.hasDigest(ref, digest))) {
      await requireRun(app.store, ref);
      throw new OrreryError("not_found", `run '${ref.runId}' has no table image ${digest}: take image URLs from a table page`, "digest");
    }
    // The run's tables list their bodies too: only bytes that are an image are served, as that image.
    const head = await app.store.blobs.get(digest, { start: 0, end: IMAGE_HEAD_BYTES - 1 });
    const parts: Buffer[] = [];
    if (head !== undefined) for await (const chunk of head) parts.push(chunk as Buffer);
    const header = head === undefined ? undefined : imageHeader(Buffer.concat(parts));
    if (head !== undefined && header === undefined) {
      throw new OrreryError("not_found", `${digest} is not an image cell of run '${ref.runId}': take image URLs from a table page`, "digest");
    }
    const source: BlobSource = {
      blobs: app.store.blobs,
      corrupt: (d) => app.artifacts.corrupt(d),
      missing: async (d) => new OrreryError(
        "blob_corrupt",
        `the image ${d} of run '${ref.runId}' is missing from the server's storage (it was corrupt, or removed by hand): log the table again`,
      ),
    };
    return serveBlob(req, reply, source, digest, {
      contentType: header?.format === "png" ? "image/png" : "image/jpeg",
      cacheControl: "private, max-age=31536000, immutable",
    });
  });
};
