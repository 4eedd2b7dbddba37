// Owns image values in the SDK: the Image class a script logs (`run.log({ samples: new Image(...) })`),
// built from PNG/JPEG bytes (passed through, size read from the header) or from raw pixels (encoded
// here as PNG with node:zlib), with optional boxes, masks and class labels; and its wire form, the
// protocol's ImageValue, checked with the protocol's imageProblem so the SDK refuses what the
// server would. history.ts routes Image values (and arrays of them) to image records.
import { crc32, deflateSync } from "node:zlib";
import {
  imageHeader, imageProblem, MAX_IMAGE_SIDE, MAX_IMAGES_PER_KEY, type ImageBox, type ImageValue,
} from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";

export type { ImageBox, ImageValue };

/** Raw pixels, row-major, top row first: `channels` bytes per pixel (1 grey, 3 RGB, 4 RGBA). */
export interface ImagePixels {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  pixels: Uint8Array;
}

/** Class labels: class id -> label. */
export type ClassLabels = Readonly<Record<string | number, string>>;

/**
 * A segmentation mask over the image, one class id per pixel: `pixels` (width x height bytes,
 * row-major) or `png` (an 8-bit grayscale PNG of the image's size).
 */
export type ImageMaskInput =
  | { name: string; pixels: ArrayLike<number>; classes?: ClassLabels }
  | { name: string; png: Uint8Array; classes?: ClassLabels };

export interface ImageOptions {
  caption?: string;
  /** Boxes in pixels, top-left origin: {x, y, w, h, class, score?, caption?}. */
  boxes?: readonly ImageBox[];
  masks?: readonly ImageMaskInput[];
  /** Labels of the box classes. */
  classes?: ClassLabels;
}

/**
 * An image to log: `run.log({ "val/sample": new Image(pngBytes, { caption: "epoch 3" }) })`, or an
 * array of up to 32 under one key. Data is PNG or JPEG file bytes (sent as they are), or
 * `{width, height, channels, pixels}` (encoded as PNG). Throws OrreryValueError for anything the
 * server would refuse (bad bytes, boxes out of shape, a mask of the wrong size).
 */
export class Image {
  readonly format: "png" | "jpeg";
  readonly width: number;
  readonly height: number;
  /** The file's bytes (PNG or JPEG). */
  readonly bytes: Uint8Array;
  private readonly wire: ImageValue;

  constructor(data: Uint8Array | ImagePixels, options: ImageOptions = {}) {
    if (data instanceof Uint8Array) {
      const head = imageHeader(data);
      if (head === undefined) throw new OrreryValueError("image", "orrery: Image data must be PNG or JPEG file bytes, or {width, height, channels, pixels}");
      this.bytes = data;
      this.format = head.format;
      this.width = head.width;
      this.height = head.height;
    } else if (data !== null && typeof data === "object" && data.pixels instanceof Uint8Array) {
      this.bytes = encodePng(data.width, data.height, data.channels, data.pixels);
      this.format = "png";
      this.width = data.width;
      this.height = data.height;
    } else {
      throw new OrreryValueError("image", `orrery: Image takes PNG/JPEG bytes (a Buffer or Uint8Array) or {width, height, channels, pixels}, got ${describe(data)}`);
    }
    if (options === null || typeof options !== "object") throw new OrreryValueError("image", `orrery: Image options must be an object, got ${describe(options)}`);
    const wire: ImageValue = { format: this.format, data: base64(this.bytes), width: this.width, height: this.height };
    if (options.caption !== undefined) wire.caption = options.caption;
    if (options.classes !== undefined) wire.classes = labels(options.classes);
    if (options.boxes !== undefined) wire.boxes = options.boxes.map((b) => ({ ...b }));
    if (options.masks !== undefined) {
      wire.masks = options.masks.map((m, i) => {
        const png = "png" in m ? m.png : maskPng(m.pixels, this.width, this.height, i);
        const mask: NonNullable<ImageValue["masks"]>[number] = { name: m.name, format: "png", data: base64(png) };
        if (m.classes !== undefined) mask.classes = labels(m.classes);
        const mh = imageHeader(png);
        if (mh === undefined || mh.format !== "png" || mh.bitDepth !== 8 || mh.colorType !== 0 || mh.width !== this.width || mh.height !== this.height) {
          throw new OrreryValueError("image", `orrery: Image mask ${i} ("${m.name}") must be an 8-bit grayscale PNG of the image's size, ${this.width} x ${this.height}`);
        }
        return mask;
      });
    }
    const problem = imageProblem(wire);
    if (problem !== undefined) throw new OrreryValueError("image", `orrery: Image ${problem.path || "value"} ${problem.message}`);
    this.wire = wire;
  }

  /** The wire form (protocol ImageValue) sent in an image record. */
  toJSON(): ImageValue {
    return this.wire;
  }

  /** Characters this image adds to a record's JSON (its base64 data dominates). */
  get wireSize(): number {
    let n = this.wire.data.length + 256 + (this.wire.boxes?.length ?? 0) * 96;
    for (const m of this.wire.masks ?? []) n += m.data.length + 128;
    return n;
  }
}

/**
 * The images a log() value is: an Image, or a non-empty array of Images (at most 32); undefined for
 * anything else. A mixed array throws, naming the key.
 */
export function asImages(key: string, v: unknown): Image | Image[] | undefined {
  if (v instanceof Image) return v;
  if (!Array.isArray(v) || v.length === 0 || !(v[0] instanceof Image)) return undefined;
  if (v.length > MAX_IMAGES_PER_KEY) {
    throw new OrreryValueError(key, `orrery: log() "${key}" holds ${v.length} images; the limit is ${MAX_IMAGES_PER_KEY} per key and step: log the rest under another key or step`);
  }
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] instanceof Image)) throw new OrreryValueError(key, `orrery: log() "${key}"[${i}] is ${describe(v[i])}; a list of images must hold only Image values`);
  }
  return v as Image[];
}

function labels(classes: ClassLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of Object.keys(classes)) out[id] = classes[id]!;
  return out;
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

function maskPng(pixels: ArrayLike<number>, width: number, height: number, i: number): Uint8Array {
  if (pixels === null || typeof pixels !== "object" || pixels.length !== width * height) {
    throw new OrreryValueError("image", `orrery: Image mask ${i} pixels must hold width x height = ${width * height} class ids, got ${describe(pixels)}`);
  }
  const grey = pixels instanceof Uint8Array ? pixels : Uint8Array.from(pixels, (p) => {
    if (!Number.isInteger(p) || p < 0 || p > 255) throw new OrreryValueError("image", `orrery: Image mask ${i} class ids must be integers from 0 to 255, got ${p}`);
    return p;
  });
  return encodePng(width, height, 1, grey);
}

// ---- PNG encoding ---------------------------------------------------------------------------

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  // CRC-32 of the chunk type and data, as PNG requires (node:zlib's, as the spool frames use).
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * An 8-bit PNG of raw pixels (row-major, top row first; 1 = grey, 3 = RGB, 4 = RGBA channels),
 * every row unfiltered and the whole deflated by zlib.
 */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, pixels: Uint8Array): Uint8Array {
  for (const [name, n] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGE_SIDE) throw new OrreryValueError("image", `orrery: Image ${name} must be an integer from 1 to ${MAX_IMAGE_SIDE}, got ${describe(n)}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new OrreryValueError("image", `orrery: Image channels must be 1, 3 or 4, got ${describe(channels)}`);
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new OrreryValueError("image", `orrery: Image pixels must hold width x height x channels = ${stride * height} bytes, got ${pixels.length}`);
  }
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))]);
}
