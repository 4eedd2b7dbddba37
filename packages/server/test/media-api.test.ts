// Images over the HTTP API on a real server and SQLite store: image records with boxes and masks
// stored and read back by key and step, files served with their content type, resends stored
// once, per-record rejections naming the field for bad bytes or shapes, 4xx for bad queries, and
// gc keeping the image blobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePng } from "orrery";
import { FRAMES_CONTENT_TYPE, encodeFrame } from "@orrery/protocol/frames";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";

const P = "/api/v1/projects/alice/vision";
const R = `${P}/runs/m1`;
const now = Date.UTC(2026, 0, 1);

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

interface Rejection { seq: number; error: string; message: string; field?: string }
interface IngestReply { accepted: number; duplicates: number; rejected: Rejection[]; lastSeq: number }
interface MediaImage {
  index: number; format: string; width: number; height: number; caption: string | null; classes: Record<string, string>;
  boxes: { x: number; y: number; w: number; h: number; class: number; score?: number; caption?: string }[];
  masks: { name: string; classes: Record<string, string>; url: string }[]; url: string;
}
interface MediaStep { key: string; steps: number[]; step: number; images: MediaImage[] }

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** A w x h RGB PNG whose pixels are all `shade`. */
function png(w: number, h: number, shade = 0): string {
  return b64(encodePng(w, h, 3, new Uint8Array(w * h * 3).fill(shade)));
}

/** An 8-bit grey w x h PNG of class ids: the left half 0, the right half 1. */
function maskPng(w: number, h: number): string {
  const px = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = Math.floor(w / 2); x < w; x++) px[y * w + x] = 1;
  return b64(encodePng(w, h, 1, px));
}

/** Just a JPEG's header (SOI, APP0, SOF0): enough for the server, which reads sizes, not pixels. */
function jpeg(w: number, h: number): string {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, h >> 8, h & 255, w >> 8, w & 255, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return b64(new Uint8Array([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]));
}

function rec(seq: number, type: string, extra: Record<string, unknown> = {}) {
  return { seq, type, ts: now + seq, ...extra };
}

function image(step: number, extra: Record<string, unknown> = {}) {
  return {
    format: "png", data: png(8, 6, step * 10), width: 8, height: 6, caption: `step ${step}`,
    classes: { "1": "cat", "2": "dog" },
    boxes: [{ x: 1, y: 1, w: 3, h: 2, class: 1, score: 0.9, caption: "cat" }, { x: 4, y: 2, w: 2, h: 3, class: 2, score: 0.2 }],
    masks: [{ name: "ground_truth", format: "png", data: maskPng(8, 6), classes: { "0": "background", "1": "cat" } }],
    ...extra,
  };
}

async function post(runPath: string, records: unknown[]): Promise<IngestReply> {
  const res = await postJson(server.url, `${runPath}/records`, { records });
  expect(res.status).toBe(200);
  return res.body as IngestReply;
}

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  const reply = await post(R, [
    rec(1, "run", { name: "detector" }),
    rec(2, "image", { step: 0, values: { preds: image(0), "samples/jpeg": { format: "jpeg", data: jpeg(640, 480), width: 640, height: 480 } } }),
    rec(3, "image", { step: 5, values: { preds: [image(5), image(5, { caption: "second" })] } }),
    rec(4, "image", { step: 9, values: { preds: image(9) } }),
  ]);
  expect(reply).toEqual({ accepted: 4, duplicates: 0, rejected: [], lastSeq: 4 });
});

afterAll(async () => {
  await server?.close();
  dir?.cleanup();
});

