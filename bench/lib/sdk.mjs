// Rows: run.log() cost in the training process, and ingest through the HTTP API from the SDK
// (acknowledged and durable), beside the naive one-row-per-point table fed the same points.
import { join } from "node:path";
import * as orrery from "orrery";
import { NaiveStore } from "./naive.mjs";
import { dirBytes, note, quick, ratio, rng, startServer, tempDir } from "./common.mjs";

const KEYS = ["train/loss", "train/acc", "lr", "grad/norm", "val/loss", "val/acc", "epoch", "tokens", "gpu/mem", "throughput"];

function rows(n, seed) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const row = {};
    for (let k = 0; k < KEYS.length; k++) row[KEYS[k]] = (k + 1) / (1 + 0.001 * i) + r() * 0.01;
    return row;
  });
}

export async function logCost() {
  const dir = tempDir("orrery-bench-log-");
  try {
    const run = await orrery.init({ project: "bench/logcost", mode: "offline", dir: dir.path, console: false, systemMetricsIntervalMs: 0 });
    const n = quick ? 100_000 : 300_000;
    const data = rows(n, 42); // distinct full-precision doubles, built before timing
    for (let i = 0; i < 20_000; i++) run.log(data[i]);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run.log(data[i]);
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    const quiet = process.stderr.write;
    process.stderr.write = () => true; // the offline notice
    await run.finish();
    process.stderr.write = quiet;
    note({ what: "run.log() cost, 10 metrics (TS SDK)", value: `${us.toFixed(2)} µs/call`, target: "<= 5 µs", extra: `${n.toLocaleString("en")} calls; each validates, appends one CRC-checked binary frame to the spool with one write(2), returns` });
  } finally {
    dir.cleanup();
  }
}

export async function ingest() {
  const dir = tempDir("orrery-bench-ingest-");
  const server = await startServer(join(dir.path, "data"));
  try {
    const steps = quick ? 50_000 : 300_000;
    const data = rows(steps, 7);
    const run = await orrery.init({ project: "bench/ingest", id: "ingest", url: server.url, dir: join(dir.path, "spool"), console: false, systemMetricsIntervalMs: 0, finishTimeoutMs: 600_000 });
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      run.log(data[i]);
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    const res = await run.finish();
    const secs = (performance.now() - t0) / 1000;
    const points = steps * KEYS.length;
    const ours = points / secs;

    const naive = new NaiveStore(join(dir.path, "naive.db"));
    const t1 = performance.now();
    for (let from = 0; from < steps; from += 1000) {
      const n = Math.min(1000, steps - from);
      naive.insertPoints(1, KEYS, from, n, (k, i) => data[i][k]);
    }
    const naiveRate = points / ((performance.now() - t1) / 1000);
    naive.close();
    note({
      what: "ingest through the HTTP API from the TS SDK, acknowledged and durable",
      value: `${Math.round(ours).toLocaleString("en")} points/s`, target: ">= 1,000,000 points/s",
      baseline: `${Math.round(naiveRate).toLocaleString("en")} points/s`, ratio: ratio(ours, naiveRate, true),
      extra: `${points.toLocaleString("en")} points (${steps.toLocaleString("en")} rows x 10 metrics) from log() to the last acknowledgement, ${secs.toFixed(2)} s; pending after finish: ${res.pending}. Naive: the same points inserted in-process, 1,000 rows per transaction, no HTTP`,
    });
    return { dataBytes: dirBytes(join(dir.path, "data")), points };
  } finally {
    await server.stop();
    dir.cleanup();
  }
}
