// Owns the blob routes: resumable uploads (status, PUT of a part), downloads with Range, and gc.
// Blobs are global and content-addressed, so one stored file serves every project that logs it.
// Upload bodies are raw bytes: this plugin alone accepts application/octet-stream, and hands the
// request stream to the store unread, so a part is never buffered and the JSON body limit does
// not apply to it. The rules (who may upload what, gc's lock) are the artifact service's.
import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { BlobParams, GcRequest, MAX_BLOB_BYTES, OrreryError } from "@orrery/protocol";
import { errorResponses } from "./common.js";
import { serveBlob } from "../artifacts/serve-blob.js";

const withConflict = { ...errorResponses, 409: Type.Ref("ErrorBody") };

export const blobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const artifacts = app.artifacts;

  // The body stays the request stream; the upload route reads it. Scoped to this plugin.
  app.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));

  app.get("/api/v1/blobs/:digest/upload", {
    schema: {
      summary: "Where the upload of a blob stands: bytes received so far, so an interrupted upload resumes there",
      params: BlobParams,
      response: { 200: Type.Ref("BlobUploadStatus"), ...errorResponses },
    },
  }, async (req) => artifacts.uploadStatus(req.params.digest));

  app.put("/api/v1/blobs/:digest/upload", {
    schema: {
      summary: "Upload bytes [offset, offset + length) of a blob (application/octet-stream)",
      description:
        "Only digests a pending artifact version lists as missing may be uploaded (404 otherwise: create the version first). " +
        "Send parts of at most 64 MiB; bytes that arrived before a dropped connection are kept, so resume from `received` of " +
        "GET .../upload. offset other than received: 409 (field offset). size other than declared before, or a body running past " +
        "it: 400 (field size). When the last byte arrives the SHA-256 is checked: a mismatch discards the upload (400 digest_mismatch). " +
        "A blob already stored answers complete and ignores the body.",
      params: BlobParams,
      consumes: ["application/octet-stream"],
      // Documents the body for OpenAPI; a schema without a type accepts the stream the parser hands over.
      body: Type.Unsafe<unknown>({ format: "binary", description: "bytes [offset, offset + length) of the blob" }),
      querystring: Type.Object({
        offset: Type.Integer({ minimum: 0, maximum: MAX_BLOB_BYTES, description: "where this part starts: the upload's received" }),
        size: Type.Integer({ minimum: 0, maximum: MAX_BLOB_BYTES, description: "the whole blob's size in bytes" }),
      }, { additionalProperties: false }),
      response: { 200: Type.Ref("BlobUploadStatus"), 415: Type.Ref("ErrorBody"), ...withConflict },
    },
  }, async (req) => {
    const { digest } = req.params;
    const { offset, size } = req.query;
    if (offset > size) throw new OrreryError("invalid_request", `offset ${offset} is past the blob's size ${size}`, "offset");
    const body = rawBody(req.body, req.headers["content-length"]);
    try {
      return await artifacts.upload(digest, size, offset, body);
    } catch (err) {
      if (err instanceof OrreryError) {
        // Answer now; the unread rest of the part is drained so the connection can carry the answer.
        req.raw.resume();
        throw err;
      }
      if (req.raw.aborted || req.raw.destroyed || req.raw.socket?.destroyed) {
        // The client went away mid-part: the bytes that arrived are kept; nobody is left to answer.
        req.log.info({ digest, offset }, "upload part cut short by the client; it resumes from the bytes received");
        throw new OrreryError("invalid_request", "the connection closed before the part ended: resume from the upload's received bytes");
      }
      throw err;
    }
  });

  app.get("/api/v1/blobs/:digest", {
    schema: {
      summary: "A blob's bytes; Range: bytes=N-M answers 206 with that slice",
      description:
        "The SHA-256 is checked on the way out: a blob up to 16 MiB before the first byte (500 blob_corrupt on a mismatch), a " +
        "larger one while streaming (the connection is cut before the last byte on a mismatch). A corrupt blob is moved aside " +
        "and answers 500 blob_corrupt from then on. Clients check the digest of what they receive too.",
      params: BlobParams,
      response: {
        200: Type.String({ format: "binary", description: "the bytes (application/octet-stream)" }),
        206: Type.String({ format: "binary", description: "the requested range" }),
        416: Type.Ref("ErrorBody"), 500: Type.Ref("ErrorBody"), ...errorResponses,
      },
    },
  }, async (req, reply) => serveBlob(req, reply, artifacts, req.params.digest, {
    contentType: "application/octet-stream",
    cacheControl: "private, max-age=31536000, immutable",
  }));

  app.post("/api/v1/gc", {
    schema: {
      summary: "Collect garbage: expire abandoned drafts and uploads, delete blobs nothing references",
      description:
        "Drafts untouched and partial uploads idle for graceSeconds (default a day) go, then blobs no version, pending draft or " +
        "run diff references and older than graceSeconds. Safe while uploads run: an upload in progress keeps its draft and its " +
        "blobs. dryRun reports without deleting; verify also re-reads every kept blob and quarantines the corrupt ones.",
      body: GcRequest,
      response: { 200: Type.Ref("GcReport"), ...errorResponses },
    },
    // `orrery gc` with no options may send no body at all.
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
  }, async (req) => artifacts.gc(req.body));
};

/** The request stream the octet-stream parser passed through; an empty body may come without any content type. */
function rawBody(body: unknown, contentLength: string | undefined): Readable {
  if (body !== null && typeof body === "object" && typeof (body as Readable).pipe === "function") return body as Readable;
  if (body === undefined && (contentLength === undefined || contentLength === "0")) return Readable.from([]);
  throw new OrreryError("unsupported_media_type", "send the blob's bytes as Content-Type: application/octet-stream");
}
