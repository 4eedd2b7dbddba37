// The Python examples (examples/python) run with Debian's python3 against a real server, and what
// they logged is what the HTTP API returns: config, history, histograms from orrery.watch(),
// summaries from the scikit-learn and XGBoost integrations, and the final state.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, testServer } from "./helpers.js";
import { EXAMPLES, historyRows, histogramKeys, histograms, runPython, runsOf, type Row, type StoredRun } from "./python-helpers.js";
import type { RunningServer } from "@orrery/server";

let server: RunningServer;
let data: ReturnType<typeof tempDir>;
let spool: ReturnType<typeof tempDir>;

beforeAll(async () => {
  data = tempDir();
  spool = tempDir();
  server = await testServer(data.path);
});
afterAll(async () => {
  await server.close();
  data.cleanup();
  spool.cleanup();
});

async function example(script: string, ...args: string[]): Promise<string> {
  const res = await runPython([join(EXAMPLES, script), ...args], {
    ORRERY_URL: server.url, ORRERY_DIR: spool.path, ORRERY_ENTITY: "examples", ORRERY_MODE: "online",
  });
  if (res.code !== 0) throw new Error(`${script} exited with ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

function only(runs: StoredRun[]): StoredRun {
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

const column = (rows: Row[], key: string) => rows.filter((r) => key in r).map((r) => r[key] as number);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("the Python examples against a real server", () => {
  it("the PyTorch CNN logs config, batch and epoch metrics, a best-accuracy summary, and a histogram series per layer", async () => {
    await example("pytorch_digits.py", "--epochs", "2", "--log-freq", "5");
    const run = only(await runsOf(server.url, "examples/digits-cnn"));
    expect(run).toMatchObject({ state: "finished", exitCode: 0, jobType: "train", tags: ["pytorch", "digits"] });
    expect(run.config).toMatchObject({ lr: 0.003, epochs: 2, batch_size: 64, optimizer: "adam", train_size: 1437, val_size: 360 });
    expect(run.metadata).toMatchObject({ host: expect.any(String) });

    const rows = await historyRows(server.url, "examples/digits-cnn", run.id);
    const batches = Math.ceil(1437 / 64);
    expect(column(rows, "train/loss")).toHaveLength(2 * batches);
    const epochRows = rows.filter((r) => "val/acc" in r);
    expect(epochRows.map((r) => r._step)).toEqual([batches, 2 * batches + 1]);
    expect(epochRows.map((r) => r.epoch)).toEqual([0, 1]);
    const accs = column(rows, "val/acc");
    expect(accs[1]!).toBeGreaterThan(0.5);
    // define_metric: the summary shows the best val/acc and the lowest val/loss, not the last.
    expect(run.summary["val/acc"]).toBe(Math.max(...accs));
    expect(run.summary["val/loss"]).toBe(Math.min(...column(rows, "val/loss")));
    expect(run.summary["best/val_acc"]).toBe(Math.max(...accs));
    expect(run.summary["train/loss"]).toBe(column(rows, "train/loss").at(-1));

    // Every parameter tensor of the model, with its number of elements.
    const numel: Record<string, number> = {
      "features.0.weight": 16 * 9, "features.0.bias": 16, "features.2.weight": 32 * 16 * 9, "features.2.bias": 32,
      "classifier.1.weight": 64 * 512, "classifier.1.bias": 64, "classifier.3.weight": 640, "classifier.3.bias": 10,
    };
    // log_freq=5: every 5th of the 46 training batches (the first included), written with that
    // batch's log() call, whose step is its batch number plus one epoch-metrics row per epoch before it.
    const watchedSteps = [...Array(2 * batches).keys()].filter((b) => b % 5 === 0).map((b) => b + Math.floor(b / batches));
    const keys = await histogramKeys(server.url, "examples/digits-cnn", run.id);
    const expected = Object.keys(numel).flatMap((p) => [`gradients/${p}`, `parameters/${p}`]);
    expect([...keys].sort()).toEqual(expected.sort());
    for (const [param, n] of Object.entries(numel)) {
      for (const kind of ["gradients", "parameters"]) {
        const series = await histograms(server.url, "examples/digits-cnn", run.id, `${kind}/${param}`);
        expect(series.steps).toEqual(watchedSteps);
        expect(series.count).toBe(watchedSteps.length);
        for (const h of series.histograms) {
          expect(h.counts).toHaveLength(64);
          expect(h.bins).toHaveLength(65);
          expect(sum(h.counts)).toBe(n);
          expect(h.bins[0]!).toBeLessThanOrEqual(h.bins[64]!);
        }
      }
    }
    // Training moves the weights: the first and last parameter histograms differ.
    const weights = await histograms(server.url, "examples/digits-cnn", run.id, "parameters/classifier.1.weight");
    expect(weights.histograms.at(-1)).not.toEqual(weights.histograms[0]);
  });

  it("the scikit-learn comparison stores one run per model with its parameters, accuracy, per-class metrics and confusion matrix", async () => {
    await example("sklearn_comparison.py");
    const runs = await runsOf(server.url, "examples/sklearn-comparison");
    expect(runs.map((r) => r.name).sort()).toEqual(
      ["k-nearest-neighbors", "logistic-regression", "random-forest", "ridge-regressor", "svm-rbf"]);
    for (const run of runs) expect(run).toMatchObject({ state: "finished", exitCode: 0, group: "model-comparison" });

    const classifiers = runs.filter((r) => r.jobType === "classifier");
    expect(classifiers).toHaveLength(4);
    const classes = ["class_0", "class_1", "class_2"];
    for (const run of classifiers) {
      expect(run.config).toMatchObject({ dataset: "wine", test_size: 0.25 });
      const table = run.summary.confusion_matrix as { _type: string; columns: string[]; data: [string, ...number[]][] };
      expect(table._type).toBe("table");
      expect(table.columns).toEqual(["actual", ...classes]);
      expect(table.data.map((r) => r[0])).toEqual(classes);
      const cells = table.data.map((r) => r.slice(1) as number[]);
      expect(sum(cells.flat())).toBe(45);
      // The stored metrics agree with the stored confusion matrix.
      const diagonal = sum(cells.map((r, i) => r[i]!));
      expect(run.summary.accuracy).toBeCloseTo(diagonal / 45, 12);
      expect(run.summary.accuracy as number).toBeGreaterThan(0.85);
      classes.forEach((c, i) => {
        expect(run.summary[`recall/${c}`]).toBeCloseTo(cells[i]![i]! / sum(cells[i]!), 12);
        expect(run.summary[`precision/${c}`]).toBeCloseTo(cells[i]![i]! / sum(cells.map((r) => r[i]!)), 12);
      });
    }
    const forest = classifiers.find((r) => r.name === "random-forest")!;
    expect(forest.config).toMatchObject({ model_type: "RandomForestClassifier", model: { n_estimators: 100, max_depth: 5, random_state: 0 } });
    const logistic = classifiers.find((r) => r.name === "logistic-regression")!;
    expect(logistic.config).toMatchObject({ model_type: "Pipeline", model: { logisticregression__max_iter: 1000 } });

    const regressor = runs.find((r) => r.jobType === "regressor")!;
    expect(regressor.config).toMatchObject({ dataset: "diabetes", model_type: "Ridge", model: { alpha: 0.1 } });
    const { rmse, mae, r2 } = regressor.summary as { rmse: number; mae: number; r2: number };
    expect(mae).toBeGreaterThan(0);
    expect(rmse).toBeGreaterThanOrEqual(mae);
    expect(r2).toBeGreaterThan(0.3);
    expect(r2).toBeLessThan(1);
    expect(regressor.summary).not.toHaveProperty("accuracy");
  });

  it("the XGBoost run logs every boosting round's metrics at step = round and the early-stopping best to the summary", async () => {
    const stdout = await example("xgboost_run.py", "--rounds", "60", "--early-stopping", "10");
    const run = only(await runsOf(server.url, "examples/xgboost-cancer"));
    expect(run).toMatchObject({ state: "finished", exitCode: 0, tags: ["xgboost"] });
    expect(run.config).toMatchObject({ num_boost_round: 60, early_stopping_rounds: 10, params: { max_depth: 3, eta: 0.1 } });

    const rows = await historyRows(server.url, "examples/xgboost-cancer", run.id);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(60);
    expect(rows.length).toBe(run.summary.rounds);
    rows.forEach((r, i) => {
      expect(r._step).toBe(i);
      expect(Object.keys(r).filter((k) => !k.startsWith("_")).sort()).toEqual(
        ["eval/auc", "eval/error", "eval/logloss", "train/auc", "train/error", "train/logloss"]);
    });
    // Early stopping watches the last metric, eval/logloss; define_metric keeps each metric's best.
    const logloss = column(rows, "eval/logloss");
    const best = run.summary.best_iteration as number;
    expect(Number.isInteger(best)).toBe(true);
    expect(run.summary.best_score).toBeCloseTo(logloss[best]!, 6);
    expect(logloss[best]).toBe(Math.min(...logloss));
    expect(run.summary["eval/logloss"]).toBe(Math.min(...logloss));
    expect(run.summary["eval/auc"]).toBe(Math.max(...column(rows, "eval/auc")));
    expect(run.summary["train/error"]).toBe(Math.min(...column(rows, "train/error")));
    expect(run.summary.accuracy as number).toBeGreaterThan(0.9);
    expect(stdout).toMatch(new RegExp(`best iteration ${best},`));
  });

  it("a W&B script with only its import changed runs unchanged and its data arrives", async () => {
    const source = readFileSync(join(EXAMPLES, "wandb_style.py"), "utf8");
    const code = source.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    expect(code.filter((l) => l.includes("orrery"))).toEqual(["import orrery as wandb"]);

    await example("wandb_style.py");
    const run = only(await runsOf(server.url, "examples/wandb-style"));
    expect(run).toMatchObject({
      name: "baseline", state: "finished", exitCode: 0, tags: ["baseline"], notes: "written for W&B, run on Orrery",
      config: { lr: 0.01, epochs: 20, batch_size: 32, architecture: "mlp", dropout: 0.1, optimizer: "sgd" },
    });
    const rows = await historyRows(server.url, "examples/wandb-style", run.id);
    expect(rows.map((r) => r._step)).toEqual([...Array(20).keys()]);
    // commit=False put train/loss and epoch in the same row as the val/acc that followed.
    for (const [i, r] of rows.entries()) {
      expect(Object.keys(r).filter((k) => !k.startsWith("_")).sort()).toEqual(["epoch", "train/loss", "val/acc"]);
      expect(r.epoch).toBe(i);
    }
    const accs = column(rows, "val/acc");
    expect(run.summary).toMatchObject({ best_acc: Math.max(...accs), "val/acc": Math.max(...accs), final_loss: column(rows, "train/loss").at(-1) });
  });
});
