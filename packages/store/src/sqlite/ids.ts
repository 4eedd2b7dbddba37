// Owns the name -> row id lookups (projects, runs, metric keys) and their in-memory caches. Ids
// learned inside a write transaction are cached only once it commits, so a rolled-back batch never
// leaves a dead id behind. Rows are never deleted, so a committed id stays valid.
import type { Engine, Stmt } from "./engine.js";
import type { ProjectRef, RunRef } from "../interfaces.js";

class Cache {
  private readonly committed = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  get(name: string): number | undefined {
    const id = this.committed.get(name);
    if (id !== undefined || this.pending.size === 0) return id;
    return this.pending.get(name);
  }
  set(name: string, id: number, inTxn: boolean): void {
    (inTxn ? this.pending : this.committed).set(name, id);
  }
  commit(): void {
    for (const [k, v] of this.pending) this.committed.set(k, v);
    this.pending.clear();
  }
  rollback(): void {
    this.pending.clear();
  }
}

export class Ids {
  private readonly projects = new Cache();
  private readonly runs = new Cache();
  private readonly keys = new Cache();
  private readonly selProject: Stmt;
  private readonly selRun: Stmt;
  private readonly selKey: Stmt;
  private readonly insKey: Stmt;

  constructor(private readonly eng: Engine) {
    this.selProject = eng.stmt("SELECT id FROM projects WHERE entity = ? AND name = ?").pluck();
    this.selRun = eng.stmt("SELECT id FROM runs WHERE project_id = ? AND run_id = ?").pluck();
    this.selKey = eng.stmt("SELECT id FROM metric_keys WHERE key = ?").pluck();
    this.insKey = eng.stmt("INSERT INTO metric_keys (key) VALUES (?)");
  }

  projectId(p: ProjectRef): number | undefined {
    const name = `${p.entity}/${p.project}`;
    let id = this.projects.get(name);
    if (id === undefined) {
      id = this.selProject.get(p.entity, p.project) as number | undefined;
      if (id !== undefined) this.projects.set(name, id, this.eng.db.inTransaction);
    }
    return id;
  }

  noteProject(p: ProjectRef, id: number): void {
    this.projects.set(`${p.entity}/${p.project}`, id, this.eng.db.inTransaction);
  }

  runRowId(r: RunRef): number | undefined {
    const name = `${r.entity}/${r.project}/${r.runId}`;
    let id = this.runs.get(name);
    if (id === undefined) {
      const pid = this.projectId(r);
      if (pid === undefined) return undefined;
      id = this.selRun.get(pid, r.runId) as number | undefined;
      if (id !== undefined) this.runs.set(name, id, this.eng.db.inTransaction);
    }
    return id;
  }

  noteRun(r: RunRef, id: number): void {
    this.runs.set(`${r.entity}/${r.project}/${r.runId}`, id, this.eng.db.inTransaction);
  }

  /** The id of a metric key, or undefined when no run has ever used it. */
  keyId(key: string): number | undefined {
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.selKey.get(key) as number | undefined;
      if (id !== undefined) this.keys.set(key, id, this.eng.db.inTransaction);
    }
    return id;
  }

  /** The id of a metric key, adding it to the dictionary; call inside a write transaction. */
  ensureKeyId(key: string): number {
    let id = this.keyId(key);
    if (id === undefined) {
      id = Number(this.insKey.run(key).lastInsertRowid);
      this.keys.set(key, id, true);
    }
    return id;
  }

  commit(): void {
    this.projects.commit();
    this.runs.commit();
    this.keys.commit();
  }

  rollback(): void {
    this.projects.rollback();
    this.runs.rollback();
    this.keys.rollback();
  }
}
