// Owns what goes into an artifact before it is logged: its name, type, description, metadata and
// the files to record. add*() calls check names and walk folders at once (so a bad path or a
// symlink pointing out fails where it was added); hashing waits until the artifact is logged
// (build()), where each file is read once as a stream. Uploading is client.ts's and upload.ts's.
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from "node:fs";
import { basename, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  ARTIFACT_NAME_PATTERN, ARTIFACT_TYPE_PATTERN, MAX_ARTIFACT_PATH_CHARS, MAX_MANIFEST_ENTRIES, OrreryError,
  checkArtifactPath, checkManifest, compareArtifactPaths, type ManifestEntry,
} from "@orrery/protocol";
import { describe } from "../errors.js";
import { toJsonObject, type JsonObject } from "../json-values.js";
import { hashFile, manifestDigest } from "./hash.js";

export interface ArtifactOptions {
  /** Free text shown on the version page. */
  description?: string;
  /** Any JSON-compatible plain object (e.g. accuracy, rows, source). */
  metadata?: Record<string, unknown>;
}

export interface AddFileOptions {
  /** Path inside the artifact ("weights/model.pt"). Default: the file's own name. */
  name?: string;
}

export interface AddDirOptions {
  /** Folder inside the artifact the files go under ("images" puts a/b.png at images/a/b.png). Default: the root. */
  prefix?: string;
}

export interface AddReferenceOptions {
  /** Path inside the artifact. Default: the last segment of the URI (for a file:// folder, the folder's name). */
  name?: string;
  /** The content's digest, when you know it (needed for s3://, where nothing is read). */
  digest?: string;
  /** Size in bytes, when you know it. */
  size?: number;
  /** Read the content to find its digest and size (file:// hashes it, https:// asks with HEAD). Default true. */
  checksum?: boolean;
}

/** A phase of work with bytes done out of a total (hashing, uploading, downloading). */
export type ArtifactPhase = "hash" | "upload" | "download";
export type ProgressCallback = (done: number, total: number, phase: ArtifactPhase) => void;

/** What build() makes of an artifact: its manifest, digest, and where each stored digest's bytes are. */
export interface BuiltManifest {
  entries: ManifestEntry[];
  digest: string;
  /** Stored-file digest -> a local file holding those bytes, and its size. */
  sources: Map<string, { path: string; size: number }>;
}

type Pending =
  | { kind: "file"; path: string; source: string; size: number }
  | { kind: "file-ref"; path: string; uri: string; source: string; size: number; checksum: boolean; digest?: string }
  | { kind: "http-ref"; path: string; uri: string; checksum: boolean; digest?: string; size?: number }
  | { kind: "fixed"; entry: ManifestEntry };

const nameRe = new RegExp(ARTIFACT_NAME_PATTERN);
const typeRe = new RegExp(ARTIFACT_TYPE_PATTERN);

function refused(field: string, message: string): OrreryError {
  return new OrreryError("invalid_request", `orrery: ${message}`, field);
}

/**
 * A versioned bundle of files (a model, a data set...) to log with `run.logArtifact()` or
 * `ArtifactClient.log()`. Logging the same content again gives the same version.
 *
 * @example
 * const a = new Artifact("mnist", "dataset", { metadata: { rows: 70000 } });
 * a.addDir("data/mnist");
 * a.addReference("s3://bucket/raw/mnist.tar", { digest: "md5:...", size: 1234 });
 * await run.logArtifact(a, { aliases: ["best"] });
 */
export class Artifact {
  readonly name: string;
  readonly type: string;
  description: string;
  metadata: JsonObject;
  private readonly pending = new Map<string, Pending>();

  /** `type` is "model", "dataset" or any word; names and types use letters, digits, "_", "." and "-". */
  constructor(name: string, type: string, options: ArtifactOptions = {}) {
    if (typeof name !== "string" || !nameRe.test(name)) {
      throw refused("name", `artifact name must match ${ARTIFACT_NAME_PATTERN} (letters, digits, "_", "." and "-", up to 128), got ${describe(name)}`);
    }
    if (typeof type !== "string" || !typeRe.test(type)) {
      throw refused("type", `artifact type must match ${ARTIFACT_TYPE_PATTERN} (a word such as model or dataset), got ${describe(type)}`);
    }
    const description = options.description ?? "";
    if (typeof description !== "string") throw refused("description", `artifact description must be a string, got ${describe(description)}`);
    this.name = name;
    this.type = type;
    this.description = description;
    this.metadata = options.metadata === undefined ? {} : toJsonObject(options.metadata, "metadata");
  }

