// Images in the TypeScript SDK: Image encodes raw pixels as a PNG that zlib can read back, passes
// PNG/JPEG bytes through with their header's size, carries boxes, masks and classes in the wire
// form the server checks, refuses what the server would; and log() writes Images (and arrays of
// them) as an image record of the row's step, read back from the spool.
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { imageHeader, imageProblem } from "@orrery/protocol";
import { encodePng, Image, OrreryValueError, type Run } from "../src/index.js";
import { offlineRunPerTest } from "./helpers.js";

/** The IDAT payload of a PNG, inflated: one filter byte then the row's bytes, per row. */
function pngRows(png: Uint8Array): Buffer {
  const b = Buffer.from(png);
  const parts: Buffer[] = [];
  for (let at = 8; at < b.length;) {
    const len = b.readUInt32BE(at);
    if (b.toString("latin1", at + 4, at + 8) === "IDAT") parts.push(b.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return inflateSync(Buffer.concat(parts));
}

const rgb = (w: number, h: number) => ({ width: w, height: h, channels: 3 as const, pixels: new Uint8Array(w * h * 3).map((_, i) => i % 251) });

describe("Image", () => {
  it("encodes pixels as an 8-bit PNG whose header states its size and whose rows inflate back to the pixels", () => {
    const px = rgb(5, 3);
    const png = encodePng(5, 3, 3, px.pixels);
    expect(imageHeader(png)).toEqual({ format: "png", width: 5, height: 3, bitDepth: 8, colorType: 2 });
    const rows = pngRows(png);
    expect(rows).toHaveLength(3 * (1 + 15));
    for (let y = 0; y < 3; y++) {
      expect(rows[y * 16]).toBe(0);
      expect([...rows.subarray(y * 16 + 1, (y + 1) * 16)]).toEqual([...px.pixels.subarray(y * 15, (y + 1) * 15)]);
    }
    expect(imageHeader(encodePng(2, 2, 1, new Uint8Array(4)))!.colorType).toBe(0);
    expect(imageHeader(encodePng(2, 2, 4, new Uint8Array(16)))!.colorType).toBe(6);
  });

  it("passes PNG and JPEG bytes through with the size read from their header", () => {
    const png = encodePng(7, 4, 3, new Uint8Array(84));
    const img = new Image(Buffer.from(png));
    expect([img.format, img.width, img.height]).toEqual(["png", 7, 4]);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
    const j = new Image(jpeg);
    expect([j.format, j.width, j.height]).toEqual(["jpeg", 640, 480]);
    expect(j.toJSON().data).toBe(Buffer.from(jpeg).toString("base64"));
  });

  it("carries caption, classes, boxes and masks in the wire form the server accepts", () => {
    const mask = new Uint8Array(4 * 3).map((_, i) => i % 2);
    const img = new Image(rgb(4, 3), {
      caption: "sample", classes: { 1: "cat" },
      boxes: [{ x: 0, y: 0, w: 2, h: 2, class: 1, score: 0.5, caption: "cat" }],
      masks: [{ name: "truth", pixels: mask, classes: { 0: "bg", 1: "cat" } }],
    });
    const wire = img.toJSON();
    expect(imageProblem(wire)).toBeUndefined();
    expect(wire).toMatchObject({ format: "png", width: 4, height: 3, caption: "sample", classes: { "1": "cat" } });
    expect(wire.boxes).toEqual([{ x: 0, y: 0, w: 2, h: 2, class: 1, score: 0.5, caption: "cat" }]);
    const m = wire.masks![0]!;
    expect([m.name, m.format, m.classes]).toEqual(["truth", "png", { "0": "bg", "1": "cat" }]);
    const mb = Buffer.from(m.data, "base64");
    expect(imageHeader(mb)).toMatchObject({ width: 4, height: 3, bitDepth: 8, colorType: 0 });
    expect([...pngRows(mb)]).toEqual([0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
  });

  it("refuses bytes that are no image, pixels of the wrong length, a mask of the wrong size, and a bad box", () => {
    expect(() => new Image(new Uint8Array([1, 2, 3, 4]))).toThrow(OrreryValueError);
    expect(() => new Image({ width: 2, height: 2, channels: 3, pixels: new Uint8Array(5) })).toThrow(/12 bytes/);
    expect(() => new Image(rgb(4, 3), { masks: [{ name: "m", pixels: new Uint8Array(5) }] })).toThrow(/12 class ids/);
    expect(() => new Image(rgb(4, 3), { masks: [{ name: "m", png: encodePng(2, 2, 1, new Uint8Array(4)) }] })).toThrow(/4 x 3/);
    expect(() => new Image(rgb(4, 3), { boxes: [{ x: 0, y: 0, w: -1, h: 1, class: 0 }] })).toThrow(/boxes\[0\]\.w/);
    expect(() => new Image("cat.png" as unknown as Uint8Array)).toThrow(/PNG\/JPEG bytes/);
  });
});

describe("log() with images", () => {
  let run: Run;
  const offline = offlineRunPerTest((r) => { run = r; });

  const records = () => offline.records("history", "image");

  it("writes scalars as the row and images (single or listed, nested keys flattened) as an image record of the same step", async () => {
    const a = new Image(rgb(2, 2), { caption: "a" });
    const b = new Image(rgb(3, 1));
    run.log({ loss: 1 });
    run.log({ loss: 0.5, val: { sample: a }, grid: [a, b] });
    const recs = await records();
    expect(recs.map((r) => [r.type, r.step])).toEqual([["history", 0], ["history", 1], ["image", 1]]);
    const values = recs[2]!.values as Record<string, unknown>;
    expect(Object.keys(values)).toEqual(["val.sample", "grid"]);
    expect(values["val.sample"]).toEqual(a.toJSON());
    expect(values.grid).toEqual([a.toJSON(), b.toJSON()]);
  });

  it("honours an explicit step, and refuses a mixed list or more than 32 images under one key without writing anything", async () => {
    const a = new Image(rgb(2, 2));
    run.log({ pic: a }, { step: 7 });
    expect(() => run.log({ loss: 1, pic: [a, 3] as unknown as Image[] })).toThrow(/only Image values/);
    expect(() => run.log({ pic: Array.from({ length: 33 }, () => a) })).toThrow(/limit is 32/);
    const recs = await records();
    expect(recs.map((r) => [r.type, r.step])).toEqual([["image", 7]]);
  });
});
