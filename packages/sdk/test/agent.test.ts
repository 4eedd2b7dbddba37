// orrery.agent() against a scripted sweep server, and what init() takes from a sweep agent's
// environment (ORRERY_RUN_ID, ORRERY_SWEEP_PARAMS, ORRERY_SWEEP_ID).
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import * as orrery from "../src/index.js";
import { resolveSettings } from "../src/settings.js";
import { captureStderr, quietInit, spoolRecords, tempDir } from "./helpers.js";

interface Stub { url: string; requests: { path: string; body: Record<string, unknown> }[]; close(): Promise<void> }

/** The agent half of the sweep API: `nexts` scripts /next (then stop); heartbeats answer `stopRuns`. */
async function sweepStub(nexts: unknown[], opts: { stopRuns?: string[]; registerStatus?: number } = {}): Promise<Stub> {
  const stub: Stub = { url: "", requests: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => { raw += d.toString(); });
    req.on("end", () => {
      const path = req.url ?? "";
      stub.requests.push({ path, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
      let status = 200;
      let reply: unknown = {};
      if (path.endsWith("/agents")) {
        status = opts.registerStatus ?? 201;
        reply = status < 300 ? { agentId: "ag1" } : { error: "not_found", message: "sweep sw1 not found" };
      } else if (path.endsWith("/next")) {
        reply = nexts.shift() ?? { action: "stop", reason: "grid exhausted" };
      } else if (path.endsWith("/heartbeat")) {
        reply = { stop: opts.stopRuns ?? [], state: "running" };
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  stub.url = `http://127.0.0.1:${addr.port}`;
  stub.close = () => new Promise((r) => server.close(() => r()));
  return stub;
}

const runAction = (runId: string, params: Record<string, unknown>) => ({ action: "run", runId, params, command: { argv: ["true"], argsJson: JSON.stringify(params) } });
const exitsOf = (stub: Stub) => stub.requests.filter((r) => r.path.endsWith("/exit")).map((r) => [r.path.split("/trials/")[1]!.split("/")[0], r.body.exitCode]);

describe("init() inside a sweep", () => {
  it("uses ORRERY_RUN_ID as the run id unless an id is given", () => {
    expect(resolveSettings({}, { ORRERY_RUN_ID: "trial-7" }).runId).toBe("trial-7");
    expect(resolveSettings({ id: "mine" }, { ORRERY_RUN_ID: "trial-7" }).runId).toBe("mine");
  });

  it("refuses a malformed ORRERY_RUN_ID, naming the variable", () => {
    expect(() => resolveSettings({}, { ORRERY_RUN_ID: "no spaces" })).toThrow(expect.objectContaining({ field: "ORRERY_RUN_ID" }));
  });

  it("merges ORRERY_SWEEP_PARAMS into the config, the sweep's values winning key by key", () => {
    const env = { ORRERY_SWEEP_PARAMS: JSON.stringify({ lr: 0.1, optimizer: { name: "adam" } }) };
    const s = resolveSettings({ config: { lr: 1, epochs: 3, optimizer: { name: "sgd", momentum: 0.9 } } }, env);
    expect(s.config).toEqual({ lr: 0.1, epochs: 3, optimizer: { name: "adam", momentum: 0.9 } });
  });

  it("refuses ORRERY_SWEEP_PARAMS that is not a JSON object", () => {
    for (const raw of ["{oops", "[1,2]"]) {
      expect(() => resolveSettings({}, { ORRERY_SWEEP_PARAMS: raw })).toThrow(expect.objectContaining({ field: "ORRERY_SWEEP_PARAMS" }));
    }
  });

  it("records ORRERY_SWEEP_ID as metadata.sweep in the run record", async () => {
    const dir = tempDir();
    const saved = { ...process.env };
    Object.assign(process.env, { ORRERY_SWEEP_ID: "sw42", ORRERY_RUN_ID: "t1", ORRERY_SWEEP_PARAMS: '{"lr":0.5}' });
    try {
      const run = await quietInit({ mode: "offline", dir: dir.path });
      expect(run.id).toBe("t1");
      expect(run.config.get("lr")).toBe(0.5);
      await captureStderr(() => run.finish());
      const head = spoolRecords(run.spoolDir).find((r) => r.type === "run") as { metadata: Record<string, unknown> };
      expect(head.metadata.sweep).toBe("sw42");
    } finally {
      for (const k of ["ORRERY_SWEEP_ID", "ORRERY_RUN_ID", "ORRERY_SWEEP_PARAMS"]) if (saved[k] === undefined) delete process.env[k];
      dir.cleanup();
    }
  });
});

describe("orrery.agent()", () => {
  let stub: Stub | undefined;
  afterEach(async () => { await stub?.close(); stub = undefined; });

  it("runs the function once per assignment with the trial's run id and params, and reports how each ended", async () => {
    stub = await sweepStub([runAction("r1", { lr: 0.1 }), { action: "wait", retryAfterMs: 10 }, runAction("r2", { lr: 0.2 })]);
    const dir = tempDir();
    const seen: unknown[] = [];
    try {
      const { result, text } = await captureStderr(() => orrery.agent("sw1", async ({ runId, params }) => {
        const run = await quietInit({ mode: "offline", dir: dir.path, project: undefined });
        seen.push([run.id, run.project, run.config.get("lr"), runId, params.lr]);
        if (run.id === "r2") throw new Error("diverged"); // left open: the agent finishes it as failed
        await run.finish();
      }, { project: "ent/proj", url: stub!.url, heartbeatIntervalMs: 20 }));
      expect(seen).toEqual([["r1", "proj", 0.1, "r1", 0.1], ["r2", "proj", 0.2, "r2", 0.2]]);
      expect(result).toEqual({ runs: 2, failed: 1, reason: "grid exhausted" });
      expect(text).toMatch(/trial r2 failed: Error: diverged/);
      expect(exitsOf(stub!)).toEqual([["r1", 0], ["r2", 1]]);
      const finishes = Object.fromEntries(readdirSync(dir.path).map((d) => [d.split("-").at(-1), spoolRecords(join(dir.path, d)).filter((r) => r.type === "finish").map((r) => r.exitCode)]));
      expect(finishes).toEqual({ r1: [0], r2: [1] });
      expect(stub!.requests[0]!.path).toBe("/api/v1/projects/ent/proj/sweeps/sw1/agents");
      expect(process.env.ORRERY_RUN_ID).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  });

  it("stops after count trials", async () => {
    stub = await sweepStub([runAction("r1", {}), runAction("r2", {}), runAction("r3", {})]);
    const report = await orrery.agent("sw1", () => {}, { project: "p", url: stub.url, count: 2 });
    expect(report).toEqual({ runs: 2, failed: 0, reason: "count reached" });
  });

  it("aborts the trial's signal when the controller stops it early", async () => {
    stub = await sweepStub([runAction("r1", {})], { stopRuns: ["r1"] });
    let aborted = false;
    await orrery.agent("sw1", ({ signal }) => new Promise<void>((resolve) => {
      signal.addEventListener("abort", () => { aborted = true; resolve(); });
    }), { project: "p", url: stub.url, heartbeatIntervalMs: 20 });
    expect(aborted).toBe(true);
  });

  it("rejects with the server's message for an unknown sweep", async () => {
    stub = await sweepStub([], { registerStatus: 404 });
    await expect(orrery.agent("sw1", () => {}, { project: "p", url: stub.url })).rejects.toThrow(/404: sweep sw1 not found/);
  });

  it("refuses bad arguments before contacting the server", async () => {
    await expect(orrery.agent("", () => {})).rejects.toThrow(/sweepId/);
    await expect(orrery.agent("s", 3 as unknown as () => void)).rejects.toThrow(/function/);
    await expect(orrery.agent("s", () => {}, { count: 0 })).rejects.toThrow(/count/);
    await expect(orrery.agent("s", () => {}, { heartbeatIntervalMs: 1.5 })).rejects.toThrow(/heartbeatIntervalMs/);
  });
});
