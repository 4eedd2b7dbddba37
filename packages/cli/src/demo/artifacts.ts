// Owns the demo's artifacts and their lineage, made through the public SDK the way a team would:
// a data-preparation run logs the `shapes` data set (v0), a relabelling run logs v1 (one file
// changed, so only its bytes are stored again), every grid run uses `shapes:latest` and logs its
// trained weights as the `shapes-mlp` model, the best models get `staging` and `production` (moved
// once, so the registry has a history), and an evaluation run uses `shapes-mlp:production`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as orrery from "orrery";
import { Image, Table, encodePng, type Run } from "orrery";
import { CLASSES, Mlp, type Dataset, type MlpWeights } from "./train.js";
import { TRAIN, VAL } from "./loop.js";

export interface DemoTarget { url: string; apiKey?: string; spoolDir: string; project: string }

export interface LoggedModel { runId: string; version: string; bestAcc: number }

const DATASET = "shapes";
const MODEL = "shapes-mlp";

function initRun(t: DemoTarget, opts: { name: string; jobType: string; notes: string; config?: Record<string, unknown> }): Promise<Run> {
  return orrery.init({
    project: t.project, url: t.url, apiKey: t.apiKey, dir: t.spoolDir, mode: "online", console: false,
    name: opts.name, jobType: opts.jobType, group: "pipeline", tags: ["demo", "artifacts"], notes: opts.notes,
    config: opts.config ?? {}, systemMetricsIntervalMs: 0,
  });
}

function csv(d: Dataset, relabel: boolean): string {
  const dim = d.x.length / d.n;
  let out = `${Array.from({ length: dim }, (_, i) => `x${i}`).join(",")},label\n`;
  for (let i = 0; i < d.n; i++) {
    // v1 fixes a labelling mistake: some 'triangle' examples far from their centre were stars.
    const label = relabel && d.y[i] === 2 && d.x[i * dim] > 2.5 ? 3 : d.y[i];
    const row = Array.from(d.x.subarray(i * dim, (i + 1) * dim), (v) => v.toFixed(4));
    out += `${row.join(",")},${CLASSES[label]}\n`;
  }
  return out;
}

function shapeImage(kind: (typeof CLASSES)[number]): Uint8Array {
  const px = new Uint8Array(SHAPE_SIZE * SHAPE_SIZE * 3);
  for (let y = 0; y < SHAPE_SIZE; y++) {
    for (let x = 0; x < SHAPE_SIZE; x++) px.set(insideShape(kind, x, y) ? SHAPE_COLOURS[kind]! : [248, 250, 252], (y * SHAPE_SIZE + x) * 3);
  }
  return encodePng(SHAPE_SIZE, SHAPE_SIZE, 3, px);
}

const SHAPE_SIZE = 48;
const SHAPE_COLOURS: Record<string, [number, number, number]> = {
  circle: [59, 130, 246], square: [16, 185, 129], triangle: [245, 158, 11], star: [239, 68, 68],
};

function insideShape(kind: (typeof CLASSES)[number], x: number, y: number): boolean {
  const c = SHAPE_SIZE / 2;
  const dx = x - c + 0.5, dy = y - c + 0.5;
  switch (kind) {
    case "circle": return dx * dx + dy * dy < 18 * 18;
    case "square": return Math.abs(dx) < 15 && Math.abs(dy) < 15;
    case "triangle": return dy > -16 && dy < 14 && Math.abs(dx) < (dy + 16) * 0.6;
    case "star": {
      const r = Math.hypot(dx, dy), a = Math.atan2(dy, dx);
      return r < 10 + 9 * Math.max(0, Math.cos(a * 5 + Math.PI / 2));
    }
  }
}

/** Writes the data set's files into dir: what a data-preparation job would produce. */
function writeDataset(dir: string, version: 0 | 1): void {
  mkdirSync(join(dir, "samples"), { recursive: true });
  writeFileSync(join(dir, "README.md"), [
    "# shapes",
    "",
    "Generated 8-feature data set of four classes (circle, square, triangle, star); 'star' is rare (10%).",
    "",
    "- `train.csv`: 2,000 examples",
    "- `val.csv`: 600 examples",
    "- `samples/`: one picture per class",
    "",
    version === 1 ? "v1 relabels far-off triangles in the validation split as stars." : "v0: first release.",
    "",
  ].join("\n"));
  writeFileSync(join(dir, "classes.json"), JSON.stringify({ classes: CLASSES }, null, 2));
  writeFileSync(join(dir, "train.csv"), csv(TRAIN, false));
  writeFileSync(join(dir, "val.csv"), csv(VAL, version === 1));
  for (const kind of CLASSES) writeFileSync(join(dir, "samples", `${kind}.png`), shapeImage(kind));
}

