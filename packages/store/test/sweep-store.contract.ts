// The behaviour every SweepStore engine must show (see SweepStore in src/interfaces.ts), as tests
// named as sentences. An engine's test file calls runSweepStoreContract with a factory for fresh
// stores; `reopen` (when the engine persists) gives a second store on the same data.
import { afterEach, describe, expect, it } from "vitest";
import type { NewSweep, Store, SweepRef } from "../src/interfaces.js";

export interface SweepContractFactory {
  fresh(): Promise<Store>;
  /** Another store on the same data as `store` (a restart, or a second server process). */
  reopen(store: Store): Promise<Store>;
}

const P = { entity: "ada", project: "search" };
const T0 = Date.UTC(2026, 0, 1);
const NEW: NewSweep = { name: null, method: "random", config: { method: "random", parameters: { lr: { min: 0, max: 1 } } }, source: "method: random", runCap: null };

export function runSweepStoreContract(engine: string, factory: SweepContractFactory): void {
  describe(`SweepStore contract: ${engine}`, () => {
    const open: Store[] = [];
    const fresh = async () => { const s = await factory.fresh(); open.push(s); return s; };
    const reopen = async (s: Store) => { const r = await factory.reopen(s); open.push(r); return r; };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    async function sweepWithAgent(store: Store, input: Partial<NewSweep> = {}) {
      const sweep = await store.sweeps.createSweep(P, { ...NEW, ...input }, T0);
      const ref: SweepRef = { ...P, sweepId: sweep.id };
      const agent = (await store.sweeps.createAgent(ref, { host: "h1", pid: 42, interpreter: null }, T0))!;
      return { sweep, ref, agentId: agent.id };
    }

    it("a new sweep is running, named after its id unless named, and creates its project", async () => {
      const store = await fresh();
      const a = await store.sweeps.createSweep(P, NEW, T0);
      const b = await store.sweeps.createSweep(P, { ...NEW, name: "lr-search", runCap: 5 }, T0 + 1);
      expect(a).toMatchObject({ state: "running", name: a.id, method: "random", runCap: null, createdAt: T0, entity: "ada", project: "search" });
      expect(a.id).toMatch(/^[a-z0-9]{8}$/);
      expect(b).toMatchObject({ name: "lr-search", runCap: 5, config: NEW.config, source: "method: random" });
      expect((await store.meta.getProject(P))?.name).toBe("search");
      expect((await store.sweeps.listSweeps(P)).map((s) => s.id)).toEqual([b.id, a.id]);
      expect(await store.sweeps.getSweep({ entity: "ada", project: "other", sweepId: a.id })).toBeUndefined();
    });

    it("a claim inserts an assigned trial with a fresh run id and bumps the version", async () => {
      const store = await fresh();
      const { sweep, ref, agentId } = await sweepWithAgent(store);
      const r = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 0.5 }, expectedVersion: sweep.version }, T0 + 5);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.trial).toMatchObject({ params: { lr: 0.5 }, state: "assigned", attempt: 1, agentId, createdAt: T0 + 5, retryOf: null, earlyStopped: false, value: null });
      expect(r.trial.runId).toMatch(/^[a-z0-9]{8}$/);
      expect((await store.sweeps.getSweep(ref))!.version).toBeGreaterThan(sweep.version);
      expect(await store.sweeps.listTrials(ref)).toEqual([r.trial]);
    });

    it("a claim computed from an old version is refused as a conflict", async () => {
      const store = await fresh();
      const { sweep, ref, agentId } = await sweepWithAgent(store);
      const first = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 0.1 }, expectedVersion: sweep.version }, T0);
      const second = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 0.2 }, expectedVersion: sweep.version }, T0);
      expect(first.ok).toBe(true);
      expect(second).toEqual({ ok: false, reason: "conflict" });
    });

    it("run_cap counts configurations: a retry of a failed trial does not count again", async () => {
      const store = await fresh();
      const { ref, agentId } = await sweepWithAgent(store, { runCap: 2 });
      const claim = async (params: object, retryOf?: string) =>
        store.sweeps.claimTrial(ref, { agentId, params: { ...params }, retryOf, expectedVersion: (await store.sweeps.getSweep(ref))!.version }, T0);
      const a = await claim({ lr: 0.1 });
      const b = await claim({ lr: 0.2 });
      expect(await claim({ lr: 0.3 })).toEqual({ ok: false, reason: "run_cap" });
      if (!a.ok || !b.ok) throw new Error("claims failed");
      await store.sweeps.updateTrial(ref, a.trial.runId, { state: "failed", endedAt: T0 + 1 });
      const retry = await claim({ lr: 0.1 }, a.trial.runId);
      expect(retry).toMatchObject({ ok: true, trial: { attempt: 2, retryOf: a.trial.runId, params: { lr: 0.1 } } });
      expect(await claim({ lr: 0.1 }, a.trial.runId)).toEqual({ ok: false, reason: "not_retryable" });
      expect(await claim({ lr: 0.2 }, b.trial.runId)).toEqual({ ok: false, reason: "not_retryable" });
    });

    it("claims are refused while the sweep is not running, or for an unknown or lost agent", async () => {
      const store = await fresh();
      const { ref, agentId } = await sweepWithAgent(store);
      const claim = async (agent = agentId) =>
        store.sweeps.claimTrial(ref, { agentId: agent, params: {}, expectedVersion: (await store.sweeps.getSweep(ref))!.version }, T0);
      expect(await claim("nobody")).toEqual({ ok: false, reason: "agent_lost" });
      await store.sweeps.setSweepState(ref, "paused", T0);
      expect(await claim()).toEqual({ ok: false, reason: "not_running" });
      await store.sweeps.setSweepState(ref, "running", T0);
      await store.sweeps.markAgentLost(ref, agentId, T0);
      expect(await claim()).toEqual({ ok: false, reason: "agent_lost" });
      expect(await store.sweeps.touchAgent(ref, agentId, T0 + 1)).toBe(true);
      expect((await claim()).ok).toBe(true);
    });

    it("updateTrial sets only the fields given and keeps non-finite values out", async () => {
      const store = await fresh();
      const { sweep, ref, agentId } = await sweepWithAgent(store);
      const r = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 1 }, expectedVersion: sweep.version }, T0);
      if (!r.ok) throw new Error("claim failed");
      expect(await store.sweeps.updateTrial(ref, r.trial.runId, { earlyStopped: true })).toMatchObject({ state: "assigned", earlyStopped: true });
      expect(await store.sweeps.updateTrial(ref, r.trial.runId, { state: "finished", value: 0.25, endedAt: T0 + 9 }))
        .toMatchObject({ state: "finished", value: 0.25, endedAt: T0 + 9, earlyStopped: true });
      expect(await store.sweeps.updateTrial(ref, r.trial.runId, { value: Number.NaN })).toMatchObject({ value: null });
      expect(await store.sweeps.updateTrial(ref, "nosuchrun", { state: "failed" })).toBeUndefined();
    });

    it("an agent silent past the timeout is stale; losing it makes its active trials lost at once", async () => {
      const store = await fresh();
      const { sweep, ref, agentId } = await sweepWithAgent(store);
      const other = (await store.sweeps.createAgent(ref, { host: null, pid: null, interpreter: "python3.12" }, T0))!;
      expect(other).toMatchObject({ host: null, pid: null, interpreter: "python3.12", lostAt: null });
      const a = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 1 }, expectedVersion: sweep.version }, T0);
      const b = await store.sweeps.claimTrial(ref, { agentId, params: { lr: 2 }, expectedVersion: sweep.version + 1 }, T0);
      if (!a.ok || !b.ok) throw new Error("claims failed");
      await store.sweeps.updateTrial(ref, a.trial.runId, { state: "finished", value: 1 });
      await store.sweeps.touchAgent(ref, other.id, T0 + 50_000);
      expect(await store.sweeps.staleAgents(T0 + 60_001, 60_000)).toEqual([{ ...ref, agentId }]);
      const lost = await store.sweeps.markAgentLost(ref, agentId, T0 + 60_001);
      expect(lost.map((t) => [t.runId, t.state])).toEqual([[b.trial.runId, "lost"]]);
      expect((await store.sweeps.listTrials(ref)).map((t) => t.state)).toEqual(["finished", "lost"]);
      expect((await store.sweeps.getAgent(ref, agentId))!.lostAt).toBe(T0 + 60_001);
      expect(await store.sweeps.staleAgents(T0 + 60_001, 60_000)).toEqual([]);
      expect(await store.sweeps.markAgentLost(ref, agentId, T0 + 70_000)).toEqual([]);
    });

    it("sweeps, trials and agents survive a restart", async () => {
      const store = await fresh();
      const { sweep, ref, agentId } = await sweepWithAgent(store, { runCap: 3 });
      await store.sweeps.claimTrial(ref, { agentId, params: { lr: 0.5, "opt.name": "adam" }, expectedVersion: sweep.version }, T0);
      await store.sweeps.setSweepState(ref, "paused", T0 + 1);
      const again = await reopen(store);
      await store.close();
      expect(await again.sweeps.getSweep(ref)).toMatchObject({ state: "paused", runCap: 3 });
      expect((await again.sweeps.listTrials(ref)).map((t) => t.params)).toEqual([{ lr: 0.5, "opt.name": "adam" }]);
      expect(await again.sweeps.getAgent(ref, agentId)).toMatchObject({ host: "h1", pid: 42 });
    });

    it("two stores on the same data never claim past run_cap, however claims interleave", async () => {
      const one = await fresh();
      const two = await reopen(one);
      const { ref } = await sweepWithAgent(one, { runCap: 10 });
      const agents = [
        (await one.sweeps.createAgent(ref, { host: "a", pid: 1, interpreter: null }, T0))!.id,
        (await two.sweeps.createAgent(ref, { host: "b", pid: 2, interpreter: null }, T0))!.id,
      ];
      const stores = [one, two];
      let granted = 0;
      // Each store reads the version, then both claim: one wins, the other sees a conflict and retries.
      for (let round = 0; round < 40; round++) {
        const versions = await Promise.all(stores.map(async (s) => (await s.sweeps.getSweep(ref))!.version));
        const results = await Promise.all(stores.map((s, i) =>
          s.sweeps.claimTrial(ref, { agentId: agents[i], params: { lr: round + i / 10 }, expectedVersion: versions[i] }, T0)));
        granted += results.filter((r) => r.ok).length;
        for (const r of results) if (!r.ok) expect(["conflict", "run_cap"]).toContain(r.reason);
      }
      const trials = await one.sweeps.listTrials(ref);
      expect(granted).toBe(10);
      expect(trials).toHaveLength(10);
      expect(new Set(trials.map((t) => t.runId)).size).toBe(10);
    });
  });
}
