// Owns the artifact routes of a project: logging a version (draft, then commit), listing and
// reading artifacts, versions, manifests and single files, editing aliases and metadata, deleting
// versions, run links (use, producers and consumers, a run's artifacts) and the lineage graph.
// Rules that need the blob store too live in the artifact service (../artifacts/service.ts).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  ArtifactCreate, ArtifactParams, ArtifactUse, ArtifactVersionParams, ArtifactVersionPatch, ARTIFACT_TYPE_PATTERN, checkArtifactPath,
  LATEST_ALIAS, MAX_ARTIFACT_PATH_CHARS, MAX_LINEAGE_DEPTH, MAX_MANIFEST_PAGE, OrreryError, parseArtifactRef, ProjectParams,
  RUN_ID_PATTERN, RunParams,
} from "@orrery/protocol";
import type { ArtifactRef } from "@orrery/store";
import { errorResponses, projectNotFound, runNotFound } from "./common.js";
import { artifactNotFound } from "../artifacts/service.js";
import { lineage, type LineageRoot } from "../artifacts/lineage.js";
import { serveBlob } from "../artifacts/serve-blob.js";
import { decodeCursor, encodeCursor, toAliasEvent, toEntry, toRunLink, toSummary, toVersion, toVersionLink, versionName } from "../artifacts/wire.js";
import { contentTypeOf, attachment } from "../artifacts/content-type.js";

const withConflict = { ...errorResponses, 409: Type.Ref("ErrorBody") };
const RUN_ID = new RegExp(RUN_ID_PATTERN);

