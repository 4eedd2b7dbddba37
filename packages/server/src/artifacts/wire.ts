// Owns turning the artifact store's records into wire shapes: times as ISO text, version indexes as
// `vN`, and the manifest page cursor (the last path of a page, opaque to clients). Nothing here
// reads the store.
import {
  checkArtifactPath, OrreryError, type AliasEvent, type ArtifactSummary, type ArtifactVersion, type ManifestEntry, type RunLink,
  type VersionLink,
} from "@orrery/protocol";
import type {
  AliasEventRecord, ArtifactRecord, ArtifactVersionRecord, ManifestFile, RunLinkRecord, VersionLinkRecord,
} from "@orrery/store";

export const versionName = (index: number): string => `v${index}`;
const iso = (ms: number): string => new Date(ms).toISOString();

export function toVersion(v: ArtifactVersionRecord): ArtifactVersion {
  return {
    name: v.name, type: v.type, version: versionName(v.index), index: v.index, digest: v.digest, description: v.description,
    metadata: v.metadata, aliases: v.aliases, size: v.size, fileCount: v.fileCount, createdAt: iso(v.createdAt), createdBy: v.createdBy,
  };
}

export function toSummary(a: ArtifactRecord): ArtifactSummary {
  return {
    name: a.name, type: a.type, description: a.latest?.description ?? "", versionCount: a.versionCount,
    latest: a.latest ? versionName(a.latest.index) : null,
    aliases: a.aliases.map((x) => ({ alias: x.alias, version: versionName(x.index) })),
    size: a.latest?.size ?? 0, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt),
  };
}

export function toEntry(f: ManifestFile): ManifestEntry {
  return f.ref === undefined || f.ref === null
    ? { path: f.path, digest: f.digest, size: f.size }
    : { path: f.path, digest: f.digest, size: f.size, ref: f.ref };
}

export function toAliasEvent(e: AliasEventRecord): AliasEvent {
  return {
    alias: e.alias, from: e.from === null ? null : versionName(e.from), to: e.to === null ? null : versionName(e.to),
    at: iso(e.at), runId: e.runId,
  };
}

export function toRunLink(r: RunLinkRecord): RunLink {
  return { runId: r.runId, name: r.name, state: r.state, at: iso(r.at) };
}

export function toVersionLink(l: VersionLinkRecord): VersionLink {
  const v = l.version;
  return { name: v.name, type: v.type, version: versionName(v.index), digest: v.digest, aliases: v.aliases, size: v.size, at: iso(l.at) };
}

/** The cursor after a page: its last path, base64url so it survives a query string untouched. */
export function encodeCursor(lastPath: string): string {
  return Buffer.from(lastPath, "utf8").toString("base64url");
}

/** The path a cursor stands for; 400 (field cursor) when it is not one this server gave out. */
export function decodeCursor(cursor: string): string {
  const path = Buffer.from(cursor, "base64url").toString("utf8");
  if (cursor === "" || encodeCursor(path) !== cursor || checkArtifactPath(path) !== null) {
    throw new OrreryError("invalid_request", "cursor is not one this server gave out: pass the nextCursor of the previous page, or none for the first", "cursor");
  }
  return path;
}
