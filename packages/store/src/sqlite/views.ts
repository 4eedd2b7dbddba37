// Owns the SQLite ViewStore: saved workspace views, one row each in its project. Schema in
// schema-views.ts; what a view's state means is the dashboard's, and checking it is the server's.
import type { ProjectRef, ViewPatchInput, ViewRecord, ViewRef, ViewStore } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { mintId } from "./sweeps.js";

interface ViewRow {
  id: number; view_id: string; name: string; note: string; state: string; created_at: number; updated_at: number;
}

const VIEW_COLUMNS = "v.id, v.view_id, v.name, v.note, v.state, v.created_at, v.updated_at";
const VIEW_FROM = `SELECT ${VIEW_COLUMNS} FROM views v JOIN projects p ON p.id = v.project_id`;

function toView(r: ViewRow): ViewRecord {
  return { id: r.view_id, name: r.name, note: r.note, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at };
}

export class SqliteViews implements ViewStore {
  private readonly s: Record<"project" | "idTaken" | "insert" | "view" | "viewsOf" | "update" | "remove", Stmt>;

  constructor(private readonly eng: Engine) {
    this.s = {
      project: eng.stmt("SELECT id FROM projects WHERE entity = ? AND name = ?").pluck(),
      idTaken: eng.stmt("SELECT 1 FROM views WHERE view_id = ?").pluck(),
      insert: eng.stmt(
        "INSERT INTO views (project_id, view_id, name, note, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      view: eng.stmt(`${VIEW_FROM} WHERE v.view_id = ? AND p.entity = ? AND p.name = ?`),
      viewsOf: eng.stmt(`${VIEW_FROM} WHERE p.entity = ? AND p.name = ? ORDER BY v.updated_at DESC, v.id DESC`),
      // coalesce keeps a field the patch leaves out; updated_at moves on every update.
      update: eng.stmt(
        "UPDATE views SET name = coalesce(?, name), note = coalesce(?, note), state = coalesce(?, state), updated_at = ? WHERE id = ?",
      ),
      remove: eng.stmt("DELETE FROM views WHERE id = ?"),
    };
  }

  private row(v: ViewRef): ViewRow | undefined {
    return this.s.view.get(v.viewId, v.entity, v.project) as ViewRow | undefined;
  }

  async createView(p: ProjectRef, input: { name: string; note: string; state: string }, now: number): Promise<ViewRecord | undefined> {
    this.eng.assertOpen();
    const create = this.eng.db.transaction((): string | undefined => {
      const projectId = this.s.project.get(p.entity, p.project) as number | undefined;
      if (projectId === undefined) return undefined;
      let id = mintId();
      while (this.s.idTaken.get(id) !== undefined) id = mintId();
      this.s.insert.run(projectId, id, input.name, input.note, input.state, now, now);
      return id;
    });
    const id = create.immediate();
    return id === undefined ? undefined : toView(this.row({ ...p, viewId: id })!);
  }

  async getView(v: ViewRef): Promise<ViewRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(v);
    return row === undefined ? undefined : toView(row);
  }

  async listViews(p: ProjectRef): Promise<ViewRecord[]> {
    this.eng.assertOpen();
    return (this.s.viewsOf.all(p.entity, p.project) as ViewRow[]).map(toView);
  }

  async updateView(v: ViewRef, patch: ViewPatchInput, now: number): Promise<ViewRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(v);
    if (row === undefined) return undefined;
    this.s.update.run(patch.name ?? null, patch.note ?? null, patch.state ?? null, now, row.id);
    return toView(this.row(v)!);
  }

  async deleteView(v: ViewRef): Promise<boolean> {
    this.eng.assertOpen();
    const row = this.row(v);
    if (row === undefined) return false;
    return this.s.remove.run(row.id).changes > 0;
  }
}
