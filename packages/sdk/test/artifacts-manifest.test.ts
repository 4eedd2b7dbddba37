// Building an artifact's manifest without a server: paths, digests and sizes; the refusals of
// bad paths and of symlinks that leave the folder; references; the download-side path guard; and
// what logArtifact/useArtifact do in offline and disabled runs.
import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manifestCanonicalText, OrreryError } from "@orrery/protocol";
import * as orrery from "../src/index.js";
import { Artifact, ArtifactClient, checkAliases, parseArtifactReference } from "../src/index.js";
import { safeDestination } from "../src/artifacts/download.js";
import { captureStderr, quietInit, tempDir } from "./helpers.js";

const sha = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("orrery-art-");
});
afterEach(() => dir.cleanup());

function tree(root: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** The refusal an action throws, as an OrreryError. */
function refusal(fn: () => unknown): OrreryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OrreryError);
    return err as OrreryError;
  }
  throw new Error("expected a refusal");
}

describe("building a manifest", () => {
  it("records every file under a folder at its relative path with its SHA-256 and size, in path order", async () => {
    const root = tree(join(dir.path, "data"), { "b.txt": "bee", "a/z.csv": "x,y\n1,2\n", "a/b/c.bin": "", "A.md": "# A" });
    const a = new Artifact("ds", "dataset").addDir(root).addFile(join(root, "b.txt"), { name: "extra/copy.txt" });
    const built = await a.build();
    expect(built.entries).toEqual([
      { path: "A.md", digest: sha("# A"), size: 3 },
      { path: "a/b/c.bin", digest: sha(""), size: 0 },
      { path: "a/z.csv", digest: sha("x,y\n1,2\n"), size: 8 },
      { path: "b.txt", digest: sha("bee"), size: 3 },
      { path: "extra/copy.txt", digest: sha("bee"), size: 3 },
    ]);
    // One source per distinct digest: the shared content is uploaded once.
    expect(built.sources.size).toBe(4);
  });

  it("gives a digest equal to the SHA-256 of manifestCanonicalText, whatever order files were added in", async () => {
    const root = tree(join(dir.path, "d"), { "one.txt": "1", "two.txt": "2" });
    const first = await new Artifact("m", "model").addFile(join(root, "one.txt")).addFile(join(root, "two.txt")).build();
    const second = await new Artifact("m", "model").addFile(join(root, "two.txt")).addFile(join(root, "one.txt")).build();
    expect(first.digest).toBe(sha(manifestCanonicalText(first.entries)));
    expect(second.digest).toBe(first.digest);
    expect(orrery.manifestDigest(first.entries)).toBe(first.digest);
  });

  it("puts a folder's files under a prefix", async () => {
    const root = tree(join(dir.path, "imgs"), { "x.png": "p" });
    const built = await new Artifact("d", "dataset").addDir(root, { prefix: "images/train/" }).build();
    expect(built.entries.map((e) => e.path)).toEqual(["images/train/x.png"]);
  });

  it("reports hashing progress in bytes up to the total", async () => {
    const root = tree(join(dir.path, "p"), { "a": "12345", "b": "678" });
    const seen: [number, number, string][] = [];
    await new Artifact("d", "dataset").addDir(root).build((done, total, phase) => seen.push([done, total, phase]));
    expect(seen[0]).toEqual([0, 8, "hash"]);
    expect(seen[seen.length - 1]).toEqual([8, 8, "hash"]);
  });

  it("refuses an artifact with no files", async () => {
    await expect(new Artifact("d", "dataset").build()).rejects.toThrow(/has no files/);
  });
});

