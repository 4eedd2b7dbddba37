// `orrery sweep CONFIG`: the built CLI against a real server creates the sweep and prints the
// agent command; a bad file, project, URL or config gets one sentence and exit code 2.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir, testServer } from "../../../../e2e/helpers.js";
import type { RunningServer } from "@orrery/server";
import { readConfigFile } from "./sweep.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  dir = tempDir();
  server = await testServer(join(dir.path, "data"));
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

function file(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

const YAML = `program: train.py
method: random
metric: {name: loss, goal: minimize}
run_cap: 4
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
`;

describe("orrery sweep", () => {
  it("creates the sweep from a YAML file and prints its id and the agent command", async () => {
    const r = await runCli(["sweep", file("sweep.yaml", YAML), "--project", "ada/cli-sweeps", "--url", server.url]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = /created sweep ([a-z0-9]{8})/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    expect(r.stdout).toContain(`orrery agent ${id} --project ada/cli-sweeps --url ${server.url}`);
    expect(r.stdout).toContain("run_cap 4");
    const res = await fetch(`${server.url}/api/v1/projects/ada/cli-sweeps/sweeps/${id}`);
    expect(res.status).toBe(200);
  });

  it("prints the sweep as JSON with --json, taking the project from ORRERY_PROJECT", async () => {
    const r = await runCli(["sweep", file("sweep.json", JSON.stringify({ method: "grid", parameters: { a: { values: [1, 2] } } })), "--json", "--url", server.url], { ORRERY_PROJECT: "ada/cli-json" });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: "grid", gridSize: 2, project: "cli-json" });
  });

  it("a config the server refuses exits 2 with the message naming the field", async () => {
    const r = await runCli(["sweep", file("bad.yaml", "method: bayes\nparameters:\n  lr: {min: 0.0, max: 1.0}\n"), "--project", "p", "--url", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^orrery: .*metric/);
  });

  it.each([
    ["a missing file", ["sweep", "/nonexistent/sweep.yaml", "--project", "p"], /no such file/],
    ["no project", ["sweep", "CONFIG"], /--project/],
    ["a bad project", ["sweep", "CONFIG", "--project", "a/b/c"], /ENTITY\/NAME/],
    ["a bad URL", ["sweep", "CONFIG", "--project", "p", "--url", "ftp://x"], /http/],
    ["no config argument", ["sweep"], /missing required argument/],
  ])("%s exits 2 with one sentence", async (_what, args, message) => {
    const config = file("ok.yaml", YAML);
    const r = await runCli(args.map((a) => (a === "CONFIG" ? config : a)), { ORRERY_PROJECT: "", ORRERY_URL: server.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("an unreachable server is a plain sentence with exit 1", async () => {
    const r = await runCli(["sweep", file("ok2.yaml", YAML), "--project", "p", "--url", "http://127.0.0.1:9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the Orrery server/);
  });
});

describe("readConfigFile", () => {
  it("refuses a directory and an empty file, saying what a config needs", () => {
    const d = join(dir.path, "adir");
    mkdirSync(d, { recursive: true });
    expect(() => readConfigFile(d)).toThrow(/not a file/);
    expect(() => readConfigFile(file("empty.yaml", "  \n"))).toThrow(/empty/);
    expect(readConfigFile(file("fine.yaml", YAML))).toBe(YAML);
  });
});
