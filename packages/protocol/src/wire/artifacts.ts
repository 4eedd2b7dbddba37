// Owns the wire shapes of artifacts: versions and their manifests, drafts (a version whose blobs are
// still uploading), aliases and their history, lineage, resumable blob uploads and garbage
// collection. It also owns the two rules every client and the server must agree on byte for byte:
// which file paths an artifact may hold, and the canonical text whose SHA-256 is a manifest's digest.
import { Type, type Static } from "@sinclair/typebox";
import { NAME_PATTERN, RUN_ID_PATTERN } from "../limits.js";

/** Files in one artifact version. */
export const MAX_MANIFEST_ENTRIES = 100_000;
/** Characters of a path inside an artifact. */
export const MAX_ARTIFACT_PATH_CHARS = 1024;
/** Entries one manifest page may hold. */
export const MAX_MANIFEST_PAGE = 10_000;
/** Hops a lineage query may follow. */
export const MAX_LINEAGE_DEPTH = 10;
/** Nodes a lineage graph may hold; past this the reply says truncated. */
export const MAX_LINEAGE_NODES = 500;
/** Largest blob one upload may declare, bytes (1 TiB). */
export const MAX_BLOB_BYTES = 2 ** 40;

export const DIGEST_PATTERN = "^[0-9a-f]{64}$";
export const ARTIFACT_NAME_PATTERN = NAME_PATTERN;
export const ARTIFACT_TYPE_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";
/** User aliases; `v<digits>` is refused because `name:v3` already means version 3. */
export const ALIAS_PATTERN = "^(?![vV][0-9]+$)[A-Za-z0-9_.-]{1,64}$";
/** The alias the server moves to every newly committed version; clients cannot set or remove it. */
export const LATEST_ALIAS = "latest";
/** A version or an alias: `v3`, `latest`, `production`. */
export const VERSION_REF_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";
export const REFERENCE_SCHEMES = ["file", "s3", "https", "http"] as const;

const Json = Type.Record(Type.String(), Type.Unknown());
const Time = Type.String({ format: "date-time" });
const Digest = Type.String({ pattern: DIGEST_PATTERN, description: "SHA-256 of the content, lower-case hex" });
const Alias = Type.String({ pattern: ALIAS_PATTERN });

export const ManifestEntry = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: MAX_ARTIFACT_PATH_CHARS, description: "relative POSIX path; see checkArtifactPath" }),
    digest: Type.String({
      minLength: 1, maxLength: 512,
      description:
        "stored files: the SHA-256 (hex) of the content. References: the SHA-256 when the client could read the content, " +
        "`etag:<ETag>` when the server of the URI gave one, or the URI itself when not checksummed",
    }),
    size: Type.Union([Type.Integer({ minimum: 0, maximum: MAX_BLOB_BYTES }), Type.Null()], { description: "bytes; null only for a reference of unknown size" }),
    ref: Type.Optional(Type.String({
      minLength: 1, maxLength: 4096,
      description: "an external file (file://, s3://, https://) recorded without copying; absent for files stored in Orrery",
    })),
  },
  { additionalProperties: false, $id: "ManifestEntry" },
);
export type ManifestEntry = Static<typeof ManifestEntry>;

export const ArtifactVersion = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    version: Type.String({ description: "v0, v1, ..." }),
    index: Type.Integer({ minimum: 0 }),
    digest: Digest,
    description: Type.String(),
    metadata: Json,
    aliases: Type.Array(Type.String(), { description: "every alias on this version, `latest` included, sorted" }),
    size: Type.Integer({ description: "bytes of every entry whose size is known" }),
    fileCount: Type.Integer(),
    createdAt: Time,
    createdBy: Type.Union([Type.String(), Type.Null()], { description: "the run that first logged this content" }),
  },
  { $id: "ArtifactVersion" },
);
export type ArtifactVersion = Static<typeof ArtifactVersion>;

export const ArtifactCreate = Type.Object(
  {
    name: Type.String({ pattern: ARTIFACT_NAME_PATTERN }),
    type: Type.String({ pattern: ARTIFACT_TYPE_PATTERN, description: "model, dataset, or any other word" }),
    description: Type.Optional(Type.String({ maxLength: 100_000 })),
    metadata: Type.Optional(Json),
    manifest: Type.Array(Type.Ref("ManifestEntry"), { maxItems: MAX_MANIFEST_ENTRIES }),
    aliases: Type.Optional(Type.Array(Alias, { maxItems: 64 })),
    runId: Type.Optional(Type.String({ pattern: RUN_ID_PATTERN, description: "the run logging it: recorded as its producer" })),
  },
  { additionalProperties: false },
);
export type ArtifactCreate = Static<typeof ArtifactCreate>;

