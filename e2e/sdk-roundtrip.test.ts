// The TypeScript SDK against a real server: what a training script logs is what the API returns,
// offline runs synced later are identical to online ones, and syncing twice changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as orrery from "orrery";
import { api, runCli, tempDir, testServer } from "./helpers.js";
import type { RunningServer } from "@orrery/server";

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let spool: ReturnType<typeof tempDir>;

beforeAll(async () => {
  data = tempDir();
  spool = tempDir();
  server = await testServer(data.path);
});
afterAll(async () => {
  await server.close();
  data.cleanup();
  spool.cleanup();
});

const base = (project: string, id: string) => `/api/v1/projects/tester/${project}/runs/${id}`;

async function rows(project: string, id: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let minStep: number | null = 0;
  while (minStep !== null) {
    const page: { status: number; body: { rows: Record<string, unknown>[]; nextMinStep: number | null } } =
      await api(server.url, `${base(project, id)}/history/rows?minStep=${minStep}&limit=1000`);
    expect(page.status).toBe(200);
    out.push(...page.body.rows);
    minStep = page.body.nextMinStep;
  }
  return out;
}

const withoutTime = (r: Record<string, unknown>[]) => r.map(({ _timestamp, _runtime, ...rest }) => rest);

/** A deterministic training script, run once online and once offline. */
async function script(opts: { mode: "online" | "offline"; id: string; project: string }) {
  const run = await orrery.init({
    project: `tester/${opts.project}`, id: opts.id, mode: opts.mode, url: server.url, dir: spool.path,
    console: false, systemMetricsIntervalMs: 0, config: { lr: 0.01, layers: [64, 32], optimizer: { name: "adam" } },
  });
  for (let i = 0; i < 300; i++) run.log({ "train/loss": 1 / (i + 1), "train/acc": i / 300, weird: i === 7 ? NaN : i === 8 ? -Infinity : i });
  run.log({ "val/acc": 0.9 }, { step: 100 });
  run.config.update({ batchSize: 128 });
  run.summary.set("best/acc", 0.95);
  return run.finish();
}

