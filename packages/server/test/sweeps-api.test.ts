// The sweep API on a real server (ephemeral port, real SQLite files): creating sweeps from JSON
// and YAML, the field every bad config and every bad request is refused with, pause, resume and
// stop as agents see them, exits, retries, and state that survives a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, postJson, tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { SweepClient, type ErrorBody } from "./sweeps-helpers.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let c: SweepClient;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  c = new SweepClient(server.url);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

const RANDOM = {
  method: "random",
  metric: { name: "loss", goal: "minimize" },
  parameters: { lr: { distribution: "log_uniform_values", min: 1e-4, max: 1e-1 }, layers: { values: [1, 2, 3] } },
};

const YAML = `
program: train.py
method: bayes
metric:
  name: val_loss
  goal: minimize
parameters:
  optimizer:
    parameters:
      name:
        values: [adam, sgd]
      lr:
        min: 0.0001
        max: 0.1
  batch_size:
    value: 64
early_terminate:
  type: hyperband
  min_iter: 3
run_cap: 20
`;

describe("creating sweeps", () => {
  it("a JSON config creates a running sweep with empty counts", async () => {
    const { status, body } = await c.create(RANDOM);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      state: "running", method: "random", runCap: null, gridSize: null, best: null, metric: { name: "loss", goal: "minimize" },
      counts: { pending: 0, running: 0, finished: 0, failed: 0, crashed: 0, stopped: 0, lost: 0, total: 0 },
    });
    expect(body.id).toMatch(/^[a-z0-9]{8}$/);
    expect(body.name).toBe(body.id);
  });

  it("a W&B sweep YAML works unchanged and nested parameters reach the agent nested", async () => {
    const sweep = await c.createOk(YAML);
    expect(sweep).toMatchObject({ method: "bayes", runCap: 20, metric: { name: "val_loss", goal: "minimize" } });
    const agent = await c.agent(sweep.id, { host: "gpu-1", pid: 77, interpreter: "/usr/bin/python3" });
    const n = await c.run(sweep.id, agent);
    expect(n.params).toMatchObject({ batch_size: 64, optimizer: { name: expect.stringMatching(/^(adam|sgd)$/) } });
    expect((n.params.optimizer as { lr: number }).lr).toBeGreaterThanOrEqual(0.0001);
    expect(n.command.argv).toContain("/usr/bin/python3");
    expect(n.command.argv).toContain("train.py");
    expect(JSON.parse(n.command.argsJson)).toEqual(n.params);
  });

  it("a command with ${args_json_file} keeps the macro for the agent to fill with a file of its own", async () => {
    const sweep = await c.createOk({
      program: "train.py", method: "random", parameters: { lr: { values: [0.1, 0.01] } },
      command: ["${interpreter}", "${program}", "--config", "${args_json_file}"],
    });
    const n = await c.run(sweep.id, await c.agent(sweep.id, {}));
    expect(n.command).not.toHaveProperty("error");
    expect(n.command.argv).toEqual(["python3", "train.py", "--config", "${args_json_file}"]);
    expect(JSON.parse(n.command.argsJson)).toEqual(n.params);
  });

  it("a grid sweep reports its size and lists newest first", async () => {
    const sweep = await c.createOk({ method: "grid", parameters: { a: { values: [1, 2, 3] }, b: { values: ["x", "y"] } }, name: "grid-6" });
    expect(sweep).toMatchObject({ gridSize: 6, name: "grid-6" });
    const { body } = await api<{ sweeps: { id: string }[] }>(server.url, `${c.base}/sweeps`);
    expect(body.sweeps[0].id).toBe(sweep.id);
  });

  it.each([
    ["an unknown method", { ...RANDOM, method: "annealing" }, "config.method"],
    ["an unknown distribution", { ...RANDOM, parameters: { lr: { distribution: "zipf", min: 0, max: 1 } } }, "config.parameters.lr.distribution"],
    ["min above max", { ...RANDOM, parameters: { lr: { min: 2.5, max: 1.5 } } }, "config.parameters.lr"],
    ["bayes without a metric", { method: "bayes", parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } }, "config.metric"],
    ["no parameters", { method: "random" }, "config.parameters"],
    ["a grid over a range", { method: "grid", parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } }, "config.parameters"],
    ["an unknown prior sweep", { ...RANDOM, prior_sweeps: ["nosuchid"] }, "config.prior_sweeps[0]"],
  ])("a config with %s is refused with 400 naming the field", async (_what, config, field) => {
    const { status, body } = await c.create(config);
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_request");
    expect(body.field?.startsWith(field)).toBe(true);
    expect(body.message.length).toBeGreaterThan(20);
  });

  it("YAML that does not parse, or a config that is not an object, is refused with field config", async () => {
    for (const config of ["method: [random\nparameters: {", "just text", 42, null, ["method", "random"]]) {
      const { status, body } = await c.create(config);
      expect(status, JSON.stringify(config)).toBe(400);
      expect(body.field?.startsWith("config")).toBe(true);
    }
  });

  it("a body without config, or with extra fields, is refused with the field", async () => {
    let res = await postJson(server.url, `${c.base}/sweeps`, {});
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).field).toBe("config");
    res = await postJson(server.url, `${c.base}/sweeps`, { config: RANDOM, extra: 1 });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).field).toBe("extra");
    res = await postJson(server.url, `/api/v1/projects/bad%20name/p/sweeps`, { config: RANDOM });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).field).toBe("entity");
  });
});

