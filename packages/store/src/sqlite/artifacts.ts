// Owns the SQLite ArtifactStore: drafts and their commit into numbered versions, aliases and their
// history, manifests, run links and the digests garbage collection must keep. Every change is one
// immediate transaction (SQLite's write lock), so version numbers and alias moves stay exact across
// server processes. Schema in schema-artifacts.ts; row helpers in artifact-rows.ts; run links and
// garbage-collection lookups in artifact-links.ts; blobs are the BlobStore's and path rules the
// server's (checkManifest).
import { compareArtifactPaths } from "@orrery/protocol";
import type {
  AliasEventRecord, ArtifactRecord, ArtifactRef, ArtifactStore, ArtifactVersionPatchInput, ArtifactVersionRecord, DraftOutcome,
  LineageLink, ManifestFile, NewArtifactDraft, ProjectRef, RunLinkRecord, RunRef, VersionLinkRecord,
} from "../interfaces.js";
import { ArtifactLinks } from "./artifact-links.js";
import { ArtifactRows, LATEST, prefixUpperBound, toFile, type ArtifactRow, type FileRow, type VersionRow } from "./artifact-rows.js";
import type { Engine, Stmt } from "./engine.js";
import { mintId } from "./sweeps.js";

type DeleteOutcome = { kind: "deleted" } | { kind: "missing" } | { kind: "has_aliases"; aliases: string[] };

export class SqliteArtifacts implements ArtifactStore {
  private readonly rows: ArtifactRows;
  private readonly links: ArtifactLinks;
  private readonly s: Record<
    | "draftIdTaken" | "insDraft" | "resumeDraft" | "insFile" | "draftDigests" | "commit" | "bumpIndex" | "touchDrafts"
    | "isDraftDigest" | "staleDrafts" | "delFiles" | "delVersion" | "delLinks" | "artifactsOf" | "versionsOf" | "setDescription"
    | "setMetadata" | "events" | "entry",
    Stmt
  >;
  private readonly txn: {
    createDraft: (p: ProjectRef, input: NewArtifactDraft, now: number) => DraftOutcome;
    commitDraft: (a: ArtifactRef, draftId: string, now: number) => ArtifactVersionRecord | undefined;
    expireDrafts: (before: number) => number;
    patchVersion: (a: ArtifactRef, index: number, patch: ArtifactVersionPatchInput, now: number) => ArtifactVersionRecord | undefined;
    deleteVersion: (a: ArtifactRef, index: number, force: boolean, now: number) => DeleteOutcome;
  };