describe("media over HTTP", () => {
  it("lists the run's image keys with their step counts, first and last steps", async () => {
    const { status, body } = await api(server.url, `${R}/media/keys`);
    expect(status).toBe(200);
    expect(body).toEqual({
      keys: [{ key: "preds", count: 3, firstStep: 0, lastStep: 9 }, { key: "samples/jpeg", count: 1, firstStep: 0, lastStep: 0 }],
    });
  });

  it("returns a key's images at a step with sizes, boxes, classes, masks and every step of the key", async () => {
    const { status, body } = await api<MediaStep>(server.url, `${R}/media?key=preds&step=5`);
    expect(status).toBe(200);
    expect(body.key).toBe("preds");
    expect(body.steps).toEqual([0, 5, 9]);
    expect(body.step).toBe(5);
    expect(body.images.map((m) => [m.index, m.caption, m.width, m.height, m.format])).toEqual([[0, "step 5", 8, 6, "png"], [1, "second", 8, 6, "png"]]);
    const first = body.images[0]!;
    expect(first.classes).toEqual({ "1": "cat", "2": "dog" });
    expect(first.boxes).toEqual([{ x: 1, y: 1, w: 3, h: 2, class: 1, score: 0.9, caption: "cat" }, { x: 4, y: 2, w: 2, h: 3, class: 2, score: 0.2 }]);
    expect(first.masks).toHaveLength(1);
    expect(first.masks[0]!.name).toBe("ground_truth");
    expect(first.masks[0]!.classes).toEqual({ "0": "background", "1": "cat" });
    expect(first.url).toMatch(/^\/api\/v1\/projects\/alice\/vision\/runs\/m1\/media\/file\/[0-9a-f]{64}$/);
  });

  it("answers a step without images with the last step before it, before the first with the first, and no step with the last", async () => {
    expect((await api<MediaStep>(server.url, `${R}/media?key=preds&step=7`)).body.step).toBe(5);
    expect((await api<MediaStep>(server.url, `${R}/media?key=preds&step=100`)).body.step).toBe(9);
    expect((await api<MediaStep>(server.url, `${R}/media?key=samples%2Fjpeg&step=3`)).body.step).toBe(0);
    const last = await api<MediaStep>(server.url, `${R}/media?key=preds`);
    expect(last.body.step).toBe(9);
    expect(last.body.images.map((m) => m.caption)).toEqual(["step 9"]);
  });

  it("serves image and mask files with their content type, nosniff, and the bytes that were logged", async () => {
    const { body } = await api<MediaStep>(server.url, `${R}/media?key=preds&step=0`);
    const res = await fetch(`${server.url}${body.images[0]!.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await res.arrayBuffer()).toString("base64")).toBe(png(8, 6, 0));
    const mask = await fetch(`${server.url}${body.images[0]!.masks[0]!.url}`);
    expect(mask.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await mask.arrayBuffer()).toString("base64")).toBe(maskPng(8, 6));
    const j = await api<MediaStep>(server.url, `${R}/media?key=samples%2Fjpeg`);
    const jres = await fetch(`${server.url}${j.body.images[0]!.url}`);
    expect(jres.headers.get("content-type")).toBe("image/jpeg");
    await jres.arrayBuffer();
  });

  it("stores a resent image record once, and a later record for the same key and step replaces its images", async () => {
    const run = `${P}/runs/m2`;
    const first = [rec(1, "image", { step: 3, values: { k: [image(1), image(2)] } })];
    expect(await post(run, first)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await post(run, first)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect((await api<MediaStep>(server.url, `${run}/media?key=k`)).body.images).toHaveLength(2);
    expect(await post(run, [rec(2, "image", { step: 3, values: { k: image(7) } })])).toMatchObject({ accepted: 1 });
    const after = (await api<MediaStep>(server.url, `${run}/media?key=k`)).body;
    expect(after.steps).toEqual([3]);
    expect(after.images.map((m) => m.caption)).toEqual(["step 7"]);
  });

  it("accepts image records sent as spool frames", async () => {
    const run = `${P}/runs/m3`;
    const frame = encodeFrame(Buffer.from(JSON.stringify(rec(1, "image", { step: 2, values: { f: image(2) } }))));
    const res = await fetch(`${server.url}${run}/records`, { method: "POST", headers: { "content-type": FRAMES_CONTENT_TYPE }, body: frame });
    expect(res.status).toBe(200);
    expect(((await res.json()) as IngestReply).accepted).toBe(1);
    expect((await api<MediaStep>(server.url, `${run}/media?key=f`)).body.step).toBe(2);
  });
});

describe("bad images are rejected per record, naming the field", () => {
  const run = `${P}/runs/bad`;
  let seq = 0;
  async function rejectionOf(values: unknown, step: unknown = 1): Promise<Rejection | undefined> {
    seq++;
    const reply = await post(run, [rec(seq, "image", { step, values })]);
    expect(reply.lastSeq).toBe(seq);
    return reply.rejected[0];
  }

  it("refuses data that is not base64", async () => {
    const r = await rejectionOf({ x: { format: "png", data: "not base64!", width: 8, height: 6 } });
    expect(r).toMatchObject({ field: "records[0].values.x.data" });
    expect(r!.message).toMatch(/base64/);
  });

  it("refuses a width or height other than the PNG header's", async () => {
    const r = await rejectionOf({ x: { format: "png", data: png(8, 6), width: 8, height: 7 } });
    expect(r).toMatchObject({ field: "records[0].values.x.height" });
    expect(r!.message).toMatch(/header says 6/);
  });

  it("refuses bytes that are neither PNG nor JPEG, and a format that is not the bytes'", async () => {
    expect(await rejectionOf({ x: { format: "png", data: b64(Buffer.from("GIF89a-not-an-image")), width: 8, height: 6 } }))
      .toMatchObject({ field: "records[0].values.x.data" });
    expect(await rejectionOf({ x: { format: "jpeg", data: png(8, 6), width: 8, height: 6 } })).toMatchObject({ field: "records[0].values.x.format" });
  });

  it("refuses an unknown format", async () => {
    const r = await rejectionOf({ x: { format: "gif", data: png(8, 6), width: 8, height: 6 } });
    expect(r).toMatchObject({ error: "invalid_record", field: "records[0].values.x.format" });
  });

  it("refuses too many boxes, a box without a class, and too many images under a key", async () => {
    const boxes = Array.from({ length: 1025 }, () => ({ x: 0, y: 0, w: 1, h: 1, class: 0 }));
    const r = await rejectionOf({ x: { format: "png", data: png(8, 6), width: 8, height: 6, boxes } });
    expect(r).toMatchObject({ field: "records[0].values.x.boxes" });
    expect(r!.message).toMatch(/limit is 1024/);
    expect(await rejectionOf({ x: { format: "png", data: png(8, 6), width: 8, height: 6, boxes: [{ x: 0, y: 0, w: 1, h: 1 }] } }))
      .toMatchObject({ field: "records[0].values.x.boxes[0].class" });
    const many = Array.from({ length: 33 }, () => ({ format: "png", data: png(2, 2), width: 2, height: 2 }));
    expect(await rejectionOf({ x: many })).toMatchObject({ field: "records[0].values.x" });
  });

  it("refuses a mask that is not an 8-bit grey PNG of the image's size, naming the mask", async () => {
    const rgb = { name: "m", format: "png", data: png(8, 6) };
    expect(await rejectionOf({ x: [image(1), image(1, { masks: [rgb] })] })).toMatchObject({ field: "records[0].values.x[1].masks[0].data" });
    const small = { name: "m", format: "png", data: maskPng(4, 3) };
    const r = await rejectionOf({ x: image(1, { masks: [small] }) });
    expect(r).toMatchObject({ field: "records[0].values.x.masks[0].data" });
    expect(r!.message).toMatch(/8 x 6/);
  });

  it("stores nothing of a refused record, and the next record is stored", async () => {
    expect((await api(server.url, `${run}/media/keys`)).body).toEqual({ keys: [] });
    expect(await rejectionOf({ ok: image(1) })).toBeUndefined();
    expect((await api<{ keys: { key: string }[] }>(server.url, `${run}/media/keys`)).body.keys.map((k) => k.key)).toEqual(["ok"]);
  });
});

describe("bad media queries get 4xx", () => {
  it("refuses a step that is not a non-negative integer", async () => {
    for (const step of ["abc", "-1", "1.5"]) {
      const { status, body } = await api<{ error: string; field?: string }>(server.url, `${R}/media?key=preds&step=${step}`);
      expect(status).toBe(400);
      expect(body.field).toBe("step");
    }
  });

  it("requires a key, and answers 404 for a key without images and for an unknown run", async () => {
    expect((await api(server.url, `${R}/media`)).status).toBe(400);
    const missing = await api<{ error: string; field?: string }>(server.url, `${R}/media?key=nope`);
    expect(missing).toMatchObject({ status: 404, body: { error: "not_found", field: "key" } });
    expect((await api(server.url, `${P}/runs/ghost/media/keys`)).status).toBe(404);
  });

  it("answers 404 for a digest the run did not log, even one another run logged, and 400 for a malformed digest", async () => {
    const unknown = await api<{ error: string; field?: string }>(server.url, `${R}/media/file/${"0".repeat(64)}`);
    expect(unknown).toMatchObject({ status: 404, body: { error: "not_found", field: "digest" } });
    const { body } = await api<MediaStep>(server.url, `${P}/runs/m2/media?key=k`);
    const digest = body.images[0]!.url.split("/").pop()!;
    expect((await api(server.url, `${R}/media/file/${digest}`)).status).toBe(404);
    expect((await api(server.url, `${P}/runs/m2/media/file/${digest}`)).status).toBe(200);
    expect((await api(server.url, `${R}/media/file/xyz`)).status).toBe(400);
  });
});

describe("garbage collection", () => {
  it("keeps the blobs of logged images and masks", async () => {
    const { body } = await api<MediaStep>(server.url, `${R}/media?key=preds&step=0`);
    const gc = await postJson(server.url, "/api/v1/gc", { graceSeconds: 0 });
    expect(gc.status).toBe(200);
    for (const url of [body.images[0]!.url, body.images[0]!.masks[0]!.url]) {
      const res = await fetch(`${server.url}${url}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  });
});
