// Owns getting an artifact version's files onto disk: blobs into the digest-keyed cache (resuming
// with Range after an interruption, SHA-256 checked before a blob enters the cache), then copies
// into the target folder at paths re-checked here, refusing any write that would land outside it.
// Every blob is fetched and checked before the first file is placed, so a corrupt blob leaves the
// target folder as it was. References are read from where they live (file://, https://).
import { createHash, type Hash } from "node:crypto";
import {
  constants, copyFileSync, createReadStream, createWriteStream, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync, type Stats,
} from "node:fs";
import { dirname, join, sep } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { OrreryError, checkArtifactPath, type ManifestEntry } from "@orrery/protocol";
import type { ArtifactCache } from "./cache.js";
import { HASH_CHUNK, SHA256_HEX } from "./hash.js";
import { isTransient, networkError, responseError, send, sleep, type ServerTarget } from "./http.js";

const TRIES = 5;

function refused(message: string, field = "to"): OrreryError {
  return new OrreryError("invalid_request", `orrery: ${message}`, field);
}

/**
 * Makes sure the cache holds the blob, downloading what is missing; returns its cached path.
 * `onBytes` hears the bytes of this blob on disk so far.
 */
export async function fetchBlob(
  target: ServerTarget, cache: ArtifactCache, entry: { digest: string; size: number; path: string }, onBytes: (done: number) => void = () => {},
): Promise<{ path: string; hit: boolean; downloaded: number }> {
  const { digest, size } = entry;
  const hit = cache.lookup(digest, size);
  if (hit) {
    onBytes(size);
    return { path: hit, hit: true, downloaded: 0 };
  }
  const release = await cache.lock(digest);
  try {
    // Another process may have finished it while this one waited.
    const done = cache.lookup(digest, size);
    if (done) {
      onBytes(size);
      return { path: done, hit: true, downloaded: 0 };
    }
    return await fill(target, cache, entry, onBytes);
  } finally {
    release();
  }
}

async function fill(
  target: ServerTarget, cache: ArtifactCache, entry: { digest: string; size: number; path: string }, onBytes: (done: number) => void,
): Promise<{ path: string; hit: boolean; downloaded: number }> {
  const { digest, size } = entry;
  const part = cache.partOf(digest);
  if (size === 0) writeFileSync(part, ""); // nothing to fetch, but the cache still gets its (empty) file
  let downloaded = 0;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    let have = cache.partSize(digest);
    if (have > size) {
      cache.discardPart(digest);
      have = 0;
    }
    // Hash what an earlier attempt (or an earlier process) left, then the rest as it arrives.
    const box = { hash: createHash("sha256") };
    if (have > 0) for await (const chunk of createReadStream(part, { end: have - 1, highWaterMark: HASH_CHUNK })) box.hash.update(chunk as Buffer);
    onBytes(have);
    try {
      if (have < size) downloaded += await receive(target, entry, part, have, box, onBytes);
    } catch (err) {
      if (!isTransient(err) || attempt >= TRIES) {
        if (!isTransient(err)) cache.discardPart(digest);
        throw err;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
      continue;
    }
    const got = cache.partSize(digest);
    const actual = box.hash.digest("hex");
    if (got !== size || actual !== digest) {
      cache.discardPart(digest);
      throw new OrreryError(
        "blob_corrupt",
        `orrery: the server's copy of '${entry.path}' is corrupt: blob ${digest} came back as ${got} bytes hashing to ${actual}; ` +
        "nothing was written. Ask the server's admin to run 'orrery gc --verify', then log the artifact again to re-upload it",
      );
    }
    return { path: cache.commit(digest), hit: false, downloaded };
  }
}

/** One GET of the blob from byte `have`, appended to the part file; resolves with the bytes received. */
async function receive(
  target: ServerTarget, entry: { digest: string; size: number; path: string }, part: string, have: number,
  box: { hash: Hash }, onBytes: (done: number) => void,
): Promise<number> {
  const res = await send(target, {
    method: "GET",
    path: `/api/v1/blobs/${entry.digest}`,
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
  });
  const status = res.statusCode ?? 500;
  let start = have;
  if (status === 200) start = 0; // the server sent it all: start over
  else if (status === 206) {
    const from = /^bytes (\d+)-/.exec(String(res.headers["content-range"] ?? ""))?.[1];
    if (from === undefined || Number(from) !== have) {
      res.resume();
      throw networkError(target, new Error(`asked for bytes from ${have}, got ${String(res.headers["content-range"])}`));
    }
  } else if (status === 416) {
    res.resume();
    rmSync(part, { force: true });
    throw networkError(target, new Error("the partial download no longer fits the blob"));
  } else {
    throw await responseError(res, `download of '${entry.path}' (blob ${entry.digest})`);
  }
  if (start === 0 && have > 0) box.hash = createHash("sha256");
  const hash = box.hash;
  let received = 0;
  let done = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      hash.update(chunk);
      received += chunk.length;
      done += chunk.length;
      onBytes(done);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, { flags: start === 0 ? "w" : "a" }));
  } catch (err) {
    throw networkError(target, err);
  }
  return received;
}