describe("bad requests to every sweep route", () => {
  let sweepId: string;
  let agentId: string;
  let runId: string;
  beforeAll(async () => {
    sweepId = (await c.createOk(RANDOM)).id;
    agentId = await c.agent(sweepId);
    runId = (await c.run(sweepId, agentId)).runId;
  });

  it("an unknown sweep is a 404 naming sweepId on every route", async () => {
    const calls: [string, string, unknown?][] = [
      ["GET", "/sweeps/zzzzzzzz"],
      ["PATCH", "/sweeps/zzzzzzzz", { state: "paused" }],
      ["GET", "/sweeps/zzzzzzzz/trials"],
      ["POST", "/sweeps/zzzzzzzz/agents", {}],
      ["POST", "/sweeps/zzzzzzzz/agents/abc/next", {}],
      ["POST", "/sweeps/zzzzzzzz/agents/abc/heartbeat", { runIds: [] }],
      ["POST", "/sweeps/zzzzzzzz/trials/abc/exit", { exitCode: 0 }],
    ];
    for (const [method, path, body] of calls) {
      const res = await api<ErrorBody>(server.url, c.base + path, {
        method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.field, `${method} ${path}`).toBe("sweepId");
    }
  });

  it("listing the sweeps of a project that does not exist is a 404 naming project", async () => {
    const res = await api<ErrorBody>(server.url, "/api/v1/projects/ada/nosuchproject/sweeps");
    expect(res.status).toBe(404);
    expect(res.body.field).toBe("project");
  });

  it("a malformed sweep id is a 400 naming sweepId", async () => {
    const res = await api<ErrorBody>(server.url, `${c.base}/sweeps/${"x".repeat(65)}`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("sweepId");
  });

  it("PATCH refuses an unknown state, a missing state and extra fields", async () => {
    for (const [body, field] of [[{ state: "finished" }, "state"], [{}, "state"], [{ state: "paused", why: 1 }, "why"], [{ state: 3 }, "state"]] as const) {
      const res = await c.patch(sweepId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it("agent registration refuses a bad pid, host or interpreter", async () => {
    for (const [body, field] of [
      [{ pid: -1 }, "pid"], [{ pid: "12" }, "pid"], [{ pid: 1.5 }, "pid"], [{ host: 7 }, "host"], [{ host: "h".repeat(300) }, "host"],
      [{ interpreter: "" }, "interpreter"], [{ token: "x" }, "token"],
    ] as const) {
      const res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as ErrorBody).field).toBe(field);
    }
  });

  it("next and heartbeat from an unregistered agent are 404s naming agentId", async () => {
    let res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents/nobody/next`, {});
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).field).toBe("agentId");
    res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents/nobody/heartbeat`, { runIds: [] });
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).field).toBe("agentId");
    res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents/no%20body/next`, {});
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).field).toBe("agentId");
  });

  it("a heartbeat refuses runIds that are not a list of run ids", async () => {
    for (const [body, field] of [
      [{}, "runIds"], [{ runIds: "abc" }, "runIds"], [{ runIds: ["ok", "not ok"] }, "runIds[1]"],
      [{ runIds: Array.from({ length: 300 }, (_, i) => `r${i}`) }, "runIds"],
    ] as const) {
      const res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents/${agentId}/heartbeat`, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect((res.body as ErrorBody).field).toBe(field);
    }
  });

  it("an exit report refuses a bad exit code and an unknown trial", async () => {
    for (const [body, field] of [[{}, "exitCode"], [{ exitCode: "1" }, "exitCode"], [{ exitCode: 0.5 }, "exitCode"], [{ exitCode: 0, signal: 9 }, "signal"], [{ exitCode: 0, startupFailure: "yes" }, "startupFailure"]] as const) {
      const res = await c.exit(sweepId, runId, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as ErrorBody).field).toBe(field);
    }
    const res = await c.exit(sweepId, "nosuchrun", { exitCode: 0 });
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).field).toBe("runId");
  });

  it("a body that is not JSON is a 400, never a 500", async () => {
    const res = await postJson(server.url, `${c.base}/sweeps/${sweepId}/agents/${agentId}/heartbeat`, "{runIds:");
    expect(res.status).toBe(400);
  });
});

