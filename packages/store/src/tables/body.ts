// Owns the stored form of a table (its body blob, engine-neutral): compact columnar JSON, one array per column,
// with image cells replaced by a reference to their own blob. Written once at ingest, read by the
// server (which decodes and caches it); nothing else depends on the layout, so it can change with
// its version number.
import type { TableColumn } from "@orrery/protocol";

export const TABLE_BODY_VERSION = 1;

/** An image cell as stored: the bytes live in the blob store under digest. */
export interface StoredImageCell { digest: string; format: "png" | "jpeg"; width: number; height: number }
/** A stored cell: numbers as logged (non-finite as "NaN", "Infinity", "-Infinity"), class ids or labels as logged. */
export type StoredCell = number | string | boolean | null | StoredImageCell;

export interface TableBody {
  v: typeof TABLE_BODY_VERSION;
  columns: TableColumn[];
  classes: Record<string, string>;
  rows: number;
  /** data[c][r]: column c of row r. */
  data: StoredCell[][];
}

export function encodeTableBody(body: TableBody): Buffer {
  return Buffer.from(JSON.stringify(body), "utf8");
}

/** Parses a body; throws when it is not one this version of Orrery wrote. */
export function parseTableBody(bytes: Buffer): TableBody {
  const body = JSON.parse(bytes.toString("utf8")) as TableBody;
  if (body === null || typeof body !== "object" || body.v !== TABLE_BODY_VERSION || !Array.isArray(body.data)) {
    throw new Error(`not a table body of version ${TABLE_BODY_VERSION}`);
  }
  return body;
}

/**
 * Width and height an image's own header states, or a message saying why the bytes are not a
 * PNG or JPEG of that format.
 */
export function imageSize(bytes: Buffer, format: "png" | "jpeg"): { width: number; height: number } | string {
  if (format === "png") {
    const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b) || bytes.toString("latin1", 12, 16) !== "IHDR") {
      return "data is not a PNG (no PNG signature and IHDR header): send the PNG file's bytes, or format \"jpeg\"";
    }
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    return "data is not a JPEG (no FF D8 start of image): send the JPEG file's bytes, or format \"png\"";
  }
  // Walk the marker segments to the first start-of-frame, which holds the dimensions.
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return "data is not a well-formed JPEG (a marker segment is broken)";
    const marker = bytes[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    const len = bytes.readUInt16BE(i + 2);
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (i + 9 > bytes.length) break;
      return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
    }
    if (marker === 0xda || marker === 0xd9) break;
    i += 2 + len;
  }
  return "data is a JPEG without a frame header (no SOF marker): send a complete JPEG file";
}
