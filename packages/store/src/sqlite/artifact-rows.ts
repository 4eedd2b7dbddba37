// Owns the row-level helpers of the SQLite ArtifactStore: finding artifacts and versions by name,
// turning rows into records, moving aliases (every move recorded as an event) and linking runs.
// They run inside the callers' transactions; the ArtifactStore methods live in artifacts.ts.
import type { ArtifactRef, ArtifactVersionRecord, ManifestFile, ProjectRef } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { parseObject } from "./json.js";

export interface ArtifactRow {
  id: number; project_id: number; name: string; type: string; next_index: number; created_at: number; updated_at: number;
}
export interface VersionRow {
  id: number; artifact: number; draft_id: string; state: "draft" | "committed"; idx: number | null; digest: string;
  description: string; metadata: string; aliases: string; run_id: string | null; size: number; file_count: number;
  created_at: number; touched_at: number; name: string; type: string;
}
export interface FileRow { path: string; digest: string; size: number | null; ref: string | null }

export const LATEST = "latest";
const VERSION_FROM = "SELECT v.*, a.name, a.type FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact";

export function toFile(r: FileRow): ManifestFile {
  return r.ref === null ? { path: r.path, digest: r.digest, size: r.size } : { path: r.path, digest: r.digest, size: r.size, ref: r.ref };
}

