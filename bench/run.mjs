// Orrery benchmarks: `npm run bench` (add `-- --quick` for a short run, e.g. in CI). Data is
// generated here, deterministically; every row that has one is measured beside its naive baseline
// in the same run; results go to bench/RESULTS.md with the machine, date and command. Figures,
// never assertions.
import { quick, rows } from "./lib/common.mjs";
import { mainSectionBody, writeSection } from "./lib/results.mjs";
import { ingest, logCost } from "./lib/sdk.mjs";
import { seriesQueries } from "./lib/series.mjs";
import { hugeConfig, runsTable } from "./lib/runs.mjs";
import { browserRender } from "./lib/browser.mjs";
import { pythonLog } from "./lib/python.mjs";
import { artifactThroughput } from "./lib/artifacts.mjs";
import { insightsBench } from "./lib/insights.mjs";

const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const sections = { log: logCost, ingest, series: seriesQueries, runs: runsTable, config: hugeConfig, browser: browserRender, python: pythonLog, artifacts: artifactThroughput, insights: insightsBench };
const started = performance.now();
for (const [name, fn] of Object.entries(sections)) {
  if (only && !only.includes(name)) continue;
  const t = performance.now();
  const firstRow = rows.length;
  try {
    await fn();
  } catch (err) {
    rows.push({ what: `${name} (failed)`, value: "error", target: "", extra: String(err instanceof Error ? err.message : err).slice(0, 300) });
    console.error(`${name} failed:`, err);
  }
  const seconds = (performance.now() - t) / 1000;
  console.log(`  (${name}: ${seconds.toFixed(0)} s)`);
  // Each section keeps its own block in RESULTS.md; sections not run this time stay as they were.
  writeSection(name, mainSectionBody(name, rows.slice(firstRow), `npm run bench${quick ? " -- --quick" : ""} (bench/run.mjs)`, seconds / 60));
}

console.log(`\nwrote bench/RESULTS.md (${((performance.now() - started) / 60000).toFixed(1)} minutes)`);