export const ArtifactDraft = Type.Object(
  {
    state: Type.Union([Type.Literal("pending"), Type.Literal("committed")], {
      description: "committed: this content already is a version (returned, with the new aliases applied); pending: upload missing, then commit",
    }),
    draftId: Type.Union([Type.String(), Type.Null()]),
    digest: Digest,
    missing: Type.Array(Digest, { description: "distinct digests of stored files the server does not have yet: upload these" }),
    version: Type.Union([Type.Ref("ArtifactVersion"), Type.Null()]),
  },
  { $id: "ArtifactDraft" },
);
export type ArtifactDraft = { state: "pending" | "committed"; draftId: string | null; digest: string; missing: string[]; version: ArtifactVersion | null };

export const AliasRef = Type.Object({ alias: Type.String(), version: Type.String() });
export type AliasRef = Static<typeof AliasRef>;

export const ArtifactSummary = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    description: Type.String({ description: "the latest version's" }),
    versionCount: Type.Integer(),
    latest: Type.Union([Type.String(), Type.Null()]),
    aliases: Type.Array(AliasRef),
    size: Type.Integer({ description: "the latest version's size" }),
    createdAt: Time,
    updatedAt: Time,
  },
  { $id: "ArtifactSummary" },
);
export type ArtifactSummary = Static<typeof ArtifactSummary>;

export const ArtifactList = Type.Object({ artifacts: Type.Array(Type.Ref("ArtifactSummary")) }, { $id: "ArtifactList" });
export type ArtifactList = { artifacts: ArtifactSummary[] };

export const ArtifactDetail = Type.Object(
  {
    artifact: Type.Ref("ArtifactSummary"),
    versions: Type.Array(Type.Ref("ArtifactVersion"), { description: "committed versions, newest first" }),
  },
  { $id: "ArtifactDetail" },
);
export type ArtifactDetail = { artifact: ArtifactSummary; versions: ArtifactVersion[] };

export const ManifestPage = Type.Object(
  {
    entries: Type.Array(Type.Ref("ManifestEntry"), { description: "in path order (UTF-8 byte order)" }),
    total: Type.Integer({ description: "entries matching the prefix" }),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: "ManifestPage" },
);
export type ManifestPage = { entries: ManifestEntry[]; total: number; nextCursor: string | null };

export const ArtifactVersionPatch = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 100_000 })),
    metadata: Type.Optional(Json),
    aliases: Type.Optional(Type.Object(
      {
        add: Type.Optional(Type.Array(Alias, { maxItems: 64, description: "moved here from whichever version held them" })),
        remove: Type.Optional(Type.Array(Alias, { maxItems: 64 })),
      },
      { additionalProperties: false },
    )),
    runId: Type.Optional(Type.String({ pattern: RUN_ID_PATTERN, description: "recorded with the alias moves" })),
  },
  { additionalProperties: false },
);
export type ArtifactVersionPatch = Static<typeof ArtifactVersionPatch>;

export const AliasEvent = Type.Object({
  alias: Type.String(),
  from: Type.Union([Type.String(), Type.Null()], { description: "the version it left; null when new" }),
  to: Type.Union([Type.String(), Type.Null()], { description: "the version it moved to; null when removed" }),
  at: Time,
  runId: Type.Union([Type.String(), Type.Null()]),
});
export type AliasEvent = Static<typeof AliasEvent>;

export const AliasHistory = Type.Object({ events: Type.Array(AliasEvent, { description: "newest first" }) }, { $id: "AliasHistory" });
export type AliasHistory = Static<typeof AliasHistory>;

export const ArtifactUse = Type.Object(
  { runId: Type.String({ pattern: RUN_ID_PATTERN }) },
  { additionalProperties: false },
);
export type ArtifactUse = Static<typeof ArtifactUse>;

export const RunLink = Type.Object({
  runId: Type.String(),
  name: Type.Union([Type.String(), Type.Null()], { description: "null when the run has not reached the server (yet)" }),
  state: Type.Union([Type.String(), Type.Null()]),
  at: Time,
});
export type RunLink = Static<typeof RunLink>;

