// The sweep controller under agents, over HTTP against a real server: 16 agents racing for work
// never exceed run_cap nor share a configuration, a silent agent's trial is offered again, early
// termination stops the right runs from histories ingested through the API, and a sweep naming
// a prior sweep starts from what that sweep learned.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, waitFor } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { SweepClient, type NextBody } from "./sweeps-helpers.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let c: SweepClient;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0, sweeps: { earlyStopIntervalMs: 0, waitMs: 50 } });
  c = new SweepClient(server.url, "ada", "agents");
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const runs = (xs: NextBody[]) => xs.filter((n): n is Extract<NextBody, { action: "run" }> => n.action === "run");

describe("racing agents", () => {
  it("16 agents asking at once never exceed run_cap nor get the same run or configuration twice", async () => {
    const sweep = await c.createOk({
      method: "random", run_cap: 10, metric: { name: "loss", goal: "minimize" },
      parameters: { lr: { distribution: "uniform", min: 0, max: 1 }, wd: { distribution: "log_uniform_values", min: 1e-6, max: 1e-2 } },
    });
    const agents = await Promise.all(Array.from({ length: 16 }, () => c.agent(sweep.id)));
    const first = await Promise.all(agents.map((a) => c.next(sweep.id, a)));
    const second = await Promise.all(agents.map((a) => c.next(sweep.id, a)));
    const granted = runs([...first, ...second]);
    expect(granted).toHaveLength(10);
    expect(new Set(granted.map((g) => g.runId)).size).toBe(10);
    expect(new Set(granted.map((g) => JSON.stringify(g.params))).size).toBe(10);
    expect([...first, ...second].filter((n) => n.action === "wait")).toHaveLength(22);
    const trials = await c.trials(sweep.id);
    expect(trials).toHaveLength(10);
    expect((await c.get(sweep.id)).counts).toMatchObject({ running: 10, total: 10 });
    // Once every trial ended, agents are told to stop and the sweep is finished.
    for (const g of granted) {
      await c.train(g.runId, g.params, "loss", [Number(g.params.lr)]);
      await c.exit(sweep.id, g.runId, { exitCode: 0 });
    }
    const last = await Promise.all(agents.map((a) => c.next(sweep.id, a)));
    expect(last.every((n) => n.action === "stop")).toBe(true);
    expect((await c.get(sweep.id)).state).toBe("finished");
  });

  it("16 agents racing through a grid receive each point exactly once", async () => {
    const sweep = await c.createOk({ method: "grid", parameters: { a: { values: [1, 2, 3, 4] }, b: { values: ["x", "y", "z"] } } });
    const agents = await Promise.all(Array.from({ length: 16 }, () => c.agent(sweep.id)));
    const granted = runs(await Promise.all(agents.map((a) => c.next(sweep.id, a))));
    expect(granted).toHaveLength(12);
    const keys = granted.map((g) => `${String(g.params.a)}${String(g.params.b)}`).sort();
    expect(keys).toEqual(["1x", "1y", "1z", "2x", "2y", "2z", "3x", "3y", "3z", "4x", "4y", "4z"]);
  });

  it("8 bayes agents asking at once get 8 different configurations", async () => {
    const sweep = await c.createOk({
      method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: { x: { distribution: "uniform", min: 0, max: 1 }, y: { distribution: "uniform", min: 0, max: 1 } },
    });
    const seed = await c.agent(sweep.id);
    // A few finished trials first, so the model (not the initial design) chooses the batch.
    for (let i = 0; i < 6; i++) {
      const n = await c.run(sweep.id, seed);
      await c.train(n.runId, n.params, "loss", [(Number(n.params.x) - 0.3) ** 2 + (Number(n.params.y) - 0.6) ** 2]);
      await c.exit(sweep.id, n.runId, { exitCode: 0 });
    }
    const agents = await Promise.all(Array.from({ length: 8 }, () => c.agent(sweep.id)));
    const batch = runs(await Promise.all(agents.map((a) => c.next(sweep.id, a))));
    expect(batch).toHaveLength(8);
    expect(new Set(batch.map((b) => JSON.stringify(b.params))).size).toBe(8);
  });
});

