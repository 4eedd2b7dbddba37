// `orrery artifact put|get|ls` and `orrery gc`: the built CLI against a real server puts a folder
// and a file, gets them back byte for byte (the second time from the cache), lists them, collects
// garbage and says so in words; progress goes to stderr; every bad flag gets one sentence and exit 2.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@orrery/server";
import type { ArtifactDetail, ArtifactVersion, GcReport } from "@orrery/protocol";
import { runCli, tempDir, testServer } from "../../../../e2e/helpers.js";
import { describeGcReport } from "./gc.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  dir = tempDir("orrery-cli-art-");
  server = await testServer(join(dir.path, "data"));
  env = { ORRERY_URL: server.url, ORRERY_CACHE_DIR: join(dir.path, "cache"), ORRERY_PROJECT: "ada/cli-art", ORRERY_API_KEY: "" };
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

function tree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return root;
}

function read(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out[r] = readFileSync(join(d, e.name)).toString("base64");
    }
  };
  walk(root, "");
  return out;
}

describe("orrery artifact", () => {
  it("puts a folder with aliases and metadata, gets it back byte for byte, and lists it", async () => {
    const src = tree(join(dir.path, "ds"), { "train.csv": "a,b\n1,2\n", "img/x.png": randomBytes(40_000), "big.bin": randomBytes(2_000_000) });
    const put = await runCli(["artifact", "put", src, "--name", "shapes", "--type", "dataset", "--alias", "best", "--alias", "production",
      "--description", "four shapes", "--metadata", '{"rows": 2}'], env);
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^logged shapes:v0 \(dataset, 3 files, 2\.04 MB, digest [0-9a-f]{12}\) in ada\/cli-art/);
    expect(put.stdout).toContain("aliases: best, latest, production");
    expect(put.stderr).toMatch(/hashing \(bytes\): \d+\/2040008/);
    expect(put.stderr).toMatch(/uploading \(bytes\): 2040008\/2040008/);

    const to = join(dir.path, "out1");
    const get = await runCli(["artifact", "get", "shapes:production", "--to", to], env);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain(`downloaded shapes:v0 (3 files, 2.04 MB) to ${to}`);
    expect(get.stdout).toContain("3 blobs fetched");
    expect(get.stderr).toMatch(/downloading \(bytes\): 2040008\/2040008/);
    expect(read(to)).toEqual(read(src));

    const again = await runCli(["artifact", "get", "shapes:v0", "--to", join(dir.path, "out2")], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("0 blobs fetched (0 B), 3 blobs from the cache");
    expect(read(join(dir.path, "out2"))).toEqual(read(src));

    const ls = await runCli(["artifact", "ls"], env);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NAME\s+TYPE\s+VERSIONS/);
    expect(ls.stdout).toMatch(/shapes\s+dataset\s+1\s+v0/);
    expect(ls.stdout).toContain("best=v0, production=v0");

    const versions = await runCli(["artifact", "ls", "shapes", "--json"], env);
    const detail = JSON.parse(versions.stdout) as ArtifactDetail;
    expect(detail.versions.map((v) => v.version)).toEqual(["v0"]);
    expect(detail.versions[0]).toMatchObject({ description: "four shapes", metadata: { rows: 2 } });
  });

  it("puts a single file; putting it again finds the same version and uploads nothing", async () => {
    const file = join(dir.path, "model.bin");
    writeFileSync(file, randomBytes(10_000));
    const first = await runCli(["artifact", "put", file, "--name", "clf", "--type", "model", "--json"], env);
    expect(first.code).toBe(0);
    const v = JSON.parse(first.stdout) as ArtifactVersion;
    expect(v).toMatchObject({ name: "clf", version: "v0", fileCount: 1, size: 10_000 });
    const second = await runCli(["artifact", "put", file, "--name", "clf", "--type", "model", "--alias", "best"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^found clf:v0 /);
    expect(second.stdout).toContain("already logged: nothing uploaded");
    const ls = await runCli(["artifact", "ls", "clf", "--project", "ada/cli-art"], env);
    expect(ls.stdout).toMatch(/^clf \(model\), 1 version/);
    expect(ls.stdout).toMatch(/v0\s+1\s+10\.0 KB/);
  });

  it("get of an unknown artifact exits 1 naming it", async () => {
    const r = await runCli(["artifact", "get", "nope:latest", "--to", join(dir.path, "none")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^orrery: .*nope/);
  });

  it("a symlink pointing out of the folder is refused with exit 2, naming it", async () => {
    const src = tree(join(dir.path, "leaky"), { "ok.txt": "1" });
    const { symlinkSync } = await import("node:fs");
    symlinkSync(join(dir.path, "model.bin"), join(src, "leak.bin"));
    const r = await runCli(["artifact", "put", src, "--name", "leaky", "--type", "dataset"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^orrery: symlink 'leak.bin' in .* points outside the folder/);
  });

  const bad: [string, string[], RegExp][] = [
    ["a bad --name", ["artifact", "put", "PATH", "--name", "no/slash", "--type", "model"], /--name.*letters, digits/],
    ["a bad --type", ["artifact", "put", "PATH", "--name", "n", "--type", "two words"], /--type.*one word/],
    ["--alias v3", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--alias", "v3"], /'v3' would read as a version number/],
    ["--alias latest", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--alias", "latest"], /'latest' moves to each new version by itself/],
    ["a malformed --alias", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--alias", "a b"], /an alias uses letters/],
    ["--metadata that is not JSON", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--metadata", "{oops"], /JSON object/],
    ["--metadata that is an array", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--metadata", "[1]"], /not an array/],
    ["no PATH", ["artifact", "put", "--name", "n", "--type", "model"], /missing required argument 'path'/],
    ["a PATH that does not exist", ["artifact", "put", "/nonexistent/x", "--name", "n", "--type", "model"], /no such file or folder/],
    ["no --name", ["artifact", "put", "PATH", "--type", "model"], /--name/],
    ["no --type", ["artifact", "put", "PATH", "--name", "n"], /--type/],
    ["a bad --project", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--project", "a/b/c"], /ENTITY\/NAME/],
    ["a bad --url", ["artifact", "put", "PATH", "--name", "n", "--type", "model", "--url", "ftp://x"], /http/],
    ["a bad NAME:ALIAS", ["artifact", "get", "a:b:c"], /NAME:ALIAS or NAME:vN/],
    ["a bad alias in NAME:ALIAS", ["artifact", "get", "shapes:no way"], /NAME:ALIAS or NAME:vN/],
    ["no artifact to get", ["artifact", "get"], /missing required argument/],
    ["a bad NAME for ls", ["artifact", "ls", "a:b"], /artifact name uses letters/],
    ["a bad --grace", ["gc", "--grace", "soon"], /--grace must be a whole number/],
    ["a negative --grace", ["gc", "--grace", "-5"], /--grace must be a whole number/],
    ["a bad gc --url", ["gc", "--url", "nope"], /full URL/],
  ];
  it.each(bad)("%s exits 2 with one sentence", async (_what, args, message) => {
    const path = join(dir.path, "model.bin");
    const r = await runCli(args.map((a) => (a === "PATH" ? path : a)), env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("no project anywhere exits 2 saying how to name one", async () => {
    const r = await runCli(["artifact", "ls"], { ...env, ORRERY_PROJECT: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--project/);
  });

  it("an unreachable server is a plain sentence with exit 1", async () => {
    const r = await runCli(["artifact", "ls", "--url", "http://127.0.0.1:9"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the Orrery server/);
  });
});

describe("orrery gc", () => {
  it("reports in words what a dry run would do, then deletes the blobs of a deleted version", async () => {
    const file = join(dir.path, "gone.bin");
    writeFileSync(file, randomBytes(5_000));
    const put = await runCli(["artifact", "put", file, "--name", "temp", "--type", "model", "--json"], env);
    expect(put.code).toBe(0);
    const del = await fetch(`${server.url}/api/v1/projects/ada/cli-art/artifacts/temp/versions/v0?force=true`, { method: "DELETE" });
    expect(del.status).toBe(200);

    const dry = await runCli(["gc", "--dry-run", "--grace", "0"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^dry run: nothing was deleted/);
    expect(dry.stdout).toMatch(/blobs: \d+ scanned, 1 to delete \(5\.00 KB to free\)/);

    const real = await runCli(["gc", "--grace", "0", "--verify", "--json"], env);
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout) as GcReport;
    expect(report).toMatchObject({ dryRun: false, blobsDeleted: 1, bytesFreed: 5_000, corrupt: [] });

    // The other artifacts still download (their blobs were kept).
    const get = await runCli(["artifact", "get", "clf:v0", "--to", join(dir.path, "after-gc")], { ...env, ORRERY_CACHE_DIR: join(dir.path, "cache2") });
    expect(get.code).toBe(0);
  });

  it("describes corrupt blobs found by --verify", () => {
    const text = describeGcReport({ dryRun: false, blobsScanned: 3, blobsDeleted: 0, bytesFreed: 0, blobsKept: 3, draftsExpired: 1, uploadsRemoved: 2, corrupt: ["a".repeat(64)] });
    expect(text).toContain("1 abandoned draft expired, 2 stale partial uploads removed");
    expect(text).toContain("1 corrupt blob found (moved aside, never served)");
    expect(text).toContain("a".repeat(64));
  });
});
