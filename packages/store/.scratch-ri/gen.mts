import { SqliteStore } from "../src/sqlite/store.js";
const store = new SqliteStore(process.argv[2]!, { materializer: { autoStart: process.argv[3] === "mat" } as never });
const P = { entity: "bench", project: "scale" };
const t0 = Date.UTC(2026, 0, 1);
const N = 6000;
const start = performance.now();
for (let base = 0; base < N; base += 2000) {
  const batches = [];
  for (let i = base; i < base + 2000; i++) {
    let seq = 0;
    const rec = (f: object) => ({ seq: ++seq, ts: t0 + seq * 1000, ...f });
    batches.push({ run: { ...P, runId: "r" + i }, records: [
      rec({ type: "run", name: "n" + i, tags: ["a"], config: { optimizer: { name: "adam", lr: Math.random(), b: 0.9, wd: 0 }, model: { l: 3, h: 4, d: 0.1 }, bs: 32, seed: i, ds: "x" } }),
      rec({ type: "history", step: 0, values: { a: 1, b: 2, c: 3 } }), rec({ type: "history", step: 1, values: { a: 1, b: 2, c: 3 } }), rec({ type: "history", step: 2, values: { a: 1, b: 2, c: 3 } }),
      rec({ type: "finish", exitCode: 0 }),
    ] });
  }
  const t = performance.now();
  await store.appendMany(batches as never, t0);
  console.log("batch", (performance.now() - t).toFixed(0), "ms");
}
console.log(((performance.now() - start) / N * 1000).toFixed(0), "us/run");
await store.close();
