// Owns resumable blob uploads: ask where the upload of a digest stands, send the rest from there
// in parts of at most 64 MiB streamed from the file (bounded memory), and after a broken connection
// or a 5xx ask again and go on from what the server durably holds. Which blobs to upload is the
// client's choice (client.ts); the server decides what "received" means.
import { createReadStream, statSync } from "node:fs";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { OrreryError, type BlobUploadStatus } from "@orrery/protocol";
import { isTransient, jsonRequest, networkError, readText, responseError, send, sleep, type ServerTarget } from "./http.js";

/** Largest body of one PUT (the server's limit too). */
export const PART_BYTES = 64 * 1024 * 1024;
/** Failures in a row, on one part, before giving up. */
const TRIES_PER_PART = 5;

export interface UploadSource { digest: string; path: string; size: number }

/**
 * Uploads one blob, resuming where the server stands. `onBytes` hears the blob's bytes stored so
 * far (it can go back after an interruption: the bytes of a broken part are sent again).
 */
export async function uploadBlob(target: ServerTarget, src: UploadSource, onBytes: (done: number) => void = () => {}): Promise<void> {
  const path = `/api/v1/blobs/${src.digest}/upload`;
  let status = await jsonRequest<BlobUploadStatus>(target, "GET", path, `upload of ${src.path}`, undefined, TRIES_PER_PART);
  let failures = 0;
  let delay = 250;
  for (;;) {
    onBytes(status.complete ? src.size : status.received);
    if (status.complete) return;
    const offset = status.received;
    checkUnchanged(src);
    const length = Math.min(PART_BYTES, src.size - offset);
    try {
      status = await putPart(target, path, src, offset, length, (sent) => onBytes(offset + sent));
      failures = 0;
      delay = 250;
      continue;
    } catch (err) {
      const conflict = err instanceof OrreryError && err.code === "conflict";
      if (!conflict && !isTransient(err)) throw err;
      if (++failures >= TRIES_PER_PART) {
        throw new OrreryError(
          err instanceof OrreryError ? err.code : "unavailable",
          `upload of ${src.path} failed ${failures} times in a row at byte ${offset} of ${src.size}: ${(err as Error).message}; log the artifact again to resume`,
          undefined, { cause: err },
        );
      }
      if (!conflict) {
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
    // Where does the server stand now? A broken part may have left some of its bytes there.
    status = await jsonRequest<BlobUploadStatus>(target, "GET", path, `upload of ${src.path}`, undefined, TRIES_PER_PART);
  }
}

function checkUnchanged(src: UploadSource): void {
  let size: number;
  try {
    size = statSync(src.path).size;
  } catch (err) {
    throw new OrreryError("invalid_request", `orrery: cannot read ${src.path} to upload it (${(err as { code?: string }).code ?? String(err)}): it was removed or moved while the artifact was being logged`, "path");
  }
  if (size !== src.size) {
    throw new OrreryError("invalid_request", `orrery: ${src.path} changed while the artifact was being logged (${src.size} bytes when hashed, ${size} now): log it again once it is written`, "path");
  }
}

async function putPart(
  target: ServerTarget, path: string, src: UploadSource, offset: number, length: number, onSent: (n: number) => void,
): Promise<BlobUploadStatus> {
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      sent += chunk.length;
      onSent(sent);
      done(null, chunk);
    },
  });
  const file = length === 0
    ? Readable.from([]) // an empty file: nothing to read
    : createReadStream(src.path, { start: offset, end: offset + length - 1, highWaterMark: 1024 * 1024 });
  file.on("error", (err: Error) => counter.destroy(err));
  const body = file.pipe(counter);
  const res = await send(target, {
    method: "PUT",
    path: `${path}?offset=${offset}&size=${src.size}`,
    headers: { "content-type": "application/octet-stream", "content-length": length },
    body,
  });
  const code = res.statusCode ?? 500;
  if (code < 200 || code >= 300) {
    file.destroy();
    const err = await responseError(res, `upload of ${src.path}`);
    if (err.code === "digest_mismatch") {
      throw new OrreryError("digest_mismatch", `${err.message} (${src.path} was probably changed while it was being logged: log it again)`, err.field);
    }
    throw err;
  }
  let text: string;
  try {
    text = await readText(res);
  } catch (err) {
    throw networkError(target, err);
  }
  return JSON.parse(text) as BlobUploadStatus;
}
