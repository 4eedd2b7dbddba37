// The `orrery` command as a user runs it: help everywhere, clear errors for bad flags (exit code
// 2, one sentence, no stack trace), runs listing, keys, and the demo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { api, runCli, tempDir, testServer, waitFor } from "./helpers.js";
import type { RunningServer } from "@orrery/server";

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
beforeAll(async () => {
  data = tempDir();
  server = await testServer(data.path, { heartbeatTimeoutMs: 1500 });
});
afterAll(async () => {
  await server.close();
  data.cleanup();
  for (const extra of ["-other", "-host"]) rmSync(data.path + extra, { recursive: true, force: true });
});

const expectUsageError = (r: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
};

describe("orrery --help", () => {
  it.each([[], ["server"], ["demo"], ["sync"], ["runs"], ["keys"], ["keys", "create"], ["keys", "list"], ["keys", "revoke"]])(
    "explains %s",
    async (...cmd: string[]) => {
      const r = await runCli([...cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: orrery/);
    },
  );
});

describe("bad flags get a clear error and no stack trace", () => {
  it("server --port", async () => {
    expectUsageError(await runCli(["server", "--port", "abc"]), /port must be a whole number/);
    expectUsageError(await runCli(["server", "--port", "70000"]), /port must be a whole number/);
  });
  it("server --heartbeat-timeout", async () => {
    expectUsageError(await runCli(["server", "--heartbeat-timeout", "soon"]), /duration/);
  });
  it("server --data that cannot hold a store", async () => {
    expectUsageError(await runCli(["server", "--port", "0", "--data", "/dev/null/x"]), /cannot use \/dev\/null\/x as the data directory/);
  });
  it("server --host that is not an address of this machine", async () => {
    expectUsageError(await runCli(["server", "--port", "0", "--host", "10.255.255.1", "--data", `${data.path}-host`]), /not an address of this machine/);
  });
  it("server --port already in use", async () => {
    const r = await runCli(["server", "--port", String(server.port), "--data", data.path + "-other"]);
    expectUsageError(r, /already in use/);
  });
  it("an unknown command or option", async () => {
    expectUsageError(await runCli(["serve"]), /unknown command/);
    expectUsageError(await runCli(["runs", "--colour"]), /unknown option/);
  });
  it("demo --runs, --epochs, --project and --url", async () => {
    expectUsageError(await runCli(["demo", "--runs", "0"]), /--runs must be a whole number/);
    expectUsageError(await runCli(["demo", "--epochs", "many"]), /--epochs must be a whole number/);
    expectUsageError(await runCli(["demo", "--sweep-runs", "-1"]), /--sweep-runs must be a whole number from 0 to 200/);
    expectUsageError(await runCli(["demo", "--project", "a b", "--url", server.url]), /give it as NAME or ENTITY\/NAME/);
    expectUsageError(await runCli(["demo", "--url", "localhost"]), /full URL/);
    expectUsageError(await runCli(["demo", "--url", "http://127.0.0.1:1"]), /cannot reach the Orrery server/);
  });
  it("runs --project, --limit and an unreachable server", async () => {
    expectUsageError(await runCli(["runs"], { ORRERY_PROJECT: "" }), /name the project/);
    expectUsageError(await runCli(["runs", "--project", "a/b/c"]), /ENTITY\/NAME/);
    expectUsageError(await runCli(["runs", "--project", "p", "--limit", "-3"]), /--limit must be/);
    expectUsageError(await runCli(["runs", "--project", "p"], { ORRERY_URL: "http://127.0.0.1:1" }), /cannot reach/);
    expectUsageError(await runCli(["runs", "--project", "nobody/none", "--url", server.url]), /404/);
  });
  it("sync of a directory that does not exist, or with a bad --url", async () => {
    expectUsageError(await runCli(["sync", "/nonexistent/spool"]), /does not exist/);
    expectUsageError(await runCli(["sync", "--url", "ftp://x", data.path]), /must start with http/);
  });
  it("keys with a missing store or unknown id", async () => {
    expectUsageError(await runCli(["keys", "list", "--data", "/nonexistent/data"]), /does not exist/);
    const k = tempDir();
    try {
      await runCli(["keys", "create", "--data", k.path]);
      expectUsageError(await runCli(["keys", "revoke", "nope", "--data", k.path]), /no key with id/);
      expectUsageError(await runCli(["keys", "create", "--name", "", "--data", k.path]), /--name/);
    } finally { k.cleanup(); }
  });
});

describe("orrery keys", () => {
  it("creates a key shown once, lists it without the secret, and revokes it", async () => {
    const k = tempDir();
    try {
      const created = await runCli(["keys", "create", "--name", "laptop", "--data", k.path]);
      expect(created.code).toBe(0);
      const secret = created.stdout.split("\n")[0];
      expect(secret).toMatch(/^ork_/);
      const listed = await runCli(["keys", "list", "--json", "--data", k.path]);
      const keys = JSON.parse(listed.stdout) as { id: string; name: string }[];
      expect(keys).toEqual([expect.objectContaining({ name: "laptop" })]);
      expect(listed.stdout).not.toContain(secret);
      const revoked = await runCli(["keys", "revoke", keys[0].id, "--data", k.path]);
      expect(revoked.code).toBe(0);
    } finally { k.cleanup(); }
  });
});

describe("orrery demo and orrery runs", () => {
  it("fills a project with trained runs, one of them crashed, a sweep and artifacts with lineage, and lists them", async () => {
    const spool = tempDir();
    try {
      const demo = await runCli(["demo", "--runs", "4", "--sweep-runs", "2", "--epochs", "3", "--project", "demo/small", "--url", server.url], { ORRERY_DIR: spool.path }, undefined, 120_000);
      expect(demo.code, demo.stderr).toBe(0);
      const page = await api<{ runs: { name: string; state: string; group: string | null; summary: Record<string, unknown>; config: Record<string, unknown> }[] }>(server.url, "/api/v1/projects/demo/small/runs");
      // 4 grid runs, 2 sweep trials, and the pipeline: prepare-shapes, relabel-shapes, evaluate-production.
      expect(page.body.runs).toHaveLength(9);
      const sweeps = await api<{ sweeps: { id: string; method: string; counts: { finished: number }; best: { value: number } | null }[] }>(server.url, "/api/v1/projects/demo/small/sweeps");
      expect(sweeps.body.sweeps).toHaveLength(1);
      expect(sweeps.body.sweeps[0]).toMatchObject({ method: "bayes", counts: { finished: 2 } });
      expect(sweeps.body.sweeps[0]!.best?.value).toBeGreaterThan(0);
      const sweepRuns = page.body.runs.filter((r) => r.group === "mlp-bayes");
      expect(sweepRuns).toHaveLength(2);
      for (const r of sweepRuns) expect(r.config).toHaveProperty("lr");
      const trained = page.body.runs.filter((r) => r.name !== "mlp-oom-killed" && r.group !== "pipeline");
      for (const r of trained) {
        expect(r.summary).toHaveProperty("val/acc");
        expect(r.summary).toHaveProperty("val/acc/star");
        expect(r.config).toHaveProperty("lr");
      }
      // Heartbeats stopped when the process was killed; the server notices after its timeout (1.5 s here).
      await waitFor(async () => {
        const after = await api<{ runs: { name: string; state: string }[] }>(server.url, "/api/v1/projects/demo/small/runs");
        return after.body.runs.find((r) => r.name === "mlp-oom-killed")?.state === "crashed";
      }, 20_000, "the killed demo run to be marked crashed");

      const table = await runCli(["runs", "--project", "demo/small", "--url", server.url]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/mlp-oom-killed\s+crashed/);
      const json = await runCli(["runs", "--project", "demo/small", "--json"], { ORRERY_URL: server.url });
      expect(JSON.parse(json.stdout)).toHaveLength(9);

      const dataset = await api<{ versions: { version: string }[] }>(server.url, "/api/v1/projects/demo/small/artifacts/shapes");
      expect(dataset.body.versions.map((v) => v.version)).toEqual(["v1", "v0"]);
      const model = await api<{ versions: { version: string; aliases: string[] }[] }>(server.url, "/api/v1/projects/demo/small/artifacts/shapes-mlp");
      expect(model.body.versions).toHaveLength(3);
      expect(model.body.versions.filter((v) => v.aliases.includes("production"))).toHaveLength(1);
      const evalRun = page.body.runs.find((r) => r.name === "evaluate-production") as unknown as { id: string };
      const lineage = await api<{ nodes: { id: string; kind: string; name?: string }[] }>(server.url, `/api/v1/projects/demo/small/lineage?run=${evalRun.id}&depth=3`);
      // evaluation run <- model version <- training run <- shapes:v1
      expect(lineage.body.nodes.some((n) => n.kind === "artifact" && n.name === "shapes")).toBe(true);
      expect(lineage.body.nodes.some((n) => n.kind === "artifact" && n.name === "shapes-mlp")).toBe(true);
    } finally { spool.cleanup(); }
  });
});
