// Sweeps end to end: a real server, real `orrery agent` processes running a real training script
// (fixtures/sweep_train.py, Python client), lost agents, early termination, flapping, in-process
// agents in TypeScript and Python, and the agent command's bad flags.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orrery from "orrery";
import type { RunningServer } from "@orrery/server";
import { CLI, ROOT, api, postJson, runCli, tempDir, testServer, waitFor, waitExit } from "./helpers.js";
import { PYTHON, pythonEnv, runOf, runPython } from "./python-helpers.js";

const FIXTURES = join(ROOT, "e2e/fixtures");
/** What `python3 fixtures/sweep_train.py --optimum` prints: the val loss of the least-squares fit. */
const OPTIMUM = 0.007913638137397788;
const HEARTBEAT_TIMEOUT_MS = 1500;

interface Trial { runId: string; params: Record<string, unknown>; state: string; value: number | null; attempt: number; agentId: string | null; earlyStopped: boolean }
interface Sweep { id: string; state: string; counts: Record<string, number>; best: { runId: string; value: number; params: Record<string, unknown> } | null }

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let bin: string;
beforeAll(async () => {
  data = tempDir();
  server = await testServer(data.path, { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
  // `python` and `python3` on PATH are Debian's interpreter, whatever the machine has first.
  bin = join(data.path, "bin");
  mkdirSync(bin);
  for (const name of ["python", "python3"]) symlinkSync(PYTHON, join(bin, name));
});
afterAll(async () => {
  await server.close();
  data.cleanup();
});

const projectPath = (project: string) => `/api/v1/projects/e2e/${project}`;

async function createSweep(project: string, config: Record<string, unknown> | string): Promise<string> {
  const { status, body } = await postJson(server.url, `${projectPath(project)}/sweeps`, { config });
  if (status !== 201) throw new Error(`create sweep: ${status} ${JSON.stringify(body)}`);
  return (body as Sweep).id;
}

async function trialsOf(project: string, sweepId: string): Promise<Trial[]> {
  const { status, body } = await api<{ trials: Trial[] }>(server.url, `${projectPath(project)}/sweeps/${sweepId}/trials`);
  if (status !== 200) throw new Error(`trials: ${status} ${JSON.stringify(body)}`);
  return body.trials;
}

async function sweepOf(project: string, sweepId: string): Promise<Sweep> {
  const { status, body } = await api<Sweep>(server.url, `${projectPath(project)}/sweeps/${sweepId}`);
  if (status !== 200) throw new Error(`sweep: ${status} ${JSON.stringify(body)}`);
  return body;
}

interface Agent { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> }

function startAgent(project: string, sweepId: string, args: string[] = [], cwd = FIXTURES): Agent {
  // Spools go to the test's data folder, not to ./orrery under the fixtures the agent runs in.
  const env = pythonEnv({ PATH: `${bin}:${process.env.PATH ?? ""}`, ORRERY_DIR: join(data.path, "spool") });
  const child = spawn(process.execPath, [
    CLI, "agent", sweepId, "--project", `e2e/${project}`, "--url", server.url, "--heartbeat-interval", "300ms",
    "--interpreter", PYTHON, ...args,
  ], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout!.on("data", () => {});
  child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  return { child, done: waitExit(child).then((code) => ({ code, stderr })) };
}

const lrOf = (t: Trial) => (t.params.optimizer as { lr: number }).lr;

describe("orrery agent", () => {
  it("two agents racing finish run_cap trials of a real training script and find a configuration within 10% of the optimum", async () => {
    const sweepId = await createSweep("race", [
      "program: sweep_train.py",
      "method: bayes",
      "metric: {name: val_loss, goal: minimize}",
      "run_cap: 10",
      "parameters:",
      "  optimizer:",
      "    parameters:",
      "      lr: {distribution: log_uniform_values, min: 0.01, max: 1.0}",
      "      name: {value: gd}",
      "  epochs: {value: 20}",
    ].join("\n"));
    const agents = [startAgent("race", sweepId, ["--count", "10"]), startAgent("race", sweepId, ["--count", "10"])];
    const results = await Promise.all(agents.map((a) => a.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);

    const trials = await trialsOf("race", sweepId);
    expect(trials).toHaveLength(10);
    expect(new Set(trials.map((t) => t.runId)).size).toBe(10);
    expect(trials.map((t) => t.state)).toEqual(Array(10).fill("finished"));
    expect(new Set(trials.map((t) => t.agentId)).size).toBe(2); // both agents did work
    for (const t of trials) {
      const run = await runOf(server.url, "e2e/race", t.runId);
      expect(run.config).toMatchObject({ optimizer: { lr: lrOf(t), name: "gd" }, epochs: 20, epoch_sleep: 0 });
      expect(run.metadata?.sweep).toBe(sweepId);
      expect(t.value).toBe(run.summary.val_loss);
    }
    const best = Math.min(...trials.map((t) => t.value ?? Infinity));
    expect(best).toBeLessThanOrEqual(OPTIMUM * 1.1);
    expect((await sweepOf("race", sweepId)).best?.value).toBe(best);
  }, 90_000);

  it("reassigns the trial of an agent killed mid-run once its heartbeats stop", async () => {
    const sweepId = await createSweep("lost", {
      program: "sweep_train.py", method: "grid", metric: { name: "val_loss", goal: "minimize" },
      parameters: { optimizer: { parameters: { lr: { values: [0.3, 0.5] } } }, epochs: { value: 6 }, epoch_sleep: { value: 0.4 } },
    });
    const doomed = startAgent("lost", sweepId, ["--count", "1"]);
    const taken = await waitFor(async () => (await trialsOf("lost", sweepId)).find((t) => t.state === "running" || t.state === "assigned"), 20_000, "a trial to start");
    // Let the run reach the server, then take the machine down: the agent and its training process.
    const run = await waitFor(async () => { try { return await runOf(server.url, "e2e/lost", taken.runId); } catch { return undefined; } }, 20_000, "the run to exist");
    doomed.child.kill("SIGKILL");
    const pid = run.metadata?.pid as number;
    for (const target of [-pid, pid]) try { process.kill(target, "SIGKILL"); } catch { /* already ended */ }
    await doomed.done;

    await waitFor(async () => (await trialsOf("lost", sweepId)).find((t) => t.runId === taken.runId && t.state === "lost"), 20_000, "the trial to be marked lost");
    const rescuer = startAgent("lost", sweepId, ["--count", "1"]);
    const r = await rescuer.done;
    expect(r.code, r.stderr).toBe(0);
    const trials = await trialsOf("lost", sweepId);
    const retry = trials.find((t) => t.runId !== taken.runId && t.agentId !== taken.agentId);
    expect(retry).toMatchObject({ params: taken.params, state: "finished", attempt: 2 });
  }, 60_000);

  it("stops the runs hyperband terminates early with SIGTERM, and lets the good ones finish", async () => {
    const sweepId = await createSweep("hyperband", {
      program: "sweep_train.py", method: "grid", metric: { name: "val_loss", goal: "minimize" },
      early_terminate: { type: "hyperband", min_iter: 2, eta: 2 },
      parameters: {
        optimizer: { parameters: { lr: { values: [0.5, 0.45, 0.001, 0.0012, 0.0015, 0.002] } } },
        // 12 epochs: the last bracket (8) comes 2 s before a run's end, so a stop always lands mid-run,
        // even on a loaded machine (brackets at 2, 4, 8; 16 is past the end).
        epochs: { value: 12 }, epoch_sleep: { value: 0.5 },
      },
    });
    const agents = [startAgent("hyperband", sweepId, ["--grace", "3s"]), startAgent("hyperband", sweepId, ["--grace", "3s"])];
    const results = await Promise.all(agents.map((a) => a.done));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results.map((r) => r.stderr).join("\n")).toMatch(/stopping run \S+ \(asked by the sweep controller\)/);

    const trials = await trialsOf("hyperband", sweepId);
    expect(trials).toHaveLength(6);
    const stopped = trials.filter((t) => t.earlyStopped);
    expect(stopped.length).toBeGreaterThan(0);
    for (const t of stopped) {
      expect(t.state).toBe("stopped");
      expect(lrOf(t)).toBeLessThan(0.01); // only hopeless runs
      const run = await runOf(server.url, "e2e/hyperband", t.runId);
      expect(run.lastStep ?? 0).toBeLessThan(11); // it did not run to the end
    }
    expect(trials.find((t) => lrOf(t) === 0.5)).toMatchObject({ state: "finished", earlyStopped: false });
  }, 90_000);

  it("stops itself with a clear message when every run fails at start", async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "broken.py"), "import sys\nsys.exit(1)\n");
      const sweepId = await createSweep("flapping", {
        program: "broken.py", method: "random", metric: { name: "val_loss", goal: "minimize" },
        parameters: { lr: { min: 0.001, max: 0.1 } },
      });
      const r = await startAgent("flapping", sweepId, [], dir.path).done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/3 of the first 3 runs failed within 5s of starting, so this agent stopped: run the command by hand to see why it fails: .*broken\.py --lr=/);
      expect((await trialsOf("flapping", sweepId)).map((t) => t.state)).toEqual(["failed", "failed", "failed"]);
    } finally {
      dir.cleanup();
    }
  }, 60_000);
});

