// Owns the binary ingest body (content type application/vnd.orrery.frames): the client's spool
// frames sent as they are. Decoding yields the same `{ records }` envelope as a JSON body, so the
// rest of ingest is shared; binary history rows are fully checked while decoding and marked so
// the per-record schema check can skip them (their values are raw float64, NaN included).
import type { FastifyInstance } from "fastify";
import { LIMITS, OrreryError } from "@orrery/protocol";
import { BINARY_HISTORY, FRAMES_CONTENT_TYPE, FrameError, decodeBinaryHistory, splitFrames } from "@orrery/protocol/frames";

const checked = new WeakSet<object>();

/** True for a record decoded from a binary history row (already validated). */
export function isPrechecked(record: object): boolean {
  return checked.has(record);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeFramesBody(body: Buffer): { records: unknown[] } {
  try {
    const payloads = splitFrames(body);
    const records = payloads.map((p, i) => {
      if (p[0] === BINARY_HISTORY) {
        const rec = decodeBinaryHistory(p, i);
        checked.add(rec);
        return rec;
      }
      try {
        return JSON.parse(utf8.decode(p)) as unknown;
      } catch (err) {
        throw new FrameError(`frame ${i} is neither a binary history row nor valid UTF-8 JSON (${(err as Error).message})`, i);
      }
    });
    return { records };
  } catch (err) {
    if (err instanceof FrameError) {
      throw new OrreryError("invalid_request", `${err.message}: the body must be whole frames as in docs/spool-format.md`, `records[${err.frame}]`);
    }
    throw err;
  }
}

export function registerFramesBody(app: FastifyInstance): void {
  app.addContentTypeParser(FRAMES_CONTENT_TYPE, { parseAs: "buffer", bodyLimit: LIMITS.maxBodyBytes }, (_req, body, done) => {
    try {
      done(null, decodeFramesBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
