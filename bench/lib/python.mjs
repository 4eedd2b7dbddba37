// Rows: orrery.log() cost in a Python training process (the Python client in clients/python),
// offline (spool only, like the TS SDK's row) and online while its sender thread ships the same
// rows to a real server. Runs /usr/bin/python3 with a timing script; figures, never assertions.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, note, quick, startServer, tempDir } from "./common.mjs";

const PYTHON = "/usr/bin/python3";

// Same 10 keys and value shape as bench/lib/sdk.mjs; rows are built before timing, and the
// collector is frozen so the prebuilt rows are not rescanned during the timed loop.
const SCRIPT = `
import gc, json, os, random, sys, time
import orrery
n, mode, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
KEYS = ["train/loss", "train/acc", "lr", "grad/norm", "val/loss", "val/acc", "epoch", "tokens", "gpu/mem", "throughput"]
r = random.Random(42)
rows = [{k: (j + 1) / (1 + 0.001 * i) + r.random() * 0.01 for j, k in enumerate(KEYS)} for i in range(n)]
run = orrery.init(project="bench/pylog", mode=mode, url=url, dir=os.environ["BENCH_DIR"], console=False,
                  system_metrics_interval=0, finish_timeout=600)
log = run.log
for row in rows[:20000]:
    log(row)
gc.collect()
gc.freeze()
t0 = time.perf_counter()
for row in rows:
    log(row)
us = (time.perf_counter() - t0) / n * 1e6
t1 = time.perf_counter()
res = run.finish(quiet=True)
print(json.dumps({"us": us, "finish_s": time.perf_counter() - t1, "pending": res.pending, "sent": res.sent,
                  "python": sys.version.split()[0]}))
`;

function runPython(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", SCRIPT, ...args], {
      env: { ...process.env, PYTHONPATH: join(ROOT, "clients/python"), ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`python exited ${code}: ${err.slice(-500)}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

export async function pythonLog() {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3 to benchmark the Python client`);
  const n = quick ? 100_000 : 300_000;
  const dir = tempDir("orrery-bench-pylog-");
  try {
    const off = await runPython([String(n), "offline", "http://127.0.0.1:1"], { BENCH_DIR: join(dir.path, "off") });
    note({
      what: "orrery.log() cost, 10 metrics (Python client, offline)", value: `${off.us.toFixed(2)} µs/call`, target: "<= 5 µs",
      extra: `Python ${off.python}, ${n.toLocaleString("en")} calls; each validates, packs one binary history row with a cached struct, appends one CRC-checked frame with one os.write, returns`,
    });
    const server = await startServer(join(dir.path, "data"));
    try {
      const on = await runPython([String(n), "online", server.url], { BENCH_DIR: join(dir.path, "on") });
      note({
        what: "orrery.log() cost, 10 metrics (Python client, online)", value: `${on.us.toFixed(2)} µs/call`, target: "<= 5 µs",
        extra: `same loop while the sender thread ships to a real server; finish() then waited ${on.finish_s.toFixed(2)} s for the rest, ${on.sent.toLocaleString("en")} records acknowledged, ${on.pending} pending`,
      });
    } finally {
      await server.stop();
    }
  } finally {
    dir.cleanup();
  }
}
