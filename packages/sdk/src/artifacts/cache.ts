// Owns the local artifact cache: downloaded blobs kept by SHA-256 at
// <cache>/artifacts/sha256/<aa>/<rest>, partial downloads at <cache>/artifacts/tmp/<digest>.part.
// The Python client uses the same layout, so both share one cache. A file appears under its
// digest only after its bytes were checked (download.ts renames it in), so a hit needs no request
// and no re-hash; a size that disagrees counts as a miss.
import { mkdirSync, renameSync, rmSync, statSync } from "node:fs";
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
}