/** The data-preparation and relabelling runs: `shapes` v0 and v1. */
export async function logDatasets(t: DemoTarget): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "orrery-demo-shapes-"));
  try {
    for (const version of [0, 1] as const) {
      const run = await initRun(t, {
        name: version === 0 ? "prepare-shapes" : "relabel-shapes", jobType: "data",
        notes: version === 0 ? "Generates the shapes data set." : "Fixes mislabelled validation examples.",
        config: { train: TRAIN.n, val: VAL.n, classes: CLASSES.length, relabel: version === 1 },
      });
      if (version === 1) await run.useArtifact(`${DATASET}:v0`);
      writeDataset(dir, version);
      const artifact = new orrery.Artifact(DATASET, "dataset", {
        description: "Four-class shapes data set used by every demo run.",
        metadata: { train_examples: TRAIN.n, val_examples: VAL.n, classes: [...CLASSES], features: 8 },
      });
      artifact.addDir(dir);
      await run.logArtifact(artifact, { aliases: version === 0 ? ["first-release"] : [] });
      await run.finish(0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Logs a grid run's trained weights as a `shapes-mlp` version. */
export async function logModel(run: Run, model: Mlp, bestAcc: number): Promise<LoggedModel> {
  const dir = mkdtempSync(join(tmpdir(), "orrery-demo-model-"));
  try {
    const weights = model.toJSON();
    writeFileSync(join(dir, "model.json"), JSON.stringify(weights));
    const artifact = new orrery.Artifact(MODEL, "model", {
      description: `One-hidden-layer MLP (${weights.hyper.hidden} units) trained on shapes.`,
      metadata: { ...weights.hyper, val_acc: bestAcc, framework: "orrery-demo" },
    });
    artifact.addFile(join(dir, "model.json"));
    const version = await run.logArtifact(artifact);
    return { runId: run.id, version: version.version, bestAcc };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function moveAliases(t: DemoTarget, version: string, add: string[], runId: string): Promise<void> {
  const res = await fetch(`${t.url}/api/v1/projects/${t.project}/artifacts/${MODEL}/versions/${version}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}) },
    body: JSON.stringify({ aliases: { add }, runId }),
  });
  if (!res.ok) throw new Error(`could not move ${add.join(", ")} to ${MODEL}:${version}: ${(await res.json() as { message?: string }).message ?? res.statusText}`);
}

/**
 * Promotes models the way a team would: the first good model goes to production, then the best
 * one replaces it and the runner-up becomes staging. An evaluation run then uses production.
 */
export async function promoteAndEvaluate(t: DemoTarget, models: LoggedModel[]): Promise<void> {
  if (models.length === 0) return;
  const ranked = [...models].sort((a, b) => b.bestAcc - a.bestAcc);
  const firstGood = models.find((m) => m.bestAcc >= ranked[0]!.bestAcc - 0.05) ?? ranked[0]!;
  await moveAliases(t, firstGood.version, ["production"], firstGood.runId);
  await moveAliases(t, ranked[0]!.version, ["production", "best"], ranked[0]!.runId);
  if (ranked[1]) await moveAliases(t, ranked[1].version, ["staging"], ranked[1].runId);

  const run = await initRun(t, {
    name: "evaluate-production", jobType: "eval",
    notes: "Evaluates the production model on the validation split of shapes:latest.",
    config: { model: `${MODEL}:production`, dataset: `${DATASET}:latest` },
  });
  const dir = mkdtempSync(join(tmpdir(), "orrery-demo-eval-"));
  try {
    await run.useArtifact(`${DATASET}:latest`);
    const used = await run.useArtifact(`${MODEL}:production`);
    const folder = await used.download(join(dir, "model"));
    const model = Mlp.fromJSON(JSON.parse(readFileSync(join(folder, "model.json"), "utf8")) as MlpWeights);
    const val = model.evaluate(VAL);
    const perClass: Record<string, number> = {};
    CLASSES.forEach((c, i) => { perClass[`eval/acc/${c}`] = val.perClass[i]!; });
    run.log({ "eval/loss": val.loss, "eval/acc": val.acc, ...perClass });
    const { pred, conf } = model.predict(VAL);
    run.log({ "eval/predictions": predictionsTable(pred, conf) });
    // Example pictures over three review rounds: each class's picture, boxed and labelled with
    // what the model predicted for a validation example of that class, with a segmentation mask.
    for (let round = 0; round < 3; round++) run.log({ "eval/examples": exampleImages(pred, conf, round) }, { step: round + 1 });
    run.summary.set("model_version", used.version.version);
    await run.finish(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CLASS_LABELS = Object.fromEntries(CLASSES.map((c, i) => [i, c]));

/** The validation split with the model's prediction and confidence per example. */
function predictionsTable(pred: Int32Array, conf: Float64Array): Table {
  const data: unknown[][] = [];
  for (let i = 0; i < VAL.n; i++) data.push([i, VAL.y[i], pred[i], Number(conf[i]!.toFixed(4)), pred[i] === VAL.y[i]]);
  return new Table({
    columns: [{ name: "id", type: "number" }, { name: "label", type: "class" }, { name: "pred", type: "class" }, { name: "confidence", type: "number" }, { name: "correct", type: "bool" }],
    data, classes: CLASS_LABELS,
  });
}

function exampleImages(pred: Int32Array, conf: Float64Array, round: number): Image[] {
  return CLASSES.map((kind, c) => {
    // The round-th validation example of this class.
    let seen = -1, i = 0;
    for (; i < VAL.n; i++) if (VAL.y[i] === c && ++seen === round) break;
    const mask = new Uint8Array(SHAPE_SIZE * SHAPE_SIZE);
    let x0 = SHAPE_SIZE, y0 = SHAPE_SIZE, x1 = 0, y1 = 0;
    for (let y = 0; y < SHAPE_SIZE; y++) {
      for (let x = 0; x < SHAPE_SIZE; x++) {
        if (!insideShape(kind, x, y)) continue;
        mask[y * SHAPE_SIZE + x] = c + 1;
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      }
    }
    return new Image(shapeImage(kind), {
      caption: `val #${i}: ${kind}`,
      classes: CLASS_LABELS,
      boxes: [{ x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1, class: pred[i]!, score: Number(conf[i]!.toFixed(3)), caption: CLASSES[pred[i]!] }],
      masks: [{ name: "shape", pixels: mask, classes: Object.fromEntries(CLASSES.map((k, j) => [j + 1, k])) }],
    });
  });
}
