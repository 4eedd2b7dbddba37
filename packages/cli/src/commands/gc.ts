// Owns `orrery gc`: ask the server to delete blobs no artifact version, pending upload or run
// still needs, and to expire abandoned drafts and partial uploads; then say what happened in
// words. The server does the work (safely against uploads in flight); see POST /api/v1/gc.
import { Command } from "commander";
import type { GcReport } from "@orrery/protocol";
import { collectGarbage } from "orrery";
import { parseUrl, positiveInt } from "../args.js";
import { remoteFromEnv } from "../http.js";
import { formatBytes } from "./artifact.js";

const MAX_GRACE_SECONDS = 10 * 365 * 86_400;

const plural = (n: number, word: string): string => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

/** The report as sentences, one fact per line. */
export function describeGcReport(r: GcReport): string {
  const lines = [
    r.dryRun ? "dry run: nothing was deleted; a real run would:" : "garbage collection done:",
    `  blobs: ${r.blobsScanned.toLocaleString("en")} scanned, ${r.blobsDeleted.toLocaleString("en")} ${r.dryRun ? "to delete" : "deleted"} (${formatBytes(r.bytesFreed)} ${r.dryRun ? "to free" : "freed"}), ${r.blobsKept.toLocaleString("en")} kept`,
    `  ${plural(r.draftsExpired, "abandoned draft")} ${r.dryRun ? "to expire" : "expired"}, ${plural(r.uploadsRemoved, "stale partial upload")} ${r.dryRun ? "to remove" : "removed"}`,
  ];
  if (r.corrupt.length > 0) {
    lines.push(`  ${plural(r.corrupt.length, "corrupt blob")} found (moved aside, never served): log the artifacts holding them again to re-upload`);
    for (const d of r.corrupt) lines.push(`    ${d}`);
  }
  return lines.join("\n") + "\n";
}

export function gcCommand(): Command {
  return new Command("gc")
    .description("delete blobs nothing references and expire abandoned uploads (exit 1 when --verify finds corrupt blobs)")
    .option("--dry-run", "report what would be deleted, delete nothing")
    .option("--grace <seconds>", "keep drafts and partial uploads idle less than this (default 86400)", positiveInt("--grace", MAX_GRACE_SECONDS, 0))
    .option("--verify", "also re-read every kept blob and report (and move aside) those whose bytes no longer match")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--json", "print the report as JSON")
    .action(async (opts: { dryRun?: boolean; grace?: number; verify?: boolean; url?: string; json?: boolean }) => {
      const remote = remoteFromEnv(opts.url);
      let report: GcReport;
      try {
        report = await collectGarbage(remote, {
          ...(opts.dryRun ? { dryRun: true } : {}),
          ...(opts.grace !== undefined ? { graceSeconds: opts.grace } : {}),
          ...(opts.verify ? { verify: true } : {}),
        });
      } catch (err) {
        throw new Error(err instanceof Error ? err.message.replace(/^orrery: /, "") : String(err));
      }
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : describeGcReport(report));
      if (report.corrupt.length > 0) process.exitCode = 1;
    });
}
