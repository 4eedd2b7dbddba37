import { SqliteStore } from "../src/sqlite/store.js";
import { RunsIndexWriter } from "../src/sqlite/runs-index.js";
import { mkdtempSync } from "node:fs";
const off = process.argv[2] === "off";
if (off) { RunsIndexWriter.prototype.noteHistory = () => {}; RunsIndexWriter.prototype.flush = () => {}; }
const store = new SqliteStore(mkdtempSync("/tmp/orr-ic-"), { materializer: { autoStart: false } });
const ref = { entity: "a", project: "b", runId: "r" };
let seq = 0;
await store.appendBatch(ref, [{ seq: ++seq, ts: 1, type: "run" } as never], 1);
const keys = Array.from({ length: 10 }, (_, i) => `metric/${i}`);
let total = 0;
for (let b = 0; b < 100; b++) {
  const recs = [];
  for (let i = 0; i < 1000; i++) {
    const values: Record<string, number> = {};
    for (const k of keys) values[k] = Math.random();
    recs.push({ seq: ++seq, ts: 2 + seq, type: "history", step: b * 1000 + i, values });
  }
  const t = performance.now();
  await store.appendBatch(ref, recs as never, 5);
  total += performance.now() - t;
}
console.log(off ? "index hooks off" : "index hooks on ", (1e6 / (total / 1000)).toFixed(0), "points/s", total.toFixed(0), "ms");
await store.close();