describe("refusing paths that could escape", () => {
  const file = (): string => tree(dir.path, { "f.txt": "x" }) && join(dir.path, "f.txt");

  it.each([
    ["../x", /contains '\.\.'/],
    ["a/../../x", /contains '\.\.'/],
    ["/etc/passwd", /is absolute/],
    ["C:/x", /drive letter/],
    ["a\\b", /contains '\\'/],
    ["a\0b", /NUL/],
    ["a\nb", /control character/],
    ["a//b", /empty segment/],
    ["./a", /'\.' segment/],
    ["", /is empty/],
  ])("refuses the name %j", (name, why) => {
    const err = refusal(() => new Artifact("d", "dataset").addFile(file(), { name }));
    expect(err.field).toBe("name");
    expect(err.message).toMatch(why);
  });

  it("refuses a prefix that would escape", () => {
    const root = tree(join(dir.path, "d"), { "a": "1" });
    expect(refusal(() => new Artifact("d", "dataset").addDir(root, { prefix: "../up" })).message).toMatch(/contains '\.\.'/);
  });

  it("refuses a file in a folder whose name holds a backslash or a newline, naming it", () => {
    const root = tree(join(dir.path, "d"), { "ok.txt": "1", "we\\ird.txt": "2" });
    const err = refusal(() => new Artifact("d", "dataset").addDir(root));
    expect(err.message).toContain("we\\ird.txt");
    expect(err.message).toMatch(/contains '\\'/);
    const root2 = tree(join(dir.path, "e"), { "new\nline.txt": "3" });
    expect(refusal(() => new Artifact("d", "dataset").addDir(root2)).message).toMatch(/control character/);
  });

  it("refuses a symlink pointing out of the folder, naming it, and adds nothing", () => {
    const outside = tree(join(dir.path, "secret"), { "key.pem": "private" });
    const root = tree(join(dir.path, "d"), { "a.txt": "1", "sub/b.txt": "2" });
    symlinkSync(join(outside, "key.pem"), join(root, "sub", "leak.pem"));
    const a = new Artifact("d", "dataset");
    const err = refusal(() => a.addDir(root));
    expect(err.message).toContain("symlink 'sub/leak.pem'");
    expect(err.message).toMatch(/points outside the folder/);
    expect(a.paths).toEqual([]);
  });

  it("refuses a symlinked folder pointing out, and a relative link climbing out", () => {
    const outside = tree(join(dir.path, "other"), { "x": "1" });
    const root = tree(join(dir.path, "d"), { "a.txt": "1" });
    symlinkSync(outside, join(root, "linked"));
    expect(refusal(() => new Artifact("d", "dataset").addDir(root)).message).toContain("symlink 'linked'");
    const root2 = tree(join(dir.path, "d2"), { "a.txt": "1" });
    symlinkSync("../other/x", join(root2, "up"));
    expect(refusal(() => new Artifact("d", "dataset").addDir(root2)).message).toContain("symlink 'up'");
  });

  it("follows symlinks that stay inside the folder", async () => {
    const root = tree(join(dir.path, "d"), { "real/w.bin": "weights", "a.txt": "1" });
    symlinkSync(join(root, "real", "w.bin"), join(root, "alias.bin"));
    symlinkSync("real", join(root, "same"));
    const built = await new Artifact("d", "dataset").addDir(root).build();
    expect(built.entries.map((e) => [e.path, e.digest])).toEqual([
      ["a.txt", sha("1")], ["alias.bin", sha("weights")], ["real/w.bin", sha("weights")], ["same/w.bin", sha("weights")],
    ]);
  });

  it("refuses a broken symlink and a symlink loop with a sentence each", () => {
    const root = tree(join(dir.path, "d"), { "a.txt": "1" });
    symlinkSync(join(root, "gone"), join(root, "dangling"));
    expect(refusal(() => new Artifact("d", "dataset").addDir(root)).message).toMatch(/symlink 'dangling'.*broken/);
    const root2 = tree(join(dir.path, "d2"), { "sub/a.txt": "1" });
    symlinkSync("..", join(root2, "sub", "loop"));
    expect(refusal(() => new Artifact("d", "dataset").addDir(root2)).message).toMatch(/symlink 'sub\/loop'.*loops/);
  });

  it("refuses the same path twice, and a path that is both a file and a folder", async () => {
    const root = tree(join(dir.path, "d"), { "a": "1", "b": "2" });
    const a = new Artifact("d", "dataset").addFile(join(root, "a"));
    expect(refusal(() => a.addFile(join(root, "b"), { name: "a" })).message).toMatch(/already has 'a'/);
    a.addFile(join(root, "b"), { name: "a/b" });
    await expect(a.build()).rejects.toThrow(/'a' is a file and also the folder of 'a\/b'/);
  });

  it("refuses a missing file and a folder given to addFile", () => {
    expect(refusal(() => new Artifact("d", "dataset").addFile(join(dir.path, "nope"))).message).toMatch(/no such file/);
    expect(refusal(() => new Artifact("d", "dataset").addFile(dir.path)).message).toMatch(/is a folder: add it with addDir/);
  });

  it("refuses a bad artifact name or type, naming the field", () => {
    expect(refusal(() => new Artifact("a/b", "model")).field).toBe("name");
    expect(refusal(() => new Artifact("ok", "two words")).field).toBe("type");
  });
});