describe("in-process agents", () => {
  const config = {
    method: "random", metric: { name: "val_loss", goal: "minimize" }, run_cap: 3,
    parameters: { x: { min: -2.0, max: 2.0 }, opt: { parameters: { depth: { values: [1, 2, 3] } } } },
  };

  it("orrery.agent() in TypeScript runs each trial's function with init() picking up the run id and params", async () => {
    const sweepId = await createSweep("ts-agent", config);
    const dir = tempDir();
    try {
      const report = await orrery.agent(sweepId, async ({ runId, params }) => {
        const run = await orrery.init({ dir: dir.path, console: false, systemMetricsIntervalMs: 0, heartbeatIntervalMs: 300 });
        expect(run.id).toBe(runId);
        const x = run.config.get("x") as number;
        run.log({ val_loss: (x - 0.5) ** 2 + (params.opt as { depth: number }).depth });
        await run.finish();
      }, { project: "e2e/ts-agent", url: server.url, heartbeatIntervalMs: 300 });
      expect(report.runs).toBe(3);
      const trials = await trialsOf("ts-agent", sweepId);
      expect(trials.map((t) => t.state)).toEqual(["finished", "finished", "finished"]);
      for (const t of trials) {
        const run = await runOf(server.url, "e2e/ts-agent", t.runId);
        expect(run.config).toEqual(t.params);
        expect(run.metadata?.sweep).toBe(sweepId);
        expect(t.value).toBeCloseTo(((t.params.x as number) - 0.5) ** 2 + (t.params.opt as { depth: number }).depth, 9);
      }
    } finally {
      dir.cleanup();
    }
  }, 60_000);

  it("orrery.agent() in Python runs the function per trial, like wandb.agent", async () => {
    const sweepId = await createSweep("py-agent", config);
    const dir = tempDir();
    try {
      const script = [
        "import orrery, sys",
        "def train():",
        "    orrery.init(console=False, system_metrics_interval=0, heartbeat_interval=0.3)",
        "    orrery.log({'val_loss': (orrery.config['x'] - 0.5) ** 2 + orrery.config['opt']['depth']})",
        "    # no finish(): the agent finishes the run",
        `report = orrery.agent(${JSON.stringify(sweepId)}, function=train, count=2, project='e2e/py-agent', url=${JSON.stringify(server.url)}, heartbeat_interval=0.3)`,
        "print(report)",
      ].join("\n");
      const r = await runPython(["-c", script], { ORRERY_DIR: dir.path });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/'runs': 2, 'failed': 0, 'reason': 'count reached'/);
      const trials = await trialsOf("py-agent", sweepId);
      expect(trials.map((t) => t.state)).toEqual(["finished", "finished"]);
      for (const t of trials) {
        const run = await runOf(server.url, "e2e/py-agent", t.runId);
        expect(run.config).toEqual(t.params);
        expect(run.metadata?.sweep).toBe(sweepId);
      }
    } finally {
      dir.cleanup();
    }
  }, 60_000);
});

