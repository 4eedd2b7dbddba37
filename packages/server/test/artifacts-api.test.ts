// The artifact API on a real server (ephemeral port, real SQLite files): logging versions the way
// the SDKs do and the dedup that follows from digests, every bad manifest path refused by index,
// manifests and files of a version, aliases and their history, deleting versions, run links, and
// a 4xx (never a 500) for every bad parameter of every route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../e2e/helpers.js";
import { startServer, type RunningServer } from "../src/index.js";
import { ArtifactClient, manifestOf, sha256, type Entry, type VersionBody } from "./artifacts-helpers.js";

let server: RunningServer;
let dir: ReturnType<typeof tempDir>;
let c: ArtifactClient;

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ dataDir: dir.path, port: 0 });
  c = new ArtifactClient(server.url);
});

afterAll(async () => {
  await server.close();
  dir.cleanup();
});

describe("logging versions", () => {
  it("a new artifact is a pending draft listing its distinct missing blobs; uploading them and committing makes v0", async () => {
    const files = { "weights.bin": "w".repeat(1000), "config.json": '{"layers": 3}', "copy/weights.bin": "w".repeat(1000) };
    const draft = await c.createOk({ name: "resnet", type: "model", manifest: manifestOf(files), metadata: { acc: 0.9 }, description: "first" });
    expect(draft.state).toBe("pending");
    expect(draft.draftId).toEqual(expect.any(String));
    expect(draft.version).toBeNull();
    expect(new Set(draft.missing)).toEqual(new Set([sha256("w".repeat(1000)), sha256('{"layers": 3}')]));
    expect(draft.missing).toHaveLength(2);

    const { version } = await c.log("resnet", "model", files, { metadata: { acc: 0.9 }, description: "first" });
    expect(version).toMatchObject({
      name: "resnet", type: "model", version: "v0", index: 0, digest: draft.digest, aliases: ["latest"],
      size: 2000 + 13, fileCount: 3, metadata: { acc: 0.9 }, description: "first", createdBy: null,
    });
  });

  it("the server computes the manifest digest itself, whatever order the files are listed in", async () => {
    const files = { "b.txt": "b", "a.txt": "a" };
    const one = await c.createOk({ name: "order", type: "dataset", manifest: manifestOf(files) });
    const two = await c.createOk({ name: "order", type: "dataset", manifest: manifestOf(files).reverse() });
    const text = "orrery-manifest-v1\n" + `a.txt\n${sha256("a")}\n1\n\n` + `b.txt\n${sha256("b")}\n1\n\n`;
    expect(one.digest).toBe(sha256(text));
    expect(two.digest).toBe(one.digest);
    // The same pending content resumes the same draft.
    expect(two.draftId).toBe(one.draftId);
  });

  it("logging the same content again is committed at once with no new version, and moves the aliases asked for", async () => {
    const files = { "model.pt": "same bytes" };
    const first = await c.log("twice", "model", files);
    const again = await c.createOk({ name: "twice", type: "model", manifest: manifestOf(files), aliases: ["best"] });
    expect(again).toMatchObject({ state: "committed", draftId: null, missing: [], digest: first.version.digest });
    expect(again.version).toMatchObject({ version: "v0", aliases: ["best", "latest"] });
    const detail = await c.get<{ versions: VersionBody[] }>("/artifacts/twice");
    expect(detail.body.versions).toHaveLength(1);
  });

  it("a dataset of 1,000 files with one changed lists only the changed file as missing", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`shard/${String(i).padStart(4, "0")}.txt`] = `row ${i}\n`.repeat(10);
    const v0 = await c.log("thousand", "dataset", files);
    expect(v0.uploaded).toHaveLength(1000);
    files["shard/0500.txt"] = "changed\n";
    const draft = await c.createOk({ name: "thousand", type: "dataset", manifest: manifestOf(files) });
    expect(draft.state).toBe("pending");
    expect(draft.missing).toEqual([sha256("changed\n")]);
    const v1 = await c.log("thousand", "dataset", files);
    expect(v1.version).toMatchObject({ version: "v1", fileCount: 1000, aliases: ["latest"] });
    const detail = await c.get<{ artifact: { versionCount: number; latest: string } }>("/artifacts/thousand");
    expect(detail.body.artifact).toMatchObject({ versionCount: 2, latest: "v1" });
  });

  it("committing with blobs still missing is a 409 naming how many and the first; committing twice returns the same version", async () => {
    const files = { "a.bin": "aaa", "b.bin": "bbb" };
    const draft = await c.createOk({ name: "partial", type: "model", manifest: manifestOf(files) });
    await c.put(sha256("aaa"), Buffer.from("aaa"), 0, 3);
    const early = await c.commit("partial", draft.draftId!);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: "conflict", field: "manifest" });
    expect(early.body.message).toContain("1 of the draft's 2 blobs");
    expect(early.body.message).toContain(sha256("bbb"));
    await c.put(sha256("bbb"), Buffer.from("bbb"), 0, 3);
    const ok = await c.commit("partial", draft.draftId!);
    expect(ok.status).toBe(200);
    const again = await c.commit("partial", draft.draftId!);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(ok.body.version);
  });

  it("an artifact logged with another type is a 409 on field type", async () => {
    await c.log("typed", "model", { "x": "1" });
    const res = await c.create({ name: "typed", type: "dataset", manifest: manifestOf({ y: "2" }) });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "conflict", field: "type" });
    expect(res.body.message).toContain("'model'");
  });

  it("references are recorded without upload and never listed as missing", async () => {
    const manifest: Entry[] = [
      { path: "remote/data.csv", digest: "etag:abc", size: 10, ref: "https://example.com/data.csv" },
      { path: "bucket/x", digest: "s3://b/x", size: null, ref: "s3://b/x" },
      ...manifestOf({ "local.txt": "local" }),
    ];
    const draft = await c.createOk({ name: "refs", type: "dataset", manifest });
    expect(draft.missing).toEqual([sha256("local")]);
    await c.put(sha256("local"), Buffer.from("local"), 0, 5);
    const v = await c.commit("refs", draft.draftId!);
    expect(v.body).toMatchObject({ fileCount: 3, size: 15 });
    const file = await c.get("/artifacts/refs/versions/v0/files/remote/data.csv");
    expect(file.status).toBe(409);
    expect(file.body.message).toContain("https://example.com/data.csv");
  });

  it("'latest' among the aliases of a log is ignored: the server moves it", async () => {
    const { version } = await c.log("withlatest", "model", { f: "1" }, { aliases: ["latest", "prod"] });
    expect(version.aliases).toEqual(["latest", "prod"]);
  });
});

