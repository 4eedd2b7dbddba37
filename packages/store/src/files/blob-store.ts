// Owns the local content-addressed blob store: bytes live at DIR/ab/cdef... named by their SHA-256.
// A blob appears under its final name only once complete and synced (temp file, fsync, rename,
// fsync of the directory), so a crash never leaves a truncated blob behind a valid name.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { BlobStore } from "../interfaces.js";

const DIGEST = /^[0-9a-f]{64}$/;

export class LocalBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(private readonly dir: string) {
    this.tmpDir = join(dir, "tmp");
  }

  async put(data: Buffer): Promise<string> {
    const digest = createHash("sha256").update(data).digest("hex");
    const final = this.pathOf(digest);
    if (await exists(final)) return digest;
    const fanout = join(this.dir, digest.slice(0, 2));
    await mkdir(fanout, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${digest}.${randomBytes(6).toString("hex")}`);
    try {
      const fh = await open(tmp, "wx");
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDir(fanout);
    return digest;
  }

  async get(digest: string): Promise<Readable | undefined> {
    if (!DIGEST.test(digest)) return undefined;
    try {
      const fh = await open(this.pathOf(digest), "r");
      return fh.createReadStream();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async has(digest: string): Promise<boolean> {
    return DIGEST.test(digest) && exists(this.pathOf(digest));
  }

  private pathOf(digest: string): string {
    return join(this.dir, digest.slice(0, 2), digest.slice(2));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Makes a rename durable; some platforms cannot open directories, and there it is skipped. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is as durable as the platform allows.
  } finally {
    await fh?.close();
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "ENOENT";
}
