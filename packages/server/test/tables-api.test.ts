// Tables over the HTTP API on a real server and SQLite store: ingest with per-field rejections,
// a 100,000-row table paged, sorted and filtered (with the warm-cache time of a sorted, filtered
// page printed), image cells served by URL, one key compared across runs joined by an id column,
// the confusion matrix, gc keeping table blobs, and a 4xx for every bad parameter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/alice/tabular";
const now = Date.UTC(2026, 0, 1);
const PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const LABELS = ["cat", "dog", "bird"];
const N = 100_000;

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Rejection { seq: number; error: string; message: string; field?: string }
interface IngestReply { accepted: number; duplicates: number; rejected: Rejection[]; lastSeq: number }
type Cell = number | string | boolean | null | { image: string };
interface Page { key: string; step: number; steps: number[]; columns: { name: string; type: string }[]; classes: Record<string, string>; total: number; offset: number; index: number[]; rows: Cell[][] }
interface Compare { columns: { name: string; type: string; run: string | null; key: string }[]; total: number; offset: number; rows: Cell[][]; runs: { runId: string; step: number }[] }
interface ErrorBody { error: string; message: string; field?: string }

const columns = [
  { name: "id", type: "number" }, { name: "label", type: "class" }, { name: "pred", type: "class" },
  { name: "confidence", type: "number" }, { name: "note", type: "string" },
];
/** Deterministic example predictions: row i's label, prediction and confidence. */
function big(i: number): [number, number, number, number, string] {
  const label = i % 3;
  const pred = (i * 7) % 11 < 8 ? label : (label + 1) % 3;
  const confidence = ((i * 7919) % 1000) / 1000;
  return [i, label, pred, confidence, `row ${i}`];
}

function rec(seq: number, type: string, extra: Record<string, unknown> = {}) {
  return { seq, type, ts: now + seq, ...extra };
}

async function ingest(runId: string, records: unknown[]): Promise<IngestReply> {
  const res = await postJson(server.url, `${P}/runs/${runId}/records`, { records });
  expect(res.status).toBe(200);
  return res.body as IngestReply;
}

/** A small table of `ids` in the given order; run b predicts differently on odd ids. */
function small(ids: number[], flip: boolean, image = false) {
  return {
    columns: [{ name: "id", type: "number" }, { name: "pred", type: "class" }, ...(image ? [{ name: "img", type: "image" }] : [])],
    rows: ids.map((id) => [id, flip && id % 2 === 1 ? "dog" : "cat", ...(image ? [id === 0 ? { format: "png", data: PNG_1x1, width: 1, height: 1 } : null] : [])]),
  };
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  const rows = Array.from({ length: N }, (_, i) => big(i));
  const reply = await ingest("big", [
    rec(1, "run", { name: "big" }),
    rec(2, "table", { step: 0, values: { preds: { columns, rows: rows.slice(0, 10), classes: { 0: "cat", 1: "dog", 2: "bird" } } } }),
    rec(3, "table", { step: 5, values: { preds: { columns, rows, classes: { 0: "cat", 1: "dog", 2: "bird" } } } }),
  ]);
  expect(reply).toMatchObject({ accepted: 3, rejected: [] });
  await ingest("a", [rec(1, "run"), rec(2, "table", { step: 0, values: { "eval/preds": small([0, 1, 2, 3], false, true) } })]);
  await ingest("b", [rec(1, "run"), rec(2, "table", { step: 0, values: { "eval/preds": small([3, 2, 1, 0, 4], true) } })]);
}, 120_000);

afterAll(async () => {
  await server?.close();
  dir?.cleanup();
});

const page = (runId: string, key: string, query = "") => api<Page>(server.url, `${P}/runs/${runId}/tables/${encodeURIComponent(key)}${query}`);

