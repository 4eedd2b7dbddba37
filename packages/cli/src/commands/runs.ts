// Owns `orrery runs`: list a project's runs as a table or JSON, from the server's API.
import { Command } from "commander";
import type { Run, RunPage } from "@orrery/protocol";
import { UsageError, defaultEntity, parseProject, parseUrl, positiveInt } from "../args.js";
import { getJson, remoteFromEnv } from "../http.js";

function cell(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (v === null || v === undefined) return "";
  return String(v);
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd()).join("\n") + "\n";
}

export function runsCommand(): Command {
  return new Command("runs")
    .description("list the runs of a project, newest first")
    .option("--project <project>", "NAME or ENTITY/NAME (default: $ORRERY_PROJECT)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--limit <n>", "at most this many runs", positiveInt("--limit", 1000), 100)
    .option("--json", "print the runs as JSON")
    .action(async (opts: { project?: string; url?: string; limit: number; json?: boolean }) => {
      const projectArg = opts.project ?? process.env.ORRERY_PROJECT;
      if (!projectArg) throw new UsageError("name the project with --project NAME or set ORRERY_PROJECT");
      const { entity, project } = parseProject(projectArg, defaultEntity());
      const remote = remoteFromEnv(opts.url);
      const page = await getJson<RunPage>(remote, `/api/v1/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/runs?limit=${opts.limit}`);
      if (opts.json) { process.stdout.write(JSON.stringify(page.runs, null, 2) + "\n"); return; }
      if (page.runs.length === 0) { process.stdout.write(`no runs in ${entity}/${project}\n`); return; }
      const metrics = [...new Set(page.runs.flatMap((r: Run) => Object.keys(r.summary).filter((k) => typeof r.summary[k] === "number")))].sort().slice(0, 4);
      const rows = [["ID", "NAME", "STATE", "CREATED", "RUNTIME", ...metrics.map((m) => m.toUpperCase())]];
      for (const r of page.runs) {
        rows.push([r.id, r.name, r.state, r.createdAt.replace("T", " ").slice(0, 19), `${r.runtime.toFixed(1)}s`, ...metrics.map((m) => cell(r.summary[m]))]);
      }
      process.stdout.write(formatTable(rows));
      if (page.total > page.runs.length) process.stdout.write(`(${page.runs.length} of ${page.total} runs; raise --limit to see more)\n`);
    });
}
