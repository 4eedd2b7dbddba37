// Owns the local artifact cache: downloaded blobs kept by SHA-256 at
// <cache>/artifacts/sha256/<aa>/<rest>, partial downloads at <cache>/artifacts/tmp/<digest>.part,
// and the lock file <digest>.lock that lets one process at a time (TypeScript or Python) fill a part.
// The Python client uses the same layout, so both share one cache. A file appears under its
// digest only after its bytes were checked (download.ts renames it in), so a hit needs no request
// and no re-hash; a size that disagrees counts as a miss.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** `$ORRERY_CACHE_DIR`, else `~/.cache/orrery` (the Python client picks the same). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORRERY_CACHE_DIR) return resolve(env.ORRERY_CACHE_DIR);
  return join(homedir(), ".cache", "orrery");
}

export class ArtifactCache {
  readonly root: string;
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(dir: string = defaultCacheDir()) {
    this.root = resolve(dir);
    this.blobs = join(this.root, "artifacts", "sha256");
    this.tmp = join(this.root, "artifacts", "tmp");
  }

  /** Where a blob lives once cached. */
  pathOf(digest: string): string {
    return join(this.blobs, digest.slice(0, 2), digest.slice(2));
  }

  /** Where its download in progress is kept, so an interrupted one resumes. */
  partOf(digest: string): string {
    return join(this.tmp, `${digest}.part`);
  }

  /** The cached file of this digest when present with the expected size. */
  lookup(digest: string, size: number): string | undefined {
    const path = this.pathOf(digest);
    try {
      const st = statSync(path);
      return st.isFile() && st.size === size ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /** Bytes of a partial download already on disk (0 when none). */
  partSize(digest: string): number {
    try {
      return statSync(this.partOf(digest)).size;
    } catch {
      return 0;
    }
  }

  ensureTmp(): void {
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Moves a checked partial download to its place in the cache. */
  commit(digest: string): string {
    const final = this.pathOf(digest);
    mkdirSync(join(this.blobs, digest.slice(0, 2)), { recursive: true });
    renameSync(this.partOf(digest), final);
    return final;
  }

  discardPart(digest: string): void {
    rmSync(this.partOf(digest), { force: true });
  }

  /**
   * Waits until this process alone may fill the digest's part, and returns the release. Several
   * processes downloading one artifact (one per GPU rank, say) would otherwise append to the same
   * part. A lock whose process is gone (same host) or that is older than an hour is taken over.
   */
  async lock(digest: string): Promise<() => void> {
    this.ensureTmp();
    const path = join(this.tmp, `${digest}.lock`);
    for (;;) {
      try {
        const fd = openSync(path, "wx");
        writeSync(fd, `${process.pid}@${hostname()}\n`);
        closeSync(fd);
        return () => rmSync(path, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      if (lockIsStale(path)) rmSync(path, { force: true });
      else await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
}

const LOCK_POLL_MS = 200;
const LOCK_STALE_MS = 60 * 60 * 1000;

function lockIsStale(path: string): boolean {
  let text: string, mtimeMs: number;
  try {
    text = readFileSync(path, "utf8");
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return false; // released meanwhile: the next try takes it
  }
  if (Date.now() - mtimeMs > LOCK_STALE_MS) return true;
  const m = /^(\d+)@(.*)$/.exec(text.trim());
  if (!m || m[2] !== hostname()) return false;
  try {
    process.kill(Number(m[1]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
