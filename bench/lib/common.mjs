// Shared bench plumbing: result rows, timing, temp dirs, a server child process, RSS sampling.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(ROOT, "packages/cli/dist/main.js");
export const quick = process.argv.includes("--quick");

export const rows = [];
/** Records one result row: ours, the target, the naive baseline and ours/baseline. */
export function note(r) {
  rows.push(r);
  const base = r.baseline ? `  | naive: ${r.baseline}${r.ratio ? ` (${r.ratio})` : ""}` : "";
  console.log(`${r.what}: ${r.value}${r.target ? `  (target ${r.target})` : ""}${base}${r.extra ? `  ${r.extra}` : ""}`);
}

export function tempDir(prefix) {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** Median of `n` timed runs of `fn` (after one warm-up), in ms. */
export async function median(n, fn) {
  await fn();
  const t = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

export const ms = (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
export const ratio = (ours, naive, higherIsBetter = false) => {
  const r = higherIsBetter ? ours / naive : naive / ours;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x ${r >= 1 ? "better" : "worse"}`;
};

/** Deterministic random numbers (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A noisy training curve, as float64 (no rounding: the hard case for compression). */
export function curve(seed) {
  const r = rng(seed);
  return (i) => 2.3 / (1 + 0.0005 * i) + (r() - 0.5) * 0.05;
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

/** `orrery server` on `dataDir` in its own process, as in production. */
export async function startServer(dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, "server", "--port", String(port), "--data", dataDir, "--quiet"], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(url + "/api/v1/health")).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.on("exit", r));
    },
  };
}

/** Samples a process's resident memory until stop() returns the peak, in bytes. */
export function rssSampler(pid) {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch { /* process gone */ }
  };
  read();
  const timer = setInterval(read, 50);
  return { stop() { clearInterval(timer); read(); return peak; } };
}

export async function getJson(url) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