/**
 * Refuses a path that would write outside `root`: re-checks the artifact path, and walks its
 * folders inside root, refusing a folder that is a symlink whose real path leaves root (and a
 * file standing where a folder must be). With `create`, makes missing folders. Returns the
 * absolute path to write.
 */
export function safeDestination(root: string, rootReal: string, relPath: string, create: boolean): string {
  const why = checkArtifactPath(relPath);
  if (why) throw refused(`refusing to write '${relPath}': the path ${why}`, "path");
  const segments = relPath.split("/");
  let cur = root;
  for (let i = 0; i < segments.length - 1; i++) {
    cur = join(cur, segments[i]!);
    const shown = segments.slice(0, i + 1).join("/");
    const st = lstatOrUndefined(cur);
    if (st === undefined) {
      if (create) mkdirSync(cur);
      continue;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(cur);
      } catch {
        throw refused(`refusing to write '${relPath}' into ${root}: folder '${shown}' is a broken symlink`);
      }
      if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
        throw refused(`refusing to write '${relPath}': '${shown}' inside ${root} is a symlink pointing outside it (to ${real}); remove it or download into an empty folder`);
      }
      if (!lstatOrUndefined(real)?.isDirectory()) throw refused(`refusing to write '${relPath}': '${shown}' inside ${root} is not a folder`);
      continue;
    }
    if (!st.isDirectory()) throw refused(`refusing to write '${relPath}': '${shown}' inside ${root} is a file, not a folder`);
  }
  const dest = join(root, relPath);
  const st = lstatOrUndefined(dest);
  if (st?.isDirectory()) throw refused(`refusing to write '${relPath}': ${dest} is a folder`);
  return dest;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Copies a cached blob to dest. A symlink already at dest is replaced, never written through; the
 * copy goes to a temporary name first, so dest is either the old file or the whole new one. A copy,
 * not a hard link: editing a downloaded file must not change the cache (copy-on-write where the
 * file system can).
 */
export function placeFile(from: string, dest: string): void {
  const tmp = `${dest}.orrery-part`;
  rmSync(tmp, { force: true });
  copyFileSync(from, tmp, constants.COPYFILE_FICLONE);
  renameSync(tmp, dest);
}

/** Copies or fetches a reference entry to dest, checking its digest when it is a SHA-256 (or an ETag). */
export async function placeReference(entry: ManifestEntry, dest: string): Promise<void> {
  const ref = entry.ref!;
  const tmp = `${dest}.orrery-part`;
  const hash = createHash("sha256");
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  mkdirSync(dirname(dest), { recursive: true });
  try {
    if (ref.startsWith("file://")) {
      let source: string;
      try {
        source = fileURLToPath(ref);
      } catch {
        throw refused(`reference '${entry.path}' has an unusable URI ${ref}`, "ref");
      }
      try {
        await pipeline(createReadStream(source, { highWaterMark: HASH_CHUNK }), counter, createWriteStream(tmp));
      } catch (err) {
        throw refused(`cannot copy reference '${entry.path}' from ${source} (${(err as { code?: string }).code ?? String(err)})`, "ref");
      }
    } else if (ref.startsWith("https://") || ref.startsWith("http://")) {
      let res: Response;
      try {
        res = await fetch(ref, { redirect: "follow" });
      } catch (err) {
        throw refused(`cannot fetch reference '${entry.path}' from ${ref} (${(err as { cause?: { code?: string } }).cause?.code ?? String(err)})`, "ref");
      }
      if (!res.ok || res.body === null) throw refused(`cannot fetch reference '${entry.path}': ${ref} answered ${res.status}`, "ref");
      const etag = res.headers.get("etag");
      if (entry.digest.startsWith("etag:") && etag !== null && `etag:${etag}` !== entry.digest) {
        throw refused(`reference '${entry.path}' changed since it was logged: ${ref} now has ETag ${etag}, not ${entry.digest.slice(5)}`, "ref");
      }
      await pipeline(res.body, counter, createWriteStream(tmp));
    } else {
      throw refused(`reference '${entry.path}' is ${ref}: this client cannot read s3:// (fetch it with your S3 tools)`, "ref");
    }
    if (SHA256_HEX.test(entry.digest)) {
      const actual = hash.digest("hex");
      if (actual !== entry.digest) throw refused(`reference '${entry.path}' changed since it was logged: ${ref} now hashes to ${actual}, not ${entry.digest}`, "ref");
    }
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
  }
}