/** `v3` -> 3; anything else is an alias. */
export function versionIndex(ref: string): number | undefined {
  const m = /^v(\d{1,15})$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/**
 * The least string greater than every string starting with prefix (null when none exists): the
 * prefix with its last code point raised by one. Strings s with prefix <= s < bound are exactly
 * those starting with prefix, in code point order, which is UTF-8 byte order (SQLite's BINARY).
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate range: those code points cannot be encoded as UTF-8.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join("") + String.fromCodePoint(next);
    }
  }
  return null;
}

export class ArtifactRows {
  readonly s: Record<
    | "project" | "insProject" | "artifactIn" | "artifact" | "insArtifact" | "touchArtifact" | "versionById" | "versionByIndex"
    | "versionByAlias" | "versionByDigest" | "versionByDraft" | "versionAliases" | "artifactAliases" | "aliasNow" | "setAlias"
    | "delAlias" | "insEvent" | "insLink" | "maxIndexBut" | "versionCount" | "anyVersion" | "delArtifact" | "delArtifactEvents",
    Stmt
  >;

  constructor(readonly eng: Engine) {
    this.s = {
      project: eng.stmt("SELECT id FROM projects WHERE entity = ? AND name = ?").pluck(),
      insProject: eng.stmt("INSERT INTO projects (entity, name, created_at, last_activity) VALUES (?, ?, ?, ?)"),
      artifactIn: eng.stmt("SELECT * FROM artifacts WHERE project_id = ? AND name = ?"),
      artifact: eng.stmt(
        "SELECT a.* FROM artifacts a JOIN projects p ON p.id = a.project_id WHERE p.entity = ? AND p.name = ? AND a.name = ?",
      ),
      insArtifact: eng.stmt("INSERT INTO artifacts (project_id, name, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
      touchArtifact: eng.stmt("UPDATE artifacts SET updated_at = max(updated_at, ?) WHERE id = ?"),
      versionById: eng.stmt(`${VERSION_FROM} WHERE v.id = ?`),
      versionByIndex: eng.stmt(`${VERSION_FROM} WHERE v.artifact = ? AND v.idx = ?`),
      versionByAlias: eng.stmt(
        `${VERSION_FROM} JOIN artifact_aliases al ON al.version = v.id WHERE al.artifact = ? AND al.alias = ?`,
      ),
      versionByDigest: eng.stmt(`${VERSION_FROM} WHERE v.artifact = ? AND v.state = ? AND v.digest = ?`),
      versionByDraft: eng.stmt(`${VERSION_FROM} WHERE v.artifact = ? AND v.draft_id = ?`),
      versionAliases: eng.stmt("SELECT alias FROM artifact_aliases WHERE version = ? ORDER BY alias").pluck(),
      artifactAliases: eng.stmt(
        `SELECT al.alias, al.version, v.idx FROM artifact_aliases al JOIN artifact_versions v ON v.id = al.version
         WHERE al.artifact = ? ORDER BY al.alias`,
      ),
      aliasNow: eng.stmt(
        `SELECT al.version, v.idx FROM artifact_aliases al JOIN artifact_versions v ON v.id = al.version
         WHERE al.artifact = ? AND al.alias = ?`,
      ),
      setAlias: eng.stmt(
        `INSERT INTO artifact_aliases (artifact, alias, version) VALUES (?, ?, ?)
         ON CONFLICT (artifact, alias) DO UPDATE SET version = excluded.version`,
      ),
      delAlias: eng.stmt("DELETE FROM artifact_aliases WHERE artifact = ? AND alias = ?"),
      insEvent: eng.stmt(
        "INSERT INTO artifact_alias_events (artifact, alias, from_index, to_index, at, run_id) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      insLink: eng.stmt(
        "INSERT OR IGNORE INTO artifact_links (version, direction, run_id, project_id, at) VALUES (?, ?, ?, ?, ?)",
      ),
      maxIndexBut: eng.stmt("SELECT max(idx) FROM artifact_versions WHERE artifact = ? AND state = 'committed' AND idx != ?").pluck(),
      versionCount: eng.stmt("SELECT count(*) FROM artifact_versions WHERE artifact = ? AND state = 'committed'").pluck(),
      anyVersion: eng.stmt("SELECT 1 FROM artifact_versions WHERE artifact = ? LIMIT 1").pluck(),
      delArtifact: eng.stmt("DELETE FROM artifacts WHERE id = ?"),
      delArtifactEvents: eng.stmt("DELETE FROM artifact_alias_events WHERE artifact = ?"),
    };
  }

  projectId(p: ProjectRef): number | undefined {
    return this.s.project.get(p.entity, p.project) as number | undefined;
  }

  ensureProject(p: ProjectRef, now: number): number {
    return this.projectId(p) ?? Number(this.s.insProject.run(p.entity, p.project, now, now).lastInsertRowid);
  }

  artifact(a: ArtifactRef): ArtifactRow | undefined {
    return this.s.artifact.get(a.entity, a.project, a.name) as ArtifactRow | undefined;
  }

  /** A committed version by `vN` or alias. */
  committed(art: ArtifactRow, ref: string): VersionRow | undefined {
    const index = versionIndex(ref);
    const row = (index !== undefined ? this.s.versionByIndex.get(art.id, index) : this.s.versionByAlias.get(art.id, ref)) as VersionRow | undefined;
    return row?.state === "committed" ? row : undefined;
  }

  byIndex(art: ArtifactRow, index: number): VersionRow | undefined {
    return this.s.versionByIndex.get(art.id, index) as VersionRow | undefined;
  }

  committedByIndex(a: ArtifactRef, index: number): VersionRow | undefined {
    const art = this.artifact(a);
    const v = art === undefined ? undefined : this.byIndex(art, index);
    return v?.state === "committed" ? v : undefined;
  }

  record(v: VersionRow, aliases?: string[]): ArtifactVersionRecord {
    return {
      name: v.name, type: v.type, index: v.idx ?? -1, digest: v.digest, description: v.description,
      metadata: parseObject(v.metadata), aliases: aliases ?? (this.s.versionAliases.all(v.id) as string[]), size: v.size,
      fileCount: v.file_count, createdAt: v.created_at, createdBy: v.run_id,
    };
  }

  recordById(id: number): ArtifactVersionRecord {
    return this.record(this.s.versionById.get(id) as VersionRow);
  }

  /** Points alias at the version, recording the move; false when it already pointed there. */
  moveAlias(artifactId: number, alias: string, v: { id: number; idx: number }, now: number, runId: string | null): boolean {
    const cur = this.s.aliasNow.get(artifactId, alias) as { version: number; idx: number } | undefined;
    if (cur?.version === v.id) return false;
    this.s.setAlias.run(artifactId, alias, v.id);
    this.s.insEvent.run(artifactId, alias, cur?.idx ?? null, v.idx, now, runId);
    return true;
  }

  /** Removes the alias (recorded), when it points at the version given (or anywhere, without one). */
  removeAlias(artifactId: number, alias: string, now: number, runId: string | null, onlyVersion?: number): boolean {
    const cur = this.s.aliasNow.get(artifactId, alias) as { version: number; idx: number } | undefined;
    if (cur === undefined || (onlyVersion !== undefined && cur.version !== onlyVersion)) return false;
    this.s.delAlias.run(artifactId, alias);
    this.s.insEvent.run(artifactId, alias, cur.idx, null, now, runId);
    return true;
  }

  link(versionId: number, direction: "input" | "output", runId: string, projectId: number, now: number): void {
    this.s.insLink.run(versionId, direction, runId, projectId, now);
  }

  /** Drops the artifact (and its alias history) once no version or draft is left. */
  dropIfEmpty(artifactId: number): boolean {
    if (this.s.anyVersion.get(artifactId) !== undefined) return false;
    this.s.delArtifactEvents.run(artifactId);
    this.s.delArtifact.run(artifactId);
    return true;
  }
}
