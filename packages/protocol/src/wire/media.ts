// Owns the image value type on the wire: the Image a client logs (inside an `image` record, see
// records.ts), the checks JSON Schema cannot express (imageProblem, shared by server and SDKs so
// both refuse with the same words), reading a PNG or JPEG header for its size, and the replies of
// the media routes (MediaKeys, MediaStep). Pure code on Uint8Array: it runs in Node and browsers.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../limits.js";
import { DIGEST_PATTERN } from "./artifacts.js";
import { RunParams } from "./runs.js";

/** Images one key may hold at one step (`run.log({samples: [img, img, ...]})`). */
export const MAX_IMAGES_PER_KEY = 32;
/** Bounding boxes on one image. */
export const MAX_IMAGE_BOXES = 1024;
/** Segmentation masks on one image. */
export const MAX_IMAGE_MASKS = 16;
/** Longest side of an image or mask, pixels. */
export const MAX_IMAGE_SIDE = 16384;
/** Labels in one class map. */
export const MAX_IMAGE_CLASSES = 1024;

const ClassId = "^(0|[1-9][0-9]{0,8})$";
const ClassLabels = Type.Record(Type.String({ pattern: ClassId }), Type.String({ maxLength: 256 }), {
  maxProperties: MAX_IMAGE_CLASSES,
  description: "class id (a decimal integer) -> label",
});
const Side = Type.Integer({ minimum: 1, maximum: MAX_IMAGE_SIDE });
const Base64 = Type.String({ minLength: 4, maxLength: LIMITS.maxRecordBytes, description: "the file's bytes, standard base64 with padding" });

export const ImageBox = Type.Object(
  {
    x: Type.Number({ description: "left edge, pixels from the image's left" }),
    y: Type.Number({ description: "top edge, pixels from the image's top" }),
    w: Type.Number({ minimum: 0, description: "width, pixels" }),
    h: Type.Number({ minimum: 0, description: "height, pixels" }),
    class: Type.Integer({ minimum: 0, maximum: 999_999_999, description: "class id; its label is in the image's classes" }),
    score: Type.Optional(Type.Number({ description: "a detector's confidence, usually 0..1" })),
    caption: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type ImageBox = Static<typeof ImageBox>;

export const ImageMask = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: "e.g. predictions, ground_truth" }),
    format: Type.Literal("png"),
    data: Base64,
    classes: Type.Optional(ClassLabels),
  },
  { additionalProperties: false, description: "an 8-bit grayscale PNG the image's size; each pixel is a class id" },
);
export type ImageMask = Static<typeof ImageMask>;

export const ImageValue = Type.Object(
  {
    format: Type.Union([Type.Literal("png"), Type.Literal("jpeg")]),
    data: Base64,
    width: Side,
    height: Side,
    caption: Type.Optional(Type.String({ maxLength: 1024 })),
    classes: Type.Optional(ClassLabels),
    boxes: Type.Optional(Type.Array(ImageBox, { maxItems: MAX_IMAGE_BOXES })),
    masks: Type.Optional(Type.Array(ImageMask, { maxItems: MAX_IMAGE_MASKS })),
  },
  {
    additionalProperties: false,
    description: "a PNG or JPEG file; width and height must be those in its header. Boxes are in pixels, top-left origin",
  },
);
export type ImageValue = Static<typeof ImageValue>;

/** What one key of an image record holds: one image, or a list of 1 to MAX_IMAGES_PER_KEY. */
export const ImageEntry = Type.Union([ImageValue, Type.Array(ImageValue, { minItems: 1, maxItems: MAX_IMAGES_PER_KEY })]);
export type ImageEntry = Static<typeof ImageEntry>;

type Problem = { path: string; message: string };

const IMAGE_FIELDS: ReadonlySet<string> = new Set(["format", "data", "width", "height", "caption", "classes", "boxes", "masks"]);
const BOX_FIELDS: ReadonlySet<string> = new Set(["x", "y", "w", "h", "class", "score", "caption"]);
const MASK_FIELDS: ReadonlySet<string> = new Set(["name", "format", "data", "classes"]);
const CLASS_ID = new RegExp(ClassId);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function classesProblem(v: unknown, path: string): Problem | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return { path, message: 'must be an object of class id -> label, like {"1": "cat"}' };
  const ids = Object.keys(v);
  if (ids.length > MAX_IMAGE_CLASSES) return { path, message: `has ${ids.length} classes; the limit is ${MAX_IMAGE_CLASSES}` };
  for (const id of ids) {
    if (!CLASS_ID.test(id)) return { path: `${path}.${id.slice(0, 20)}`, message: "is not a class id: ids are integers >= 0 written in decimal" };
    const label = v[id];
    if (typeof label !== "string" || label.length > 256) return { path: `${path}.${id}`, message: "must be a label of at most 256 characters" };
  }
  return undefined;
}