export const artifactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const store = app.store.artifacts;
  const service = app.artifacts;
  const base = "/api/v1/projects/:entity/:project/artifacts";
  const refOf = (p: { entity: string; project: string; name: string }): ArtifactRef => ({ entity: p.entity, project: p.project, name: p.name });

  app.post(base, {
    schema: {
      summary: "Log an artifact version: send its manifest; the reply says which blobs to upload before committing",
      description:
        "The server computes the manifest's digest (SHA-256 of manifestCanonicalText). If a version already has that content the " +
        "reply is committed (no new version; the aliases move to it and the run is linked). Otherwise it is a pending draft whose " +
        "`missing` digests are to be uploaded (PUT /api/v1/blobs/:digest/upload), then committed. Bad paths are refused with field " +
        "manifest[i].path; a type other than the artifact's is a 409 (field type).",
      params: ProjectParams, body: ArtifactCreate,
      response: { 201: Type.Ref("ArtifactDraft"), ...withConflict },
    },
  }, async (req, reply) => reply.status(201).send(await service.createDraft(req.params, req.body)));

  app.post(`${base}/:name/drafts/:draftId/commit`, {
    schema: {
      summary: "Make a draft the next version (v0, v1, ...) once every blob it lists is uploaded; committing again returns it again",
      params: Type.Object({ ...ArtifactParams.properties, draftId: Type.String({ pattern: "^[A-Za-z0-9_-]{1,128}$" }) }),
      response: { 200: Type.Ref("ArtifactVersion"), ...withConflict },
    },
  }, async (req) => service.commit(refOf(req.params), req.params.draftId));

  app.get(base, {
    schema: {
      summary: "A project's artifacts, with their latest version and aliases",
      params: ProjectParams,
      querystring: Type.Object({
        type: Type.Optional(Type.String({ pattern: ARTIFACT_TYPE_PATTERN, description: "only artifacts of this type" })),
        search: Type.Optional(Type.String({ maxLength: 256, description: "part of the name" })),
      }, { additionalProperties: false }),
      response: { 200: Type.Ref("ArtifactList"), ...errorResponses },
    },
  }, async (req) => {
    if (!(await app.store.meta.getProject(req.params))) throw projectNotFound(req.params);
    const list = await store.listArtifacts(req.params, { type: req.query.type, search: req.query.search || undefined });
    return { artifacts: list.map(toSummary) };
  });

  app.get(`${base}/:name`, {
    schema: {
      summary: "One artifact and its committed versions, newest first",
      params: ArtifactParams,
      response: { 200: Type.Ref("ArtifactDetail"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const artifact = await store.getArtifact(a);
    if (!artifact) throw artifactNotFound(a);
    return { artifact: toSummary(artifact), versions: (await store.listVersions(a)).map(toVersion) };
  });

  app.get(`${base}/:name/versions/:ref`, {
    schema: {
      summary: "One version, by vN or alias",
      params: ArtifactVersionParams,
      response: { 200: Type.Ref("ArtifactVersion"), ...errorResponses },
    },
  }, async (req) => toVersion(await service.resolve(refOf(req.params), req.params.ref)));

  app.get(`${base}/:name/versions/:ref/manifest`, {
    schema: {
      summary: "A page of a version's files in path order (UTF-8 byte order), optionally under a prefix",
      params: ArtifactVersionParams,
      querystring: Type.Object({
        prefix: Type.Optional(Type.String({ maxLength: MAX_ARTIFACT_PATH_CHARS, description: "only paths starting with this text, e.g. `images/`" })),
        cursor: Type.Optional(Type.String({ maxLength: 4 * MAX_ARTIFACT_PATH_CHARS, description: "nextCursor of the previous page" })),
        limit: Type.Integer({ minimum: 1, maximum: MAX_MANIFEST_PAGE, default: 1000 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Ref("ManifestPage"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const after = req.query.cursor === undefined ? undefined : decodeCursor(req.query.cursor);
    const v = await service.resolve(a, req.params.ref);
    const { limit } = req.query;
    // One more than asked tells whether another page follows.
    const page = await store.manifestPage(a, v.index, { prefix: req.query.prefix || undefined, after, limit: limit + 1 });
    const entries = page.entries.slice(0, limit);
    const more = page.entries.length > limit;
    return { entries: entries.map(toEntry), total: page.total, nextCursor: more ? encodeCursor(entries[entries.length - 1]!.path) : null };
  });

  app.get(`${base}/:name/versions/:ref/files/*`, {
    schema: {
      summary: "One stored file's bytes (Range supported; ?download=1 for an attachment)",
      description: "Checked against its SHA-256 like GET /api/v1/blobs/:digest. A reference entry (file://, s3://, https://) is a 409: fetch it from its URI.",
      params: Type.Object({ ...ArtifactVersionParams.properties, "*": Type.String({ description: "the file's path in the artifact" }) }),
      querystring: Type.Object({
        download: Type.Optional(Type.String({ pattern: "^(1|0|true|false)$", description: "1 or true: Content-Disposition attachment" })),
      }, { additionalProperties: false }),
      response: {
        200: Type.String({ format: "binary" }), 206: Type.String({ format: "binary" }),
        416: Type.Ref("ErrorBody"), 500: Type.Ref("ErrorBody"), ...withConflict,
      },
    },
  }, async (req, reply) => {
    const a = refOf(req.params);
    const path = req.params["*"];
    const why = checkArtifactPath(path);
    if (why) throw new OrreryError("invalid_request", `path '${path.slice(0, 200)}' ${why}`, "path");
    const v = await service.resolve(a, req.params.ref);
    const entry = await store.manifestEntry(a, v.index, path);
    if (!entry) {
      throw new OrreryError("not_found", `${a.name}:${versionName(v.index)} has no file '${path}': list its files with GET .../manifest?prefix=`, "path");
    }
    if (entry.ref !== undefined && entry.ref !== null) {
      throw new OrreryError("conflict", `'${path}' is a reference to ${entry.ref}, not stored in Orrery: fetch it from there`, "path");
    }
    return serveBlob(req, reply, service, entry.digest, {
      contentType: contentTypeOf(path),
      disposition: req.query.download === "1" || req.query.download === "true" ? attachment(path) : undefined,
      // An alias may move to other bytes: revalidate with the ETag (the digest) each time.
      cacheControl: "private, no-cache",
    });
  });

  app.patch(`${base}/:name/versions/:ref`, {
    schema: {
      summary: "Edit a version's description and metadata, and move aliases to it or remove them from it",
      description: "An alias added here leaves whichever version held it (recorded in the alias history). `latest` is the server's: it cannot be added or removed.",
      params: ArtifactVersionParams, body: ArtifactVersionPatch,
      response: { 200: Type.Ref("ArtifactVersion"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const add = req.body.aliases?.add ?? [];
    const remove = req.body.aliases?.remove ?? [];
    if (add.includes(LATEST_ALIAS) || remove.includes(LATEST_ALIAS)) {
      throw new OrreryError("invalid_request", "'latest' always names the newest version; the server moves it: add or remove another alias", "aliases");
    }
    const both = add.find((x) => remove.includes(x));
    if (both !== undefined) throw new OrreryError("invalid_request", `alias '${both}' is both added and removed: pick one`, "aliases");
    const v = await service.resolve(a, req.params.ref);
    const patched = await store.patchVersion(a, v.index, {
      description: req.body.description, metadata: req.body.metadata, addAliases: add, removeAliases: remove, runId: req.body.runId ?? null,
    }, Date.now());
    if (!patched) throw new OrreryError("not_found", `${a.name}:${versionName(v.index)} was deleted meanwhile`, "ref");
    return toVersion(patched);
  });

  app.delete(`${base}/:name/versions/:ref`, {
    schema: {
      summary: "Delete a version (its blobs stay while another version uses them; gc removes the rest)",
      description: "A version holding user aliases (best, production, ...) is refused with 409 unless force=true, which removes them. `latest` moves to the newest remaining version.",
      params: ArtifactVersionParams,
      querystring: Type.Object({ force: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ deleted: Type.String() }), ...withConflict },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const v = await service.resolve(a, req.params.ref);
    const name = versionName(v.index);
    const out = await store.deleteVersion(a, v.index, req.query.force, Date.now());
    if (out.kind === "missing") throw new OrreryError("not_found", `${a.name}:${name} does not exist (deleted meanwhile?)`, "ref");
    if (out.kind === "has_aliases") {
      throw new OrreryError(
        "conflict",
        `${a.name}:${name} holds the aliases ${out.aliases.join(", ")}: move them to another version first, or pass force=true to remove them`,
        "force",
      );
    }
    return { deleted: name };
  });

  app.get(`${base}/:name/aliases/history`, {
    schema: {
      summary: "The artifact's alias moves, newest first (latest included)",
      params: ArtifactParams,
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }) }, { additionalProperties: false }),
      response: { 200: Type.Ref("AliasHistory"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    if (!(await store.getArtifact(a))) throw artifactNotFound(a);
    return { events: (await store.aliasHistory(a, req.query.limit)).map(toAliasEvent) };
  });

  app.post(`${base}/:name/versions/:ref/use`, {
    schema: {
      summary: "Record that a run used this version (its consumer, in lineage)",
      params: ArtifactVersionParams, body: ArtifactUse,
      response: { 200: Type.Ref("ArtifactVersion"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const v = await service.resolve(a, req.params.ref);
    if (!(await store.useVersion(a, v.index, req.body.runId, Date.now()))) {
      throw new OrreryError("not_found", `${a.name}:${versionName(v.index)} was deleted meanwhile`, "ref");
    }
    return toVersion(v);
  });

  app.get(`${base}/:name/versions/:ref/runs`, {
    schema: {
      summary: "The runs that produced and used this version",
      params: ArtifactVersionParams,
      response: { 200: Type.Ref("VersionRuns"), ...errorResponses },
    },
  }, async (req) => {
    const a = refOf(req.params);
    const v = await service.resolve(a, req.params.ref);
    const runs = await store.versionRuns(a, v.index);
    return { producers: runs.producers.map(toRunLink), consumers: runs.consumers.map(toRunLink) };
  });

  app.get("/api/v1/projects/:entity/:project/runs/:runId/artifacts", {
    schema: {
      summary: "The artifact versions a run used and produced",
      params: RunParams,
      response: { 200: Type.Ref("RunArtifacts"), ...errorResponses },
    },
  }, async (req) => {
    const links = await store.runArtifacts(req.params);
    // A run may log artifacts before its first record reaches the server: links alone prove it.
    if (links.used.length === 0 && links.produced.length === 0 && !(await app.store.meta.hasRun(req.params))) throw runNotFound(req.params);
    return { used: links.used.map(toVersionLink), produced: links.produced.map(toVersionLink) };
  });

  app.get("/api/v1/projects/:entity/:project/lineage", {
    schema: {
      summary: "The lineage graph around an artifact version or a run: which runs used and produced what, several hops deep",
      description: "Exactly one of artifact (name:vN or name:alias) and run. Node ids are run:<id> and artifact:<name>:v<index>; an edge artifact -> run means the run used it, run -> artifact that it produced it.",
      params: ProjectParams,
      querystring: Type.Object({
        artifact: Type.Optional(Type.String({ maxLength: 256, description: "name:v3, name:production, or name (latest)" })),
        run: Type.Optional(Type.String({ maxLength: 64, description: "a run id" })),
        depth: Type.Integer({ minimum: 1, maximum: MAX_LINEAGE_DEPTH, default: 3, description: "hops to follow" }),
      }, { additionalProperties: false }),
      response: { 200: Type.Ref("LineageGraph"), ...errorResponses },
    },
  }, async (req) => {
    const { artifact, run, depth } = req.query;
    if ((artifact === undefined) === (run === undefined)) {
      throw new OrreryError("invalid_request", "give exactly one of artifact=name:version and run=<id>", artifact === undefined ? "artifact" : "run");
    }
    let root: LineageRoot;
    if (artifact !== undefined) {
      const parsed = parseArtifactRef(artifact);
      if (!parsed) throw new OrreryError("invalid_request", `'${artifact.slice(0, 100)}' is not name, name:vN or name:alias`, "artifact");
      const v = await service.resolve({ ...req.params, name: parsed.name }, parsed.version);
      root = { kind: "artifact", name: v.name, index: v.index };
    } else {
      const runId = run!;
      if (!RUN_ID.test(runId)) throw new OrreryError("invalid_request", `'${runId}' is not a run id (1 to 64 of A-Z a-z 0-9 _ -)`, "run");
      const ref = { ...req.params, runId };
      if (!(await app.store.meta.hasRun(ref)) && (await store.linksOfRuns(req.params, [runId])).length === 0) {
        throw new OrreryError("run_not_found", `run '${runId}' does not exist in project ${ref.entity}/${ref.project} and has no artifacts`, "run");
      }
      root = { kind: "run", runId };
    }
    return lineage(app.store, req.params, root, depth);
  });
};