describe("tables: ingest", () => {
  it("lists a run's table keys with their steps and the last table's rows and columns", async () => {
    const { status, body } = await api(server.url, `${P}/runs/big/tables/keys`);
    expect(status).toBe(200);
    expect(body).toEqual({ keys: [{ key: "preds", steps: [0, 5], rows: N, columns }] });
  });

  it("refuses a table with a short row, a wrong cell or a mislabelled image, naming the field", async () => {
    const reply = await ingest("bad", [
      rec(1, "run"),
      rec(2, "table", { step: 0, values: { t: { columns, rows: [big(0), [1, 2, 3]] } } }),
      rec(3, "table", { step: 0, values: { t: { columns, rows: [[1, 2, 3, "high", "x"]] } } }),
      rec(4, "table", { step: 0, values: { t: { columns: [{ name: "img", type: "image" }], rows: [[{ format: "png", data: PNG_1x1, width: 2, height: 1 }]] } } }),
      rec(5, "table", { step: 0, values: { t: { columns: [{ name: "img", type: "image" }], rows: [[{ format: "jpeg", data: PNG_1x1, width: 1, height: 1 }]] } } }),
      rec(6, "table", { step: 0, values: { t: { columns: [{ name: "x", type: "number" }], rows: Array.from({ length: N + 1 }, () => [1]) } } }),
      rec(7, "table", { step: 0, values: { t: { columns: [{ name: "x", type: "tensor" }], rows: [] } } }),
    ]);
    expect(reply.accepted).toBe(1);
    expect(reply.rejected.map((r) => r.field)).toEqual([
      "records[1].values.t.rows[1]",
      "records[2].values.t.rows[0][3]",
      "records[3].values.t.rows[0][0].width",
      "records[4].values.t.rows[0][0].data",
      "records[5].values.t.rows",
      "records[6].values.t.columns[0].type",
    ]);
    expect(reply.rejected[1]!.message).toMatch(/must be a number/);
    expect(reply.rejected[4]!.message).toMatch(/has 100,001 rows; the limit is 100,000/);
    expect((await api(server.url, `${P}/runs/bad/tables/keys`)).body).toEqual({ keys: [] });
  });

  it("stores a retried batch once, and a later write of a step replaces the table", async () => {
    const first = [rec(1, "run"), rec(2, "table", { step: 3, values: { t: small([1, 2], false) } })];
    await ingest("rewrite", first);
    expect(await ingest("rewrite", first)).toMatchObject({ accepted: 0, duplicates: 2 });
    await ingest("rewrite", [rec(3, "table", { step: 3, values: { t: small([7, 8, 9], false) } })]);
    const { body } = await page("rewrite", "t");
    expect(body).toMatchObject({ step: 3, steps: [3], total: 3 });
    expect(body.rows.map((r) => r[0])).toEqual([7, 8, 9]);
  });
});

