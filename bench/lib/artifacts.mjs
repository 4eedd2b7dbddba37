// Rows: artifact throughput and dedup. One 2 GB file goes up with `orrery artifact put` and comes
// back with `orrery artifact get`, each CLI and the server in their own processes so their peak
// RSS can be read; the same file hashed and copied by plain Node is the baseline. Dedup: a 1 GB
// model logged twice, and a 1,000-file dataset logged again with one file changed, measured as the
// bytes the blob folder grew by. Figures, never assertions.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, createReadStream, mkdirSync, openSync, closeSync, writeSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { CLI, dirBytes, getJson, note, quick, rssSampler, startServer, tempDir } from "./common.mjs";

const MB = 1024 * 1024;
const mbps = (bytes, ms) => `${(bytes / MB / (ms / 1000)).toFixed(0)} MB/s`;
const mib = (bytes) => `${(bytes / MB).toFixed(0)} MB`;

/** A file of `bytes` pseudo-random bytes, written 64 MB at a time (each block made distinct). */
function writeRandomFile(path, bytes, seed) {
  const block = randomBytes(Math.min(64 * MB, bytes));
  const fd = openSync(path, "w");
  try {
    for (let off = 0, i = 0; off < bytes; off += block.length, i++) {
      block.writeUInt32LE(i, 0);
      block.writeUInt32LE(seed, 4);
      writeSync(fd, block, 0, Math.min(block.length, bytes - off));
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs the CLI in its own process; resolves with wall time and peak RSS. */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const rss = rssSampler(child.pid);
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    child.on("error", reject);
    child.on("exit", (code) => {
      const peak = rss.stop();
      if (code !== 0) reject(new Error(`orrery ${args.join(" ")} exited ${code}: ${err.slice(-500)}`));
      else resolve({ ms: performance.now() - t, peak, out });
    });
  });
}

async function hashAndCopy(src, dst) {
  const t = performance.now();
  const h = createHash("sha256");
  for await (const chunk of createReadStream(src, { highWaterMark: 4 * MB })) h.update(chunk);
  h.digest("hex");
  const hashMs = performance.now() - t;
  const c = performance.now();
  copyFileSync(src, dst);
  return { hashMs, copyMs: performance.now() - c };
}

const blobBytes = (data) => {
  const dir = join(data, "blobs");
  if (!existsSync(dir)) return 0;
  // Partial uploads and quarantined blobs are not stored content.
  return dirBytes(dir) - (existsSync(join(dir, "uploads")) ? dirBytes(join(dir, "uploads")) : 0) - (existsSync(join(dir, "tmp")) ? dirBytes(join(dir, "tmp")) : 0);
};

export async function artifactThroughput() {
  const size = quick ? 256 * MB : 2048 * MB;
  const modelSize = quick ? 128 * MB : 1024 * MB;
  const files = 1000;
  const fileSize = quick ? 16 * 1024 : 256 * 1024;
  const dir = tempDir("orrery-bench-artifacts-");
  const data = join(dir.path, "data");
  const server = await startServer(data);
  const env = { ORRERY_URL: server.url, ORRERY_CACHE_DIR: join(dir.path, "cache") };
  const project = "bench/artifacts";
  try {
    // One big file, up and down.
    const big = join(dir.path, "big.bin");
    writeRandomFile(big, size, 1);
    const base = await hashAndCopy(big, join(dir.path, "big-copy.bin"));
    const serverRss = rssSampler(server.child.pid);
    const up = await cli(["artifact", "put", big, "--name", "big", "--type", "model", "--project", project], env);
    const upServerPeak = serverRss.stop();
    note({
      what: `artifact upload, one ${mib(size)} file (orrery artifact put)`, value: mbps(size, up.ms),
      baseline: `hash alone ${mbps(size, base.hashMs)}, plain copy ${mbps(size, base.copyMs)}`,
      extra: `${(up.ms / 1000).toFixed(1)} s including hashing the file first; peak RSS: CLI ${mib(up.peak)}, server ${mib(upServerPeak)}`,
    });
    const serverRss2 = rssSampler(server.child.pid);
    const down = await cli(["artifact", "get", "big:latest", "--project", project, "--to", join(dir.path, "down")], env);
    const downServerPeak = serverRss2.stop();
    note({
      what: `artifact download, one ${mib(size)} file (orrery artifact get, empty cache)`, value: mbps(size, down.ms),
      extra: `${(down.ms / 1000).toFixed(1)} s: server hashes while sending, the client hashes into its cache, then copies out; peak RSS: CLI ${mib(down.peak)}, server ${mib(downServerPeak)}`,
    });
    const again = await cli(["artifact", "get", "big:latest", "--project", project, "--to", join(dir.path, "down2")], env);
    note({
      what: `artifact download again (cache hit)`, value: mbps(size, again.ms),
      extra: `${(again.ms / 1000).toFixed(1)} s: no blob request, the cached copy is linked or copied into the folder`,
    });

    // A model logged twice.
    const model = join(dir.path, "model.bin");
    writeRandomFile(model, modelSize, 2);
    const before = blobBytes(data);
    await cli(["artifact", "put", model, "--name", "model", "--type", "model", "--project", project], env);
    const afterFirst = blobBytes(data);
    const second = await cli(["artifact", "put", model, "--name", "model", "--type", "model", "--project", project, "--alias", "best"], env);
    const afterSecond = blobBytes(data);
    const detail = await getJson(`${server.url}/api/v1/projects/${project}/artifacts/model`);
    note({
      what: `dedup: a ${mib(modelSize)} model logged twice`, value: `${afterSecond - afterFirst} bytes stored by the 2nd log`,
      extra: `1st log stored ${mib(afterFirst - before)}; versions after both: ${detail.versions.length}; 2nd log took ${(second.ms / 1000).toFixed(1)} s (hashing, no upload)`,
    });

    // A dataset of 1,000 files, then the same with one file changed.
    const ds = join(dir.path, "dataset");
    mkdirSync(ds);
    for (let i = 0; i < files; i++) writeFileSync(join(ds, `part-${String(i).padStart(4, "0")}.bin`), randomBytes(fileSize));
    const b0 = blobBytes(data);
    const v0 = await cli(["artifact", "put", ds, "--name", "dataset", "--type", "dataset", "--project", project], env);
    const b1 = blobBytes(data);
    writeFileSync(join(ds, "part-0500.bin"), randomBytes(fileSize));
    const v1 = await cli(["artifact", "put", ds, "--name", "dataset", "--type", "dataset", "--project", project], env);
    const b2 = blobBytes(data);
    note({
      what: `dedup: ${files.toLocaleString("en")}-file dataset (${mib(files * fileSize)}), 1 file changed`, value: `${(b2 - b1).toLocaleString("en")} bytes stored by v1`,
      extra: `one file is ${fileSize.toLocaleString("en")} bytes; v0 stored ${mib(b1 - b0)} in ${(v0.ms / 1000).toFixed(1)} s, v1 took ${(v1.ms / 1000).toFixed(1)} s`,
    });
  } finally {
    await server.stop();
    dir.cleanup();
  }
}
