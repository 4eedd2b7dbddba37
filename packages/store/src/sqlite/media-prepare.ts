// Owns turning an `image` record into rows before its batch's transaction: checking each image's
// JSON (protocol imageProblem), decoding its base64, checking that the bytes are the PNG or JPEG
// the record says with the size it says (masks: 8-bit grey PNGs of the image's size), and storing
// the bytes as blobs. Blob writes are async and the transaction cannot await, so this runs first;
// a record that fails leaves no blob behind, and one whose batch later fails leaves at most
// unreferenced content-addressed blobs, which gc removes after its grace period.
import { imageEntryProblem, imageHeader, type ImageBox, type ImageRecord, type ImageValue } from "@orrery/protocol";
import type { BlobStore } from "../interfaces.js";

/** One image ready to be written: everything but its (run, key, step) place. */
export interface PreparedImage {
  format: "png" | "jpeg";
  width: number;
  height: number;
  digest: string;
  caption: string | null;
  /** JSON {classes?, boxes?, masks?: [{name, classes?, digest}]}. */
  extra: string;
  maskDigests: string[];
}

/** A record's images per key, in the record's key order. */
export type PreparedImages = ReadonlyArray<readonly [key: string, images: PreparedImage[]]>;

/** Why a record was refused: field below the record ("values.samples[2].width") and message. */
export interface ImageRejection { field: string; message: string }

interface Decoded { image: ImageValue; bytes: Buffer; masks: Buffer[] }

function pathOf(key: string, index: number | undefined, part: string): string {
  return `values.${key}${index === undefined ? "" : `[${index}]`}${part === "" ? "" : `.${part}`}`;
}

/** Decodes and checks one image, or says why it is refused. */
function decode(image: ImageValue, key: string, index: number | undefined): Decoded | ImageRejection {
  const at = (part: string): string => pathOf(key, index, part);
  const bytes = Buffer.from(image.data, "base64");
  const head = imageHeader(bytes);
  if (head === undefined) {
    return { field: at("data"), message: `${at("data")} is not a PNG or JPEG file: send the file's bytes, base64-encoded` };
  }
  if (head.format !== image.format) {
    return { field: at("format"), message: `${at("format")} is "${image.format}" but the data is a ${head.format.toUpperCase()} file: set format to "${head.format}"` };
  }
  for (const side of ["width", "height"] as const) {
    if (head[side] !== image[side]) {
      return {
        field: at(side),
        message: `${at(side)} is ${image[side]} but the ${head.format.toUpperCase()} header says ${head[side]} (${head.width} x ${head.height}): send the file's own size`,
      };
    }
  }
  const masks: Buffer[] = [];
  for (const [i, m] of (image.masks ?? []).entries()) {
    const field = at(`masks[${i}].data`);
    const mb = Buffer.from(m.data, "base64");
    const mh = imageHeader(mb);
    if (mh === undefined || mh.format !== "png" || mh.bitDepth !== 8 || mh.colorType !== 0) {
      return { field, message: `${field} must be an 8-bit grayscale PNG (colour type 0) whose pixels are class ids` };
    }
    if (mh.width !== image.width || mh.height !== image.height) {
      return { field, message: `${field} is ${mh.width} x ${mh.height}; a mask must be its image's size, ${image.width} x ${image.height}` };
    }
    masks.push(mb);
  }
  return { image, bytes, masks };
}

function extraJson(image: ImageValue, maskDigests: string[]): string {
  const extra: { classes?: Record<string, string>; boxes?: ImageBox[]; masks?: unknown[] } = {};
  if (image.classes !== undefined && Object.keys(image.classes).length > 0) extra.classes = image.classes;
  if (image.boxes !== undefined && image.boxes.length > 0) {
    // Only the known fields, in a fixed order: readers get exactly the documented shape.
    extra.boxes = image.boxes.map((b) => {
      const box: ImageBox = { x: b.x, y: b.y, w: b.w, h: b.h, class: b.class };
      if (b.score !== undefined) box.score = b.score;
      if (b.caption !== undefined) box.caption = b.caption;
      return box;
    });
  }
  if (image.masks !== undefined && image.masks.length > 0) {
    extra.masks = image.masks.map((m, i) => (m.classes === undefined ? { name: m.name, digest: maskDigests[i] } : { name: m.name, classes: m.classes, digest: maskDigests[i] }));
  }
  return JSON.stringify(extra);
}

/**
 * Checks every image of the record, then stores the bytes of all of them; returns the rows to
 * write, or the rejection of the first bad image (nothing stored then).
 */
export async function prepareImages(rec: ImageRecord, blobs: BlobStore): Promise<PreparedImages | ImageRejection> {
  const values = rec.values as Readonly<Record<string, unknown>>;
  const decoded: [string, Decoded[]][] = [];
  for (const key of Object.keys(values)) {
    const entry = values[key];
    const problem = imageEntryProblem(entry);
    if (problem !== undefined) {
      const field = `values.${key}${problem.path === "" || problem.path.startsWith("[") ? problem.path : `.${problem.path}`}`;
      return { field, message: `${field} ${problem.message}` };
    }
    const list = Array.isArray(entry) ? (entry as ImageValue[]) : [entry as ImageValue];
    const out: Decoded[] = [];
    for (let i = 0; i < list.length; i++) {
      const d = decode(list[i]!, key, Array.isArray(entry) ? i : undefined);
      if ("field" in d) return d;
      out.push(d);
    }
    decoded.push([key, out]);
  }
  const prepared: [string, PreparedImage[]][] = [];
  for (const [key, list] of decoded) {
    const images: PreparedImage[] = [];
    for (const d of list) {
      const digest = await blobs.put(d.bytes);
      const maskDigests: string[] = [];
      for (const m of d.masks) maskDigests.push(await blobs.put(m));
      images.push({
        format: d.image.format, width: d.image.width, height: d.image.height, digest,
        caption: d.image.caption ?? null, extra: extraJson(d.image, maskDigests), maskDigests,
      });
    }
    prepared.push([key, images]);
  }
  return prepared;
}