  /** Paths added so far, in manifest order. */
  get paths(): string[] {
    return [...this.pending.keys()].sort(compareArtifactPaths);
  }

  /** Adds one file (symlinks to files are followed). Returns the artifact, for chaining. */
  addFile(path: string, options: AddFileOptions = {}): this {
    const source = resolve(path);
    const st = statOrThrow(source, path, "file");
    if (st.isDirectory()) throw refused("path", `${path} is a folder: add it with addDir()`);
    if (!st.isFile()) throw refused("path", `${path} is not a regular file`);
    const name = options.name ?? basename(source);
    this.put({ kind: "file", path: checkPath(name, "name", `file ${path}`), source, size: st.size });
    return this;
  }

  /**
   * Adds every file under `dir`, at its path relative to `dir` (plus `prefix`), with "/" between
   * folders. Symlinks whose real path stays inside `dir` are followed; one pointing outside is
   * refused, naming it, because an artifact must hold what the folder holds and nothing it merely
   * points at. Sockets, FIFOs and devices are skipped.
   */
  addDir(dir: string, options: AddDirOptions = {}): this {
    const root = resolve(dir);
    const st = statOrThrow(root, dir, "folder");
    if (!st.isDirectory()) throw refused("path", `${dir} is not a folder: add a single file with addFile()`);
    const prefix = options.prefix === undefined ? "" : checkPath(options.prefix.replace(/\/+$/, ""), "prefix", "prefix");
    const files: Pending[] = [];
    for (const f of walk(root, dir)) {
      const path = prefix === "" ? f.rel : `${prefix}/${f.rel}`;
      files.push({ kind: "file", path: checkPath(path, "path", `file '${f.rel}' in ${dir}`), source: f.path, size: f.size });
    }
    // All or nothing: a refused file leaves the artifact as it was.
    this.checkRoom(files.length);
    for (const f of files) this.put(f);
    return this;
  }

