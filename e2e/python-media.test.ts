// Images end to end against a real server: a Python script logs an image with W&B-style boxes and
// a segmentation mask at 3 steps (one of them a real torch tensor) plus a list of images, and the
// media routes give them back with their sizes, pixel boxes, classes and mask labels, the files as
// real PNGs; a TypeScript SDK run's Image comes back the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Image, init } from "orrery";
import { imageHeader } from "@orrery/protocol";
import { ROOT, api, tempDir, testServer, waitFor } from "./helpers.js";
import { runPython } from "./python-helpers.js";
import type { RunningServer } from "@orrery/server";

const SCRIPT = join(ROOT, "e2e/fixtures/python_media.py");
const PROJECT = "/api/v1/projects/tester/media";

interface MediaImage {
  index: number; format: string; width: number; height: number; caption: string | null; classes: Record<string, string>;
  boxes: { x: number; y: number; w: number; h: number; class: number; score?: number; caption?: string }[];
  masks: { name: string; classes: Record<string, string>; url: string }[]; url: string;
}
interface MediaStep { key: string; steps: number[]; step: number; images: MediaImage[] }

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let work: ReturnType<typeof tempDir>;
let runId: string;

beforeAll(async () => {
  data = tempDir();
  work = tempDir();
  server = await testServer(data.path);
  const res = await runPython([SCRIPT], { ORRERY_URL: server.url, ORRERY_DIR: work.path, ORRERY_ENTITY: "tester" }, 120_000);
  const line = res.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (res.code !== 0 || !line) throw new Error(`python_media.py exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  runId = (JSON.parse(line.slice("RESULT ".length)) as { runId: string }).runId;
}, 180_000);

afterAll(async () => {
  await server?.close();
  data?.cleanup();
  work?.cleanup();
});

async function file(url: string): Promise<{ type: string | null; bytes: Buffer }> {
  const res = await fetch(`${server.url}${url}`);
  expect(res.status).toBe(200);
  return { type: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("images logged from Python", () => {
  it("lists both image keys over the 3 steps", async () => {
    const { body } = await api<{ keys: unknown[] }>(server.url, `${PROJECT}/runs/${runId}/media/keys`);
    expect(body.keys).toEqual([
      { key: "val/grid", count: 3, firstStep: 0, lastStep: 2 },
      { key: "val/pred", count: 3, firstStep: 0, lastStep: 2 },
    ]);
  });

  it("returns each step's image with its size, pixel boxes, box classes and mask classes", async () => {
    for (const step of [0, 1, 2]) {
      const { status, body } = await api<MediaStep>(server.url, `${PROJECT}/runs/${runId}/media?key=${encodeURIComponent("val/pred")}&step=${step}`);
      expect(status).toBe(200);
      expect(body.steps).toEqual([0, 1, 2]);
      expect(body.step).toBe(step);
      expect(body.images).toHaveLength(1);
      const img = body.images[0]!;
      expect([img.format, img.width, img.height, img.caption]).toEqual(["png", 32, 24, `step ${step}`]);
      expect(img.classes).toEqual({ "1": "cat", "2": "dog" });
      expect(img.boxes).toHaveLength(2);
      expect(img.boxes[0]).toMatchObject({ x: 8, y: 12, w: 8, h: 12, class: 1, caption: "cat" });
      expect(img.boxes[0]!.score).toBeCloseTo(0.9 - step * 0.1);
      expect(img.boxes[1]).toEqual({ x: 16, y: 4, w: 8, h: 4, class: 2, score: 0.3 });
      expect(img.masks.map((m) => [m.name, m.classes])).toEqual([["ground_truth", { "0": "background", "1": "cat", "2": "dog" }]]);
    }
  });

  it("serves the tensor's image and the mask as PNGs of the logged size (the mask 8-bit grey)", async () => {
    const { body } = await api<MediaStep>(server.url, `${PROJECT}/runs/${runId}/media?key=${encodeURIComponent("val/pred")}&step=1`);
    const img = await file(body.images[0]!.url);
    expect(img.type).toBe("image/png");
    expect(imageHeader(img.bytes)).toMatchObject({ format: "png", width: 32, height: 24, colorType: 2 });
    const mask = await file(body.images[0]!.masks[0]!.url);
    expect(imageHeader(mask.bytes)).toEqual({ format: "png", width: 32, height: 24, bitDepth: 8, colorType: 0 });
  });

  it("keeps a list of images under one key in order", async () => {
    const { body } = await api<MediaStep>(server.url, `${PROJECT}/runs/${runId}/media?key=${encodeURIComponent("val/grid")}`);
    expect(body.step).toBe(2);
    expect(body.images.map((m) => [m.index, m.width, m.height])).toEqual([[0, 6, 4], [1, 6, 4]]);
    expect(body.images[0]!.url).not.toBe(body.images[1]!.url);
  });
});

describe("images logged from the TypeScript SDK", () => {
  it("come back with their boxes and mask", async () => {
    const run = await init({ project: "tester/media", url: server.url, dir: work.path, console: false, systemMetricsIntervalMs: 0 });
    const pixels = new Uint8Array(4 * 3 * 3).fill(200);
    run.log({ sample: new Image({ width: 4, height: 3, channels: 3, pixels }, {
      caption: "ts", classes: { 1: "car" },
      boxes: [{ x: 0, y: 0, w: 2, h: 2, class: 1, score: 0.75 }],
      masks: [{ name: "seg", pixels: new Uint8Array(12).fill(1), classes: { 1: "car" } }],
    }) });
    await run.finish();
    const body = await waitFor(async () => {
      const r = await api<MediaStep>(server.url, `${PROJECT}/runs/${run.id}/media?key=sample`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(body.images[0]).toMatchObject({ width: 4, height: 3, caption: "ts", classes: { "1": "car" }, boxes: [{ x: 0, y: 0, w: 2, h: 2, class: 1, score: 0.75 }] });
    expect(body.images[0]!.masks.map((m) => m.name)).toEqual(["seg"]);
  });
});
