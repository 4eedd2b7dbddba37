// The sweeps benchmark proper. Regret runs are split over worker threads (one per core); Optuna
// runs as /usr/bin/python3 child processes on the same tasks (same functions, budgets, seeds and
// batching). Latency is measured in this thread, after the regret runs, on a quiet machine.
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { ROOT, quick } from "./common.mjs";
import { provenance, cell } from "./results.mjs";

const sweepsDist = join(ROOT, "packages/sweeps/dist");
const { mulberry32, parseSweepConfig, suggest } = await import(join(sweepsDist, "index.js"));
const { FUNCTIONS } = await import(join(sweepsDist, "bench/functions.js"));

const SEEDS = quick ? 5 : 20;
const BUDGET = 100;
const CHECKPOINTS = [25, 50, 100];
const METHODS = ["random", "bayes", "tpe"];
const BATCHES = [1, 8];

function configFor(fn, method) {
  return parseSweepConfig({ method, metric: { name: "y", goal: "minimize" }, parameters: fn.parameters });
}

/** One optimization run: best-so-far regret at the checkpoints. Batches of `batch` asks, then tells. */
function runOne(fnName, method, seed, batch) {
  const fn = FUNCTIONS.find((f) => f.name === fnName);
  const config = configFor(fn, method);
  const rng = mulberry32(1000 + seed);
  const trials = [];
  const curve = [];
  let best = Infinity;
  while (trials.length < BUDGET) {
    const ps = suggest(config, trials, Math.min(batch, BUDGET - trials.length), rng);
    for (const params of ps) {
      const value = fn.f(params);
      trials.push({ params, value, state: "finished" });
      best = Math.min(best, value);
      curve.push(best - fn.optimum);
    }
  }
  return { fn: fnName, method, seed, batch, regrets: Object.fromEntries(CHECKPOINTS.map((c) => [c, curve[c - 1]])) };
}

if (!isMainThread && workerData?.sweepsTasks) {
  const out = workerData.sweepsTasks.map((t) => runOne(t.fn, t.method, t.seed, t.batch));
  parentPort.postMessage(out);
}

function quartiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => {
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
  };
  return { q1: q(0.25), med: q(0.5), q3: q(0.75) };
}

const fmt = (v) => (v === 0 ? "0" : v < 1e-3 ? v.toExponential(1) : v < 10 ? v.toPrecision(2) : v.toFixed(0));

async function runWorkers(tasks) {
  const n = Math.max(1, cpus().length);
  // Interleave so each worker gets a mix of slow (bayes) and fast tasks.
  const parts = Array.from({ length: n }, (_, i) => tasks.filter((_, j) => j % n === i));
  const self = fileURLToPath(import.meta.url);
  const results = await Promise.all(
    parts.map((part) => new Promise((resolve, reject) => {
      const w = new Worker(self, { workerData: { sweepsTasks: part } });
      w.once("message", resolve);
      w.once("error", reject);
    })),
  );
  return results.flat();
}

async function runOptuna(tasks) {
  const run = promisify(execFile);
  try {
    await run("/usr/bin/python3", ["-c", "import optuna"]);
  } catch {
    return { results: [], error: "optuna is not importable by /usr/bin/python3 (apt-get install python3-optuna)" };
  }
  const n = Math.max(1, cpus().length);
  const script = join(ROOT, "bench/lib/optuna_runner.py");
  const parts = Array.from({ length: n }, (_, i) => tasks.filter((_, j) => j % n === i));
  const outs = await Promise.all(
    parts.map((part) => run("/usr/bin/python3", [script, JSON.stringify({ tasks: part.map((t) => ({ ...t, budget: BUDGET, checkpoints: CHECKPOINTS })) })], { maxBuffer: 64 << 20 })),
  );
  const version = (await run("/usr/bin/python3", ["-c", "import optuna; print(optuna.__version__)"])).stdout.trim();
  return { results: outs.flatMap((o) => JSON.parse(o.stdout).results.map((r) => ({ ...r, method: "optuna-tpe" }))), version };
}

