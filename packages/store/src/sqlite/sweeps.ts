// Owns the SQLite SweepStore: sweep rows, trial claims (one immediate transaction each, which is
// what keeps run_cap exact across racing agents and server processes), agent liveness. Schema in
// schema-sweeps.ts; the search and the trial life cycle belong to the server's controller.
import { randomBytes } from "node:crypto";
import type { SweepState, TrialState } from "@orrery/protocol";
import type {
  AgentRecord, ClaimResult, NewSweep, ProjectRef, StaleAgent, SweepRecord, SweepRef, SweepStore, TrialClaim, TrialPatch,
  TrialRecord,
} from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { parseObject } from "./json.js";

interface SweepRow {
  id: number; project_id: number; sweep_id: string; name: string; state: SweepState; method: string; config: string;
  source: string; run_cap: number | null; created_at: number; updated_at: number; version: number; entity: string; project: string;
}
interface TrialRow {
  run_id: string; params: string; state: TrialState; value: number | null; attempt: number; agent_id: string | null;
  created_at: number; ended_at: number | null; early_stopped: number; retry_of: string | null;
}
interface AgentRow {
  agent_id: string; host: string | null; pid: number | null; interpreter: string | null; created_at: number;
  heartbeat_at: number; lost_at: number | null;
}

const SWEEP_FROM =
  "SELECT s.*, p.entity, p.name AS project FROM sweeps s JOIN projects p ON p.id = s.project_id";
const TRIAL_COLUMNS = "run_id, params, state, value, attempt, agent_id, created_at, ended_at, early_stopped, retry_of";
/** Lower-case letters and digits only, like W&B's ids: safe in URLs, paths and shells. */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function mintId(length = 8): string {
  // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the draw uniform.
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}

function toSweep(r: SweepRow): SweepRecord {
  return {
    id: r.sweep_id, entity: r.entity, project: r.project, name: r.name, state: r.state, method: r.method,
    config: parseObject(r.config), source: r.source, runCap: r.run_cap, createdAt: r.created_at, updatedAt: r.updated_at,
    version: r.version,
  };
}

function toTrial(r: TrialRow): TrialRecord {
  return {
    runId: r.run_id, params: parseObject(r.params), state: r.state, value: r.value, attempt: r.attempt, agentId: r.agent_id,
    createdAt: r.created_at, endedAt: r.ended_at, earlyStopped: r.early_stopped !== 0, retryOf: r.retry_of,
  };
}

function toAgent(sweepId: string, r: AgentRow): AgentRecord {
  return {
    id: r.agent_id, sweepId, host: r.host, pid: r.pid, interpreter: r.interpreter, createdAt: r.created_at,
    heartbeatAt: r.heartbeat_at, lostAt: r.lost_at,
  };
}

const RETRYABLE: ReadonlySet<TrialState> = new Set(["failed", "crashed", "lost"]);

export class SqliteSweeps implements SweepStore {
  private readonly s: Record<
    | "project" | "insProject" | "sweepIdTaken" | "insSweep" | "sweep" | "sweepsOf" | "setState" | "bump" | "trials" | "trial"
    | "roots" | "maxSeq" | "retried" | "runIdTaken" | "trialIdTaken" | "insTrial" | "insAgent" | "agent" | "touch"
    | "stale" | "loseAgent" | "activeOf" | "loseTrials",
    Stmt
  >;
  private readonly claimTxn: (s: SweepRef, claim: TrialClaim, now: number) => ClaimResult;
  private readonly loseTxn: (s: SweepRef, agentId: string, now: number) => TrialRecord[];