  /**
   * Records an external file by URI without copying it: file:// (hashed unless checksum is false;
   * a folder adds one entry per file), https:// and http:// (digest from the ETag, size from
   * Content-Length, asked with HEAD when logged), s3:// (the digest and size you give, else the URI).
   */
  addReference(uri: string, options: AddReferenceOptions = {}): this {
    if (typeof uri !== "string") throw refused("uri", `reference must be a URI string, got ${describe(uri)}`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(uri) || uri.length > 4096) throw refused("uri", "reference URI contains a control character or is longer than 4096 characters");
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(uri)?.[1];
    const checksum = options.checksum ?? true;
    if (options.digest !== undefined) checkGivenDigest(options.digest);
    if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
      throw refused("size", `reference size must be a whole number of bytes >= 0, got ${describe(options.size)}`);
    }
    if (scheme === "file") {
      let source: string;
      try {
        source = fileURLToPath(uri);
      } catch {
        throw refused("uri", `${uri} is not a usable file:// URI (use file:///absolute/path)`);
      }
      const st = statOrThrow(source, uri, "file");
      const name = checkPath(options.name ?? basename(source), "name", `reference ${uri}`);
      if (st.isDirectory()) {
        const files: Pending[] = [];
        for (const f of walk(source, uri, true)) {
          files.push({ kind: "file-ref", path: checkPath(`${name}/${f.rel}`, "path", `file '${f.rel}' under ${uri}`), uri: pathToFileURL(f.path).href, source: f.path, size: f.size, checksum });
        }
        this.checkRoom(files.length);
        for (const f of files) this.put(f);
      } else {
        this.put({ kind: "file-ref", path: name, uri, source, size: st.size, checksum, digest: options.digest });
      }
      return this;
    }
    if (scheme === "http" || scheme === "https") {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        throw refused("uri", `${uri} is not a valid URL`);
      }
      const name = checkPath(options.name ?? lastSegment(url.pathname, url.hostname), "name", `reference ${uri}`);
      this.put({ kind: "http-ref", path: name, uri, checksum, digest: options.digest, size: options.size });
      return this;
    }
    if (scheme === "s3") {
      const rest = uri.slice("s3://".length);
      const name = checkPath(options.name ?? lastSegment(rest.slice(rest.indexOf("/") + 1), rest), "name", `reference ${uri}`);
      this.put({ kind: "fixed", entry: { path: name, digest: options.digest ?? uri.slice(0, 512), size: options.size ?? null, ref: uri } });
      return this;
    }
    throw refused("uri", `reference '${uri.slice(0, 80)}' must start with file://, s3://, https:// or http://`);
  }

  /**
   * Hashes the files and returns the manifest in path order with its digest. Called by log();
   * each call reads the files again, so changes made since are seen.
   */
  async build(onProgress?: ProgressCallback): Promise<BuiltManifest> {
    if (this.pending.size === 0) {
      throw refused("manifest", `artifact ${this.name} has no files: add some with addFile(), addDir() or addReference() before logging it`);
    }
    const items = [...this.pending.values()];
    const total = items.reduce((n, p) => n + (p.kind === "file" || (p.kind === "file-ref" && p.checksum) ? p.size : 0), 0);
    let done = 0;
    const tick = (n: number): void => {
      done += n;
      onProgress?.(done, total, "hash");
    };
    onProgress?.(0, total, "hash");
    const entries: ManifestEntry[] = [];
    const sources = new Map<string, { path: string; size: number }>();
    for (const p of items) {
      if (p.kind === "fixed") {
        entries.push(p.entry);
      } else if (p.kind === "file") {
        const { digest, size } = await hashOrThrow(p.source, tick);
        entries.push({ path: p.path, digest, size });
        if (!sources.has(digest)) sources.set(digest, { path: p.source, size });
      } else if (p.kind === "file-ref") {
        if (!p.checksum) {
          entries.push({ path: p.path, digest: p.digest ?? p.uri.slice(0, 512), size: statOrThrow(p.source, p.uri, "file").size, ref: p.uri });
          continue;
        }
        const { digest, size } = await hashOrThrow(p.source, tick);
        if (p.digest !== undefined && p.digest !== digest) {
          throw refused("digest", `${p.uri} has SHA-256 ${digest}, not the digest given (${p.digest}): it changed, or the digest is wrong`);
        }
        entries.push({ path: p.path, digest, size, ref: p.uri });
      } else {
        entries.push(await httpEntry(p));
      }
    }
    entries.sort((a, b) => compareArtifactPaths(a.path, b.path));
    const problem = checkManifest(entries);
    if (problem) throw refused(`manifest[${problem.index}].${problem.field}`, `artifact ${this.name}: ${problem.message}`);
    return { entries, digest: manifestDigest(entries), sources };
  }

  private put(p: Pending): void {
    const path = p.kind === "fixed" ? p.entry.path : p.path;
    if (this.pending.has(path)) {
      throw refused("path", `artifact ${this.name} already has '${path}': each path names one file (give another name, or a prefix)`);
    }
    this.checkRoom(1);
    this.pending.set(path, p);
  }

  private checkRoom(adding: number): void {
    if (this.pending.size + adding > MAX_MANIFEST_ENTRIES) {
      throw refused("manifest", `artifact ${this.name} would hold ${this.pending.size + adding} files; the limit is ${MAX_MANIFEST_ENTRIES}: split it, or pack small files into an archive`);
    }
  }
}

/** A checked artifact path, or an error saying which file it was and why. */
function checkPath(path: string, field: string, what: string): string {
  if (typeof path !== "string") throw refused(field, `${what}: the path must be a string, got ${describe(path)}`);
  const why = checkArtifactPath(path);
  if (why) throw refused(field, `${what} cannot be stored: path '${printable(path)}' ${why}`);
  return path;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
}