describe("tables: a page of 100,000 rows", () => {
  it("returns the last step's first page by default, cells as logged", async () => {
    const { status, body } = await page("big", "preds");
    expect(status).toBe(200);
    expect(body).toMatchObject({ key: "preds", step: 5, steps: [0, 5], columns, classes: { 0: "cat", 1: "dog", 2: "bird" }, total: N, offset: 0 });
    expect(body.rows).toHaveLength(100);
    expect(body.rows[7]).toEqual(big(7));
    expect(body.index.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("takes the step asked, else the last at or before it", async () => {
    expect((await page("big", "preds", "?step=0")).body).toMatchObject({ step: 0, total: 10 });
    expect((await page("big", "preds", "?step=4")).body).toMatchObject({ step: 0, total: 10 });
    expect((await page("big", "preds", "?step=99")).body).toMatchObject({ step: 5, total: N });
  });

  it("pages to the end with offset and limit", async () => {
    const { body } = await page("big", "preds", `?offset=${N - 3}&limit=1000`);
    expect(body.total).toBe(N);
    expect(body.rows.map((r) => r[0])).toEqual([N - 3, N - 2, N - 1]);
  });

  it("sorts and filters the whole table, and answers a warm sorted, filtered page quickly", async () => {
    const filter = "label != pred and confidence >= 0.5";
    const q = `?sort=confidence:desc&filter=${encodeURIComponent(filter)}&offset=10&limit=50`;
    const expected = Array.from({ length: N }, (_, i) => big(i))
      .filter((r) => r[1] !== r[2] && r[3] >= 0.5)
      .sort((x, y) => y[3] - x[3] || x[0] - y[0]);
    const cold = performance.now();
    const first = await page("big", "preds", q);
    const coldMs = performance.now() - cold;
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(expected.length);
    expect(first.body.rows).toEqual(expected.slice(10, 60));
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const again = await page("big", "preds", q.replace("offset=10", `offset=${10 + i * 50}`));
      times.push(performance.now() - t);
      expect(again.body.rows).toEqual(expected.slice(10 + i * 50, 60 + i * 50));
    }
    const warm = times.sort((a, b) => a - b)[2]!;
    console.log(`tables: sorted+filtered page of a 100,000-row table: first ${coldMs.toFixed(1)} ms, warm median ${warm.toFixed(1)} ms (HTTP round trip)`);
    expect(warm).toBeLessThan(250);
  });

  it("filters class cells by label or id, and text with contains", async () => {
    const byLabel = (await page("big", "preds", `?filter=${encodeURIComponent("label = bird and pred = 2")}&limit=1`)).body;
    const byId = (await page("big", "preds", `?filter=${encodeURIComponent("label = 2 and pred = bird")}&limit=1`)).body;
    const expected = Array.from({ length: N }, (_, i) => big(i)).filter((r) => r[1] === 2 && r[2] === 2).length;
    expect(byLabel.total).toBe(expected);
    expect(byId.total).toBe(expected);
    expect((await page("big", "preds", `?filter=${encodeURIComponent('note contains "ROW 9999"')}`)).body.total).toBe(11);
  });

  it("sorts text and class columns, ties in logged order", async () => {
    const { body } = await page("big", "preds", "?sort=pred:asc&limit=3");
    expect(body.rows.map((r) => r[2])).toEqual([0, 0, 0]);
    expect(body.index).toEqual([...body.index].sort((a, b) => a - b));
  });
});

describe("tables: images", () => {
  it("serves image cells by URL, and only to a run whose table holds them", async () => {
    const { body } = await page("a", "eval/preds");
    const cell = body.rows[0]![2] as { image: string };
    expect(cell.image).toMatch(/^\/api\/v1\/projects\/alice\/tabular\/runs\/a\/table-images\/[0-9a-f]{64}$/);
    expect(body.rows[1]![2]).toBeNull();
    const res = await fetch(server.url + cell.image);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(PNG_1x1, "base64"))).toBe(true);
    const foreign = await api<ErrorBody>(server.url, cell.image.replace("/runs/a/", "/runs/b/"));
    expect(foreign.status).toBe(404);
    expect((await api(server.url, cell.image.replace(/[0-9a-f]{64}$/, "z"))).status).toBe(400);
  });

  it("keeps table bodies and image cells through gc", async () => {
    const { body } = await page("a", "eval/preds");
    const image = (body.rows[0]![2] as { image: string }).image.split("/").pop()!;
    const kept = await server.store.artifacts.referencedDigests([image, "0".repeat(64)]);
    expect([...kept]).toEqual([image]);
    const digests: string[] = [];
    for await (const b of server.store.blobs.list()) digests.push(b.digest);
    const referenced = await server.store.artifacts.referencedDigests(digests);
    // Every blob here belongs to a table (bodies of several runs and steps, the image) but one: the
    // body of run "rewrite"'s first table at step 3, replaced by the later write.
    expect(digests.length - referenced.size).toBe(1);
  });

  it("never serves a table's own body (a blob the run's tables list) as an image", async () => {
    const { body } = await page("a", "eval/preds");
    const image = (body.rows[0]![2] as { image: string }).image.split("/").pop()!;
    const candidates: string[] = [];
    for await (const b of server.store.blobs.list()) if (b.digest !== image) candidates.push(b.digest);
    let refused = 0;
    for (const digest of candidates) {
      if (!(await server.store.tables.hasDigest({ entity: "alice", project: "tabular", runId: "a" }, digest))) continue;
      const res = await api<ErrorBody>(server.url, `${P}/runs/a/table-images/${digest}`);
      expect(res.status).toBe(404);
      expect(res.body.field).toBe("digest");
      refused++;
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe("tables: compare across runs", () => {
  const cmp = (query: string) => api<Compare>(server.url, `${P}/tables/compare?key=${encodeURIComponent("eval/preds")}&${query}`);

  it("joins two runs' tables on an id column, the join column once and the others per run", async () => {
    const { status, body } = await cmp("runs=a,b&join=id");
    expect(status).toBe(200);
    expect(body.columns.map((c) => c.key)).toEqual(["id", "a/pred", "a/img", "b/pred"]);
    expect(body.columns[1]).toEqual({ name: "pred", type: "class", run: "a", key: "a/pred" });
    expect(body.total).toBe(5);
    expect(body.rows.map((r) => [r[0], r[1], r[3]])).toEqual([
      [0, "cat", "cat"], [1, "cat", "dog"], [2, "cat", "cat"], [3, "cat", "dog"], [4, null, "cat"],
    ]);
  });

  it("filters and sorts the joined rows by per-run columns", async () => {
    const { body } = await cmp(`runs=a,b&join=id&filter=${encodeURIComponent("a/pred != b/pred")}&sort=id:desc`);
    expect(body.total).toBe(2);
    expect(body.rows.map((r) => r[0])).toEqual([3, 1]);
  });

  it("joins by row position with _index", async () => {
    const { body } = await cmp("runs=a,b");
    expect(body.columns[0]).toMatchObject({ key: "_index", run: null });
    expect(body.columns.map((c) => c.key)).toEqual(["_index", "a/id", "a/pred", "a/img", "b/id", "b/pred"]);
    expect(body.rows.map((r) => [r[0], r[1], r[4]])).toEqual([[0, 0, 3], [1, 1, 2], [2, 2, 1], [3, 3, 0], [4, null, 4]]);
  });
});

describe("tables: confusion matrix", () => {
  it("counts (actual, predicted) pairs with labels in class-id order", async () => {
    const { status, body } = await api<{ labels: string[]; matrix: number[][]; total: number }>(
      server.url, `${P}/runs/big/tables/preds/confusion?actual=label&predicted=pred`,
    );
    expect(status).toBe(200);
    const matrix = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < N; i++) { const r = big(i); matrix[r[1]]![r[2]]!++; }
    expect(body).toEqual({ labels: LABELS, matrix, total: N });
  });
});

describe("tables: bad input", () => {
  async function bad(path: string, status: number, field: string | undefined, error?: string): Promise<ErrorBody> {
    const res = await api<ErrorBody>(server.url, path);
    expect(res.status, path).toBe(status);
    if (field !== undefined) expect(res.body.field, path).toBe(field);
    if (error !== undefined) expect(res.body.error, path).toBe(error);
    return res.body;
  }
  const T = `${P}/runs/big/tables/preds`;

  it("refuses unknown, malformed and image sort columns", async () => {
    expect((await bad(`${T}?sort=confidnce:desc`, 400, "sort")).message).toMatch(/unknown column "confidnce"/);
    expect((await bad(`${T}?sort=confidence:down`, 400, "sort")).message).toMatch(/:asc or <column>:desc/);
    await bad(`${P}/runs/a/tables/eval%2Fpreds?sort=img`, 400, "sort");
  });

  it("refuses bad filters with field filter, pointing at the column", async () => {
    expect((await bad(`${T}?filter=${encodeURIComponent("confidence >")}`, 400, "filter", "invalid_filter")).message).toMatch(/column 13/);
    expect((await bad(`${T}?filter=${encodeURIComponent("lable = cat")}`, 400, "filter", "invalid_filter")).message).toMatch(/unknown column "lable"/);
    await bad(`${T}?filter=${encodeURIComponent("confidence = high")}`, 400, "filter", "invalid_filter");
  });

  it("refuses offsets and limits out of bounds, and bad steps", async () => {
    await bad(`${T}?offset=-1`, 400, "offset");
    await bad(`${T}?offset=x`, 400, "offset");
    await bad(`${T}?limit=0`, 400, "limit");
    await bad(`${T}?limit=1001`, 400, "limit");
    await bad(`${T}?step=-2`, 400, "step");
    await bad(`${T}?colour=red`, 400, "colour");
  });

  it("answers 404 for an unknown key or run", async () => {
    await bad(`${P}/runs/big/tables/nope`, 404, "key", "not_found");
    await bad(`${P}/runs/ghost/tables/preds`, 404, "runId", "run_not_found");
    await bad(`${P}/runs/ghost/tables/keys`, 404, "runId");
    await bad(`${T}/confusion?actual=label&predicted=pred&step=0`.replace("preds", "nope"), 404, "key");
  });

  it("refuses comparisons of 1 or 5 runs, unknown runs and keys, and a join column a table lacks", async () => {
    const C = `${P}/tables/compare?key=${encodeURIComponent("eval/preds")}`;
    await bad(`${C}&runs=a`, 400, "runs");
    await bad(`${C}&runs=a,b,big,bad,rewrite`, 400, "runs");
    await bad(`${C}&runs=a,ghost`, 404, "runId");
    await bad(`${P}/tables/compare?key=nope&runs=a,b`, 404, "key");
    await bad(`${C}&runs=a,b&join=label`, 400, "join");
    await bad(`${C}&runs=a,b&join=img`, 400, "join");
    await bad(`${C}&runs=a,b&sort=pred`, 400, "sort");
    await bad(`${C}&runs=a,b&limit=5000`, 400, "limit");
    await bad(`${P}/tables/compare?runs=a,b`, 400, "key");
  });

  it("refuses confusion columns that are unknown, missing or images", async () => {
    await bad(`${T}/confusion?actual=truth&predicted=pred`, 400, "actual");
    await bad(`${T}/confusion?actual=label&predicted=guess`, 400, "predicted");
    await bad(`${T}/confusion?actual=label`, 400, "predicted");
    await bad(`${P}/runs/a/tables/eval%2Fpreds/confusion?actual=img&predicted=pred`, 400, "actual");
  });
});
