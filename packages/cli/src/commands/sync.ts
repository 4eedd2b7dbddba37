// Owns `orrery sync`: upload spools recorded offline or left unsent by a crash. Safe to repeat:
// the server drops sequence numbers it already holds.
import { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { syncDir } from "orrery";
import { parseUrl } from "../args.js";
import { remoteFromEnv } from "../http.js";
import { progressBar } from "../progress.js";

export function syncCommand(): Command {
  return new Command("sync")
    .description("upload runs recorded offline or left unsent by a crash (safe to repeat)")
    .argument("[dir]", "a spool directory, or a directory of them (default: $ORRERY_DIR or ./orrery)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .action(async (dirArg: string | undefined, opts: { url?: string }) => {
      const dir = resolve(dirArg ?? process.env.ORRERY_DIR ?? "./orrery");
      if (!existsSync(dir)) throw new Error(`${dir} does not exist: pass the directory that holds the run spools (ORRERY_DIR)`);
      const remote = remoteFromEnv(opts.url);
      const bar = progressBar("sync");
      let report;
      try {
        report = await syncDir(dir, { url: remote.url, apiKey: remote.apiKey, onProgress: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
      }
      if (report.length === 0) { process.stdout.write(`no run spools found under ${dir}\n`); return; }
      for (const r of report) {
        const torn = r.tornTailBytes > 0 ? `, ${r.tornTailBytes} bytes of an unfinished last record ignored` : "";
        process.stdout.write(`${r.entity}/${r.project}/${r.runId}: ${r.sent} records sent, ${r.duplicates} already on the server, ${r.rejected} rejected${torn}\n`);
        if (r.error) process.stderr.write(`orrery: ${r.entity}/${r.project}/${r.runId} is not fully uploaded: ${r.error}\n`);
      }
      if (report.some((r) => r.error)) process.exitCode = 1;
    });
}