describe("lost agents", () => {
  // Its own server with a short heartbeat timeout, so that no other test's agents go lost.
  let lossy: RunningServer;
  let ldir: ReturnType<typeof tempDir>;
  let c: SweepClient;
  beforeAll(async () => {
    ldir = tempDir();
    lossy = await startServer({ dataDir: ldir.path, port: 0, heartbeatTimeoutMs: 400, sweeps: { waitMs: 50 } });
    c = new SweepClient(lossy.url, "ada", "lossy");
  });
  afterAll(async () => {
    await lossy.close();
    ldir.cleanup();
  });

  it("an agent that stops heartbeating loses its trial, and its configuration goes to another agent", async () => {
    const sweep = await c.createOk({ method: "random", run_cap: 1, parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } });
    const dying = await c.agent(sweep.id);
    const alive = await c.agent(sweep.id);
    const taken = await c.run(sweep.id, dying);
    await c.heartbeat(sweep.id, dying, [taken.runId]);
    expect(await c.next(sweep.id, alive)).toMatchObject({ action: "wait" });
    // The living agent keeps asking (which keeps it alive) until the dead one's trial is offered again.
    const again = await waitFor(async () => {
      const n = await c.next(sweep.id, alive);
      return n.action === "run" ? n : undefined;
    }, 10_000, "the lost trial to be reassigned");
    expect(again.params).toEqual(taken.params);
    expect(again.runId).not.toBe(taken.runId);
    const trials = await c.trials(sweep.id);
    expect(trials.map((t) => [t.runId, t.state, t.attempt, t.agentId])).toEqual([
      [taken.runId, "lost", 1, dying], [again.runId, "assigned", 2, alive],
    ]);
    expect((await c.get(sweep.id)).counts).toMatchObject({ lost: 1, running: 1, total: 2 });
    // If the lost agent comes back, it is told to stop the run that was given away.
    expect((await c.heartbeat(sweep.id, dying, [taken.runId])).stop).toEqual([taken.runId]);
  });

  it("a silent agent whose run had already finished keeps its result instead of losing it", async () => {
    const sweep = await c.createOk({ method: "random", run_cap: 1, metric: { name: "loss", goal: "minimize" }, parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } });
    const agent = await c.agent(sweep.id);
    const n = await c.run(sweep.id, agent);
    await c.train(n.runId, n.params, "loss", [0.7]);
    const trial = await waitFor(async () => {
      const [t] = await c.trials(sweep.id);
      return t.state !== "assigned" ? t : undefined;
    }, 10_000, "the silent agent to be reaped");
    expect(trial).toMatchObject({ state: "finished", value: 0.7 });
    expect((await c.get(sweep.id)).state).toBe("finished");
  });
});

describe("early termination", () => {
  it("hyperband stops the running run that is worse than the bracket threshold, and only it", async () => {
    const sweep = await c.createOk({
      method: "random", metric: { name: "val_loss", goal: "minimize" }, parameters: { lr: { distribution: "uniform", min: 0, max: 1 } },
      early_terminate: { type: "hyperband", min_iter: 2, eta: 2 },
    });
    const done = await c.agent(sweep.id);
    const worker = await c.agent(sweep.id);
    for (const curve of [[1.0, 0.4, 0.3, 0.2], [1.0, 0.5, 0.35, 0.25], [1.0, 0.45, 0.4, 0.3]]) {
      const n = await c.run(sweep.id, done);
      await c.train(n.runId, n.params, "val_loss", curve);
      await c.exit(sweep.id, n.runId, { exitCode: 0 });
    }
    const good = await c.run(sweep.id, worker);
    const bad = await c.run(sweep.id, worker);
    await c.train(good.runId, good.params, "val_loss", [0.9, 0.3], false);
    await c.train(bad.runId, bad.params, "val_loss", [5.0, 4.0], false);
    const beat = await c.heartbeat(sweep.id, worker, [good.runId, bad.runId]);
    expect(beat.stop).toEqual([bad.runId]);
    // The agent SIGTERMs it; the trial ends stopped and early-stopped, and the good run goes on.
    await c.exit(sweep.id, bad.runId, { exitCode: null, signal: "SIGTERM" });
    expect((await c.heartbeat(sweep.id, worker, [good.runId])).stop).toEqual([]);
    const trials = await c.trials(sweep.id);
    expect(trials.find((t) => t.runId === bad.runId)).toMatchObject({ state: "stopped", earlyStopped: true, value: 4.0 });
    expect(trials.find((t) => t.runId === good.runId)).toMatchObject({ state: "running", earlyStopped: false });
  });
});

describe("warm start", () => {
  it("a sweep naming a prior sweep suggests near that sweep's best configuration from its first trial", async () => {
    const metric = { name: "loss", goal: "minimize" };
    // The prior sweep is a grid (deterministic) that never tries 0.8 itself, the optimum.
    const xs = [0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9, 0.98];
    const prior = await c.createOk({ method: "grid", metric, parameters: { x: { values: xs } } });
    const agent = await c.agent(prior.id);
    for (let i = 0; i < xs.length; i++) {
      const n = await c.run(prior.id, agent);
      await c.train(n.runId, n.params, "loss", [(Number(n.params.x) - 0.8) ** 2]);
      await c.exit(prior.id, n.runId, { exitCode: 0 });
    }
    expect((await c.get(prior.id)).state).toBe("finished");
    // Three warm sweeps (three seeds): a random first point would land within 0.05 of 0.8 with
    // chance 0.1 each, so all three doing so is the model's doing, not luck.
    for (let i = 0; i < 3; i++) {
      const warm = await c.createOk({ method: "bayes", metric, parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, prior_sweeps: [prior.id] });
      const first = await c.run(warm.id, await c.agent(warm.id));
      expect(Math.abs(Number(first.params.x) - 0.8)).toBeLessThan(0.05);
      // The prior trials seed the model; they are not copied into the new sweep.
      expect(await c.trials(warm.id)).toHaveLength(1);
    }
  });

  it("prior sweeps may be named across projects as ENTITY/PROJECT/ID", async () => {
    const other = new SweepClient(server.url, "ada", "elsewhere");
    const prior = await other.createOk({ method: "random", parameters: { x: { distribution: "uniform", min: 0, max: 1 } } });
    const res = await c.create({ method: "random", parameters: { x: { distribution: "uniform", min: 0, max: 1 } }, prior_sweeps: [`ada/elsewhere/${prior.id}`] });
    expect(res.status).toBe(201);
  });
});
