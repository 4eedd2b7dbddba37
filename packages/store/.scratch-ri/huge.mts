import * as orrery from "orrery";
import { startServer } from "@orrery/server";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const data = mkdtempSync("/tmp/orr-huge-"), spool = mkdtempSync("/tmp/orr-spool-");
const server = await startServer({ dataDir: data, port: 0 });
const shape = process.argv[2] ?? "nested";
const config: Record<string, unknown> = {};
if (shape === "flat") for (let i = 0; i < 1_000_000; i++) config[`param_${i}`] = i * 0.5;
else {
  // one enormous top-level key: model.layer_i.w_j — needs deep splitting
  const model: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) { const l: Record<string, number> = {}; for (let j = 0; j < 1000; j++) l[`w${j}`] = i + j / 1000; model[`layer_${i}`] = l; }
  config.model = model; config.lr = 0.1;
}
let t = performance.now();
const run = await orrery.init({ project: "ada/huge", id: "big1", url: server.url, dir: spool, console: false, systemMetricsIntervalMs: 0, config });
const tInit = performance.now() - t;
run.log({ loss: 1 });
const res = await run.finish();
const total = performance.now() - t;
console.log(`init ${tInit.toFixed(0)} ms, init+finish (acknowledged) ${total.toFixed(0)} ms`, res);
const size = (d: string) => readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
console.log("data dir", (size(data) / 2 ** 20).toFixed(0), "MiB; spool", (size(spool) / 2 ** 20).toFixed(0), "MiB");
const base = `${server.url}/api/v1/projects/ada/huge/runs/big1`;
for (const p of ["", "/config", "/config?prefix=model", "/config?prefix=model.layer_500", "/config?search=w999&limit=20", "/config?prefix=model&search=layer_999.w99", "", "/config?prefix=model"]) {
  const t0 = performance.now(); const r = await fetch(base + p); const body = await r.text();
  console.log(r.status, p || "(run)", (performance.now() - t0).toFixed(0), "ms", body.length, "bytes", body.slice(0, 160).replace(/\n/g, " "));
}
await server.close();
