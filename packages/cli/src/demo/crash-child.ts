// Owns the demo's crashed run: trains like any demo run, then kills its own process with SIGKILL
// partway through, the way an out-of-memory kill or a lost machine would. What log() returned
// before the kill is in the spool; the server sees heartbeats stop and marks the run crashed.
import * as orrery from "orrery";
import { trainAndLog } from "./loop.js";

const run = await orrery.init({
  name: "mlp-oom-killed", group: "lr-batch-grid", jobType: "train", tags: ["demo", "crash"], console: false,
  notes: "Killed with SIGKILL at epoch 6 to show a crashed run.",
  config: { lr: 0.03, batch_size: 32, epochs: 25, hidden: 24, optimizer: { name: "sgd", momentum: 0.9 }, dataset: { name: "shapes", train: 2000, val: 600, classes: 4 }, seed: 99 },
  systemMetricsIntervalMs: 500,
});
await trainAndLog(run, { lr: 0.03, batchSize: 32, hidden: 24, momentum: 0.9, seed: 99 }, {
  epochs: 25, delayMs: 30,
  onEpoch: (epoch) => {
    // Give the sender a moment to ship what was logged so far, then die without finishing.
    if (epoch === 6) setTimeout(() => process.kill(process.pid, "SIGKILL"), 300);
  },
});