export const VersionRuns = Type.Object(
  { producers: Type.Array(RunLink), consumers: Type.Array(RunLink) },
  { $id: "VersionRuns" },
);
export type VersionRuns = Static<typeof VersionRuns>;

export const VersionLink = Type.Object({
  name: Type.String(),
  type: Type.String(),
  version: Type.String(),
  digest: Digest,
  aliases: Type.Array(Type.String()),
  size: Type.Integer(),
  at: Time,
});
export type VersionLink = Static<typeof VersionLink>;

export const RunArtifacts = Type.Object(
  { used: Type.Array(VersionLink), produced: Type.Array(VersionLink) },
  { $id: "RunArtifacts" },
);
export type RunArtifacts = Static<typeof RunArtifacts>;

export const LineageNode = Type.Object({
  id: Type.String({ description: "run:<runId> or artifact:<name>:v<index>" }),
  kind: Type.Union([Type.Literal("run"), Type.Literal("artifact")]),
  label: Type.String({ description: "a run's name, or name:vN" }),
  depth: Type.Integer({ description: "hops from the node asked about" }),
  runId: Type.Optional(Type.String()),
  state: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  name: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  aliases: Type.Optional(Type.Array(Type.String())),
});
export type LineageNode = Static<typeof LineageNode>;

export const LineageGraph = Type.Object(
  {
    root: Type.String({ description: "the id of the node asked about" }),
    nodes: Type.Array(LineageNode),
    edges: Type.Array(Type.Object({
      from: Type.String(),
      to: Type.String(),
    }), { description: "artifact -> run: the run used it; run -> artifact: the run produced it" }),
    truncated: Type.Boolean({ description: `true when more than ${MAX_LINEAGE_NODES} nodes were reachable` }),
  },
  { $id: "LineageGraph" },
);
export type LineageGraph = Static<typeof LineageGraph>;

export const BlobUploadStatus = Type.Object(
  {
    digest: Digest,
    received: Type.Integer({ description: "bytes durably stored so far; resume by sending from this offset" }),
    size: Type.Union([Type.Integer(), Type.Null()], { description: "the size declared when the upload began; null before" }),
    complete: Type.Boolean({ description: "the blob is stored and its SHA-256 checked" }),
  },
  { $id: "BlobUploadStatus" },
);
export type BlobUploadStatus = Static<typeof BlobUploadStatus>;

export const GcRequest = Type.Object(
  {
    dryRun: Type.Optional(Type.Boolean({ description: "report what would go, delete nothing" })),
    graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 365 * 86_400, description: "drafts and partial uploads idle less than this are kept (default 86400)" })),
    verify: Type.Optional(Type.Boolean({ description: "also re-read every kept blob and report those whose bytes no longer match their digest" })),
  },
  { additionalProperties: false },
);
export type GcRequest = Static<typeof GcRequest>;

export const GcReport = Type.Object(
  {
    dryRun: Type.Boolean(),
    blobsScanned: Type.Integer(),
    blobsDeleted: Type.Integer(),
    bytesFreed: Type.Integer(),
    blobsKept: Type.Integer(),
    draftsExpired: Type.Integer(),
    uploadsRemoved: Type.Integer({ description: "partial uploads idle past the grace period" }),
    corrupt: Type.Array(Digest, { description: "with verify: blobs whose bytes no longer match (moved aside, never served)" }),
  },
  { $id: "GcReport" },
);
export type GcReport = Static<typeof GcReport>;

export const ArtifactParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  name: Type.String({ pattern: ARTIFACT_NAME_PATTERN }),
});
export type ArtifactParams = Static<typeof ArtifactParams>;

export const ArtifactVersionParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  name: Type.String({ pattern: ARTIFACT_NAME_PATTERN }),
  ref: Type.String({ pattern: VERSION_REF_PATTERN, description: "v3, latest, or any alias" }),
});
export type ArtifactVersionParams = Static<typeof ArtifactVersionParams>;

export const BlobParams = Type.Object({ digest: Digest });
export type BlobParams = Static<typeof BlobParams>;

/**
 * Why an artifact path is refused, or null when it is fine. Paths are relative and POSIX: no
 * leading `/`, no drive letter, no `\`, no empty, `.` or `..` segment, no control character.
 * The same rule guards uploads (server and SDKs) and downloads (nothing is written outside the
 * target folder).
 */