describe("orrery agent's flags", () => {
  const usage = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it("explains itself with --help", async () => {
    const r = await runCli(["agent", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: orrery agent \[options\] <sweep-id>/);
  });

  it("refuses a bad value for every flag with one sentence", async () => {
    usage(await runCli(["agent"]), /missing required argument 'sweep-id'/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--count", "0"]), /--count must be a whole number/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--grace", "soon"]), /duration/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--heartbeat-interval", "50ms"]), /at least 100ms/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--interpreter", " "]), /--interpreter needs a program name/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--url", "localhost"]), /full URL/);
    usage(await runCli(["agent", "sw1", "--project", "a/b/c"]), /ENTITY\/NAME/);
    usage(await runCli(["agent", "sw1", "--project", "p", "--entity", "a b"]), /entity 'a b'/);
    usage(await runCli(["agent", "sw1"], { ORRERY_PROJECT: "" }), /name the sweep's project/);
    usage(await runCli(["agent", "no/such", "--project", "p"]), /sweep id 'no\/such'/);
  });

  it("says so when the sweep does not exist or the server is down", async () => {
    const missing = await runCli(["agent", "nosuchsweep", "--project", "e2e/race", "--url", server.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^orrery: 404: /);
    const down = await runCli(["agent", "sw1", "--project", "p", "--url", "http://127.0.0.1:1"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the Orrery server at http:\/\/127.0.0.1:1/);
  });
});
