// Owns the links between runs and artifact versions in the SQLite ArtifactStore (who used and who
// produced what: the edges of lineage) and the "is this digest still needed" lookup behind garbage
// collection. Drafts, versions and aliases live in artifacts.ts; row helpers in artifact-rows.ts.
import type { ArtifactRef, LineageLink, ProjectRef, RunLinkRecord, RunRef, VersionLinkRecord } from "../interfaces.js";
import type { ArtifactRows } from "./artifact-rows.js";
import type { Engine, Stmt } from "./engine.js";
import { DIFF_BLOB_EXPR } from "./schema-artifacts.js";

/** Digests per referencedDigests query: keeps each statement's JSON argument modest. */
const REFERENCED_CHUNK = 5000;

interface LinkRow { run_id: string; name: string; idx: number; direction: "input" | "output" }

function toLink(r: LinkRow): LineageLink {
  return { runId: r.run_id, name: r.name, index: r.idx, direction: r.direction };
}

export class ArtifactLinks {
  private readonly s: Record<"versionRuns" | "runLinks" | "linksOfRuns" | "linksOfVersions" | "referenced", Stmt>;

  constructor(private readonly eng: Engine, private readonly rows: ArtifactRows) {
    this.s = {
      // A run may link before its own records arrive: its name and state are then null.
      versionRuns: eng.stmt(
        `SELECT l.direction, l.run_id, r.name, r.state, l.at FROM artifact_links l
         LEFT JOIN runs r ON r.project_id = l.project_id AND r.run_id = l.run_id
         WHERE l.version = ? ORDER BY l.at, l.run_id`,
      ),
      runLinks: eng.stmt(
        `SELECT l.direction, l.at, l.version FROM artifact_links l JOIN artifact_versions v ON v.id = l.version
         JOIN artifacts a ON a.id = v.artifact
         WHERE l.project_id = ? AND l.run_id = ? ORDER BY l.at, a.name, v.idx`,
      ),
      linksOfRuns: eng.stmt(
        `SELECT l.run_id, a.name, v.idx, l.direction FROM json_each(?) j
         JOIN artifact_links l ON l.project_id = ? AND l.run_id = j.value
         JOIN artifact_versions v ON v.id = l.version JOIN artifacts a ON a.id = v.artifact`,
      ),
      linksOfVersions: eng.stmt(
        `SELECT l.run_id, a.name, v.idx, l.direction FROM json_each(?) j
         JOIN artifacts a ON a.project_id = ? AND a.name = json_extract(j.value, '$.name')
         JOIN artifact_versions v ON v.artifact = a.id AND v.idx = json_extract(j.value, '$.index')
         JOIN artifact_links l ON l.version = v.id`,
      ),
      // Drafts' files count: their blobs are being uploaded and must survive a concurrent gc.
      referenced: eng.stmt(
        `SELECT j.value FROM json_each(?) j
         WHERE EXISTS (SELECT 1 FROM artifact_files f WHERE f.digest = j.value AND f.ref IS NULL)
            OR EXISTS (SELECT 1 FROM runs WHERE ${DIFF_BLOB_EXPR} = j.value)
            OR EXISTS (SELECT 1 FROM media_files m WHERE m.digest = j.value)
            OR EXISTS (SELECT 1 FROM table_blobs t WHERE t.digest = j.value)`,
      ).pluck(),
    };
  }

  async useVersion(a: ArtifactRef, index: number, runId: string, now: number): Promise<boolean> {
    this.eng.assertOpen();
    const art = this.rows.artifact(a);
    const v = art === undefined ? undefined : this.rows.byIndex(art, index);
    if (art === undefined || v === undefined || v.state !== "committed") return false;
    this.rows.link(v.id, "input", runId, art.project_id, now);
    return true;
  }

  async versionRuns(a: ArtifactRef, index: number): Promise<{ producers: RunLinkRecord[]; consumers: RunLinkRecord[] }> {
    this.eng.assertOpen();
    const v = this.rows.committedByIndex(a, index);
    const out = { producers: [] as RunLinkRecord[], consumers: [] as RunLinkRecord[] };
    if (v === undefined) return out;
    for (const l of this.s.versionRuns.all(v.id) as { direction: string; run_id: string; name: string | null; state: string | null; at: number }[]) {
      (l.direction === "output" ? out.producers : out.consumers).push({ runId: l.run_id, name: l.name, state: l.state, at: l.at });
    }
    return out;
  }

  async runArtifacts(r: RunRef): Promise<{ used: VersionLinkRecord[]; produced: VersionLinkRecord[] }> {
    this.eng.assertOpen();
    const out = { used: [] as VersionLinkRecord[], produced: [] as VersionLinkRecord[] };
    const projectId = this.rows.projectId(r);
    if (projectId === undefined) return out;
    for (const l of this.s.runLinks.all(projectId, r.runId) as { direction: string; at: number; version: number }[]) {
      (l.direction === "output" ? out.produced : out.used).push({ version: this.rows.recordById(l.version), at: l.at });
    }
    return out;
  }

  async linksOfRuns(p: ProjectRef, runIds: string[]): Promise<LineageLink[]> {
    this.eng.assertOpen();
    const projectId = this.rows.projectId(p);
    if (projectId === undefined || runIds.length === 0) return [];
    return (this.s.linksOfRuns.all(JSON.stringify([...new Set(runIds)]), projectId) as LinkRow[]).map(toLink);
  }

  async linksOfVersions(p: ProjectRef, versions: { name: string; index: number }[]): Promise<LineageLink[]> {
    this.eng.assertOpen();
    const projectId = this.rows.projectId(p);
    if (projectId === undefined || versions.length === 0) return [];
    const unique = new Map(versions.map((v) => [`${v.index}:${v.name}`, { name: v.name, index: v.index }]));
    return (this.s.linksOfVersions.all(JSON.stringify([...unique.values()]), projectId) as LinkRow[]).map(toLink);
  }

  async referencedDigests(digests: string[]): Promise<Set<string>> {
    this.eng.assertOpen();
    const out = new Set<string>();
    for (let i = 0; i < digests.length; i += REFERENCED_CHUNK) {
      const chunk = JSON.stringify(digests.slice(i, i + REFERENCED_CHUNK));
      for (const d of this.s.referenced.all(chunk) as string[]) out.add(d);
    }
    return out;
  }
}
