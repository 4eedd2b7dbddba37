// Owns the artifact API as a client sees it: log (hash, create the draft, upload what the server
// lacks, commit), look up, use, list, download into the cache and a folder, and garbage collection.
// run.ts builds one per run for logArtifact/useArtifact; `orrery artifact` and `orrery gc` use it
// directly. Upload mechanics live in upload.ts, download mechanics in download.ts.
import { realpathSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import {
  ALIAS_PATTERN, LATEST_ALIAS, MAX_MANIFEST_PAGE, NAME_PATTERN, OrreryError, RUN_ID_PATTERN, parseArtifactRef,
  type ArtifactCreate, type ArtifactDetail, type ArtifactDraft, type ArtifactList, type ArtifactSummary, type ArtifactVersion,
  type GcReport, type GcRequest, type ManifestEntry, type ManifestPage,
} from "@orrery/protocol";
import { describe } from "../errors.js";
import { defaultEntity } from "../names.js";
import { resolveServer } from "../settings.js";
import type { Artifact, ProgressCallback } from "./artifact.js";
import { ArtifactCache, defaultCacheDir } from "./cache.js";
import { fetchBlob, placeFile, placeReference, safeDestination } from "./download.js";
import { jsonRequest, type ServerTarget } from "./http.js";
import { uploadBlob } from "./upload.js";

export interface ArtifactClientOptions {
  /** Server URL. Default: $ORRERY_URL, else http://127.0.0.1:5170. */
  url?: string;
  /** API key. Default: $ORRERY_API_KEY. */
  apiKey?: string;
  /** Default: $ORRERY_ENTITY, else the OS user name. */
  entity?: string;
  /** Project name, or "entity/project". */
  project: string;
  /** Local cache folder. Default: $ORRERY_CACHE_DIR, else ~/.cache/orrery. */
  cacheDir?: string;
  /** Blobs uploaded or downloaded at once. Default 4. */
  concurrency?: number;
  /** A request whose connection is silent this long fails. Default 60000. */
  timeoutMs?: number;
}

export interface LogArtifactOptions {
  /** Aliases to put on the version (`latest` is automatic; `vN` is not an alias). */
  aliases?: readonly string[];
  /** The run logging it, recorded as its producer. */
  runId?: string;
  /** Hears bytes hashed, then bytes uploaded. */
  onProgress?: ProgressCallback;
}

export interface LogResult {
  version: ArtifactVersion;
  /** False when this content already was a version (nothing was uploaded; aliases were applied to it). */
  created: boolean;
  /** Blobs and bytes sent: only those the server did not hold already. */
  uploaded: { blobs: number; bytes: number };
}

export interface DownloadOptions {
  /** Folder to write the files into. Default: ./artifacts/<name>-v<index>. */
  to?: string;
  /** Hears bytes in the cache out of the version's stored bytes (cache hits count at once). */
  onProgress?: ProgressCallback;
}

export interface DownloadResult {
  /** The folder the files were written into (absolute). */
  path: string;
  version: ArtifactVersion;
  /** Files written (stored files and references). */
  files: number;
  /** Distinct blobs already in the cache, and fetched from the server. */
  cached: { blobs: number; bytes: number };
  downloaded: { blobs: number; bytes: number };
}

const aliasRe = new RegExp(ALIAS_PATTERN);
const nameRe = new RegExp(NAME_PATTERN);
const runIdRe = new RegExp(RUN_ID_PATTERN);

/** Checks aliases a caller asks for; the error says why `latest` and `v3` cannot be set. */
export function checkAliases(aliases: unknown): string[] {
  if (aliases === undefined) return [];
  if (!Array.isArray(aliases)) throw new OrreryError("invalid_request", `orrery: aliases must be an array of strings, got ${describe(aliases)}`, "aliases");
  for (const a of aliases) {
    if (a === LATEST_ALIAS) {
      throw new OrreryError("invalid_request", "orrery: alias 'latest' is moved to each new version automatically; it cannot be set by hand", "aliases");
    }
    if (typeof a === "string" && /^[vV][0-9]+$/.test(a)) {
      throw new OrreryError("invalid_request", `orrery: alias '${a}' would read as a version number (name:${a} means version ${a.slice(1)}); choose a word such as best or production`, "aliases");
    }
    if (typeof a !== "string" || !aliasRe.test(a)) {
      throw new OrreryError("invalid_request", `orrery: alias ${describe(a)} must be 1 to 64 letters, digits, "_", "." or "-"`, "aliases");
    }
  }
  return [...new Set(aliases as string[])];
}

/** `name`, `name:alias` or `name:vN` -> parts, or an error saying how to write one. */
export function parseRef(ref: string): { name: string; version: string } {
  const parsed = typeof ref === "string" ? parseArtifactRef(ref) : null;
  if (!parsed) {
    throw new OrreryError(
      "invalid_request",
      `orrery: ${describe(ref)} is not an artifact reference: write NAME, NAME:ALIAS or NAME:vN (letters, digits, "_", "." and "-"), e.g. mnist:latest or resnet:v3`,
      "ref",
    );
  }
  return parsed;
}

/**
 * Talks to one project's artifacts on an Orrery server.
 *
 * @example
 * const client = new ArtifactClient({ project: "vision/mnist" });
 * const { version } = await client.log(new Artifact("weights", "model").addFile("model.pt"), { aliases: ["best"] });
 * const { path } = await client.download("weights:best");
 */
export class ArtifactClient {
  readonly url: string;
  readonly entity: string;
  readonly project: string;
  readonly cache: ArtifactCache;
  private readonly target: ServerTarget;
  private readonly concurrency: number;

  constructor(options: ArtifactClientOptions) {
    const server = resolveServer(options.url, options.apiKey);
    const parts = typeof options.project === "string" ? options.project.split("/") : [];
    const project = parts[parts.length - 1];
    const entity = parts.length === 2 ? parts[0] : options.entity ?? (process.env.ORRERY_ENTITY || undefined) ?? defaultEntity(process.env);
    if (parts.length < 1 || parts.length > 2 || project === undefined || !nameRe.test(project)) {
      throw new OrreryError("invalid_request", `orrery: project must be "entity/project" or "project" (letters, digits, "_", "." and "-"), got ${describe(options.project)}`, "project");
    }
    if (entity === undefined || !nameRe.test(entity)) {
      throw new OrreryError("invalid_request", `orrery: entity must match ${NAME_PATTERN}, got ${describe(entity)}`, "entity");
    }
    this.url = server.url;
    this.entity = entity;
    this.project = project;
    this.cache = new ArtifactCache(options.cacheDir ?? defaultCacheDir());
    this.target = { url: server.url, apiKey: server.apiKey, timeoutMs: options.timeoutMs };
    this.concurrency = Math.max(1, Math.min(32, options.concurrency ?? 4));
  }

  private get base(): string {
    return `/api/v1/projects/${encodeURIComponent(this.entity)}/${encodeURIComponent(this.project)}/artifacts`;
  }

  private versionPath(name: string, ref: string): string {
    return `${this.base}/${encodeURIComponent(name)}/versions/${encodeURIComponent(ref)}`;
  }

  /**
   * Logs the artifact: hashes its files, and unless that content already is a version, uploads
   * the blobs the server lacks (resuming after interruptions) and commits the new version.
   */
  async log(artifact: Artifact, options: LogArtifactOptions = {}): Promise<LogResult> {
    const aliases = checkAliases(options.aliases);
    if (options.runId !== undefined && (typeof options.runId !== "string" || !runIdRe.test(options.runId))) {
      throw new OrreryError("invalid_request", `orrery: runId must match ${RUN_ID_PATTERN}, got ${describe(options.runId)}`, "runId");
    }
    const built = await artifact.build(options.onProgress);
    const body: ArtifactCreate = {
      name: artifact.name, type: artifact.type, description: artifact.description, metadata: artifact.metadata,
      manifest: built.entries, aliases, ...(options.runId === undefined ? {} : { runId: options.runId }),
    };
    const what = `logging artifact ${artifact.name}`;
    let uploaded = { blobs: 0, bytes: 0 };
    // A commit refused for missing blobs (gc removed one between draft and commit, say) is retried once.
    for (let round = 0; ; round++) {
      const draft = await jsonRequest<ArtifactDraft>(this.target, "POST", this.base, what, body);
      if (draft.digest !== built.digest) {
        throw new OrreryError("internal", `orrery: the server computed manifest digest ${draft.digest} for ${artifact.name}, this client ${built.digest}: client and server disagree on the manifest rules (upgrade both)`);
      }
      // Committed content whose blob the server lost (quarantined as corrupt) still lists it as
      // missing: uploading it again repairs the existing version.
      if (draft.state === "committed" && draft.version && draft.missing.length === 0) return { version: draft.version, created: false, uploaded };
      const missing = draft.missing.map((digest) => {
        const source = built.sources.get(digest);
        if (!source) throw new OrreryError("internal", `orrery: the server asked for blob ${digest}, which ${artifact.name} does not hold`);
        return { digest, ...source };
      });
      const total = missing.reduce((n, m) => n + m.size, 0);
      const progress = new Progress(total, (done) => options.onProgress?.(done, total, "upload"));
      options.onProgress?.(0, total, "upload");
      await runPool(missing, this.concurrency, (m) => uploadBlob(this.target, m, (done) => progress.set(m.digest, done)));
      uploaded = { blobs: uploaded.blobs + missing.length, bytes: uploaded.bytes + total };
      if (draft.state === "committed" && draft.version) return { version: draft.version, created: false, uploaded };
      try {
        const version = await jsonRequest<ArtifactVersion>(
          this.target, "POST", `${this.base}/${encodeURIComponent(artifact.name)}/drafts/${encodeURIComponent(draft.draftId ?? "")}/commit`, what, {},
        );
        return { version, created: true, uploaded };
      } catch (err) {
        if (round > 0 || !(err instanceof OrreryError) || err.code !== "conflict") throw err;
      }
    }
  }

  /** A version by reference: `name` (latest), `name:alias` or `name:vN`. */
  get(ref: string): Promise<ArtifactVersion> {
    const { name, version } = parseRef(ref);
    return jsonRequest<ArtifactVersion>(this.target, "GET", this.versionPath(name, version), `artifact ${name}:${version}`);
  }

  /** Records that the run used this version (lineage) and returns it. */
  use(ref: string, runId: string): Promise<ArtifactVersion> {
    const { name, version } = parseRef(ref);
    if (typeof runId !== "string" || !runIdRe.test(runId)) {
      return Promise.reject(new OrreryError("invalid_request", `orrery: runId must match ${RUN_ID_PATTERN}, got ${describe(runId)}`, "runId"));
    }
    return jsonRequest<ArtifactVersion>(this.target, "POST", `${this.versionPath(name, version)}/use`, `using artifact ${name}:${version}`, { runId });
  }

  /** The project's artifacts, optionally of one type or matching a search. */
  async list(filter: { type?: string; search?: string } = {}): Promise<ArtifactSummary[]> {
    const q = new URLSearchParams();
    if (filter.type) q.set("type", filter.type);
    if (filter.search) q.set("search", filter.search);
    const qs = q.toString();
    const reply = await jsonRequest<ArtifactList>(this.target, "GET", `${this.base}${qs ? `?${qs}` : ""}`, "listing artifacts");
    return reply.artifacts;
  }

  /** One artifact and its committed versions, newest first. */
  versions(name: string): Promise<ArtifactDetail> {
    if (typeof name !== "string" || !nameRe.test(name)) return Promise.reject(parseRefError(name));
    return jsonRequest<ArtifactDetail>(this.target, "GET", `${this.base}/${encodeURIComponent(name)}`, `artifact ${name}`);
  }

  /** The version's whole manifest, in path order. */
  async manifest(ref: string | ArtifactVersion): Promise<ManifestEntry[]> {
    const { name, version } = typeof ref === "string" ? parseRef(ref) : { name: ref.name, version: ref.version };
    const entries: ManifestEntry[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: String(MAX_MANIFEST_PAGE) });
      if (cursor !== null) q.set("cursor", cursor);
      const page: ManifestPage = await jsonRequest<ManifestPage>(this.target, "GET", `${this.versionPath(name, version)}/manifest?${q}`, `manifest of ${name}:${version}`);
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return entries;
  }

  /**
   * Writes the version's files into a folder (default ./artifacts/<name>-v<index>): each blob
   * comes from the cache when it is there (no request), else is downloaded into the cache and
   * checked. Nothing is written outside the folder; a corrupt blob leaves the folder untouched.
   */
  async download(ref: string | ArtifactVersion, options: DownloadOptions = {}): Promise<DownloadResult> {
    const version = typeof ref === "string" ? await this.get(ref) : ref;
    const entries = await this.manifest(version);
    const root = resolve(options.to ?? `artifacts/${version.name}-v${version.index}`);
    const s3 = entries.find((e) => e.ref?.startsWith("s3://"));
    if (s3) throw new OrreryError("invalid_request", `orrery: '${s3.path}' of ${version.name}:${version.version} is a reference to ${s3.ref}: this client cannot read s3:// (fetch it with your S3 tools)`, "ref");

    // Refuse unsafe paths before fetching anything (again while writing, in case the folder changes).
    const rootReal = existingReal(root);
    if (rootReal !== undefined) for (const e of entries) safeDestination(root, rootReal, e.path, false);

    const stored = new Map<string, { digest: string; size: number; path: string }>();
    for (const e of entries) if (e.ref === undefined && !stored.has(e.digest)) stored.set(e.digest, { digest: e.digest, size: e.size ?? 0, path: e.path });
    const blobs = [...stored.values()];
    const total = blobs.reduce((n, b) => n + b.size, 0);
    const progress = new Progress(total, (done) => options.onProgress?.(done, total, "download"));
    options.onProgress?.(0, total, "download");
    const cachedPaths = new Map<string, string>();
    const result: DownloadResult = { path: root, version, files: 0, cached: { blobs: 0, bytes: 0 }, downloaded: { blobs: 0, bytes: 0 } };
    await runPool(blobs, this.concurrency, async (b) => {
      const got = await fetchBlob(this.target, this.cache, b, (done) => progress.set(b.digest, done));
      cachedPaths.set(b.digest, got.path);
      if (got.hit) {
        result.cached.blobs++;
        result.cached.bytes += b.size;
      } else {
        result.downloaded.blobs++;
        result.downloaded.bytes += got.downloaded;
      }
    });

    mkdirSync(root, { recursive: true });
    const real = realpathSync(root);
    for (const e of entries) {
      const dest = safeDestination(root, real, e.path, true);
      if (e.ref === undefined) placeFile(cachedPaths.get(e.digest)!, dest);
      else await placeReference(e, dest);
      result.files++;
    }
    return result;
  }

  /** Asks the server to collect unreferenced blobs (see GcRequest); the report says what went. */
  gc(request: GcRequest = {}): Promise<GcReport> {
    return collectGarbage(this.target, request);
  }
}

/** `POST /api/v1/gc` on a server; `orrery gc` calls it. */
export function collectGarbage(server: ServerTarget, request: GcRequest = {}): Promise<GcReport> {
  return jsonRequest<GcReport>({ ...server, timeoutMs: server.timeoutMs ?? 30 * 60_000 }, "POST", "/api/v1/gc", "garbage collection", request, 1);
}

function parseRefError(name: unknown): OrreryError {
  return new OrreryError("invalid_request", `orrery: artifact name must match ${NAME_PATTERN}, got ${describe(name)}`, "name");
}

function existingReal(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Sums per-item progress (which may go back after an interruption) into one figure. */
class Progress {
  private readonly done = new Map<string, number>();
  private sum = 0;
  constructor(readonly total: number, private readonly report: (done: number) => void) {}
  set(key: string, value: number): void {
    const before = this.done.get(key) ?? 0;
    if (value === before) return;
    this.done.set(key, value);
    this.sum += value - before;
    this.report(this.sum);
  }
}

/** Runs fn over items, at most n at a time; the first failure stops new work and is thrown once running work settles. */
async function runPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failure) throw failure.err;
}
