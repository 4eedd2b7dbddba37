// Owns the sweep controller: creating sweeps, handing work to agents (`next`), their heartbeats
// (running, early termination, stop requests), trial exits, pause/resume/stop, and reaping agents
// that went silent. State lives in the store (it survives restarts); per sweep, calls are
// serialized in-process by a mutex, and the store's claim transaction guards across processes.
// The search is @orrery/sweeps' suggest; the trial rules are in trials.ts.
import {
  buildCommand, gridSize, mulberry32, nestParams, parseSweepConfig, searchSpace, suggest, SweepConfigError, warmStartTrials,
  type SweepConfig, type Trial,
} from "@orrery/sweeps";
import { OrreryError, type NextAction, type Run, type Sweep, type SweepTrial } from "@orrery/protocol";
import type { AgentRecord, ProjectRef, Store, SweepRecord, SweepRef, TrialPatch, TrialRecord } from "@orrery/store";
import { KeyedMutex } from "./mutex.js";
import { EarlyStopper } from "./early-stop.js";
import {
  exhaustedReason, isActive, isDone, reofferable, searchTrials, toWireSweep, toWireTrial, configurationsUsed,
} from "./trials.js";

export interface ControllerOptions {
  /** Least time between two early-termination evaluations of one sweep (default 1,000 ms). */
  earlyStopIntervalMs?: number;
  /** How long an agent told to wait sleeps before asking again (default 2,000 ms). */
  waitMs?: number;
  /** The server's heartbeat timeout: agents' stored heartbeats are kept well fresher than this (default 60,000 ms). */
  heartbeatTimeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Claims retried after another process changed the sweep between our read and our claim. */
const MAX_CLAIM_ATTEMPTS = 5;
const DEFAULT_INTERPRETER = "python3";
/** How stale an agent's stored heartbeat may get before a request from it writes a fresh one (at most a tenth of the timeout). */
const TOUCH_RESOLUTION_MS = 1_000;
const PRIOR_SWEEP = /^(?:([A-Za-z0-9_.-]{1,128})\/([A-Za-z0-9_.-]{1,128})\/)?([A-Za-z0-9_-]{1,64})$/;

export interface HeartbeatReply { stop: string[]; state: Sweep["state"] }

const keyOf = (s: SweepRef): string => `${s.entity}/${s.project}/${s.sweepId}`;

/** FNV-1a: a stable seed from text, so suggestions are reproducible for a sweep and trial count. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A run's summary value of the metric: a finite number, else null ("NaN" and infinities included). */
export function metricValue(run: Run | undefined, metric: string): number | null {
  if (run === undefined) return null;
  let v: unknown = run.summary[metric];
  if (v === undefined && metric.includes(".")) {
    v = metric.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), run.summary);
  }
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * The argv of a trial. A sweep without `program` is still valid for in-process agents (which ignore
 * argv), so a command that cannot be built comes back empty with the reason, for a CLI agent to show.
 */
function commandFor(config: SweepConfig, nested: Record<string, unknown>, interpreter: string | null): { argv: string[]; argsJson: string; error?: string } {
  try {
    // The args file lives on the agent's machine: the literal macro stays in argv, and every agent
    // writes argsJson to a file of its own and substitutes its path.
    const c = buildCommand(config, nested, { interpreter: interpreter ?? DEFAULT_INTERPRETER, env: {}, argsJsonFile: "${args_json_file}" });
    return { argv: c.argv, argsJson: c.argsJson };
  } catch (err) {
    return { argv: [], argsJson: JSON.stringify(nested), error: err instanceof Error ? err.message : String(err) };
  }
}

function sweepNotFound(s: SweepRef): OrreryError {
  return new OrreryError(
    "not_found", `sweep '${s.sweepId}' does not exist in project ${s.entity}/${s.project}: list sweeps with GET /api/v1/projects/${s.entity}/${s.project}/sweeps`,
    "sweepId",
  );
}