export function checkArtifactPath(path: string): string | null {
  if (path.length === 0) return "is empty";
  if (path.length > MAX_ARTIFACT_PATH_CHARS) return `is longer than ${MAX_ARTIFACT_PATH_CHARS} characters`;
  if (path.includes("\0")) return "contains a NUL character";
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f\u007f]/.test(path)) return "contains a control character";
  if (path.startsWith("/")) return "is absolute: give a path relative to the artifact root";
  if (/^[A-Za-z]:/.test(path)) return "starts with a drive letter: give a path relative to the artifact root";
  if (path.includes("\\")) return "contains '\\': separate folders with '/'";
  for (const segment of path.split("/")) {
    if (segment === "") return "has an empty segment ('//' or a trailing '/')";
    if (segment === "..") return "contains '..': it would escape the artifact";
    if (segment === ".") return "contains a '.' segment: write the path without it";
  }
  return null;
}

/**
 * Why a manifest is refused (with the offending entry's index), or null: every path must pass
 * checkArtifactPath, appear once, and not be both a file and a folder (`a` and `a/b`); stored
 * files need a SHA-256 digest and a size; references need a known scheme.
 */
export function checkManifest(entries: readonly ManifestEntry[]): { index: number; field: string; message: string } | null {
  const digest = new RegExp(DIGEST_PATTERN);
  const seen = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const why = checkArtifactPath(e.path);
    if (why) return { index: i, field: "path", message: `path '${printable(e.path)}' ${why}` };
    if (seen.has(e.path)) return { index: i, field: "path", message: `path '${e.path}' appears twice: each path names one file` };
    seen.add(e.path);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(e.digest)) return { index: i, field: "digest", message: "digest contains a control character" };
    // eslint-disable-next-line no-control-regex
    if (e.ref !== undefined && /[\u0000-\u001f\u007f]/.test(e.ref)) return { index: i, field: "ref", message: "reference contains a control character" };
    if (e.ref === undefined) {
      if (!digest.test(e.digest)) return { index: i, field: "digest", message: `'${printable(e.digest).slice(0, 80)}' is not a SHA-256 (64 lower-case hex digits)` };
      if (e.size === null) return { index: i, field: "size", message: "a stored file needs its size in bytes" };
    } else {
      const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(e.ref)?.[1];
      if (!scheme || !(REFERENCE_SCHEMES as readonly string[]).includes(scheme)) {
        return { index: i, field: "ref", message: `reference '${printable(e.ref).slice(0, 80)}' must start with ${REFERENCE_SCHEMES.map((s) => `${s}://`).join(", ")}` };
      }
    }
  }
  for (const path of seen) {
    for (let cut = path.indexOf("/"); cut !== -1; cut = path.indexOf("/", cut + 1)) {
      const folder = path.slice(0, cut);
      if (seen.has(folder)) {
        const index = entries.findIndex((e) => e.path === folder);
        return { index, field: "path", message: `'${folder}' is a file and also the folder of '${path}'` };
      }
    }
  }
  return null;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Orders paths by their UTF-8 bytes, which is also Python's order of str (by code point). */
export function compareArtifactPaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * The text whose SHA-256 is the manifest's digest: a header line, then per entry in path order
 * the lines path, digest, size ("" when null) and ref ("" when stored). Paths hold no control
 * character, so newlines cannot be forged. Two manifests with the same files have the same text
 * whatever order they were listed in; description and metadata are not part of it.
 */
export function manifestCanonicalText(entries: readonly ManifestEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareArtifactPaths(a.path, b.path));
  let text = "orrery-manifest-v1\n";
  for (const e of sorted) text += `${e.path}\n${e.digest}\n${e.size ?? ""}\n${e.ref ?? ""}\n`;
  return text;
}

/** `name`, `name:alias` or `name:v3` -> parts; null when malformed. A bare name means latest. */
export function parseArtifactRef(ref: string): { name: string; version: string } | null {
  const colon = ref.lastIndexOf(":");
  const name = colon === -1 ? ref : ref.slice(0, colon);
  const version = colon === -1 ? LATEST_ALIAS : ref.slice(colon + 1);
  if (!new RegExp(ARTIFACT_NAME_PATTERN).test(name) || !new RegExp(VERSION_REF_PATTERN).test(version)) return null;
  return { name, version };
}
