// Orrery benchmarks: `npm run bench` (add `-- --quick` for a short run). Data is generated here,
// deterministically; the server runs in its own process as in production; results go to
// bench/RESULTS.md with the machine, date and command. Figures, never assertions.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem, tmpdir, platform, release } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import * as orrery from "orrery";

const quick = process.argv.includes("--quick");
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "packages/cli/dist/main.js");
const rows = [];
const note = (what, value, target, extra = "") => {
  rows.push({ what, value, target, extra });
  console.log(`${what}: ${value}${target ? `  (target ${target})` : ""}${extra ? `  ${extra}` : ""}`);
};

const freePort = () => new Promise((res) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => res(port)); });
});

async function startServer(dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "server", "--port", String(port), "--data", dataDir, "--quiet"], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url + "/api/v1/health")).ok) return { url, child }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not start");
}

const metrics = (i) => ({
  "train/loss": 1 / (i + 1) + Math.sin(i) * 0.01, "train/acc": 1 - 1 / (i + 2), "lr": 1e-3, "grad/norm": Math.abs(Math.cos(i)),
  "val/loss": 0.5 + Math.sin(i / 10) * 0.1, "val/acc": 0.8 + (i % 7) * 0.01, "epoch": Math.floor(i / 100), "tokens": i * 512,
  "gpu/mem": 1000 + (i % 13), "throughput": 900 + (i % 17),
});

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function benchLogCost(spoolDir) {
  const run = await orrery.init({ project: "bench/logcost", mode: "offline", dir: spoolDir, console: false, systemMetricsIntervalMs: 0 });
  const n = quick ? 100_000 : 300_000;
  // Distinct full-precision doubles on every call, as a real training loop produces; rows are
  // built before timing so only log() is measured.
  const r = (seed) => { let a = seed >>> 0; return () => ((a = (a + 0x6d2b79f5) >>> 0), ((Math.imul(a ^ (a >>> 15), a | 1) >>> 0) / 4294967296)); };
  const rand = r(42);
  const fresh = Array.from({ length: n }, (_, i) => {
    const m = metrics(i);
    for (const k in m) m[k] = m[k] + rand();
    return m;
  });
  for (let i = 0; i < 20_000; i++) run.log(fresh[i]); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run.log(fresh[i]);
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  await run.finish();
  note("run.log() cost, 10 metrics, TS SDK", `${us.toFixed(2)} µs/call`, "<= 5 µs",
    `${n.toLocaleString()} calls with distinct random doubles; each appends a CRC-checked binary frame to the spool with one write(2)`);
}

async function benchIngest(dataDir, spoolDir) {
  const server = await startServer(dataDir);
  try {
    const steps = quick ? 50_000 : 300_000;
    const run = await orrery.init({ project: "bench/ingest", id: "ingest", url: server.url, dir: spoolDir, console: false, systemMetricsIntervalMs: 0, finishTimeoutMs: 600_000 });
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      run.log(metrics(i));
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    const logged = performance.now();
    const res = await run.finish();
    const t = (performance.now() - t0) / 1000;
    const points = steps * 10;
    note("ingest through the HTTP API from the TS SDK, acknowledged and durable", `${Math.round(points / t).toLocaleString()} points/s`, ">= 1,000,000 points/s",
      `${points.toLocaleString()} points in ${t.toFixed(2)} s (logging took ${((logged - t0) / 1000).toFixed(2)} s); pending after finish: ${res.pending}`);

    // A chart query on the series just written: one metric, full range, 1,000 buckets.
    const path = `/api/v1/projects/bench/ingest/runs/ingest/history?keys=train/loss&maxPoints=1000`;
    await fetch(server.url + path);
    const times = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      const body = await (await fetch(server.url + path)).json();
      times.push(performance.now() - s);
      if (body.series?.[0]?.x.length > 1000) throw new Error("bucketing returned too many points");
    }
    times.sort((a, b) => a - b);
    note(`chart query: one series of ${steps.toLocaleString()} points, full range, 1,000 buckets`, `${times[2].toFixed(1)} ms (median of 5, incl. HTTP)`,
      "<= 20 ms for 10,000,000 points (issue 3)");
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.on("exit", r));
    const bytes = dirBytes(dataDir);
    note("storage per metric point", `${(bytes / points).toFixed(1)} bytes`, "<= 8 bytes (issue 3)", `${(bytes / 1e6).toFixed(1)} MB for ${points.toLocaleString()} points (whole data dir)`);
  } finally {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  }
}

const work = mkdtempSync(join(tmpdir(), "orrery-bench-"));
try {
  await benchLogCost(join(work, "spool-logcost"));
  await benchIngest(join(work, "data"), join(work, "spool-ingest"));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
const md = `# Benchmark results

- Date: ${new Date().toISOString()}
- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${platform()} ${release()}
- Node.js ${process.version}
- Command: \`npm run bench${quick ? " -- --quick" : ""}\` (bench/run.mjs)

| what | measured | target (DESIGN section 3) | notes |
| --- | --- | --- | --- |
${rows.map((r) => `| ${r.what} | ${r.value} | ${r.target} | ${r.extra} |`).join("\n")}
`;
writeFileSync(join(ROOT, "bench/RESULTS.md"), md);
console.log("\nwrote bench/RESULTS.md");