export class SweepController {
  private readonly mutex = new KeyedMutex();
  private readonly stopper: EarlyStopper;
  private readonly waitMs: number;
  private readonly touchEveryMs: number;
  private readonly now: () => number;
  /** Per sweep: its config and trials as of a version, so polling reads SQLite only when something changed. */
  private readonly cache = new Map<string, { version: number; config: SweepConfig; trials: TrialRecord[] }>();

  constructor(private readonly store: Store, opts: ControllerOptions = {}) {
    this.stopper = new EarlyStopper(store, opts.earlyStopIntervalMs ?? 1_000);
    this.waitMs = opts.waitMs ?? 2_000;
    this.touchEveryMs = Math.min(TOUCH_RESOLUTION_MS, Math.floor((opts.heartbeatTimeoutMs ?? 60_000) / 10));
    this.now = opts.now ?? Date.now;
  }

  async create(p: ProjectRef, input: string | Record<string, unknown>): Promise<Sweep> {
    let config: SweepConfig;
    try {
      config = parseSweepConfig(input);
    } catch (err) {
      if (err instanceof SweepConfigError) {
        const field = err.field === "" ? "config" : `config.${err.field}`;
        throw new OrreryError("invalid_request", `invalid sweep config: ${err.message}`, field);
      }
      throw new OrreryError("invalid_request", `invalid sweep config: ${err instanceof Error ? err.message : String(err)}`, "config");
    }
    if (config.method === "grid" && gridSize(config) === null) {
      throw new OrreryError(
        "invalid_request", "invalid sweep config: a grid needs every parameter to have finitely many values (value or values): use random, bayes or tpe for ranges",
        "config.parameters",
      );
    }
    for (const [i, prior] of (config.prior_sweeps ?? []).entries()) {
      const ref = this.priorRef(p, prior);
      if (ref === undefined || (await this.store.sweeps.getSweep(ref)) === undefined) {
        throw new OrreryError(
          "invalid_request", `invalid sweep config: prior sweep '${prior}' does not exist: name a sweep of this project by id, or another project's as ENTITY/PROJECT/ID`,
          `config.prior_sweeps[${i}]`,
        );
      }
    }
    const record = await this.store.sweeps.createSweep(p, {
      name: config.name ?? null, method: config.method, config: config as unknown as Record<string, unknown>,
      source: typeof input === "string" ? input : JSON.stringify(input), runCap: config.run_cap ?? null,
    }, this.now());
    return toWireSweep(record, config, []);
  }

  async list(p: ProjectRef): Promise<Sweep[]> {
    const out: Sweep[] = [];
    for (const s of await this.store.sweeps.listSweeps(p)) {
      const { config, trials } = await this.load(s);
      out.push(toWireSweep(s, config, trials));
    }
    return out;
  }

  async get(ref: SweepRef): Promise<Sweep> {
    const s = await this.requireSweep(ref);
    const { config, trials } = await this.load(s);
    return toWireSweep(s, config, trials);
  }

  async trials(ref: SweepRef): Promise<SweepTrial[]> {
    const s = await this.requireSweep(ref);
    return (await this.load(s)).trials.map(toWireTrial);
  }

  /** Pause, resume or stop. A finished sweep stays finished; stopping makes heartbeats ask agents to stop their runs. */
  async setState(ref: SweepRef, state: "running" | "paused" | "stopped"): Promise<Sweep> {
    return this.mutex.run(keyOf(ref), async () => {
      let s = await this.requireSweep(ref);
      if (s.state === "finished" && state !== "stopped") {
        throw new OrreryError("conflict", `sweep '${ref.sweepId}' is finished (its grid or run_cap is used up): create a new sweep to search further`, "state");
      }
      if (s.state !== state && s.state !== "finished") s = (await this.store.sweeps.setSweepState(ref, state, this.now()))!;
      const { config, trials } = await this.load(s);
      if (state === "running") s = await this.finishIfDone(ref, s, config, trials);
      return toWireSweep(s, config, trials);
    });
  }