/** Median time (ms) of suggest(n=1) with `count` finished random trials, over `reps` calls after a warm-up. */
function latency(fn, method, count, reps) {
  const rng = mulberry32(7);
  const rand = configFor(fn, "random");
  const trials = suggest(rand, [], count, rng).map((params) => ({ params, value: fn.f(params), state: "finished" }));
  const config = configFor(fn, method);
  suggest(config, trials, 1, rng);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    suggest(config, trials, 1, mulberry32(100 + i));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function sweepsBench() {
  const tasks = [];
  for (const fn of FUNCTIONS) for (const batch of BATCHES) for (let seed = 0; seed < SEEDS; seed++) for (const method of METHODS) tasks.push({ fn: fn.name, method, seed, batch });
  let t = performance.now();
  const ours = await runWorkers(tasks);
  const oursSeconds = (performance.now() - t) / 1000;
  console.log(`  sweeps: ${ours.length} runs of ours in ${oursSeconds.toFixed(0)} s`);
  t = performance.now();
  const optunaTasks = [];
  for (const fn of FUNCTIONS) for (const batch of BATCHES) for (let seed = 0; seed < SEEDS; seed++) optunaTasks.push({ fn: fn.name, seed, batch });
  const optuna = await runOptuna(optunaTasks);
  console.log(`  sweeps: ${optuna.results.length} Optuna runs in ${((performance.now() - t) / 1000).toFixed(0)} s${optuna.error ? ` (${optuna.error})` : ""}`);
  const all = [...ours, ...optuna.results];

  const methods = [...METHODS, "optuna-tpe"];
  const lines = [];
  const wins = [];
  for (const fn of FUNCTIONS) {
    for (const batch of BATCHES) {
      const stats = {};
      for (const m of methods) {
        const rs = all.filter((r) => r.fn === fn.name && r.batch === batch && r.method === m);
        if (!rs.length) continue;
        stats[m] = Object.fromEntries(CHECKPOINTS.map((c) => [c, quartiles(rs.map((r) => r.regrets[c]))]));
        const cells = CHECKPOINTS.map((c) => `${fmt(stats[m][c].med)} (${fmt(stats[m][c].q1)}–${fmt(stats[m][c].q3)})`);
        lines.push(`| ${cell(fn.name)} | ${batch === 1 ? "1 (sequential)" : `${batch} parallel`} | ${m} | ${cells.join(" | ")} |`);
      }
      if (stats.bayes && stats["optuna-tpe"]) {
        for (const c of [50, 100]) wins.push({ fn: fn.name, batch, c, bayes: stats.bayes[c].med, tpe: stats.tpe[c].med, optuna: stats["optuna-tpe"][c].med, random: stats.random[c].med });
      }
    }
  }
  console.log(lines.join("\n"));

  const lat = [];
  for (const fn of [FUNCTIONS[1], FUNCTIONS[3]]) {
    for (const method of ["bayes", "tpe"]) {
      for (const count of [100, 1000, 10000]) {
        const ms = latency(fn, method, count, quick ? 3 : 7);
        lat.push(`| ${method} | ${cell(fn.name)} | ${count.toLocaleString("en-US")} | ${ms.toFixed(1)} ms |`);
        console.log(`  latency ${method} ${fn.name} ${count}: ${ms.toFixed(1)} ms`);
      }
    }
  }

  const beat = (key) => wins.filter((w) => w[key] < w.optuna).length;
  const summary = wins.length
    ? `Median regret lower than Optuna's TPE at 50 and 100 trials: bayes in ${beat("bayes")} of ${wins.length} (function, workers, budget) cases, our tpe in ${beat("tpe")} of ${wins.length}; bayes below random in ${wins.filter((w) => w.bayes < w.random).length} of ${wins.length}.`
    : "Optuna was not available, so there is no comparison with it.";
  return (command, minutes) => `## sweeps

${provenance(command, minutes)}
- ${SEEDS} seeds per cell; budget ${BUDGET} trials; simple regret = best value found - known optimum (lower is better), shown as median (first quartile–third quartile). "8 parallel": suggestions come in batches of 8 before any of their results are told, as when 8 agents ask at once (Optuna: 8 \`ask\` then 8 \`tell\`, its default TPESampler${optuna.version ? `, Optuna ${optuna.version}` : ""}).
- Functions: Branin (2 continuous), Hartmann-6 (6 continuous), Rosenbrock-4 (4 continuous, [-5,10]^4), Mixed (categorical optimizer and batch size, log-scaled lr, integer layers, uniform dropout; packages/sweeps/src/bench/functions.ts).
- ${summary}

| function | workers | method | regret @25 | regret @50 | regret @100 |
| --- | --- | --- | --- | --- | --- |
${lines.join("\n")}

Suggestion latency (one suggestion, median of ${quick ? 3 : 7} calls, with N finished trials; bayes fits its GP on a subsample of at most 200 of them (128 above 1,000): the best quarter plus a random rest, hyperparameters on at most 64; tpe's "bad" density uses at most 300):

| method | function | finished trials | latency |
| --- | --- | --- | --- |
${lat.join("\n")}
`;
}