describe("the TypeScript SDK with a real server", () => {
  it("delivers config, history, summary and final state", async () => {
    const res = await script({ mode: "online", id: "online1", project: "rt" });
    expect(res.pending).toBe(0);
    const { body: run } = await api<Record<string, unknown>>(server.url, base("rt", "online1"));
    expect(run).toMatchObject({
      id: "online1", state: "finished", exitCode: 0, lastStep: 299,
      config: { lr: 0.01, layers: [64, 32], optimizer: { name: "adam" }, batchSize: 128 },
      summary: { "best/acc": 0.95, "train/loss": 1 / 300, "val/acc": 0.9 },
    });
    expect((run.metadata as Record<string, unknown>).host).toEqual(expect.any(String));
    const history = await rows("rt", "online1");
    expect(history).toHaveLength(300);
    expect(history[7].weird).toBe("NaN");
    expect(history[8].weird).toBe("-Infinity");
    expect(history[100]).toMatchObject({ _step: 100, "train/loss": 1 / 101, "val/acc": 0.9 });
    expect(history[299]._runtime).toEqual(expect.any(Number));
  });

  it("follows W&B step semantics, and a late lower step lands where it belongs", async () => {
    const run = await orrery.init({ project: "tester/steps", id: "s1", url: server.url, dir: spool.path, console: false, systemMetricsIntervalMs: 0 });
    run.log({ a: 1 });                       // step 0
    run.log({ b: 2 }, { commit: false });     // pending
    run.log({ c: 3 });                       // step 1 with b and c
    run.log({ late: 5 }, { step: 0 });        // merged into step 0
    run.log({ d: 4 });                       // step 2
    run.log({ e: 6 }, { step: 10 });          // step 10
    run.log({ f: 7 });                       // step 11
    await run.finish();
    expect(withoutTime(await rows("steps", "s1"))).toEqual([
      { _step: 0, a: 1, late: 5 }, { _step: 1, b: 2, c: 3 }, { _step: 2, d: 4 }, { _step: 10, e: 6 }, { _step: 11, f: 7 },
    ]);
  });

  it("refuses values it cannot store, naming the key", async () => {
    const run = await orrery.init({ project: "tester/bad", mode: "offline", dir: spool.path, console: false, systemMetricsIntervalMs: 0 });
    expect(() => run.log({ acc: "high" as unknown as number })).toThrow(/acc/);
    expect(() => run.log({ ok: true as unknown as number })).toThrow(/ok/);
    expect(() => run.log({ _step: 3 })).toThrow(/_step/);
    await run.finish();
  });

  it("an offline run synced later has the same history as the online run, and a second sync changes nothing", async () => {
    await script({ mode: "online", id: "twin-on", project: "twins" });
    const offSpool = tempDir();
    try {
      const run = await orrery.init({
        project: "tester/twins", id: "twin-off", mode: "offline", dir: offSpool.path, console: false, systemMetricsIntervalMs: 0,
        config: { lr: 0.01, layers: [64, 32], optimizer: { name: "adam" } },
      });
      for (let i = 0; i < 300; i++) run.log({ "train/loss": 1 / (i + 1), "train/acc": i / 300, weird: i === 7 ? NaN : i === 8 ? -Infinity : i });
      run.log({ "val/acc": 0.9 }, { step: 100 });
      run.config.update({ batchSize: 128 });
      run.summary.set("best/acc", 0.95);
      await run.finish();
      expect((await api(server.url, base("twins", "twin-off"))).status).toBe(404);

      const first = await runCli(["sync", offSpool.path], { ORRERY_URL: server.url });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/twin-off: \d+ records sent/);
      const online = withoutTime(await rows("twins", "twin-on"));
      expect(withoutTime(await rows("twins", "twin-off"))).toEqual(online);
      const runAfterFirst = (await api<Record<string, unknown>>(server.url, base("twins", "twin-off"))).body;
      expect(runAfterFirst).toMatchObject({ state: "finished", config: { batchSize: 128 }, summary: { "best/acc": 0.95 } });

      const second = await runCli(["sync", offSpool.path], { ORRERY_URL: server.url });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/twin-off: 0 records sent/);
      expect(withoutTime(await rows("twins", "twin-off"))).toEqual(online);
      expect((await api<Record<string, unknown>>(server.url, base("twins", "twin-off"))).body.lastSeq).toBe(runAfterFirst.lastSeq);
    } finally {
      offSpool.cleanup();
    }
  });

  it("orrery sync uploads the other runs when the server refuses one, and says which", async () => {
    const { SpoolWriter } = await import("../packages/sdk/src/spool/writer.js");
    const dir = tempDir();
    try {
      const { mkdirSync } = await import("node:fs");
      const write = (runId: string, text: string) => {
        mkdirSync(`${dir.path}/run-20260101_000000-${runId}`);
        const w = SpoolWriter.create(`${dir.path}/run-20260101_000000-${runId}/records.spool`, { spool: 1, entity: "tester", project: "partial", runId, createdAt: 1 });
        w.append(JSON.stringify({ seq: 1, ts: 1, type: "run" }));
        w.append(JSON.stringify({ seq: 2, ts: 1, type: "console", stream: "stdout", text }));
        w.close();
      };
      // A foreign writer's record larger than any request: the server can only refuse it (413).
      write("a-huge", "x".repeat(33 * 1024 * 1024));
      write("b-fine", "hello\n");
      const r = await runCli(["sync", dir.path], { ORRERY_URL: server.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/a-huge is not fully uploaded/);
      expect(r.stdout).toMatch(/b-fine: 2 records sent/);
      expect((await api(server.url, base("partial", "b-fine"))).status).toBe(200);
    } finally {
      dir.cleanup();
    }
  });

  it("disabled mode makes every call a no-op", async () => {
    const dir = tempDir();
    try {
      const run = await orrery.init({ project: "tester/off", mode: "disabled", dir: dir.path, url: server.url });
      run.log({ a: 1 });
      run.summary.set("x", 1);
      await run.finish();
      const { readdirSync } = await import("node:fs");
      expect(readdirSync(dir.path)).toEqual([]);
      expect((await api(server.url, "/api/v1/projects/tester/off")).status).toBe(404);
    } finally {
      dir.cleanup();
    }
  });
});
