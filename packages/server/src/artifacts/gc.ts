// Owns garbage collection of blobs: expire pending drafts nobody touched for the grace period,
// remove partial uploads idle that long, then delete the blobs nothing references (no version, no
// pending draft, no run's git diff) and that are older than the grace period too (a blob stored a
// moment ago may belong to a write whose reference is not recorded yet). Optionally re-reads the
// kept blobs and quarantines the corrupt ones. Running it at all, and the lock that keeps it from
// racing draft creation, commits and uploads, are the service's (service.ts).
import type { GcReport, GcRequest } from "@orrery/protocol";
import type { Store } from "@orrery/store";

export const DEFAULT_GC_GRACE_SECONDS = 86_400;
/** Digests asked about in one referencedDigests call. */
const BATCH = 1_000;

export interface GcContext {
  store: Store;
  /** Digests a PUT is streaming right now: their drafts and partial uploads are kept whatever their age. */
  activeUploads(): ReadonlySet<string>;
  now: number;
}

export type SweepReport = Omit<GcReport, "corrupt">;

/** The deleting part of gc; the caller holds the lock exclusively. */
export async function sweepUnreferenced(ctx: GcContext, req: GcRequest): Promise<SweepReport> {
  const { store, now } = ctx;
  const dryRun = req.dryRun ?? false;
  const before = now - (req.graceSeconds ?? DEFAULT_GC_GRACE_SECONDS) * 1000;
  const active = ctx.activeUploads();

  let draftsExpired = 0;
  if (!dryRun) {
    // An upload streaming right now keeps its drafts alive even with a grace of 0.
    for (const digest of active) await store.artifacts.touchDrafts(digest, now);
    draftsExpired = await store.artifacts.expireDrafts(before);
  }

  let uploadsRemoved = 0;
  for await (const u of store.blobs.listUploads()) {
    if (active.has(u.digest) || u.mtimeMs >= before) continue;
    if (!dryRun) await store.blobs.deleteUpload(u.digest);
    uploadsRemoved++;
  }

  const report: SweepReport = { dryRun, blobsScanned: 0, blobsDeleted: 0, bytesFreed: 0, blobsKept: 0, draftsExpired, uploadsRemoved };
  let batch: { digest: string; size: number; mtimeMs: number }[] = [];
  const flush = async (): Promise<void> => {
    const referenced = await store.artifacts.referencedDigests(batch.map((b) => b.digest));
    for (const b of batch) {
      if (referenced.has(b.digest) || active.has(b.digest) || b.mtimeMs >= before) {
        report.blobsKept++;
        continue;
      }
      if (!dryRun) await store.blobs.delete(b.digest);
      report.blobsDeleted++;
      report.bytesFreed += b.size;
    }
    batch = [];
  };
  for await (const info of store.blobs.list()) {
    report.blobsScanned++;
    batch.push(info);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return report;
}

/**
 * Re-reads every stored blob (those the sweep kept, and any stored since) and returns the corrupt
 * ones, quarantining them unless dryRun. Runs without the lock: it deletes nothing a draft or a
 * version could be counting on, only bytes that are already wrong.
 */
export async function verifyBlobs(store: Store, dryRun: boolean, quarantine: (digest: string) => Promise<void>): Promise<string[]> {
  const corrupt: string[] = [];
  for await (const info of store.blobs.list()) {
    if ((await store.blobs.verify(info.digest)) !== "corrupt") continue;
    corrupt.push(info.digest);
    if (!dryRun) await quarantine(info.digest);
  }
  return corrupt.sort();
}
