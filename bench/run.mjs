// Orrery benchmarks: `npm run bench` (add `-- --quick` for a short run, e.g. in CI). Data is
// generated here, deterministically; every row that has one is measured beside its naive baseline
// in the same run; results go to bench/RESULTS.md with the machine, date and command. Figures,
// never assertions.
import { writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { ROOT, quick, rows } from "./lib/common.mjs";
import { ingest, logCost } from "./lib/sdk.mjs";
import { seriesQueries } from "./lib/series.mjs";
import { hugeConfig, runsTable } from "./lib/runs.mjs";
import { browserRender } from "./lib/browser.mjs";
import { pythonLog } from "./lib/python.mjs";

const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const sections = { log: logCost, ingest, series: seriesQueries, runs: runsTable, config: hugeConfig, browser: browserRender, python: pythonLog };
const started = performance.now();
for (const [name, fn] of Object.entries(sections)) {
  if (only && !only.includes(name)) continue;
  const t = performance.now();
  try {
    await fn();
  } catch (err) {
    rows.push({ what: `${name} (failed)`, value: "error", target: "", extra: String(err instanceof Error ? err.message : err).slice(0, 300) });
    console.error(`${name} failed:`, err);
  }
  console.log(`  (${name}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
}

const cell = (v) => String(v ?? "").replace(/\|/g, "\\|");
const md = `# Benchmark results

- Date: ${new Date().toISOString()}
- Machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}
- Node.js ${process.version}
- Command: \`npm run bench${quick ? " -- --quick" : ""}\` (bench/run.mjs), ${((performance.now() - started) / 60000).toFixed(1)} minutes
- Naive baseline: one SQLite row per metric point with an index on (run, key, step); run config and summary as JSON columns queried with json_extract; same durability settings (WAL, synchronous=FULL). Ratio = how many times better Orrery is.

| what | Orrery | target (DESIGN section 3) | naive baseline | ratio | notes |
| --- | --- | --- | --- | --- | --- |
${rows.map((r) => `| ${cell(r.what)} | ${cell(r.value)} | ${cell(r.target)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.extra)} |`).join("\n")}
`;
writeFileSync(join(ROOT, "bench/RESULTS.md"), md);
console.log("\nwrote bench/RESULTS.md");
