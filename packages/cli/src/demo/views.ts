// Owns the demo's saved view: the learning-rate study a teammate would share, with parallel
// coordinates, a scatter, parameter importance and the per-class slices of validation accuracy
// over the training runs, saved through the public views API.
import type { DemoTarget } from "./artifacts.js";

export async function saveDemoView(t: DemoTarget): Promise<void> {
  const state = new URLSearchParams({
    filter: "jobType = train",
    cols: ["summary.val/acc", "summary.val/loss", "config.lr", "config.batch_size", "config.hidden"].join("~"),
    ins: [
      "pc:config.lr:log,config.batch_size,config.hidden,summary.val/acc|summary.val/acc",
      "sc:config.lr,summary.val/acc,config.batch_size",
      "imp:summary.val/acc",
      "sl:summary.val/acc",
    ].join("~"),
  }).toString();
  const res = await fetch(`${t.url}/api/v1/projects/${t.project}/views`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}) },
    body: JSON.stringify({
      name: "Learning-rate study",
      note: [
        "Which **learning rate** and batch size should the shapes MLP use?",
        "",
        "- Brush `val/acc` in the parallel coordinates to keep the good runs.",
        "- The slices panel shows `star`, the rare class, is the worst slice for most runs.",
        "- The production model is in the model registry.",
      ].join("\n"),
      state,
    }),
  });
  if (!res.ok) throw new Error(`could not save the demo view: ${((await res.json()) as { message?: string }).message ?? res.statusText}`);
}