  constructor(private readonly eng: Engine) {
    this.rows = new ArtifactRows(eng);
    this.links = new ArtifactLinks(eng, this.rows);
    this.s = {
      draftIdTaken: eng.stmt("SELECT 1 FROM artifact_versions WHERE draft_id = ?").pluck(),
      insDraft: eng.stmt(
        `INSERT INTO artifact_versions
           (artifact, draft_id, state, digest, description, metadata, aliases, run_id, size, file_count, created_at, touched_at)
         VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      resumeDraft: eng.stmt(
        "UPDATE artifact_versions SET description = ?, metadata = ?, aliases = ?, run_id = ?, touched_at = max(touched_at, ?) WHERE id = ?",
      ),
      insFile: eng.stmt("INSERT INTO artifact_files (version, path, digest, size, ref) VALUES (?, ?, ?, ?, ?)"),
      draftDigests: eng.stmt(
        "SELECT DISTINCT digest FROM artifact_files WHERE version = ? AND ref IS NULL ORDER BY digest",
      ).pluck(),
      commit: eng.stmt("UPDATE artifact_versions SET state = 'committed', idx = ?, created_at = ?, touched_at = ? WHERE id = ?"),
      bumpIndex: eng.stmt("UPDATE artifacts SET next_index = next_index + 1, updated_at = max(updated_at, ?) WHERE id = ?"),
      touchDrafts: eng.stmt(
        `UPDATE artifact_versions SET touched_at = max(touched_at, ?)
         WHERE state = 'draft' AND id IN (SELECT version FROM artifact_files WHERE digest = ? AND ref IS NULL)`,
      ),
      isDraftDigest: eng.stmt(
        `SELECT 1 FROM artifact_files f JOIN artifact_versions v ON v.id = f.version
         WHERE f.digest = ? AND f.ref IS NULL AND v.state = 'draft' LIMIT 1`,
      ).pluck(),
      staleDrafts: eng.stmt("SELECT id, artifact FROM artifact_versions WHERE state = 'draft' AND touched_at < ?"),
      delFiles: eng.stmt("DELETE FROM artifact_files WHERE version = ?"),
      delVersion: eng.stmt("DELETE FROM artifact_versions WHERE id = ?"),
      delLinks: eng.stmt("DELETE FROM artifact_links WHERE version = ?"),
      artifactsOf: eng.stmt(
        `SELECT a.*, (SELECT count(*) FROM artifact_versions v WHERE v.artifact = a.id AND v.state = 'committed') AS version_count
         FROM artifacts a WHERE a.project_id = ? ORDER BY a.name`,
      ),
      versionsOf: eng.stmt(
        "SELECT v.*, a.name, a.type FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact WHERE v.artifact = ? AND v.state = 'committed' ORDER BY v.idx DESC",
      ),
      setDescription: eng.stmt("UPDATE artifact_versions SET description = ? WHERE id = ?"),
      setMetadata: eng.stmt("UPDATE artifact_versions SET metadata = ? WHERE id = ?"),
      events: eng.stmt(
        "SELECT alias, from_index, to_index, at, run_id FROM artifact_alias_events WHERE artifact = ? ORDER BY id DESC LIMIT ?",
      ),
      entry: eng.stmt("SELECT path, digest, size, ref FROM artifact_files WHERE version = ? AND path = ?"),
    };
    const db = eng.db;
    this.txn = {
      createDraft: db.transaction((p: ProjectRef, input: NewArtifactDraft, now: number) => this.createDraftTx(p, input, now)).immediate,
      commitDraft: db.transaction((a: ArtifactRef, draftId: string, now: number) => this.commitDraftTx(a, draftId, now)).immediate,
      expireDrafts: db.transaction((before: number) => this.expireDraftsTx(before)).immediate,
      patchVersion: db.transaction(
        (a: ArtifactRef, index: number, patch: ArtifactVersionPatchInput, now: number) => this.patchVersionTx(a, index, patch, now),
      ).immediate,
      deleteVersion: db.transaction(
        (a: ArtifactRef, index: number, force: boolean, now: number) => this.deleteVersionTx(a, index, force, now),
      ).immediate,
    };
  }

  async createDraft(p: ProjectRef, input: NewArtifactDraft, now: number): Promise<DraftOutcome> {
    this.eng.assertOpen();
    return this.txn.createDraft(p, input, now);
  }

  private createDraftTx(p: ProjectRef, input: NewArtifactDraft, now: number): DraftOutcome {
    const rows = this.rows;
    const known = rows.artifact({ ...p, name: input.name });
    if (known !== undefined && known.type !== input.type) return { kind: "type_conflict", existingType: known.type };
    const projectId = rows.ensureProject(p, now);
    const artifactId = known?.id ?? Number(rows.s.insArtifact.run(projectId, input.name, input.type, now, now).lastInsertRowid);
    const aliases = input.aliases.filter((x) => x !== LATEST);

    const existing = rows.s.versionByDigest.get(artifactId, "committed", input.digest) as VersionRow | undefined;
    if (existing !== undefined) {
      const v = { id: existing.id, idx: existing.idx! };
      let moved = false;
      for (const alias of aliases) moved = rows.moveAlias(artifactId, alias, v, now, input.runId) || moved;
      if (moved) rows.s.touchArtifact.run(now, artifactId);
      if (input.runId !== null) rows.link(existing.id, "output", input.runId, projectId, now);
      return { kind: "existing", version: rows.recordById(existing.id) };
    }

    const pending = rows.s.versionByDigest.get(artifactId, "draft", input.digest) as VersionRow | undefined;
    if (pending !== undefined) {
      // An interrupted log resumes its draft; the latest call's description, aliases and run win.
      this.s.resumeDraft.run(input.description, JSON.stringify(input.metadata), JSON.stringify(aliases), input.runId, now, pending.id);
      return { kind: "draft", draftId: pending.draft_id };
    }

    let draftId = mintId(12);
    while (this.s.draftIdTaken.get(draftId) !== undefined) draftId = mintId(12);
    const size = input.manifest.reduce((n, f) => n + (f.size ?? 0), 0);
    const versionId = Number(this.s.insDraft.run(
      artifactId, draftId, input.digest, input.description, JSON.stringify(input.metadata), JSON.stringify(aliases),
      input.runId, size, input.manifest.length, now, now,
    ).lastInsertRowid);
    for (const f of input.manifest) this.s.insFile.run(versionId, f.path, f.digest, f.size, f.ref ?? null);
    return { kind: "draft", draftId };
  }

  async draftDigests(a: ArtifactRef, draftId: string): Promise<string[] | undefined> {
    this.eng.assertOpen();
    const v = this.draftRow(a, draftId);
    return v === undefined || v.state !== "draft" ? undefined : (this.s.draftDigests.all(v.id) as string[]);
  }

  private draftRow(a: ArtifactRef, draftId: string): VersionRow | undefined {
    const art = this.rows.artifact(a);
    return art === undefined ? undefined : (this.rows.s.versionByDraft.get(art.id, draftId) as VersionRow | undefined);
  }

  async commitDraft(a: ArtifactRef, draftId: string, now: number): Promise<ArtifactVersionRecord | undefined> {
    this.eng.assertOpen();
    return this.txn.commitDraft(a, draftId, now);
  }

  private commitDraftTx(a: ArtifactRef, draftId: string, now: number): ArtifactVersionRecord | undefined {
    const rows = this.rows;
    const art = rows.artifact(a);
    if (art === undefined) return undefined;
    const draft = rows.s.versionByDraft.get(art.id, draftId) as VersionRow | undefined;
    if (draft === undefined) return undefined;
    if (draft.state === "committed") return rows.record(draft);
    const aliases = JSON.parse(draft.aliases) as string[];
    let target: { id: number; idx: number };
    const twin = rows.s.versionByDigest.get(art.id, "committed", draft.digest) as VersionRow | undefined;
    if (twin !== undefined) {
      // Cannot happen through createDraft (it finds the version first); kept so the unique index never throws.
      this.s.delFiles.run(draft.id);
      this.s.delVersion.run(draft.id);
      target = { id: twin.id, idx: twin.idx! };
    } else {
      target = { id: draft.id, idx: art.next_index };
      this.s.commit.run(target.idx, now, now, draft.id);
      this.s.bumpIndex.run(now, art.id);
      rows.moveAlias(art.id, LATEST, target, now, draft.run_id);
    }
    for (const alias of aliases) rows.moveAlias(art.id, alias, target, now, draft.run_id);
    if (draft.run_id !== null) rows.link(target.id, "output", draft.run_id, art.project_id, now);
    rows.s.touchArtifact.run(now, art.id);
    return rows.recordById(target.id);
  }

  async touchDrafts(digest: string, now: number): Promise<void> {
    this.eng.assertOpen();
    this.s.touchDrafts.run(now, digest);
  }

  async isDraftDigest(digest: string): Promise<boolean> {
    this.eng.assertOpen();
    return this.s.isDraftDigest.get(digest) !== undefined;
  }

  async expireDrafts(before: number): Promise<number> {
    this.eng.assertOpen();
    return this.txn.expireDrafts(before);
  }

  private expireDraftsTx(before: number): number {
    const stale = this.s.staleDrafts.all(before) as { id: number; artifact: number }[];
    for (const d of stale) {
      this.s.delFiles.run(d.id);
      this.s.delVersion.run(d.id);
    }
    for (const artifactId of new Set(stale.map((d) => d.artifact))) this.rows.dropIfEmpty(artifactId);
    return stale.length;
  }

  async listArtifacts(p: ProjectRef, filter: { type?: string; search?: string }): Promise<ArtifactRecord[]> {
    this.eng.assertOpen();
    const projectId = this.rows.projectId(p);
    if (projectId === undefined) return [];
    const needle = filter.search?.toLowerCase();
    const rows = this.s.artifactsOf.all(projectId) as (ArtifactRow & { version_count: number })[];
    return rows
      .filter((r) => r.version_count > 0 && (filter.type === undefined || r.type === filter.type))
      .filter((r) => needle === undefined || needle === "" || r.name.toLowerCase().includes(needle))
      .map((r) => this.artifactRecord(r, r.version_count));
  }

  async getArtifact(a: ArtifactRef): Promise<ArtifactRecord | undefined> {
    this.eng.assertOpen();
    const art = this.rows.artifact(a);
    if (art === undefined) return undefined;
    const count = this.rows.s.versionCount.get(art.id) as number;
    // An artifact whose only versions are drafts still uploading is not an artifact yet.
    return count === 0 ? undefined : this.artifactRecord(art, count);
  }

  private artifactRecord(art: ArtifactRow, versionCount: number): ArtifactRecord {
    const aliasRows = this.rows.s.artifactAliases.all(art.id) as { alias: string; version: number; idx: number }[];
    const latest = aliasRows.find((x) => x.alias === LATEST);
    const latestAliases = latest === undefined ? [] : aliasRows.filter((x) => x.version === latest.version).map((x) => x.alias);
    return {
      name: art.name, type: art.type, versionCount,
      latest: latest === undefined ? null : this.rows.record(this.rows.s.versionById.get(latest.version) as VersionRow, latestAliases),
      aliases: aliasRows.map((x) => ({ alias: x.alias, index: x.idx })),
      createdAt: art.created_at, updatedAt: art.updated_at,
    };
  }

  async listVersions(a: ArtifactRef): Promise<ArtifactVersionRecord[]> {
    this.eng.assertOpen();
    const art = this.rows.artifact(a);
    if (art === undefined) return [];
    const byVersion = new Map<number, string[]>();
    for (const x of this.rows.s.artifactAliases.all(art.id) as { alias: string; version: number }[]) {
      const list = byVersion.get(x.version);
      if (list === undefined) byVersion.set(x.version, [x.alias]);
      else list.push(x.alias);
    }
    return (this.s.versionsOf.all(art.id) as VersionRow[]).map((v) => this.rows.record(v, byVersion.get(v.id) ?? []));
  }

  async getVersion(a: ArtifactRef, ref: string): Promise<ArtifactVersionRecord | undefined> {
    this.eng.assertOpen();
    const art = this.rows.artifact(a);
    const v = art === undefined ? undefined : this.rows.committed(art, ref);
    return v === undefined ? undefined : this.rows.record(v);
  }

  async manifestPage(
    a: ArtifactRef, index: number, opts: { prefix?: string; after?: string; limit: number },
  ): Promise<{ entries: ManifestFile[]; total: number }> {
    this.eng.assertOpen();
    const v = this.rows.committedByIndex(a, index);
    if (v === undefined) return { entries: [], total: 0 };
    const prefix = opts.prefix ?? "";
    const upper = prefix === "" ? null : prefixUpperBound(prefix);
    const range: string[] = [];
    const rangeArgs: string[] = [];
    if (prefix !== "") { range.push("path >= ?"); rangeArgs.push(prefix); }
    if (upper !== null) { range.push("path < ?"); rangeArgs.push(upper); }
    const where = ["version = ?", ...range].join(" AND ");
    const total = this.eng.stmt(`SELECT count(*) FROM artifact_files WHERE ${where}`).pluck().get(v.id, ...rangeArgs) as number;
    // Past the cursor: one lower bound, the tighter of prefix and cursor, so the index range starts there.
    const page = ["version = ?"];
    const pageArgs: (string | number)[] = [v.id];
    if (opts.after !== undefined && compareArtifactPaths(opts.after, prefix) >= 0) { page.push("path > ?"); pageArgs.push(opts.after); }
    else if (prefix !== "") { page.push("path >= ?"); pageArgs.push(prefix); }
    if (upper !== null) { page.push("path < ?"); pageArgs.push(upper); }
    const entries = this.eng.stmt(
      `SELECT path, digest, size, ref FROM artifact_files WHERE ${page.join(" AND ")} ORDER BY path LIMIT ?`,
    ).all(...pageArgs, opts.limit) as FileRow[];
    return { entries: entries.map(toFile), total };
  }

  async manifestEntry(a: ArtifactRef, index: number, path: string): Promise<ManifestFile | undefined> {
    this.eng.assertOpen();
    const v = this.rows.committedByIndex(a, index);
    const row = v === undefined ? undefined : (this.s.entry.get(v.id, path) as FileRow | undefined);
    return row === undefined ? undefined : toFile(row);
  }

  async patchVersion(a: ArtifactRef, index: number, patch: ArtifactVersionPatchInput, now: number): Promise<ArtifactVersionRecord | undefined> {
    this.eng.assertOpen();
    return this.txn.patchVersion(a, index, patch, now);
  }

  private patchVersionTx(a: ArtifactRef, index: number, patch: ArtifactVersionPatchInput, now: number): ArtifactVersionRecord | undefined {
    const rows = this.rows;
    const art = rows.artifact(a);
    const v = art === undefined ? undefined : rows.byIndex(art, index);
    if (art === undefined || v === undefined || v.state !== "committed") return undefined;
    const runId = patch.runId ?? null;
    if (patch.description !== undefined) this.s.setDescription.run(patch.description, v.id);
    if (patch.metadata !== undefined) this.s.setMetadata.run(JSON.stringify(patch.metadata), v.id);
    // `latest` belongs to the store (it follows the newest version); the server refuses it in patches.
    for (const alias of patch.removeAliases ?? []) {
      if (alias !== LATEST) rows.removeAlias(art.id, alias, now, runId, v.id);
    }
    for (const alias of patch.addAliases ?? []) {
      if (alias !== LATEST) rows.moveAlias(art.id, alias, { id: v.id, idx: index }, now, runId);
    }
    rows.s.touchArtifact.run(now, art.id);
    return rows.recordById(v.id);
  }

  async deleteVersion(a: ArtifactRef, index: number, force: boolean, now: number): Promise<DeleteOutcome> {
    this.eng.assertOpen();
    return this.txn.deleteVersion(a, index, force, now);
  }

  private deleteVersionTx(a: ArtifactRef, index: number, force: boolean, now: number): DeleteOutcome {
    const rows = this.rows;
    const art = rows.artifact(a);
    const v = art === undefined ? undefined : rows.byIndex(art, index);
    if (art === undefined || v === undefined || v.state !== "committed") return { kind: "missing" };
    const aliases = rows.s.versionAliases.all(v.id) as string[];
    const user = aliases.filter((x) => x !== LATEST);
    if (user.length > 0 && !force) return { kind: "has_aliases", aliases: user };
    for (const alias of user) rows.removeAlias(art.id, alias, now, null);
    if (aliases.includes(LATEST)) {
      // latest falls back to the highest version left (recorded as a move), or goes with the last one.
      const next = rows.s.maxIndexBut.get(art.id, index) as number | null;
      if (next === null) rows.removeAlias(art.id, LATEST, now, null);
      else rows.moveAlias(art.id, LATEST, { id: rows.byIndex(art, next)!.id, idx: next }, now, null);
    }
    this.s.delLinks.run(v.id);
    this.s.delFiles.run(v.id);
    this.s.delVersion.run(v.id);
    if (!rows.dropIfEmpty(art.id)) rows.s.touchArtifact.run(now, art.id);
    return { kind: "deleted" };
  }

  async aliasHistory(a: ArtifactRef, limit: number): Promise<AliasEventRecord[]> {
    this.eng.assertOpen();
    const art = this.rows.artifact(a);
    if (art === undefined) return [];
    const events = this.s.events.all(art.id, limit) as { alias: string; from_index: number | null; to_index: number | null; at: number; run_id: string | null }[];
    return events.map((e) => ({ alias: e.alias, from: e.from_index, to: e.to_index, at: e.at, runId: e.run_id }));
  }

  useVersion(a: ArtifactRef, index: number, runId: string, now: number): Promise<boolean> {
    return this.links.useVersion(a, index, runId, now);
  }

  versionRuns(a: ArtifactRef, index: number): Promise<{ producers: RunLinkRecord[]; consumers: RunLinkRecord[] }> {
    return this.links.versionRuns(a, index);
  }

  runArtifacts(r: RunRef): Promise<{ used: VersionLinkRecord[]; produced: VersionLinkRecord[] }> {
    return this.links.runArtifacts(r);
  }

  linksOfRuns(p: ProjectRef, runIds: string[]): Promise<LineageLink[]> {
    return this.links.linksOfRuns(p, runIds);
  }

  linksOfVersions(p: ProjectRef, versions: { name: string; index: number }[]): Promise<LineageLink[]> {
    return this.links.linksOfVersions(p, versions);
  }

  referencedDigests(digests: string[]): Promise<Set<string>> {
    return this.links.referencedDigests(digests);
  }
}
