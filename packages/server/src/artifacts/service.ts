// Owns the artifact rules that need both the artifact store and the blob store: drafts (manifest
// checked, digest computed here, never trusted from the client; which blobs are missing), commits
// (every blob present first), uploads (only of digests something needs), garbage collection, and
// the lock that makes gc safe against all three. Decorated on the app once as `artifacts`; routes
// (routes/artifacts.ts, routes/blobs.ts) translate HTTP to these calls and back.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  checkManifest, LATEST_ALIAS, manifestCanonicalText, OrreryError, type ArtifactCreate, type ArtifactDraft, type ArtifactVersion,
  type BlobUploadStatus, type GcReport, type GcRequest, type ManifestEntry,
} from "@orrery/protocol";
import {
  DigestMismatchError, UploadOffsetError, UploadSizeError, type ArtifactRef, type ArtifactVersionRecord, type ProjectRef, type Store,
} from "@orrery/store";
import { SharedExclusiveLock } from "./lock.js";
import { sweepUnreferenced, verifyBlobs } from "./gc.js";
import { corruptError, type BlobSource } from "./serve-blob.js";
import { toVersion, versionName } from "./wire.js";

export class ArtifactService implements BlobSource {
  private readonly lock = new SharedExclusiveLock();
  /** One gc at a time, verify included (the lock covers only its deleting part). */
  private readonly gcLock = new SharedExclusiveLock();
  /** Digests being streamed in by a PUT right now, with how many PUTs. */
  private readonly uploading = new Map<string, number>();
  /** Digests this process found corrupt and moved aside: asked for again, they answer blob_corrupt. */
  private readonly quarantined = new Set<string>();

  constructor(private readonly store: Store, private readonly clock: () => number = Date.now) {}

