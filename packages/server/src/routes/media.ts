// Owns reading a run's logged images back: the keys with images, one key's images at a step (with
// every step it has, for the dashboard's slider), and the image and mask files themselves. Ingest
// (routes/ingest.ts, then the store) checks and stores them. A file is served only to a run that
// logged it, with its own content type and nosniff, through the same checked path as artifact blobs.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { MediaFileParams, MediaQuery, OrreryError, RunParams, type MediaStep } from "@orrery/protocol";
import type { RunRef } from "@orrery/store";
import { errorResponses, requireRun } from "./common.js";
import { serveBlob, type BlobSource } from "../artifacts/serve-blob.js";

const RUN = "/api/v1/projects/:entity/:project/runs/:runId";

function fileUrl(r: RunRef, digest: string): string {
  const e = encodeURIComponent;
  return `/api/v1/projects/${e(r.entity)}/${e(r.project)}/runs/${e(r.runId)}/media/file/${digest}`;
}

export const mediaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(`${RUN}/media/keys`, {
    schema: {
      summary: "Keys the run logged images under, with how many steps each has and the first and last",
      params: RunParams, response: { 200: Type.Ref("MediaKeys"), ...errorResponses },
    },
  }, async (req) => {
    await requireRun(app.store, req.params);
    return { keys: await app.store.media.listKeys(req.params) };
  });

  app.get(`${RUN}/media`, {
    schema: {
      summary: "One key's images at a step: the step asked for, else the last before it, else the first (absent: the last)",
      description:
        "steps lists every step the key has images at, ascending, so a client can offer a slider. Each image carries its size, " +
        "caption, class labels, boxes (pixels, top-left origin) and masks (8-bit grayscale PNGs of class ids), each file as a " +
        "url to GET. A key the run has no images under is 404 (field key).",
      params: RunParams, querystring: MediaQuery,
      response: { 200: Type.Ref("MediaStep"), ...errorResponses },
    },
  }, async (req): Promise<MediaStep> => {
    await requireRun(app.store, req.params);
    const found = await app.store.media.stepImages(req.params, req.query.key, req.query.step);
    if (found === undefined) {
      throw new OrreryError(
        "not_found",
        `run '${req.params.runId}' has no images under key '${req.query.key}': list its image keys at .../runs/${req.params.runId}/media/keys`,
        "key",
      );
    }
    return {
      key: found.key, steps: found.steps, step: found.step,
      images: found.images.map((m) => ({
        index: m.index, format: m.format, width: m.width, height: m.height, caption: m.caption, classes: m.classes,
        boxes: m.boxes, masks: m.masks.map((k) => ({ name: k.name, classes: k.classes, url: fileUrl(req.params, k.digest) })),
        url: fileUrl(req.params, m.digest),
      })),
    };
  });

  app.get(`${RUN}/media/file/:digest`, {
    schema: {
      summary: "An image or mask file the run logged (image/png or image/jpeg)",
      description: "404 unless one of this run's images or masks is that file. Files never change: cache them for good.",
      params: MediaFileParams,
      response: {
        200: Type.String({ format: "binary", description: "the bytes (image/png or image/jpeg)" }),
        500: Type.Ref("ErrorBody"), ...errorResponses,
      },
    },
  }, async (req, reply) => {
    const { digest, ...run } = req.params;
    await requireRun(app.store, run);
    const format = await app.store.media.fileFormat(run, digest);
    if (format === undefined) {
      throw new OrreryError("not_found", `run '${run.runId}' logged no image or mask with digest ${digest}: take urls from .../media?key=`, "digest");
    }
    const source: BlobSource = {
      blobs: app.store.blobs,
      corrupt: (d) => app.artifacts.corrupt(d),
      // The run's rows name the file, so its absence is damage, not a wrong digest.
      missing: async (d) => new OrreryError(
        "blob_corrupt",
        `the file ${d} of run '${run.runId}' is missing from the server's storage (it was corrupt, or removed by hand): log the image again`,
      ),
    };
    return serveBlob(req, reply, source, digest, {
      contentType: format === "png" ? "image/png" : "image/jpeg",
      cacheControl: "private, max-age=31536000, immutable",
    });
  });
};