describe("every bad path in a manifest is refused with its index", () => {
  const good = { path: "ok.txt", digest: sha256("ok"), size: 2 };
  const bad = (path: string) => ({ path, digest: sha256("x"), size: 1 });
  const cases: [string, object[], number, string][] = [
    ["a '..' segment", [good, bad("data/../../etc/passwd")], 1, "'..'"],
    ["a leading '..'", [good, bad("../x")], 1, "'..'"],
    ["an absolute path", [good, bad("/etc/passwd")], 1, "absolute"],
    ["a drive letter", [good, bad("C:/Windows/x")], 1, "drive letter"],
    ["a NUL character", [good, bad("a\u0000b")], 1, "NUL"],
    ["a control character", [good, bad("a\u0007b")], 1, "control character"],
    ["a backslash", [good, bad("a\\b")], 1, "'\\'"],
    ["an empty segment", [good, bad("a//b")], 1, "empty segment"],
    ["a trailing slash", [good, bad("a/")], 1, "empty segment"],
    ["a '.' segment", [good, bad("./a")], 1, "'.' segment"],
    ["a duplicate", [good, good], 1, "appears twice"],
    ["a file that is also a folder", [good, bad("a"), bad("a/b")], 1, "also the folder"],
  ];
  for (const [what, manifest, index, words] of cases) {
    it(`${what} is a 400 on manifest[${index}].path`, async () => {
      const res = await c.create({ name: "badpaths", type: "dataset", manifest });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_request", field: `manifest[${index}].path` });
      expect(res.body.message).toContain(words);
    });
  }

  it("an empty path is refused by the schema with its index", async () => {
    const res = await c.create({ name: "badpaths", type: "dataset", manifest: [good, bad("")] });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("manifest[1].path");
  });

  it("a stored file without a SHA-256, or without a size, and a reference of an unknown scheme are refused", async () => {
    const noSha = await c.create({ name: "badpaths", type: "dataset", manifest: [{ path: "a", digest: "abc", size: 1 }] });
    expect(noSha.body).toMatchObject({ error: "invalid_request", field: "manifest[0].digest" });
    const noSize = await c.create({ name: "badpaths", type: "dataset", manifest: [{ path: "a", digest: sha256("a"), size: null }] });
    expect(noSize.body).toMatchObject({ error: "invalid_request", field: "manifest[0].size" });
    const ftp = await c.create({ name: "badpaths", type: "dataset", manifest: [{ path: "a", digest: "x", size: 1, ref: "ftp://h/a" }] });
    expect(ftp.body).toMatchObject({ error: "invalid_request", field: "manifest[0].ref" });
  });

  it("nothing of a refused manifest was recorded", async () => {
    expect((await c.get("/artifacts/badpaths")).status).toBe(404);
  });
});