function checkGivenDigest(digest: unknown): void {
  // eslint-disable-next-line no-control-regex
  if (typeof digest !== "string" || digest.length === 0 || digest.length > 512 || /[\u0000-\u001f\u007f]/.test(digest)) {
    throw refused("digest", `reference digest must be 1 to 512 printable characters, got ${describe(digest)}`);
  }
}

function statOrThrow(path: string, shown: string, what: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") throw refused("path", `${shown}: no such ${what}`);
    throw refused("path", `cannot read ${shown} (${code ?? String(err)})`);
  }
}

async function hashOrThrow(path: string, tick: (n: number) => void): Promise<{ digest: string; size: number }> {
  try {
    return await hashFile(path, tick);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw refused("path", `cannot read ${path} while hashing it (${code ?? String(err)}): was it removed or moved after it was added?`);
  }
}

function lastSegment(path: string, fallback: string): string {
  const segments = path.split("/").filter((s) => s !== "");
  const last = segments[segments.length - 1];
  if (last === undefined) return fallback;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

interface WalkedFile { rel: string; path: string; size: number }

/**
 * Files under root, depth first in name order, with paths relative to root joined by "/".
 * Symlinks are followed when their real path is inside root (always, when `followAll`: references
 * only record where files are); one pointing out is refused, naming it; a symlink loop is refused.
 */
function walk(root: string, shown: string, followAll = false): WalkedFile[] {
  const rootReal = realpathSync(root);
  const inside = (real: string): boolean => real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
  const out: WalkedFile[] = [];
  const visit = (dir: string, rel: string, ancestors: Set<string>): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (err) {
      throw refused("path", `cannot list ${rel === "" ? shown : `'${rel}' in ${shown}`} (${(err as { code?: string }).code ?? String(err)})`);
    }
    for (const name of names) {
      const full = join(dir, name);
      const relPath = rel === "" ? name : `${rel}/${name}`;
      if (relPath.length > MAX_ARTIFACT_PATH_CHARS * 4) throw refused("path", `'${relPath.slice(0, 80)}…' in ${shown} is nested too deep`);
      let st = lstatSync(full);
      let real = full;
      if (st.isSymbolicLink()) {
        try {
          real = realpathSync(full);
        } catch {
          throw refused("path", `symlink '${relPath}' in ${shown} is broken (what it points to does not exist): remove it or point it at a file`);
        }
        if (!followAll && !inside(real)) {
          throw refused("path", `symlink '${relPath}' in ${shown} points outside the folder (to ${real}): an artifact may only hold files inside the folder; copy the file in, or add it with addFile() or addReference()`);
        }
        st = statSync(real);
      }
      if (st.isDirectory()) {
        const dirReal = realpathSync(full);
        if (ancestors.has(dirReal)) throw refused("path", `symlink '${relPath}' in ${shown} loops back to a folder that contains it`);
        visit(full, relPath, new Set([...ancestors, dirReal]));
      } else if (st.isFile()) {
        out.push({ rel: relPath, path: real === full ? full : real, size: st.size });
      }
      // Sockets, FIFOs and devices hold no file content to store.
    }
  };
  visit(root, "", new Set([rootReal]));
  return out;
}

async function httpEntry(p: Extract<Pending, { kind: "http-ref" }>): Promise<ManifestEntry> {
  if (p.digest !== undefined || !p.checksum) {
    return { path: p.path, digest: p.digest ?? p.uri.slice(0, 512), size: p.size ?? null, ref: p.uri };
  }
  let res: Response;
  try {
    res = await fetch(p.uri, { method: "HEAD", redirect: "follow", signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw refused("uri", `cannot reach ${p.uri} to record its ETag and size (${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}): give digest and size, or checksum: false`);
  }
  if (!res.ok) throw refused("uri", `HEAD ${p.uri} answered ${res.status}: give digest and size, or checksum: false`);
  const etag = res.headers.get("etag");
  const length = res.headers.get("content-length");
  const size = p.size ?? (length !== null && /^\d+$/.test(length) ? Number(length) : null);
  const digest = etag && etag.length <= 500 ? `etag:${etag}` : p.uri.slice(0, 512);
  return { path: p.path, digest, size, ref: p.uri };
}
