// Owns SHA-256 of files and text for artifacts: files are read as a stream in fixed-size chunks,
// so hashing a 2 GB model costs a few MiB of memory. Used to build manifests (artifact.ts), to check
// file:// references and downloads (download.ts).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { manifestCanonicalText, type ManifestEntry } from "@orrery/protocol";

/** Bytes read at a time; large enough for throughput, small enough to stay bounded. */
export const HASH_CHUNK = 4 * 1024 * 1024;

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SHA-256 (hex) and size of a file, read as a stream; `onBytes` hears each chunk's length. */
export async function hashFile(path: string, onBytes?: (n: number) => void): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    size += buf.length;
    onBytes?.(buf.length);
  }
  return { digest: hash.digest("hex"), size };
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The manifest's digest: SHA-256 of its canonical text (the rule the server applies too). */
export function manifestDigest(entries: readonly ManifestEntry[]): string {
  return sha256Hex(manifestCanonicalText(entries));
}