function base64Problem(v: unknown, path: string): Problem | undefined {
  if (typeof v !== "string" || v.length < 4 || v.length > LIMITS.maxRecordBytes) {
    return { path, message: "must be the file's bytes as a base64 string" };
  }
  if (v.length % 4 !== 0 || !BASE64.test(v)) return { path, message: "is not valid base64 (A-Z a-z 0-9 + /, padded with = to a multiple of 4)" };
  return undefined;
}

function boxProblem(b: unknown, path: string): Problem | undefined {
  if (!isObj(b)) return { path, message: "must be an object {x, y, w, h, class, score?, caption?} in pixels" };
  for (const k of Object.keys(b)) if (!BOX_FIELDS.has(k)) return { path: `${path}.${k}`, message: "is not a box field: send x, y, w, h, class, score, caption" };
  for (const k of ["x", "y", "w", "h"] as const) {
    if (!finite(b[k])) return { path: `${path}.${k}`, message: "must be a finite number of pixels" };
  }
  if ((b.w as number) < 0 || (b.h as number) < 0) return { path: `${path}.${(b.w as number) < 0 ? "w" : "h"}`, message: "must be >= 0" };
  if (typeof b.class !== "number" || !Number.isInteger(b.class) || b.class < 0 || b.class > 999_999_999) {
    return { path: `${path}.class`, message: "must be an integer class id >= 0" };
  }
  if (b.score !== undefined && !finite(b.score)) return { path: `${path}.score`, message: "must be a finite number" };
  if (b.caption !== undefined && (typeof b.caption !== "string" || b.caption.length > 256)) {
    return { path: `${path}.caption`, message: "must be text of at most 256 characters" };
  }
  return undefined;
}

/**
 * What is wrong with one image's JSON, if anything: the part's path below the value ("boxes[3].w")
 * and a message saying how to fix it. It checks shape, limits and base64 syntax; that the bytes are
 * a PNG or JPEG of the stated size needs them decoded (imageHeader), which the server's store does.
 */
