// Run lifecycle: modes, the run record, config and summary, console capture, system metrics, and
// what happens when the process ends without finish().
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as orrery from "../src/index.js";
import { chunkJson } from "../src/run.js";
import { parseNvidiaSmi } from "../src/system-metrics.js";
import { stripCredentials } from "../src/metadata.js";
import { captureStderr, fakeServer, quietInit, runFolders, spoolRecords, tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  vi.restoreAllMocks();
  dir.cleanup();
});

describe("modes", () => {
  it("disabled mode writes no file and returns an empty result", async () => {
    const run = await quietInit({ mode: "disabled", dir: dir.path });
    run.log({ a: 1 });
    run.log({ anything: "is not even checked" } as never);
    run.config.update({ b: 2 });
    run.summary.set("c", 3);
    run.defineMetric("a", { summary: "min" });
    expect(await run.finish()).toEqual({ sent: 0, pending: 0, spoolDir: "" });
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it("ORRERY_MODE=disabled from the environment disables the run", async () => {
    vi.stubEnv("ORRERY_MODE", "disabled");
    try {
      const run = await quietInit({ dir: dir.path });
      expect(run.mode).toBe("disabled");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("offline mode writes the spool, sends nothing and says how to upload it", async () => {
    const server = await fakeServer();
    try {
      const run = await quietInit({ mode: "offline", dir: dir.path, url: server.url, heartbeatIntervalMs: 10 });
      for (let i = 0; i < 100; i++) run.log({ i });
      await new Promise((r) => setTimeout(r, 200));
      const { result, text } = await captureStderr(() => run.finish());
      expect(result.pending).toBe(102);
      expect(result.sent).toBe(0);
      expect(server.requests).toEqual([]);
      expect(server.heartbeats).toBe(0);
      expect(text).toContain(`orrery sync ${run.spoolDir}`);
      expect(runFolders(dir.path)).toEqual([expect.stringMatching(new RegExp(`^run-\\d{8}_\\d{6}-${run.id}$`))]);
      expect(existsSync(join(run.spoolDir, "ack.json"))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("online mode ships everything and finish() resolves once it is acknowledged", async () => {
    const server = await fakeServer();
    try {
      const run = await quietInit({ dir: dir.path, url: server.url, apiKey: "k1" });
      for (let i = 0; i < 1000; i++) run.log({ i, sq: i * i });
      expect(await run.finish()).toEqual({ sent: 1002, pending: 0, spoolDir: run.spoolDir });
      const stored = server.stored.get(run.id)!;
      expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 1002 }, (_, i) => i + 1));
      expect(server.requests.every((r) => r.auth === "Bearer k1")).toBe(true);
      expect(server.requests.length).toBeLessThan(20); // batched, not one request per row
    } finally {
      await server.close();
    }
  });

  it("sends heartbeats while the run is online", async () => {
    const server = await fakeServer();
    try {
      const run = await quietInit({ dir: dir.path, url: server.url, heartbeatIntervalMs: 20 });
      await vi.waitFor(() => expect(server.heartbeats).toBeGreaterThan(2), { timeout: 5_000 });
      await run.finish();
      const after = server.heartbeats;
      await new Promise((r) => setTimeout(r, 100));
      expect(server.heartbeats).toBe(after); // stopped by finish
    } finally {
      await server.close();
    }
  });

  it("refuses to reuse a run id that already has a spool in the folder", async () => {
    const first = await quietInit({ mode: "offline", dir: dir.path, id: "same-id" });
    await captureStderr(() => first.finish());
    await expect(quietInit({ mode: "offline", dir: dir.path, id: "same-id" })).rejects.toThrow(/"same-id" was already used/);
  });
});

describe("the run record", () => {
  it("carries name, group, job type, tags, notes, config and metadata at seq 1", async () => {
    const run = await quietInit({
      mode: "offline", dir: dir.path, name: "my-run", group: "g1", jobType: "train", tags: ["a", "b"], notes: "hello",
      config: { lr: 1e-3, layers: [64, 32], nested: { x: NaN } },
    });
    await captureStderr(() => run.finish());
    const [rec] = spoolRecords(run.spoolDir);
    expect(rec).toMatchObject({
      seq: 1, type: "run", name: "my-run", group: "g1", jobType: "train", tags: ["a", "b"], notes: "hello",
      config: { lr: 1e-3, layers: [64, 32], nested: { x: "NaN" } },
    });
    const meta = rec!.metadata as Record<string, unknown>;
    expect(meta).toMatchObject({ platform: process.platform, runtime: "node", runtimeVersion: process.version, cwd: process.cwd() });
    expect(meta.host).toEqual(expect.any(String));
    expect(meta.argv).toEqual(process.argv);
    expect(Date.parse(meta.startedAt as string)).toBeGreaterThan(0);
    // The tests run inside the repository's git checkout.
    expect(meta.git).toMatchObject({ commit: expect.stringMatching(/^[0-9a-f]{40}$/), dirty: expect.any(Boolean) });
  });

  it("generates a friendly name and an 8-character base36 id", async () => {
    const run = await quietInit({ mode: "offline", dir: dir.path });
    await captureStderr(() => run.finish());
    expect(run.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(run.id).toMatch(/^[0-9a-z]{8}$/);
  });

  it("a config too large for one record is split by top-level key", () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 100; i++) big[`k${i}`] = "x".repeat(1000);
    const chunks = chunkJson(big, "config", 10_000);
    expect(chunks.length).toBeGreaterThan(5);
    expect(Object.assign({}, ...chunks.map((c) => JSON.parse(c) as object))).toEqual(big);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(10_000);
  });

  it("refuses one summary or config value too large for any request, naming the key, and writes nothing", async () => {
    const run = await quietInit({ mode: "offline", dir: dir.path });
    const embedding = Array.from({ length: 1_000_000 }, (_, i) => i / 3);
    expect(() => run.summary.set("embedding", embedding)).toThrow(/summary value "embedding" is .* MiB of JSON; one value is at most 8 MiB/);
    expect(() => run.config.update({ table: embedding })).toThrow(/config value "table"/);
    expect(run.config.toJSON()).not.toHaveProperty("table");
    await captureStderr(() => run.finish());
    expect(spoolRecords(run.spoolDir).map((r) => r.type)).toEqual(["run", "finish"]);
  });

  it("a huge config goes into config records after the run record", async () => {
    const config: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) config[`param_${i}`] = i;
    const run = await quietInit({ mode: "offline", dir: dir.path, config });
    await captureStderr(() => run.finish());
    const records = spoolRecords(run.spoolDir);
    expect(records[0]).not.toHaveProperty("config");
    const parts = records.filter((r) => r.type === "config");
    expect(parts.length).toBeGreaterThan(1);
    expect(Object.assign({}, ...parts.map((r) => r.values as object))).toEqual(config);
  });

  it("remote URLs lose their credentials", () => {
    expect(stripCredentials("https://user:ghp_secret@github.com/o/r.git")).toBe("https://github.com/o/r.git");
    expect(stripCredentials("git@github.com:o/r.git")).toBe("git@github.com:o/r.git");
  });
});

describe("config, summary and defineMetric", () => {
  it("config accepts any JSON value and refuses what JSON cannot carry", async () => {
    const run = await quietInit({ mode: "offline", dir: dir.path, config: { a: 1 } });
    run.config.update({ name: "adam", betas: [0.9, 0.999], when: new Date(0), skip: undefined });
    expect(run.config.get("name")).toBe("adam");
    expect(run.config.toJSON()).toEqual({ a: 1, name: "adam", betas: [0.9, 0.999], when: "1970-01-01T00:00:00.000Z" });
    expect(() => run.config.update({ big: 1n })).toThrow(/config\.big is the bigint 1n/);
    expect(() => run.config.update({ f: () => 1 })).toThrow(/config\.f is a function/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => run.config.update({ cyclic })).toThrow(/cycle/);
    await captureStderr(() => run.finish());
    const configs = spoolRecords(run.spoolDir).filter((r) => r.type === "config");
    expect(configs).toHaveLength(1);
  });

  it("summary.delete writes null, which removes the override on the server", async () => {
    const run = await quietInit({ mode: "offline", dir: dir.path });
    run.summary.set("best", 1);
    run.summary.delete("best");
    await captureStderr(() => run.finish());
    const values = spoolRecords(run.spoolDir).filter((r) => r.type === "summary").map((r) => r.values);
    expect(values).toEqual([{ best: 1 }, { best: null }]);
  });

  it("defineMetric refuses an unknown summary mode, listing the allowed ones", async () => {
    const run = await quietInit({ mode: "offline", dir: dir.path });
    expect(() => run.defineMetric("loss", { summary: "median" as never })).toThrow(/last, min, max, mean, none/);
    await captureStderr(() => run.finish());
  });
});

describe("init options", () => {
  it.each([
    [{ mode: "fast" }, /`mode` must be one of online, offline, disabled/],
    [{ id: "has space" }, /`id` must match/],
    [{ id: "keys" }, /`id` .keys. is reserved/],
    [{ project: "a/b/c" }, /`project` must be "entity\/project" or "project"/],
    [{ project: "bad name" }, /project name must match/],
    [{ tags: ["ok", ""] }, /`tags` must hold strings of 1 to 128 characters/],
    [{ url: "ftp://x" }, /`url` must use http or https/],
    [{ systemMetricsIntervalMs: -5 }, /`systemMetricsIntervalMs` must be an integer number of milliseconds/],
    [{ console: "yes" }, /`console` must be true or false/],
    [{ projcet: "typo" }, /`projcet` is not an init option/],
  ])("refuses %j with a message naming the option", async (options, message) => {
    const err = await orrery.init({ dir: dir.path, ...(options as orrery.InitOptions) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(orrery.OrreryError);
    expect((err as Error).message).toMatch(message);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it("takes entity and project from 'entity/project', and the environment fills in the rest", async () => {
    vi.stubEnv("ORRERY_ENTITY", "team");
    vi.stubEnv("ORRERY_PROJECT", "fromenv");
    vi.stubEnv("ORRERY_URL", "http://127.0.0.1:1/");
    try {
      const a = await orrery.init({ mode: "disabled" });
      expect([a.entity, a.project, a.url]).toEqual(["team", "fromenv", "http://127.0.0.1:1"]);
      const b = await orrery.init({ mode: "disabled", project: "other/proj" });
      expect([b.entity, b.project]).toEqual(["other", "proj"]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("console capture", () => {
  it("records stdout and stderr in chunks while the run is active and restores the streams on finish", async () => {
    // Silence the real streams; capture wraps whatever write() it finds.
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const before = { out: process.stdout.write, err: process.stderr.write };
    const run = await orrery.init({ project: "tester/console", mode: "offline", dir: dir.path, systemMetricsIntervalMs: 0 });
    expect(process.stdout.write).not.toBe(before.out);
    for (let i = 0; i < 50; i++) process.stdout.write(`line ${i}\n`);
    process.stdout.write(Buffer.from("bytes too\n"));
    process.stdout.write("68656c6c6f0a", "hex");
    process.stderr.write("an error line\n");
    process.stderr.write(""); // an empty write records nothing
    await run.finish();
    expect(process.stdout.write).toBe(before.out);
    expect(process.stderr.write).toBe(before.err);
    const consoles = spoolRecords(run.spoolDir).filter((r) => r.type === "console");
    expect(consoles).toHaveLength(2); // one chunk per stream, not one record per write
    const out = consoles.find((r) => r.stream === "stdout")!.text as string;
    expect(out.startsWith("line 0\nline 1\n")).toBe(true);
    expect(out.endsWith("line 49\nbytes too\nhello\n")).toBe(true);
    expect(consoles.find((r) => r.stream === "stderr")!.text).toBe("an error line\n");
    // The SDK's own notice (offline upload hint) is not part of the run's console log.
    expect(consoles.some((r) => String(r.text).includes("orrery:"))).toBe(false);
  });

  it("splits long output into records of at most 64 KiB", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const run = await orrery.init({ project: "tester/console", mode: "offline", dir: dir.path, systemMetricsIntervalMs: 0 });
    const text = "y".repeat(150_000);
    process.stdout.write(text);
    await run.finish();
    const chunks = spoolRecords(run.spoolDir).filter((r) => r.type === "console").map((r) => r.text as string);
    expect(chunks.every((c) => c.length <= 65_536)).toBe(true);
    expect(chunks.join("")).toBe(text);
  });
});

describe("system metrics", () => {
  it("samples process and machine metrics into system records", async () => {
    const run = await orrery.init({ project: "tester/sys", mode: "offline", dir: dir.path, console: false, systemMetricsIntervalMs: 50 });
    await vi.waitFor(() => expect(spoolRecords(run.spoolDir).some((r) => r.type === "system")).toBe(true), { timeout: 5_000 });
    await captureStderr(() => run.finish());
    const samples = spoolRecords(run.spoolDir).filter((r) => r.type === "system");
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]!.values).toMatchObject({
      "cpu.percent": expect.any(Number), "memory.rss_mb": expect.any(Number), "system.memory.percent": expect.any(Number),
    });
  });

  it("parses nvidia-smi output, one key per GPU and field, skipping [N/A]", () => {
    const out = "37, 1024, 81559, 45, 71.50\n0, 3, 81559, 30, [N/A]\n";
    expect(parseNvidiaSmi(out)).toEqual({
      "gpu.0.utilization": 37, "gpu.0.memory_used_mb": 1024, "gpu.0.memory_total_mb": 81559, "gpu.0.temperature": 45, "gpu.0.power_w": 71.5,
      "gpu.1.utilization": 0, "gpu.1.memory_used_mb": 3, "gpu.1.memory_total_mb": 81559, "gpu.1.temperature": 30,
    });
  });
});

describe("ending without finish()", () => {
  const script = join(import.meta.dirname, "fixtures/exits.mjs");
  function runScript(how: string): { code: number | null; spoolDir: string; stderr: string } {
    const res = spawnSync(process.execPath, [script, how], { cwd: dir.path, encoding: "utf8", env: { ...process.env, ORRERY_MODE: "" } });
    return { code: res.status, spoolDir: res.stdout.trim().split("\n")[0]!, stderr: res.stderr };
  }

  it("a script that simply ends is finished with exit code 0, pending row included", () => {
    const { code, spoolDir } = runScript("return");
    expect(code).toBe(0);
    const records = spoolRecords(spoolDir);
    expect(records.map((r) => r.type)).toEqual(["run", "history", "history", "finish"]);
    expect(records[3]).toMatchObject({ exitCode: 0 });
  });

  it("an uncaught exception writes a finish record with exit code 1", () => {
    const { code, spoolDir, stderr } = runScript("throw");
    expect(code).toBe(1);
    expect(stderr).toContain("boom");
    const records = spoolRecords(spoolDir);
    expect(records.at(-1)).toMatchObject({ type: "finish", exitCode: 1 });
    expect(records.filter((r) => r.type === "history")).toHaveLength(2);
  });

  it("process.exit(3) writes a finish record with exit code 3", () => {
    const { code, spoolDir } = runScript("exit");
    expect(code).toBe(3);
    expect(spoolRecords(spoolDir).at(-1)).toMatchObject({ type: "finish", exitCode: 3 });
  });
});