  constructor(private readonly eng: Engine) {
    this.s = {
      project: eng.stmt("SELECT id FROM projects WHERE entity = ? AND name = ?").pluck(),
      insProject: eng.stmt("INSERT INTO projects (entity, name, created_at, last_activity) VALUES (?, ?, ?, ?)"),
      sweepIdTaken: eng.stmt("SELECT 1 FROM sweeps WHERE sweep_id = ?").pluck(),
      insSweep: eng.stmt(
        `INSERT INTO sweeps (project_id, sweep_id, name, state, method, config, source, run_cap, created_at, updated_at)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      ),
      sweep: eng.stmt(`${SWEEP_FROM} WHERE s.sweep_id = ? AND p.entity = ? AND p.name = ?`),
      sweepsOf: eng.stmt(`${SWEEP_FROM} WHERE p.entity = ? AND p.name = ? ORDER BY s.created_at DESC, s.sweep_id DESC`),
      setState: eng.stmt("UPDATE sweeps SET state = ?, updated_at = ?, version = version + 1 WHERE id = ?"),
      bump: eng.stmt("UPDATE sweeps SET version = version + 1, updated_at = ? WHERE id = ?"),
      trials: eng.stmt(`SELECT ${TRIAL_COLUMNS} FROM sweep_trials WHERE sweep = ? ORDER BY seq`),
      trial: eng.stmt(`SELECT ${TRIAL_COLUMNS} FROM sweep_trials WHERE sweep = ? AND run_id = ?`),
      roots: eng.stmt("SELECT count(*) FROM sweep_trials WHERE sweep = ? AND retry_of IS NULL").pluck(),
      maxSeq: eng.stmt("SELECT coalesce(max(seq), 0) FROM sweep_trials WHERE sweep = ?").pluck(),
      retried: eng.stmt("SELECT 1 FROM sweep_trials WHERE sweep = ? AND retry_of = ?").pluck(),
      runIdTaken: eng.stmt("SELECT 1 FROM runs WHERE project_id = ? AND run_id = ?").pluck(),
      trialIdTaken: eng.stmt("SELECT 1 FROM sweep_trials WHERE run_id = ?").pluck(),
      insTrial: eng.stmt(
        `INSERT INTO sweep_trials (sweep, seq, run_id, params, state, attempt, agent_id, created_at, retry_of)
         VALUES (?, ?, ?, ?, 'assigned', ?, ?, ?, ?)`,
      ),
      insAgent: eng.stmt(
        "INSERT INTO sweep_agents (sweep, agent_id, host, pid, interpreter, created_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      agent: eng.stmt(
        "SELECT agent_id, host, pid, interpreter, created_at, heartbeat_at, lost_at FROM sweep_agents WHERE sweep = ? AND agent_id = ?",
      ),
      touch: eng.stmt("UPDATE sweep_agents SET heartbeat_at = max(heartbeat_at, ?), lost_at = NULL WHERE sweep = ? AND agent_id = ?"),
      stale: eng.stmt(
        `SELECT a.agent_id, s.sweep_id, p.entity, p.name AS project FROM sweep_agents a
         JOIN sweeps s ON s.id = a.sweep JOIN projects p ON p.id = s.project_id
         WHERE a.lost_at IS NULL AND a.heartbeat_at < ?`,
      ),
      loseAgent: eng.stmt("UPDATE sweep_agents SET lost_at = ? WHERE sweep = ? AND agent_id = ? AND lost_at IS NULL"),
      activeOf: eng.stmt(
        `SELECT ${TRIAL_COLUMNS} FROM sweep_trials WHERE sweep = ? AND agent_id = ? AND state IN ('assigned', 'running') ORDER BY seq`,
      ),
      loseTrials: eng.stmt(
        "UPDATE sweep_trials SET state = 'lost', ended_at = ? WHERE sweep = ? AND agent_id = ? AND state IN ('assigned', 'running')",
      ),
    };
    this.claimTxn = eng.db.transaction((s: SweepRef, claim: TrialClaim, now: number) => this.claimInTxn(s, claim, now)).immediate;
    this.loseTxn = eng.db.transaction((s: SweepRef, agentId: string, now: number): TrialRecord[] => {
      const row = this.row(s);
      if (row === undefined) return [];
      this.s.loseAgent.run(now, row.id, agentId);
      const active = (this.s.activeOf.all(row.id, agentId) as TrialRow[]).map(toTrial);
      if (active.length === 0) return [];
      this.s.loseTrials.run(now, row.id, agentId);
      this.s.bump.run(now, row.id);
      return active.map((t) => ({ ...t, state: "lost" as const, endedAt: now }));
    }).immediate;
  }

  private row(s: SweepRef): SweepRow | undefined {
    return this.s.sweep.get(s.sweepId, s.entity, s.project) as SweepRow | undefined;
  }

  async createSweep(p: ProjectRef, input: NewSweep, now: number): Promise<SweepRecord> {
    this.eng.assertOpen();
    const create = this.eng.db.transaction((): string => {
      let projectId = this.s.project.get(p.entity, p.project) as number | undefined;
      if (projectId === undefined) projectId = Number(this.s.insProject.run(p.entity, p.project, now, now).lastInsertRowid);
      let id = mintId();
      while (this.s.sweepIdTaken.get(id) !== undefined) id = mintId();
      this.s.insSweep.run(projectId, id, input.name ?? id, input.method, JSON.stringify(input.config), input.source, input.runCap, now, now);
      return id;
    });
    const id = create.immediate();
    return toSweep(this.row({ ...p, sweepId: id })!);
  }

  async getSweep(s: SweepRef): Promise<SweepRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    return row === undefined ? undefined : toSweep(row);
  }

  async listSweeps(p: ProjectRef): Promise<SweepRecord[]> {
    this.eng.assertOpen();
    return (this.s.sweepsOf.all(p.entity, p.project) as SweepRow[]).map(toSweep);
  }

  async setSweepState(s: SweepRef, state: SweepState, now: number): Promise<SweepRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    if (row === undefined) return undefined;
    this.s.setState.run(state, now, row.id);
    return toSweep(this.row(s)!);
  }

  async listTrials(s: SweepRef): Promise<TrialRecord[]> {
    this.eng.assertOpen();
    const row = this.row(s);
    return row === undefined ? [] : (this.s.trials.all(row.id) as TrialRow[]).map(toTrial);
  }

  async getTrial(s: SweepRef, runId: string): Promise<TrialRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    const t = row === undefined ? undefined : (this.s.trial.get(row.id, runId) as TrialRow | undefined);
    return t === undefined ? undefined : toTrial(t);
  }

  async claimTrial(s: SweepRef, claim: TrialClaim, now: number): Promise<ClaimResult> {
    this.eng.assertOpen();
    return this.claimTxn(s, claim, now);
  }

  private claimInTxn(s: SweepRef, claim: TrialClaim, now: number): ClaimResult {
    const row = this.row(s);
    if (row === undefined || row.state !== "running") return { ok: false, reason: "not_running" };
    if (row.version !== claim.expectedVersion) return { ok: false, reason: "conflict" };
    const agent = this.s.agent.get(row.id, claim.agentId) as AgentRow | undefined;
    if (agent === undefined || agent.lost_at !== null) return { ok: false, reason: "agent_lost" };
    let attempt = 1;
    if (claim.retryOf !== undefined) {
      const prev = this.s.trial.get(row.id, claim.retryOf) as TrialRow | undefined;
      if (prev === undefined || !RETRYABLE.has(prev.state) || this.s.retried.get(row.id, claim.retryOf) !== undefined) {
        return { ok: false, reason: "not_retryable" };
      }
      attempt = prev.attempt + 1;
    } else if (row.run_cap !== null && (this.s.roots.get(row.id) as number) >= row.run_cap) {
      return { ok: false, reason: "run_cap" };
    }
    let runId = mintId();
    while (this.s.runIdTaken.get(row.project_id, runId) !== undefined || this.s.trialIdTaken.get(runId) !== undefined) runId = mintId();
    const seq = (this.s.maxSeq.get(row.id) as number) + 1;
    this.s.insTrial.run(row.id, seq, runId, JSON.stringify(claim.params), attempt, claim.agentId, now, claim.retryOf ?? null);
    this.s.bump.run(now, row.id);
    return {
      ok: true,
      trial: {
        runId, params: claim.params, state: "assigned", value: null, attempt, agentId: claim.agentId, createdAt: now,
        endedAt: null, earlyStopped: false, retryOf: claim.retryOf ?? null,
      },
    };
  }

  async updateTrial(s: SweepRef, runId: string, patch: TrialPatch): Promise<TrialRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    if (row === undefined) return undefined;
    const sets: string[] = [];
    const args: (string | number | null)[] = [];
    if (patch.state !== undefined) { sets.push("state = ?"); args.push(patch.state); }
    if (patch.value !== undefined) { sets.push("value = ?"); args.push(patch.value !== null && Number.isFinite(patch.value) ? patch.value : null); }
    if (patch.endedAt !== undefined) { sets.push("ended_at = ?"); args.push(patch.endedAt); }
    if (patch.earlyStopped !== undefined) { sets.push("early_stopped = ?"); args.push(patch.earlyStopped ? 1 : 0); }
    const apply = this.eng.db.transaction((): TrialRow | undefined => {
      if (sets.length > 0) {
        const changed = this.eng.stmt(`UPDATE sweep_trials SET ${sets.join(", ")} WHERE sweep = ? AND run_id = ?`).run(...args, row.id, runId).changes;
        if (changed > 0) this.s.bump.run(Date.now(), row.id);
      }
      return this.s.trial.get(row.id, runId) as TrialRow | undefined;
    });
    const t = apply.immediate();
    return t === undefined ? undefined : toTrial(t);
  }

  async createAgent(
    s: SweepRef, input: { host: string | null; pid: number | null; interpreter: string | null }, now: number,
  ): Promise<AgentRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    if (row === undefined) return undefined;
    const id = mintId(12);
    this.s.insAgent.run(row.id, id, input.host, input.pid, input.interpreter, now, now);
    return toAgent(s.sweepId, this.s.agent.get(row.id, id) as AgentRow);
  }

  async getAgent(s: SweepRef, agentId: string): Promise<AgentRecord | undefined> {
    this.eng.assertOpen();
    const row = this.row(s);
    const a = row === undefined ? undefined : (this.s.agent.get(row.id, agentId) as AgentRow | undefined);
    return a === undefined ? undefined : toAgent(s.sweepId, a);
  }

  async touchAgent(s: SweepRef, agentId: string, now: number): Promise<boolean> {
    this.eng.assertOpen();
    const row = this.row(s);
    return row !== undefined && this.s.touch.run(now, row.id, agentId).changes > 0;
  }

  async staleAgents(now: number, timeoutMs: number): Promise<StaleAgent[]> {
    this.eng.assertOpen();
    const rows = this.s.stale.all(now - timeoutMs) as { agent_id: string; sweep_id: string; entity: string; project: string }[];
    return rows.map((r) => ({ entity: r.entity, project: r.project, sweepId: r.sweep_id, agentId: r.agent_id }));
  }

  async markAgentLost(s: SweepRef, agentId: string, now: number): Promise<TrialRecord[]> {
    this.eng.assertOpen();
    return this.loseTxn(s, agentId, now);
  }
}
