// Owns `orrery demo`: fill a project with realistic runs through the public SDK, exactly as a
// user's training script would: a learning-rate x batch-size grid of the demo MLP, plus one run
// whose process is killed mid-training so the dashboard shows a crashed run, and a bayes sweep over
// the same model run by an in-process agent, so the sweep pages have something to show. The grid
// runs use the `shapes` data set artifact and log their weights as `shapes-mlp` versions, so the
// artifact, lineage and registry pages have something to show too (./artifacts.ts).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as orrery from "orrery";
import { trainAndLog } from "./loop.js";
import { progressBar } from "../progress.js";
import { logDatasets, logModel, promoteAndEvaluate, type LoggedModel } from "./artifacts.js";
import { saveDemoView } from "./views.js";

export interface DemoOptions {
  url: string;
  runs: number;
  /** Trials of the demo sweep (0: none). */
  sweepRuns?: number;
  spoolDir: string;
  project?: string;
  quiet?: boolean;
  apiKey?: string;
  epochs?: number;
  delayMs?: number;
}

const LRS = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0];
const BATCHES = [16, 32, 64, 128];

export async function runDemo(o: DemoOptions): Promise<void> {
  const project = o.project ?? "demo/shapes-mlp";
  const epochs = o.epochs ?? 25;
  const delayMs = o.delayMs ?? 30;
  const bar = o.quiet ? undefined : progressBar("demo runs");
  const trained = Math.max(0, o.runs - 1);
  const target = { url: o.url, apiKey: o.apiKey, spoolDir: o.spoolDir, project };
  const models: LoggedModel[] = [];
  if (trained > 0) await logDatasets(target);
  for (let i = 0; i < trained; i++) {
    const lr = LRS[i % LRS.length];
    const batchSize = BATCHES[Math.floor(i / LRS.length) % BATCHES.length];
    const hidden = 16 + 8 * (i % 3);
    const run = await orrery.init({
      project, url: o.url, apiKey: o.apiKey, dir: o.spoolDir, mode: "online", console: false,
      name: `mlp-lr${lr}-bs${batchSize}`,
      group: "lr-batch-grid", jobType: "train",
      tags: ["demo", lr >= 0.3 ? "high-lr" : "baseline"],
      notes: "One-hidden-layer MLP on the generated shapes data set (4 classes, 'star' is rare).",
      config: {
        lr, batch_size: batchSize, epochs, hidden,
        optimizer: { name: "sgd", momentum: 0.9 },
        dataset: { name: "shapes", train: 2000, val: 600, classes: 4 },
        seed: i,
      },
      systemMetricsIntervalMs: 500,
    });
    await run.useArtifact("shapes:latest");
    const { code, model, bestAcc } = await trainAndLog(run, { lr, batchSize, hidden, momentum: 0.9, seed: i }, { epochs, delayMs });
    if (code === 0) models.push(await logModel(run, model, bestAcc));
    await run.finish(code);
    bar?.update(i + 1, o.runs);
  }
  if (o.runs > 0) {
    await crashedRun(o, project);
    bar?.update(o.runs, o.runs);
  }
  bar?.stop();
  await promoteAndEvaluate(target, models);
  if (trained > 0) await saveDemoView(target);
  if ((o.sweepRuns ?? 0) > 0) await demoSweep(o, project, epochs, delayMs);
}

/** A bayes sweep over the demo MLP's learning rate, batch size and width, run by an in-process agent. */
async function demoSweep(o: DemoOptions, project: string, epochs: number, delayMs: number): Promise<void> {
  const trials = o.sweepRuns ?? 0;
  const res = await fetch(`${o.url}/api/v1/projects/${project}/sweeps`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
    body: JSON.stringify({
      config: {
        name: "mlp-bayes", method: "bayes", run_cap: trials,
        metric: { name: "val/loss", goal: "minimize" },
        parameters: {
          lr: { distribution: "log_uniform_values", min: 0.003, max: 1 },
          batch_size: { values: [16, 32, 64, 128] },
          hidden: { distribution: "int_uniform", min: 8, max: 48 },
        },
      },
    }),
  });
  const body = (await res.json()) as { id?: string; message?: string };
  if (!res.ok || body.id === undefined) throw new Error(`could not create the demo sweep: ${body.message ?? res.statusText}`);
  const bar = o.quiet ? undefined : progressBar("demo sweep");
  let done = 0;
  await orrery.agent(body.id, async ({ params }) => {
    const lr = params.lr as number, batchSize = params.batch_size as number, hidden = params.hidden as number;
    const run = await orrery.init({
      project, url: o.url, apiKey: o.apiKey, dir: o.spoolDir, mode: "online", console: false,
      name: `sweep-lr${lr.toPrecision(2)}-bs${batchSize}-h${hidden}`, group: "mlp-bayes", jobType: "sweep", tags: ["demo", "sweep"],
      config: { epochs, optimizer: { name: "sgd", momentum: 0.9 }, dataset: { name: "shapes", train: 2000, val: 600, classes: 4 }, seed: 100 + done },
      systemMetricsIntervalMs: 0,
    });
    const { code } = await trainAndLog(run, { lr, batchSize, hidden, momentum: 0.9, seed: 100 + done }, { epochs, delayMs });
    await run.finish(code);
    bar?.update(++done, trials);
  }, { count: trials, project, url: o.url, apiKey: o.apiKey });
  bar?.stop();
}

/** A real crash: a child process trains and is killed with SIGKILL; its heartbeats stop. */
function crashedRun(o: DemoOptions, project: string): Promise<void> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./crash-child.js", import.meta.url))], {
    env: { ...process.env, ORRERY_URL: o.url, ORRERY_PROJECT: project, ORRERY_DIR: o.spoolDir, ORRERY_MODE: "online", ...(o.apiKey ? { ORRERY_API_KEY: o.apiKey } : {}) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return new Promise((resolve) => child.on("exit", () => resolve()));
}