describe("reading versions", () => {
  let files: Record<string, string>;
  beforeAll(async () => {
    files = { "README.md": "# hi\n", "img/a.png": "png-a", "img/b.png": "png-b", "img/sub/c.png": "png-c", "notes.html": "<script>x</script>", "z.bin": "0123456789" };
    await c.log("browse", "dataset", files, { aliases: ["gold"] });
  });

  it("a version is found by vN and by alias", async () => {
    const byIndex = await c.get<VersionBody>("/artifacts/browse/versions/v0");
    const byAlias = await c.get<VersionBody>("/artifacts/browse/versions/gold");
    const latest = await c.get<VersionBody>("/artifacts/browse/versions/latest");
    expect(byIndex.status).toBe(200);
    expect(byAlias.body).toEqual(byIndex.body);
    expect(latest.body).toEqual(byIndex.body);
  });

  it("the manifest pages in path order, under a prefix, with a cursor", async () => {
    const all = await c.get<{ entries: Entry[]; total: number; nextCursor: string | null }>("/artifacts/browse/versions/v0/manifest");
    expect(all.body.entries.map((e) => e.path)).toEqual(["README.md", "img/a.png", "img/b.png", "img/sub/c.png", "notes.html", "z.bin"]);
    expect(all.body).toMatchObject({ total: 6, nextCursor: null });
    const p1 = await c.get<{ entries: Entry[]; total: number; nextCursor: string | null }>("/artifacts/browse/versions/v0/manifest?prefix=img/&limit=2");
    expect(p1.body.entries.map((e) => e.path)).toEqual(["img/a.png", "img/b.png"]);
    expect(p1.body.total).toBe(3);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await c.get<{ entries: Entry[]; nextCursor: string | null }>(`/artifacts/browse/versions/v0/manifest?prefix=img/&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.entries.map((e) => e.path)).toEqual(["img/sub/c.png"]);
    expect(p2.body.nextCursor).toBeNull();
    expect(p2.body.entries[0]).toEqual({ path: "img/sub/c.png", digest: sha256("png-c"), size: 5 });
  });

  it("a file is served with a content type from its extension, as an attachment on request, and by range", async () => {
    const md = await fetch(`${server.url}${c.base}/artifacts/browse/versions/v0/files/README.md`);
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.headers.get("etag")).toBe(`"${sha256("# hi\n")}"`);
    expect(await md.text()).toBe("# hi\n");
    const png = await fetch(`${server.url}${c.base}/artifacts/browse/versions/gold/files/img/sub/c.png?download=1`);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-disposition")).toContain('filename="c.png"');
    expect(await png.text()).toBe("png-c");
    const html = await fetch(`${server.url}${c.base}/artifacts/browse/versions/v0/files/notes.html`);
    expect(html.headers.get("content-type")).toContain("text/plain");
    expect(html.headers.get("content-security-policy")).toContain("sandbox");
    const part = await fetch(`${server.url}${c.base}/artifacts/browse/versions/v0/files/z.bin`, { headers: { range: "bytes=2-4" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 2-4/10");
    expect(await part.text()).toBe("234");
  });

  it("a file not in the version, or a bad path, is a 4xx", async () => {
    expect((await c.get("/artifacts/browse/versions/v0/files/nope.txt")).body).toMatchObject({ error: "not_found", field: "path" });
    expect((await c.get("/artifacts/browse/versions/v0/files/img")).status).toBe(404);
    expect((await c.get("/artifacts/browse/versions/v0/files/img/..%2F..%2Fx")).body).toMatchObject({ error: "invalid_request", field: "path" });
    expect((await c.get("/artifacts/browse/versions/v0/files/a%00b")).status).toBe(400);
  });

  it("the list filters by type and by name, and the detail lists versions newest first", async () => {
    const list = await c.get<{ artifacts: { name: string; type: string; latest: string | null; aliases: { alias: string; version: string }[] }[] }>("/artifacts?type=dataset&search=brow");
    expect(list.body.artifacts).toEqual([expect.objectContaining({ name: "browse", type: "dataset", latest: "v0" })]);
    expect(list.body.artifacts[0]!.aliases).toEqual(expect.arrayContaining([{ alias: "gold", version: "v0" }, { alias: "latest", version: "v0" }]));
    const models = await c.get<{ artifacts: { type: string }[] }>("/artifacts?type=model");
    expect(models.body.artifacts.length).toBeGreaterThan(0);
    expect(models.body.artifacts.every((a) => a.type === "model")).toBe(true);
    const detail = await c.get<{ versions: VersionBody[] }>("/artifacts/thousand");
    expect(detail.body.versions.map((v) => v.version)).toEqual(["v1", "v0"]);
  });
});

describe("aliases", () => {
  beforeAll(async () => {
    await c.log("clf", "model", { w: "zero" });
    await c.log("clf", "model", { w: "one" });
    await c.log("clf", "model", { w: "two" });
  });

  it("an alias is added, moved from one version to another, and removed, and the history says so newest first", async () => {
    const add = await c.patch("/artifacts/clf/versions/v0", { aliases: { add: ["production"] }, runId: "deployer" });
    expect(add.status).toBe(200);
    expect(add.body.aliases).toEqual(["production"]);
    const move = await c.patch("/artifacts/clf/versions/v1", { aliases: { add: ["production", "staging"] } });
    expect(move.body.aliases).toEqual(["production", "staging"]);
    expect((await c.get<VersionBody>("/artifacts/clf/versions/v0")).body.aliases).toEqual([]);
    expect((await c.get<VersionBody>("/artifacts/clf/versions/production")).body.version).toBe("v1");
    const remove = await c.patch("/artifacts/clf/versions/production", { aliases: { remove: ["staging"] } });
    expect(remove.body.aliases).toEqual(["production"]);
    expect((await c.get("/artifacts/clf/versions/staging")).status).toBe(404);

    const history = await c.get<{ events: { alias: string; from: string | null; to: string | null; runId: string | null }[] }>("/artifacts/clf/aliases/history");
    const user = history.body.events.filter((e) => e.alias !== "latest");
    const moves = user.map((e) => [e.alias, e.from, e.to]);
    expect(moves[0]).toEqual(["staging", "v1", null]);
    // production and staging moved in one edit: either order.
    expect(moves.slice(1, 3)).toEqual(expect.arrayContaining([["staging", null, "v1"], ["production", "v0", "v1"]]));
    expect(moves[3]).toEqual(["production", null, "v0"]);
    expect(moves).toHaveLength(4);
    expect(user[3]!.runId).toBe("deployer");
    const latest = history.body.events.filter((e) => e.alias === "latest").map((e) => e.to);
    expect(latest).toEqual(["v2", "v1", "v0"]);
    expect((await c.get<{ events: unknown[] }>("/artifacts/clf/aliases/history?limit=2")).body.events).toHaveLength(2);
  });

  it("'latest' can be neither added nor removed", async () => {
    for (const aliases of [{ add: ["latest"] }, { remove: ["latest"] }]) {
      const res = await c.patch("/artifacts/clf/versions/v0", { aliases });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_request", field: "aliases" });
    }
  });

  it("an alias that looks like a version, or has odd characters, is refused by the schema", async () => {
    expect((await c.patch("/artifacts/clf/versions/v0", { aliases: { add: ["v7"] } })).status).toBe(400);
    expect((await c.patch("/artifacts/clf/versions/v0", { aliases: { add: ["a b"] } })).status).toBe(400);
    expect((await c.create({ name: "clf", type: "model", manifest: [], aliases: ["v1"] })).status).toBe(400);
  });

  it("description and metadata are edited", async () => {
    const res = await c.patch("/artifacts/clf/versions/v2", { description: "the best so far", metadata: { f1: 0.8 } });
    expect(res.body).toMatchObject({ description: "the best so far", metadata: { f1: 0.8 } });
  });
});

describe("deleting versions", () => {
  it("a version with user aliases is refused without force; with force it goes and latest moves back", async () => {
    await c.log("del", "model", { w: "d0" });
    await c.log("del", "model", { w: "d1" }, { aliases: ["prod"] });
    const refused = await c.del("/artifacts/del/versions/v1");
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: "conflict", field: "force" });
    expect(refused.body.message).toContain("prod");
    const forced = await c.del("/artifacts/del/versions/prod?force=true");
    expect(forced).toEqual({ status: 200, body: { deleted: "v1" } });
    expect((await c.get<VersionBody>("/artifacts/del/versions/latest")).body.version).toBe("v0");
    // Numbers are never reused.
    const { version } = await c.log("del", "model", { w: "d2" });
    expect(version.version).toBe("v2");
  });

  it("deleting the last version removes the artifact", async () => {
    await c.log("gone", "model", { w: "only" });
    expect((await c.del("/artifacts/gone/versions/v0")).status).toBe(200);
    expect((await c.get("/artifacts/gone")).status).toBe(404);
  });
});

describe("run links", () => {
  it("a run that logs and a run that uses a version are its producer and consumer, and the run lists them", async () => {
    await c.run("trainer1", "brisk-owl");
    const { version } = await c.log("linked", "model", { w: "linked" }, { runId: "trainer1" });
    expect(version.createdBy).toBe("trainer1");
    const used = await c.use("linked", "latest", "eval1");
    expect(used.status).toBe(200);
    expect(used.body.version).toBe("v0");
    const runs = await c.get<{ producers: { runId: string; name: string | null; state: string | null }[]; consumers: { runId: string; name: string | null }[] }>("/artifacts/linked/versions/v0/runs");
    expect(runs.body.producers).toEqual([expect.objectContaining({ runId: "trainer1", name: "brisk-owl", state: "finished" })]);
    expect(runs.body.consumers).toEqual([expect.objectContaining({ runId: "eval1", name: null, state: null })]);

    const produced = await c.get<{ used: unknown[]; produced: { name: string; version: string }[] }>("/runs/trainer1/artifacts");
    expect(produced.body).toEqual({ used: [], produced: [expect.objectContaining({ name: "linked", version: "v0", type: "model" })] });
    // A run that has not reached the server yet still has its links.
    const usedBy = await c.get<{ used: { name: string }[] }>("/runs/eval1/artifacts");
    expect(usedBy.status).toBe(200);
    expect(usedBy.body.used).toEqual([expect.objectContaining({ name: "linked", version: "v0" })]);
  });

  it("a run with neither records nor links is a 404", async () => {
    expect((await c.get("/runs/nobody/artifacts")).body).toMatchObject({ error: "run_not_found" });
  });
});

describe("bad input is a 4xx on every route", () => {
  const cases: [string, string, RequestInit | undefined, number, string | undefined][] = [
    ["an unknown artifact", "/artifacts/nope", undefined, 404, "name"],
    ["an unknown artifact's version", "/artifacts/nope/versions/v0", undefined, 404, "name"],
    ["a version past the last", "/artifacts/clf/versions/v99", undefined, 404, "ref"],
    ["an unknown alias", "/artifacts/clf/versions/nothere", undefined, 404, "ref"],
    ["a bad artifact name", "/artifacts/a%20b", undefined, 400, "name"],
    ["a bad ref", "/artifacts/clf/versions/a:b", undefined, 400, "ref"],
    ["an over-long ref", `/artifacts/clf/versions/${"x".repeat(65)}`, undefined, 400, "ref"],
    ["a bad type filter", "/artifacts?type=a%20b", undefined, 400, "type"],
    ["an unknown query parameter", "/artifacts?colour=red", undefined, 400, "colour"],
    ["a list of an unknown project", "/api/v1/projects/ada/nobody/artifacts", undefined, 404, "project"],
    ["a manifest of an unknown artifact", "/artifacts/nope/versions/v0/manifest", undefined, 404, "name"],
    ["a manifest cursor this server never gave", "/artifacts/clf/versions/v0/manifest?cursor=!!", undefined, 400, "cursor"],
    ["a manifest cursor that decodes to a bad path", `/artifacts/clf/versions/v0/manifest?cursor=${Buffer.from("../x").toString("base64url")}`, undefined, 400, "cursor"],
    ["a manifest limit of 0", "/artifacts/clf/versions/v0/manifest?limit=0", undefined, 400, "limit"],
    ["a manifest limit past the maximum", "/artifacts/clf/versions/v0/manifest?limit=10001", undefined, 400, "limit"],
    ["a manifest limit that is not a number", "/artifacts/clf/versions/v0/manifest?limit=ten", undefined, 400, "limit"],
    ["a history limit of 0", "/artifacts/clf/aliases/history?limit=0", undefined, 400, "limit"],
    ["the history of an unknown artifact", "/artifacts/nope/aliases/history", undefined, 404, "name"],
    ["runs of an unknown version", "/artifacts/clf/versions/v42/runs", undefined, 404, "ref"],
    ["a bad run id", "/runs/bad%20id/artifacts", undefined, 400, "runId"],
    ["a delete of an unknown version", "/artifacts/clf/versions/v42", { method: "DELETE" }, 404, "ref"],
    ["a delete with force=maybe", "/artifacts/clf/versions/v0?force=maybe", { method: "DELETE" }, 400, "force"],
    ["a commit of an unknown draft", "/artifacts/clf/drafts/nodraft/commit", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, 404, "draftId"],
    ["a commit with a bad draft id", "/artifacts/clf/drafts/a.b/commit", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, 400, "draftId"],
    ["a use without a run id", "/artifacts/clf/versions/v0/use", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }, 400, "runId"],
    ["a use with a bad run id", "/artifacts/clf/versions/v0/use", { method: "POST", headers: { "content-type": "application/json" }, body: '{"runId":"a b"}' }, 400, "runId"],
    ["a use of an unknown version", "/artifacts/clf/versions/v42/use", { method: "POST", headers: { "content-type": "application/json" }, body: '{"runId":"r1"}' }, 404, "ref"],
    ["a patch with an unknown field", "/artifacts/clf/versions/v0", { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"colour":"red"}' }, 400, "colour"],
    ["a patch adding and removing one alias", "/artifacts/clf/versions/v0", { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"aliases":{"add":["x"],"remove":["x"]}}' }, 400, "aliases"],
    ["a patch of an unknown version", "/artifacts/clf/versions/v42", { method: "PATCH", headers: { "content-type": "application/json" }, body: '{"description":"x"}' }, 404, "ref"],
    ["a create without a manifest", "/artifacts", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x","type":"model"}' }, 400, "manifest"],
    ["a create with a bad name", "/artifacts", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"a/b","type":"model","manifest":[]}' }, 400, "name"],
    ["a create with a bad type", "/artifacts", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"x","type":"a b","manifest":[]}' }, 400, "type"],
    ["a create with a negative size", "/artifacts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x", type: "m", manifest: [{ path: "a", digest: sha256("a"), size: -1 }] }) }, 400, "manifest[0].size"],
    ["a create whose body is not JSON", "/artifacts", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }, 400, undefined],
    ["a create sent as octet-stream", "/artifacts", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: "{}" }, 415, undefined],
  ];
  for (const [what, path, init, status, field] of cases) {
    it(`${what} answers ${status}${field ? ` on ${field}` : ""}`, async () => {
      const res = await c.get(path, init);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(typeof res.body.message).toBe("string");
      if (field !== undefined) expect(res.body.field).toBe(field);
    });
  }
});