  /** Runs work that stores blobs and then references them, so gc's deleting step never falls in between. */
  holdingBlobs<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.shared(work);
  }

  get blobs(): Store["blobs"] {
    return this.store.blobs;
  }

  /** Records a draft (or finds the version with this content) and says which blobs to upload. */
  async createDraft(p: ProjectRef, body: ArtifactCreate): Promise<ArtifactDraft> {
    const manifest = body.manifest as ManifestEntry[];
    const bad = checkManifest(manifest);
    if (bad) throw new OrreryError("invalid_request", `manifest[${bad.index}].${bad.field}: ${bad.message}`, `manifest[${bad.index}].${bad.field}`);
    const digest = createHash("sha256").update(manifestCanonicalText(manifest), "utf8").digest("hex");
    // `latest` always follows the newest version; a client asking for it (a W&B habit) gets that anyway.
    const aliases = [...new Set((body.aliases ?? []).filter((a) => a !== LATEST_ALIAS))];
    return this.lock.shared(async () => {
      const outcome = await this.store.artifacts.createDraft(p, {
        name: body.name, type: body.type, description: body.description ?? "", metadata: body.metadata ?? {},
        manifest: manifest.map((e) => (e.ref === undefined ? { path: e.path, digest: e.digest, size: e.size } : { ...e })),
        digest, aliases, runId: body.runId ?? null,
      }, this.clock());
      if (outcome.kind === "type_conflict") {
        throw new OrreryError(
          "conflict",
          `artifact '${body.name}' is of type '${outcome.existingType}', not '${body.type}': log it with type '${outcome.existingType}', or use another name`,
          "type",
        );
      }
      // For an existing version too: a blob it needs that went missing (quarantined) can be uploaded again.
      const missing = await this.missingOf(storedDigests(manifest));
      if (outcome.kind === "existing") return { state: "committed", draftId: null, digest, missing, version: toVersion(outcome.version) };
      return { state: "pending", draftId: outcome.draftId, digest, missing, version: null };
    });
  }

  /** Makes the draft a version once every blob it lists is stored; committing again returns the same version. */
  async commit(a: ArtifactRef, draftId: string): Promise<ArtifactVersion> {
    return this.lock.shared(async () => {
      const digests = await this.store.artifacts.draftDigests(a, draftId);
      if (digests !== undefined) {
        const missing = await this.missingOf(digests);
        if (missing.length > 0) {
          throw new OrreryError(
            "conflict",
            `${missing.length} of the draft's ${digests.length} blobs are not uploaded yet (the first is ${missing[0]}): ` +
              "upload each with PUT /api/v1/blobs/<digest>/upload, then commit again",
            "manifest",
          );
        }
      }
      const version = await this.store.artifacts.commitDraft(a, draftId, this.clock());
      if (!version) {
        throw new OrreryError(
          "not_found",
          `artifact '${a.name}' in ${a.entity}/${a.project} has no draft '${draftId}' (drafts expire when untouched for a day, or at gc): log the artifact again`,
          "draftId",
        );
      }
      return toVersion(version);
    });
  }

  /** The version `ref` (vN or an alias) names, or 404 saying whether the artifact or the version is unknown. */
  async resolve(a: ArtifactRef, ref: string): Promise<ArtifactVersionRecord> {
    const v = await this.store.artifacts.getVersion(a, ref);
    if (v) return v;
    const artifact = await this.store.artifacts.getArtifact(a);
    if (!artifact) throw artifactNotFound(a);
    const known = [...artifact.aliases.map((x) => x.alias)].sort().join(", ");
    throw new OrreryError(
      "not_found",
      /^v\d+$/.test(ref)
        ? `artifact '${a.name}' has no version ${ref}: it has ${artifact.versionCount} version(s), the latest ${artifact.latest ? versionName(artifact.latest.index) : "none"}`
        : `artifact '${a.name}' has no alias '${ref}': its aliases are ${known || "none"}`,
      "ref",
    );
  }

  async uploadStatus(digest: string): Promise<BlobUploadStatus> {
    return { digest, ...(await this.store.blobs.uploadStatus(digest)) };
  }

  /**
   * Appends a part of a blob. Only digests something needs may be uploaded (a pending draft lists
   * it, or a version whose copy went missing): gc then never deletes what an upload is for.
   */
  async upload(digest: string, size: number, offset: number, body: Readable): Promise<BlobUploadStatus> {
    const status = await this.store.blobs.uploadStatus(digest);
    if (status.complete) {
      body.resume();
      return { digest, ...status };
    }
    await this.lock.shared(async () => {
      const wanted = await this.store.artifacts.referencedDigests([digest]);
      if (!wanted.has(digest)) {
        throw new OrreryError(
          "not_found",
          `no pending artifact version lists blob ${digest}: create the artifact version first (POST /api/v1/projects/<entity>/<project>/artifacts), then upload the digests it says are missing`,
          "digest",
        );
      }
      this.uploading.set(digest, (this.uploading.get(digest) ?? 0) + 1);
      await this.store.artifacts.touchDrafts(digest, this.clock());
    });
    try {
      const state = await this.store.blobs.appendUpload(digest, size, offset, body);
      if (state.complete) this.quarantined.delete(digest);
      return { digest, ...state };
    } catch (err) {
      throw uploadError(err);
    } finally {
      const n = (this.uploading.get(digest) ?? 1) - 1;
      if (n === 0) this.uploading.delete(digest);
      else this.uploading.set(digest, n);
      // A long upload counts as activity on its drafts until its last byte.
      await this.store.artifacts.touchDrafts(digest, this.clock()).catch(() => undefined);
    }
  }

  /** Deletes what nothing references (serialized with drafts and commits), then optionally verifies what is left. */
  async gc(req: GcRequest): Promise<GcReport> {
    return this.gcLock.exclusive(async () => {
      const swept = await this.lock.exclusive(() => sweepUnreferenced({ store: this.store, activeUploads: () => new Set(this.uploading.keys()), now: this.clock() }, req));
      const corrupt = req.verify ? await verifyBlobs(this.store, swept.dryRun, (d) => this.corrupt(d)) : [];
      return { ...swept, corrupt };
    });
  }

  // BlobSource, for serving bytes.
  async corrupt(digest: string): Promise<void> {
    this.quarantined.add(digest);
    await this.store.blobs.quarantine(digest);
  }

  async missing(digest: string): Promise<OrreryError> {
    if (this.quarantined.has(digest)) return corruptError(digest);
    const needed = await this.store.artifacts.referencedDigests([digest]);
    if (needed.has(digest) && !(await this.store.artifacts.isDraftDigest(digest))) {
      return new OrreryError(
        "blob_corrupt",
        `blob ${digest} is missing from the server's storage although an artifact version needs it (it was corrupt, or removed by hand): ` +
          "log the artifact again from the original files to re-upload it",
      );
    }
    return new OrreryError("not_found", `no blob ${digest} is stored here: check the digest, or upload it as part of an artifact version`, "digest");
  }

  private async missingOf(digests: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const d of digests) if (!(await this.store.blobs.has(d))) missing.push(d);
    return missing;
  }
}

export function artifactNotFound(a: ArtifactRef): OrreryError {
  return new OrreryError(
    "not_found",
    `project ${a.entity}/${a.project} has no artifact '${a.name}': list its artifacts with GET /api/v1/projects/${a.entity}/${a.project}/artifacts`,
    "name",
  );
}

/** Distinct digests of the stored (not referenced) files, in manifest order. */
function storedDigests(manifest: readonly ManifestEntry[]): string[] {
  return [...new Set(manifest.filter((e) => e.ref === undefined).map((e) => e.digest))];
}

function uploadError(err: unknown): unknown {
  if (err instanceof UploadOffsetError) return new OrreryError("conflict", err.message, "offset");
  if (err instanceof UploadSizeError) return new OrreryError("invalid_request", err.message, "size");
  if (err instanceof DigestMismatchError) return new OrreryError("digest_mismatch", err.message, "digest");
  return err;
}