export function imageProblem(v: unknown): Problem | undefined {
  if (!isObj(v)) return { path: "", message: "must be an image object {format, data, width, height, ...}" };
  for (const k of Object.keys(v)) if (!IMAGE_FIELDS.has(k)) return { path: k, message: `is not an image field: send ${[...IMAGE_FIELDS].join(", ")}` };
  if (v.format !== "png" && v.format !== "jpeg") return { path: "format", message: 'must be "png" or "jpeg"' };
  const data = base64Problem(v.data, "data");
  if (data !== undefined) return data;
  for (const k of ["width", "height"] as const) {
    const n = v[k];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_IMAGE_SIDE) {
      return { path: k, message: `must be an integer from 1 to ${MAX_IMAGE_SIDE} (pixels)` };
    }
  }
  if (v.caption !== undefined && (typeof v.caption !== "string" || v.caption.length > 1024)) {
    return { path: "caption", message: "must be text of at most 1024 characters" };
  }
  const classes = classesProblem(v.classes, "classes");
  if (classes !== undefined) return classes;
  if (v.boxes !== undefined) {
    if (!Array.isArray(v.boxes)) return { path: "boxes", message: "must be an array of boxes" };
    if (v.boxes.length > MAX_IMAGE_BOXES) {
      return { path: "boxes", message: `has ${v.boxes.length} boxes; the limit is ${MAX_IMAGE_BOXES}: keep the highest-scoring ones` };
    }
    for (let i = 0; i < v.boxes.length; i++) {
      const p = boxProblem(v.boxes[i], `boxes[${i}]`);
      if (p !== undefined) return p;
    }
  }
  if (v.masks !== undefined) {
    if (!Array.isArray(v.masks)) return { path: "masks", message: "must be an array of masks" };
    if (v.masks.length > MAX_IMAGE_MASKS) return { path: "masks", message: `has ${v.masks.length} masks; the limit is ${MAX_IMAGE_MASKS}` };
    const names = new Set<string>();
    for (let i = 0; i < v.masks.length; i++) {
      const m: unknown = v.masks[i];
      const path = `masks[${i}]`;
      if (!isObj(m)) return { path, message: "must be an object {name, format: \"png\", data, classes?}" };
      for (const k of Object.keys(m)) if (!MASK_FIELDS.has(k)) return { path: `${path}.${k}`, message: "is not a mask field: send name, format, data, classes" };
      if (typeof m.name !== "string" || m.name.length < 1 || m.name.length > 128) return { path: `${path}.name`, message: "must be a name of 1 to 128 characters" };
      if (names.has(m.name)) return { path: `${path}.name`, message: `repeats the mask name "${m.name}": give each mask its own name` };
      names.add(m.name);
      if (m.format !== "png") return { path: `${path}.format`, message: 'must be "png" (an 8-bit grayscale PNG of class ids)' };
      const d = base64Problem(m.data, `${path}.data`);
      if (d !== undefined) return d;
      const c = classesProblem(m.classes, `${path}.classes`);
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

/** imageProblem for a key's entry: one image or an array of 1 to MAX_IMAGES_PER_KEY. */
export function imageEntryProblem(v: unknown): Problem | undefined {
  if (!Array.isArray(v)) return imageProblem(v);
  if (v.length < 1 || v.length > MAX_IMAGES_PER_KEY) {
    return { path: "", message: `must hold 1 to ${MAX_IMAGES_PER_KEY} images, not ${v.length}: log more under another key or step` };
  }
  for (let i = 0; i < v.length; i++) {
    const p = imageProblem(v[i]);
    if (p !== undefined) return { path: p.path === "" ? `[${i}]` : `[${i}].${p.path}`, message: p.message };
  }
  return undefined;
}

/** What a file's header says: its format and size, and for PNG the bit depth and colour type. */
export interface ImageHeader {
  format: "png" | "jpeg";
  width: number;
  height: number;
  /** PNG only: bits per sample (8 for the masks). */
  bitDepth?: number;
  /** PNG only: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function u32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
}

/**
 * The format and size a PNG (IHDR) or JPEG (first start-of-frame marker) header states, or
 * undefined when the bytes are neither or the header is cut short.
 */
export function imageHeader(b: Uint8Array): ImageHeader | undefined {
  if (b.length >= 26 && PNG_SIGNATURE.every((x, i) => b[i] === x)) {
    // The first chunk must be IHDR: length 13, type "IHDR", width, height, depth, colour type.
    if (u32(b, 8) !== 13 || b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) return undefined;
    return { format: "png", width: u32(b, 16), height: u32(b, 20), bitDepth: b[24]!, colorType: b[25]! };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let i = 2;
    while (i + 4 <= b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      if (marker === 0xff) { i++; continue; } // fill byte
      // Markers without a length: TEM and RST0-7.
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
      const len = (b[i + 2]! << 8) + b[i + 3]!;
      // SOF0-15, except DHT (C4), JPG (C8) and DAC (CC), carry precision, height, width.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        if (i + 9 > b.length) return undefined;
        return { format: "jpeg", height: (b[i + 5]! << 8) + b[i + 6]!, width: (b[i + 7]! << 8) + b[i + 8]! };
      }
      if (marker === 0xd9 || marker === 0xda) return undefined; // end of image or scan before any frame
      i += 2 + len;
    }
  }
  return undefined;
}

// ---- Media routes -------------------------------------------------------------------------

export const MediaKeys = Type.Object(
  {
    keys: Type.Array(Type.Object({
      key: Type.String(),
      count: Type.Integer({ description: "steps with images for the key" }),
      firstStep: Type.Integer(),
      lastStep: Type.Integer(),
    }), { description: "sorted by key" }),
  },
  { $id: "MediaKeys" },
);
export type MediaKeys = Static<typeof MediaKeys>;

export const MediaQuery = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: LIMITS.maxKeyLength, description: "the image key (list them at .../media/keys)" }),
    step: Type.Optional(Type.Integer({
      minimum: 0, maximum: LIMITS.maxStep,
      description: "the step wanted: that step, else the last before it, else the first; absent = the last step",
    })),
  },
  { additionalProperties: false },
);
export type MediaQuery = Static<typeof MediaQuery>;

export const MediaFileParams = Type.Composite([RunParams, Type.Object({ digest: Type.String({ pattern: DIGEST_PATTERN }) })]);
export type MediaFileParams = Static<typeof MediaFileParams>;

const Labels = Type.Record(Type.String(), Type.String());

export const MediaImage = Type.Object({
  index: Type.Integer({ description: "place in the list logged under the key at this step, from 0" }),
  format: Type.Union([Type.Literal("png"), Type.Literal("jpeg")]),
  width: Type.Integer(),
  height: Type.Integer(),
  caption: Type.Union([Type.String(), Type.Null()]),
  classes: Labels,
  boxes: Type.Array(ImageBox),
  masks: Type.Array(Type.Object({ name: Type.String(), classes: Labels, url: Type.String() })),
  url: Type.String({ description: "the file: GET it for image/png or image/jpeg bytes" }),
});
export type MediaImage = Static<typeof MediaImage>;

export const MediaStep = Type.Object(
  {
    key: Type.String(),
    steps: Type.Array(Type.Integer(), { description: "every step with images for the key, ascending" }),
    step: Type.Integer({ description: "the step whose images these are" }),
    images: Type.Array(MediaImage),
  },
  { $id: "MediaStep" },
);
export type MediaStep = Static<typeof MediaStep>;