  async registerAgent(ref: SweepRef, input: { host?: string; pid?: number; interpreter?: string }): Promise<{ agentId: string }> {
    const agent = await this.store.sweeps.createAgent(
      ref, { host: input.host ?? null, pid: input.pid ?? null, interpreter: input.interpreter ?? null }, this.now(),
    );
    if (agent === undefined) throw sweepNotFound(ref);
    return { agentId: agent.id };
  }

  /** The next thing an agent should do: run a configuration (a re-run first), wait, or stop. */
  async next(ref: SweepRef, agentId: string): Promise<NextAction> {
    return this.mutex.run(keyOf(ref), async () => {
      await this.requireSweep(ref);
      const agent = await this.requireAgent(ref, agentId);
      await this.touch(ref, agent);
      for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
        const s = (await this.store.sweeps.getSweep(ref))!;
        if (s.state === "paused") return { action: "wait", retryAfterMs: this.waitMs };
        if (s.state === "stopped") return { action: "stop", reason: `sweep ${ref.sweepId} was stopped` };
        if (s.state === "finished") return { action: "stop", reason: `sweep ${ref.sweepId} is finished` };
        const { config, trials } = await this.load(s);
        const again = reofferable(config, trials)[0];
        let params: Record<string, unknown>;
        if (again !== undefined) {
          params = again.params;
        } else {
          const exhausted = exhaustedReason(s, config, trials);
          if (exhausted !== null) return this.drained(ref, s, config, trials, exhausted);
          const used = configurationsUsed(trials);
          const rng = mulberry32(seedOf(`${s.id}:${trials.length}`));
          const [suggestion] = suggest(config, [...searchTrials(config, trials), ...(await this.warmStart(s, config))], 1, rng, { gridIndex: used });
          if (suggestion === undefined) {
            return config.method === "grid"
              ? this.drained(ref, s, config, trials, "all grid configurations tried")
              : { action: "wait", retryAfterMs: this.waitMs };
          }
          params = suggestion;
        }
        const claimed = await this.store.sweeps.claimTrial(
          ref, { agentId, params, retryOf: again?.runId, expectedVersion: s.version }, this.now(),
        );
        if (claimed.ok) {
          // A claim bumps the version by one: extend the cached list instead of re-reading thousands of trials.
          const cached = this.cache.get(keyOf(ref));
          if (cached !== undefined && cached.version === s.version) {
            this.cache.set(keyOf(ref), { ...cached, version: s.version + 1, trials: [...cached.trials, claimed.trial] });
          }
          const nested = nestParams(claimed.trial.params);
          return { action: "run", runId: claimed.trial.runId, params: nested, command: commandFor(config, nested, agent.interpreter) };
        }
        // agent_lost cannot follow the touch above unless the agent vanished; the rest mean "re-read and retry".
        if (claimed.reason === "agent_lost") throw this.agentNotFound(ref, agentId);
      }
      return { action: "wait", retryAfterMs: this.waitMs };
    });
  }

  /** Marks the agent's listed runs running, runs early termination, and says which runs to stop. */
  async heartbeat(ref: SweepRef, agentId: string, runIds: readonly string[]): Promise<HeartbeatReply> {
    return this.mutex.run(keyOf(ref), async () => {
      let s = await this.requireSweep(ref);
      const agent = await this.requireAgent(ref, agentId);
      const now = this.now();
      await this.touch(ref, agent);
      let { config, trials } = await this.load(s);
      const byId = new Map(trials.map((t) => [t.runId, t]));
      let changed = false;
      for (const id of new Set(runIds)) {
        const t = byId.get(id);
        if (t !== undefined && t.agentId === agentId && t.state === "assigned") {
          await this.updateTrial(ref, id, { state: "running" });
          changed = true;
        }
      }
      if (s.state === "running") {
        for (const id of await this.stopper.evaluate(ref, config, trials, now)) {
          const t = byId.get(id);
          if (t !== undefined && isActive(t) && !t.earlyStopped) {
            await this.updateTrial(ref, id, { earlyStopped: true });
            changed = true;
          }
        }
      }
      if (changed) {
        s = (await this.store.sweeps.getSweep(ref))!;
        ({ config, trials } = await this.load(s));
      }
      const fresh = new Map(trials.map((t) => [t.runId, t]));
      const stop = [...new Set(runIds)].filter((id) => {
        const t = fresh.get(id);
        return t !== undefined && (t.earlyStopped || t.state === "lost" || s.state === "stopped");
      });
      return { stop, state: s.state };
    });
  }

  /**
   * Records how a trial's process ended. Its state is the run's own when the run exists (a run left
   * running counts by the exit code), failed when it does not; stopped when the controller had asked
   * it to stop and it did not finish. Reporting a trial that already ended (or was lost) changes nothing.
   */
  async exit(ref: SweepRef, runId: string, report: { exitCode: number | null; signal?: string | null; startupFailure?: boolean }): Promise<void> {
    await this.mutex.run(keyOf(ref), async () => {
      const s = await this.requireSweep(ref);
      const trial = await this.store.sweeps.getTrial(ref, runId);
      if (trial === undefined) {
        throw new OrreryError("not_found", `sweep '${ref.sweepId}' has no trial '${runId}': report the runId that next handed out`, "runId");
      }
      if (!isActive(trial)) return;
      const { config } = await this.load(s);
      const run = report.startupFailure ? undefined : await this.store.meta.getRun({ entity: ref.entity, project: ref.project, runId });
      let state: TrialRecord["state"];
      if (report.startupFailure) state = "failed";
      else if (run === undefined) state = "failed";
      else if (run.state === "running") state = report.exitCode === 0 ? "finished" : "failed";
      else state = run.state;
      if ((trial.earlyStopped || s.state === "stopped") && state !== "finished") state = "stopped";
      const value = config.metric === undefined ? null : metricValue(run, config.metric.name);
      await this.updateTrial(ref, runId, { state, value, endedAt: this.now() });
      const fresh = (await this.store.sweeps.getSweep(ref))!;
      const loaded = await this.load(fresh);
      await this.finishIfDone(ref, fresh, loaded.config, loaded.trials);
    });
  }

  /**
   * Declares agents silent for longer than timeoutMs lost. A trial of theirs whose run already ended
   * takes the run's state; the others become lost, and next offers their configuration again.
   * Returns how many trials were lost.
   */
  async reapLostAgents(now: number, timeoutMs: number): Promise<number> {
    let lost = 0;
    for (const a of await this.store.sweeps.staleAgents(now, timeoutMs)) {
      lost += await this.mutex.run(keyOf(a), async () => {
        const agent = await this.store.sweeps.getAgent(a, a.agentId);
        // It may have spoken while we waited for the mutex.
        if (agent === undefined || agent.lostAt !== null || agent.heartbeatAt >= now - timeoutMs) return 0;
        const s = await this.store.sweeps.getSweep(a);
        if (s === undefined) return 0;
        const { config, trials } = await this.load(s);
        for (const t of trials) {
          if (t.agentId !== a.agentId || !isActive(t)) continue;
          const run = await this.store.meta.getRun({ entity: a.entity, project: a.project, runId: t.runId });
          if (run !== undefined && (run.state === "finished" || run.state === "failed")) {
            const value = config.metric === undefined ? null : metricValue(run, config.metric.name);
            await this.updateTrial(a, t.runId, { state: run.state, value, endedAt: now });
          }
        }
        const marked = await this.store.sweeps.markAgentLost(a, a.agentId, now);
        const fresh = (await this.store.sweeps.getSweep(a))!;
        const loaded = await this.load(fresh);
        await this.finishIfDone(a, fresh, loaded.config, loaded.trials);
        return marked.length;
      });
    }
    return lost;
  }

  /** Refreshes an agent's heartbeat, not on every request: each write costs a disk sync. */
  private async touch(ref: SweepRef, agent: AgentRecord): Promise<void> {
    const now = this.now();
    if (agent.lostAt === null && now - agent.heartbeatAt < this.touchEveryMs) return;
    await this.store.sweeps.touchAgent(ref, agent.id, now);
  }

  /** store.updateTrial, keeping the cached trial list current instead of re-reading it whole. */
  private async updateTrial(ref: SweepRef, runId: string, patch: TrialPatch): Promise<TrialRecord | undefined> {
    const key = keyOf(ref);
    const before = this.cache.get(key);
    const t = await this.store.sweeps.updateTrial(ref, runId, patch);
    const s = await this.store.sweeps.getSweep(ref);
    // Exactly one bump since the cached version means nobody else changed the sweep meanwhile.
    if (before !== undefined && t !== undefined && s !== undefined && s.version === before.version + 1) {
      this.cache.set(key, { ...before, version: s.version, trials: before.trials.map((x) => (x.runId === runId ? t : x)) });
    }
    return t;
  }

  private async drained(ref: SweepRef, s: SweepRecord, config: SweepConfig, trials: readonly TrialRecord[], why: string): Promise<NextAction> {
    // Running trials may still fail (retries) or be lost: keep agents around until none is left.
    if (trials.some(isActive) || reofferable(config, trials).length > 0) return { action: "wait", retryAfterMs: this.waitMs };
    await this.finishIfDone(ref, s, config, trials);
    return { action: "stop", reason: `sweep ${ref.sweepId} is finished: ${why}` };
  }

  private async finishIfDone(ref: SweepRef, s: SweepRecord, config: SweepConfig, trials: readonly TrialRecord[]): Promise<SweepRecord> {
    if (s.state !== "running" || !isDone(s, config, trials)) return s;
    return (await this.store.sweeps.setSweepState(ref, "finished", this.now())) ?? s;
  }

  private async load(s: SweepRecord): Promise<{ config: SweepConfig; trials: TrialRecord[] }> {
    const key = `${s.entity}/${s.project}/${s.id}`;
    const hit = this.cache.get(key);
    if (hit !== undefined && hit.version === s.version) return hit;
    const entry = {
      version: s.version,
      // The stored config is parseSweepConfig's own output: trusted, not parsed again.
      config: hit?.config ?? (s.config as unknown as SweepConfig),
      trials: await this.store.sweeps.listTrials({ entity: s.entity, project: s.project, sweepId: s.id }),
    };
    this.cache.set(key, entry);
    return entry;
  }

  /** Finished trials of the prior sweeps measuring the same metric, fitted to this search space. */
  private async warmStart(s: SweepRecord, config: SweepConfig): Promise<Trial[]> {
    if (config.prior_sweeps === undefined || config.prior_sweeps.length === 0 || config.metric === undefined) return [];
    const prior: Trial[] = [];
    for (const id of config.prior_sweeps) {
      const ref = this.priorRef(s, id);
      const ps = ref === undefined ? undefined : await this.store.sweeps.getSweep(ref);
      if (ps === undefined) continue;
      const loaded = await this.load(ps);
      if (loaded.config.metric?.name !== config.metric.name) continue;
      for (const t of loaded.trials) {
        if (t.state === "finished" && t.value !== null) prior.push({ params: t.params, value: t.value, state: "finished" });
      }
    }
    return prior.length === 0 ? [] : warmStartTrials(searchSpace(config), prior);
  }

  private priorRef(p: ProjectRef, id: string): SweepRef | undefined {
    const m = PRIOR_SWEEP.exec(id);
    if (m === null) return undefined;
    return { entity: m[1] ?? p.entity, project: m[2] ?? p.project, sweepId: m[3] };
  }

  private async requireSweep(ref: SweepRef): Promise<SweepRecord> {
    const s = await this.store.sweeps.getSweep(ref);
    if (s === undefined) throw sweepNotFound(ref);
    return s;
  }

  private async requireAgent(ref: SweepRef, agentId: string): Promise<AgentRecord> {
    const a = await this.store.sweeps.getAgent(ref, agentId);
    if (a === undefined) throw this.agentNotFound(ref, agentId);
    return a;
  }

  private agentNotFound(ref: SweepRef, agentId: string): OrreryError {
    return new OrreryError(
      "not_found", `agent '${agentId}' is not registered with sweep '${ref.sweepId}': register with POST .../sweeps/${ref.sweepId}/agents`,
      "agentId",
    );
  }
}