describe("the trial life cycle", () => {
  it("an exit takes the run's state and its summary value, and the sweep tracks the best", async () => {
    const sweep = await c.createOk({ ...RANDOM, run_cap: 2 });
    const agent = await c.agent(sweep.id);
    const a = await c.run(sweep.id, agent);
    const b = await c.run(sweep.id, agent);
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "wait" });
    expect((await c.heartbeat(sweep.id, agent, [a.runId, b.runId])).stop).toEqual([]);
    await c.train(a.runId, a.params, "loss", [3, 2, 0.5]);
    await c.train(b.runId, b.params, "loss", [3, 2.5], 1);
    expect((await c.exit(sweep.id, a.runId, { exitCode: 0 })).status).toBe(200);
    expect((await c.exit(sweep.id, b.runId, { exitCode: 1 })).status).toBe(200);
    const trials = await c.trials(sweep.id);
    expect(trials.map((t) => [t.runId, t.state, t.value])).toEqual([[a.runId, "finished", 0.5], [b.runId, "failed", 2.5]]);
    expect(trials[0].params).toEqual(a.params);
    const after = await c.get(sweep.id);
    expect(after.best).toMatchObject({ runId: a.runId, value: 0.5, params: a.params });
    expect(after.counts).toMatchObject({ finished: 1, failed: 1, running: 0, total: 2 });
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "stop" });
    expect((await c.get(sweep.id)).state).toBe("finished");
    // A second report of the same exit changes nothing.
    expect((await c.exit(sweep.id, a.runId, { exitCode: 1 })).status).toBe(200);
    expect((await c.trials(sweep.id))[0].state).toBe("finished");
  });

  it("a trial whose process never created a run is failed; retries offer its configuration again", async () => {
    const sweep = await c.createOk({ ...RANDOM, run_cap: 1, retries: 1 });
    const agent = await c.agent(sweep.id);
    const first = await c.run(sweep.id, agent);
    await c.exit(sweep.id, first.runId, { exitCode: null, signal: "SIGSEGV", startupFailure: true });
    const second = await c.run(sweep.id, agent);
    expect(second.params).toEqual(first.params);
    expect(second.runId).not.toBe(first.runId);
    await c.exit(sweep.id, second.runId, { exitCode: 2 });
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "stop" });
    const trials = await c.trials(sweep.id);
    expect(trials.map((t) => [t.state, t.attempt])).toEqual([["failed", 1], ["failed", 2]]);
    expect((await c.get(sweep.id)).counts).toMatchObject({ failed: 2, pending: 0, total: 2 });
  });

  it("pause makes agents wait, resume hands out work, stop tells agents to stop their runs", async () => {
    const sweep = await c.createOk(RANDOM);
    const agent = await c.agent(sweep.id);
    const a = await c.run(sweep.id, agent);
    expect((await c.patch(sweep.id, { state: "paused" })).body.state).toBe("paused");
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "wait" });
    expect(await c.heartbeat(sweep.id, agent, [a.runId])).toEqual({ stop: [], state: "paused" });
    expect((await c.patch(sweep.id, { state: "running" })).body.state).toBe("running");
    await c.run(sweep.id, agent);
    const stopped = await c.patch(sweep.id, { state: "stopped" });
    expect(stopped.status).toBe(200);
    expect(stopped.body.state).toBe("stopped");
    expect(await c.heartbeat(sweep.id, agent, [a.runId])).toEqual({ stop: [a.runId], state: "stopped" });
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "stop" });
    await c.train(a.runId, a.params, "loss", [1, 0.9], 143);
    await c.exit(sweep.id, a.runId, { exitCode: null, signal: "SIGTERM" });
    expect((await c.trials(sweep.id))[0]).toMatchObject({ state: "stopped", value: 0.9 });
  });

  it("a finished sweep cannot be resumed: 409 naming state", async () => {
    const sweep = await c.createOk({ method: "grid", parameters: { a: { value: 1 } } });
    const agent = await c.agent(sweep.id);
    const n = await c.run(sweep.id, agent);
    await c.train(n.runId, n.params, "loss", [1]);
    await c.exit(sweep.id, n.runId, { exitCode: 0 });
    expect(await c.next(sweep.id, agent)).toMatchObject({ action: "stop" });
    const res = await c.patch(sweep.id, { state: "running" });
    expect(res.status).toBe(409);
    expect(res.body.field).toBe("state");
  });
});

describe("restarts", () => {
  it("sweep state, trials and agents survive a server restart", async () => {
    const d = tempDir();
    try {
      let s = await startServer({ dataDir: d.path, port: 0 });
      let client = new SweepClient(s.url);
      const sweep = await client.createOk({ ...RANDOM, run_cap: 3 });
      const agent = await client.agent(sweep.id);
      const a = await client.run(sweep.id, agent);
      await s.close();
      s = await startServer({ dataDir: d.path, port: 0 });
      client = new SweepClient(s.url);
      try {
        expect((await client.trials(sweep.id)).map((t) => t.runId)).toEqual([a.runId]);
        const b = await client.run(sweep.id, agent);
        expect(b.runId).not.toBe(a.runId);
        expect((await client.get(sweep.id)).counts.running).toBe(2);
      } finally {
        await s.close();
      }
    } finally {
      d.cleanup();
    }
  });
});
