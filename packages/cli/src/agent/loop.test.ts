// The agent loop against a scripted sweep server, with real subprocesses: environment, args file,
// exit reports, SIGTERM then SIGKILL on a controller stop, --count, and flapping.
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { runAgent, type AgentSettings } from "./loop.js";

interface Stub { url: string; requests: { path: string; body: Record<string, unknown> }[]; close(): Promise<void> }

/** `nexts` scripts /next (then stop); `stopRuns()` is what heartbeats answer. */
async function sweepStub(nexts: unknown[], stopRuns: () => string[] = () => []): Promise<Stub> {
  const stub: Stub = { url: "", requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => { raw += d.toString(); });
    req.on("end", () => {
      const path = req.url ?? "";
      stub.requests.push({ path, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
      let reply: unknown = {};
      if (path.endsWith("/agents")) reply = { agentId: "ag1" };
      else if (path.endsWith("/next")) reply = nexts.shift() ?? { action: "stop", reason: "run_cap reached" };
      else if (path.endsWith("/heartbeat")) reply = { stop: stopRuns(), state: "running" };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  stub.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  stub.close = () => new Promise((r) => server.close(() => r()));
  return stub;
}

const node = (code: string, ...rest: string[]) => [process.execPath, "-e", code, ...rest];
const run = (runId: string, argv: string[], params: Record<string, unknown> = {}) =>
  ({ action: "run", runId, params, command: { argv, argsJson: JSON.stringify(params) } });
const exits = (stub: Stub): Record<string, unknown>[] =>
  stub.requests.filter((r) => r.path.endsWith("/exit")).map((r) => ({ runId: r.path.split("/trials/")[1]!.split("/")[0], ...r.body }));

/** Heartbeats ask to stop r1 only after `ms`, once the child has had time to install its handlers. */
function stopAfter(ms: number): () => string[] {
  const t0 = Date.now();
  return () => (Date.now() - t0 > ms ? ["r1"] : []);
}

function settings(stub: Stub, over: Partial<AgentSettings> = {}): AgentSettings & { lines: string[] } {
  const lines: string[] = [];
  return {
    url: stub.url, apiKey: "k1", entity: "ent", project: "proj", sweepId: "sw1", count: undefined,
    graceMs: 10_000, heartbeatIntervalMs: 50, interpreter: "python3", say: (l) => lines.push(l), lines, ...over,
  };
}

let stub: Stub | undefined;
afterEach(async () => { await stub?.close(); stub = undefined; });

describe("orrery agent's loop", () => {
  it("runs each assignment's command with the trial's environment and args file, and reports its exit", async () => {
    const check = node(
      "const e=process.env, a=JSON.parse(require('fs').readFileSync(process.argv[1],'utf8'));" +
      "process.exit(e.ORRERY_RUN_ID==='r1' && e.ORRERY_SWEEP_ID==='sw1' && JSON.parse(e.ORRERY_SWEEP_PARAMS).opt.lr===0.1" +
      " && e.ORRERY_PROJECT==='ent/proj' && e.ORRERY_ENTITY==='ent' && e.ORRERY_API_KEY==='k1' && a.opt.lr===0.1 ? 0 : 3)",
      "${args_json_file}",
    );
    stub = await sweepStub([run("r1", check, { opt: { lr: 0.1 } }), { action: "wait", retryAfterMs: 10 }, run("r2", node("process.exit(4)"))]);
    const s = settings(stub, { flapping: { startupWindowMs: 0, maxInitialFailures: 3, firstRuns: 5, maxConsecutiveFailures: 5 } });
    const result = await runAgent(s);
    expect(result).toMatchObject({ exitCode: 0, runs: 2, message: "sweep says stop: run_cap reached" });
    expect(exits(stub)).toEqual([
      { runId: "r1", exitCode: 0, signal: null, startupFailure: false },
      { runId: "r2", exitCode: 4, signal: null, startupFailure: false },
    ]);
    expect(stub.requests[0]).toMatchObject({ path: "/api/v1/projects/ent/proj/sweeps/sw1/agents", body: { pid: process.pid, interpreter: "python3" } });
  });

  it("stops after --count runs", async () => {
    stub = await sweepStub([run("r1", node("")), run("r2", node("")), run("r3", node(""))]);
    const result = await runAgent(settings(stub, { count: 2 }));
    expect(result).toMatchObject({ exitCode: 0, runs: 2, message: "ran 2 runs (--count 2)" });
  });

  it("sends SIGTERM when the controller stops a run, and the run may exit cleanly", async () => {
    const graceful = node("process.on('SIGTERM',()=>process.exit(0)); setInterval(()=>{},1000)");
    stub = await sweepStub([run("r1", graceful)], stopAfter(700));
    const s = settings(stub);
    const started = Date.now();
    await runAgent(s);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exits(stub)).toEqual([{ runId: "r1", exitCode: 0, signal: null, startupFailure: false }]);
    expect(s.lines.join("\n")).toMatch(/stopping run r1 \(asked by the sweep controller\)/);
  });

  it("sends SIGKILL after the grace period to a run that ignores SIGTERM", async () => {
    const stubborn = node("process.on('SIGTERM',()=>{}); setInterval(()=>{},1000)");
    stub = await sweepStub([run("r1", stubborn)], stopAfter(700));
    const started = Date.now();
    await runAgent(settings(stub, { graceMs: 300 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(exits(stub)).toEqual([{ runId: "r1", exitCode: null, signal: "SIGKILL", startupFailure: false }]);
  });

  it("stops its run and exits 130 on Ctrl-C", async () => {
    const graceful = node("process.on('SIGTERM',()=>process.exit(0)); setInterval(()=>{},1000)");
    stub = await sweepStub([run("r1", graceful), run("r2", graceful)]);
    const s = settings(stub);
    const listeners = process.listenerCount("SIGINT");
    const pending = runAgent(s);
    await new Promise((r) => setTimeout(r, 700)); // the child is up and has its handler
    process.emit("SIGINT", "SIGINT"); // what the agent's listener sees on Ctrl-C, without signalling the test runner
    const result = await pending;
    expect(result).toMatchObject({ exitCode: 130, runs: 1 });
    expect(exits(stub)).toEqual([{ runId: "r1", exitCode: 0, signal: null, startupFailure: false }]);
    expect(process.listenerCount("SIGINT")).toBe(listeners); // the agent removed its handler
  });

  it("stops itself with a clear message when runs keep failing at start", async () => {
    stub = await sweepStub(Array.from({ length: 6 }, (_, i) => run(`r${i}`, node("process.exit(1)"))));
    const result = await runAgent(settings(stub));
    expect(result.exitCode).toBe(1);
    expect(result.runs).toBe(3);
    expect(result.message).toMatch(/3 of the first 3 runs failed within 5s of starting, so this agent stopped: run the command by hand/);
    expect(exits(stub).map((e) => e.exitCode)).toEqual([1, 1, 1]);
  });

  it("stops at once when the server could not build the sweep's command", async () => {
    stub = await sweepStub([{ action: "run", runId: "r1", params: {}, command: { argv: [], argsJson: "{}", error: "the command uses ${program} but the sweep config has no `program`" } }]);
    const result = await runAgent(settings(stub));
    expect(result).toMatchObject({ exitCode: 1, runs: 1, message: "the sweep's command cannot be run: the command uses ${program} but the sweep config has no `program`" });
    expect(exits(stub)).toEqual([{ runId: "r1", exitCode: null, signal: null, startupFailure: true }]);
  });

  it("registers again when the server has given the agent up for lost", async () => {
    stub = await sweepStub([run("r1", node(""))]);
    let refused = false;
    const realFetch = globalThis.fetch;
    // The first next() after registering meets a server that declared this agent lost.
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (!refused && String(input).endsWith("/next")) {
        refused = true;
        return new Response(JSON.stringify({ error: "not_found", message: "agent 'ag1' is not registered", field: "agentId" }), { status: 404 });
      }
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const s = settings(stub);
      const result = await runAgent(s);
      expect(result).toMatchObject({ exitCode: 0, runs: 1 });
      expect(stub.requests.filter((r) => r.path.endsWith("/agents"))).toHaveLength(2);
      expect(s.lines.join("\n")).toMatch(/registered again as ag1/);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it("reports a command that cannot start as exit code 127", async () => {
    stub = await sweepStub([run("r1", ["/nonexistent/python3", "train.py"])]);
    const s = settings(stub);
    await runAgent(s);
    expect(exits(stub)).toEqual([{ runId: "r1", exitCode: 127, signal: null, startupFailure: true }]);
    expect(s.lines.join("\n")).toMatch(/\/nonexistent\/python3: command not found/);
  });
});
