// Owns one demo training run end to end: train the MLP, log what a practitioner would (train
// curves per step, validation and per-class accuracy per epoch), and close the run with the
// right exit code. Diverging runs (loss becomes NaN) end as failed, like a real job would.
import type { Run } from "orrery";
import { CLASSES, Mlp, makeData, rng, shuffled, type Hyper } from "./train.js";

export const TRAIN = makeData(2000, 1);
export const VAL = makeData(600, 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoopOptions { epochs: number; delayMs: number; onEpoch?: (epoch: number) => void }

export interface Trained { code: number; model: Mlp; bestAcc: number }

export async function trainAndLog(run: Run, h: Hyper, opts: LoopOptions): Promise<Trained> {
  run.defineMetric("val/loss", { summary: "min" });
  run.defineMetric("val/acc", { summary: "max" });
  const model = new Mlp(h);
  const r = rng(h.seed + 100);
  let best = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const idx = shuffled(TRAIN.n, r);
    for (let from = 0; from < TRAIN.n; from += h.batchSize) {
      const { loss, acc } = model.step(TRAIN, idx, from, Math.min(TRAIN.n, from + h.batchSize));
      // Metrics of the validation pass below join this row with commit: false semantics.
      run.log({ "train/loss": loss, "train/acc": acc, epoch }, { commit: from + h.batchSize < TRAIN.n });
    }
    const val = model.evaluate(VAL);
    const perClass: Record<string, number> = {};
    CLASSES.forEach((c, i) => { perClass[`val/acc/${c}`] = val.perClass[i]; });
    run.log({ "val/loss": val.loss, "val/acc": val.acc, ...perClass });
    if (val.acc > best) { best = val.acc; run.summary.set("best/epoch", epoch); }
    opts.onEpoch?.(epoch);
    if (!Number.isFinite(val.loss)) {
      process.stderr.write(`run ${run.id}: loss diverged at epoch ${epoch} (lr ${h.lr}); stopping\n`);
      return { code: 1, model, bestAcc: best };
    }
    if (opts.delayMs > 0) await sleep(opts.delayMs);
  }
  return { code: 0, model, bestAcc: best };
}