describe("references", () => {
  it("records a file:// file with its SHA-256 and size, and a file:// folder as one entry per file", async () => {
    const root = tree(join(dir.path, "ext"), { "raw.csv": "a,b\n", "more/x.txt": "x" });
    const built = await new Artifact("d", "dataset")
      .addReference(pathToFileURL(join(root, "raw.csv")).href)
      .addReference(pathToFileURL(root).href, { name: "mirror" })
      .build();
    expect(built.entries).toEqual([
      { path: "mirror/more/x.txt", digest: sha("x"), size: 1, ref: pathToFileURL(join(root, "more/x.txt")).href },
      { path: "mirror/raw.csv", digest: sha("a,b\n"), size: 4, ref: pathToFileURL(join(root, "raw.csv")).href },
      { path: "raw.csv", digest: sha("a,b\n"), size: 4, ref: pathToFileURL(join(root, "raw.csv")).href },
    ]);
    expect(built.sources.size).toBe(0); // nothing to upload
  });

  it("records s3:// with the digest and size given, else the URI and no size", async () => {
    const built = await new Artifact("d", "dataset")
      .addReference("s3://bucket/raw/a.tar", { digest: "md5:abc", size: 10 })
      .addReference("s3://bucket/raw/b.tar")
      .build();
    expect(built.entries).toEqual([
      { path: "a.tar", digest: "md5:abc", size: 10, ref: "s3://bucket/raw/a.tar" },
      { path: "b.tar", digest: "s3://bucket/raw/b.tar", size: null, ref: "s3://bucket/raw/b.tar" },
    ]);
  });

  it("asks an https/http server with HEAD for the ETag and Content-Length", async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { etag: '"v1-abc"', "content-length": "1234" });
      res.end(req.method === "HEAD" ? undefined : "x".repeat(1234));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/files/model.onnx`;
    try {
      const built = await new Artifact("m", "model").addReference(url).build();
      expect(built.entries).toEqual([{ path: "model.onnx", digest: 'etag:"v1-abc"', size: 1234, ref: url }]);
    } finally {
      server.close();
    }
  });

  it("refuses an unknown scheme", () => {
    expect(refusal(() => new Artifact("d", "dataset").addReference("ftp://x/y")).message).toMatch(/must start with file:\/\//);
  });
});

describe("aliases and references to versions", () => {
  it("refuses latest, vN and malformed aliases with a reason", () => {
    expect(() => checkAliases(["latest"])).toThrow(/moved to each new version automatically/);
    expect(() => checkAliases(["v3"])).toThrow(/would read as a version number/);
    expect(() => checkAliases(["a b"])).toThrow(/must be 1 to 64/);
    expect(checkAliases(["best", "best", "prod"])).toEqual(["best", "prod"]);
  });

  it("parses name, name:alias and name:vN, and says how to write a bad one", () => {
    expect(parseArtifactReference("mnist")).toEqual({ name: "mnist", version: "latest" });
    expect(parseArtifactReference("mnist:v3")).toEqual({ name: "mnist", version: "v3" });
    expect(() => parseArtifactReference("a:b:c")).toThrow(/NAME:ALIAS or NAME:vN/);
    expect(() => parseArtifactReference("bad name")).toThrow(/not an artifact reference/);
  });

  it("refuses a client for a malformed project", () => {
    expect(() => new ArtifactClient({ project: "a/b/c" })).toThrow(/entity\/project/);
  });
});

describe("the download path guard", () => {
  it("refuses a folder inside the target that is a symlink pointing out, and allows one pointing inside", () => {
    const target = join(dir.path, "target");
    const outside = join(dir.path, "outside");
    mkdirSync(join(target, "inside"), { recursive: true });
    mkdirSync(outside);
    symlinkSync(outside, join(target, "escape"));
    symlinkSync(join(target, "inside"), join(target, "ok"));
    expect(refusal(() => safeDestination(target, target, "escape/x.txt", true)).message).toMatch(/'escape' inside .* is a symlink pointing outside it/);
    expect(safeDestination(target, target, "ok/x.txt", true)).toBe(join(target, "ok", "x.txt"));
    expect(refusal(() => safeDestination(target, target, "../x", true)).message).toMatch(/contains '\.\.'/);
  });
});

describe("artifacts in runs without a server", () => {
  it.each(["offline", "disabled"] as const)("%s mode: logArtifact and useArtifact reject saying artifacts need a server, and an unawaited call crashes nothing", async (mode) => {
    const run = await quietInit({ mode, dir: dir.path });
    const root = tree(join(dir.path, "d"), { "a": "1" });
    void run.logArtifact(new Artifact("d", "dataset").addDir(root)); // not awaited: must not become an unhandled rejection
    await expect(run.logArtifact(new Artifact("d", "dataset").addDir(root))).rejects.toThrow(/needs an Orrery server.*mode/);
    await expect(run.useArtifact("d:latest")).rejects.toThrow(/needs an Orrery server/);
    await new Promise((r) => setTimeout(r, 50));
    await captureStderr(() => run.finish());
  });
});
