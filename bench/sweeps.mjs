// Sweeps benchmark: `npm run bench:sweeps` (`-- --quick` for 5 seeds). Simple regret of random,
// our bayes and tpe, and Optuna's default TPE on four test functions, sequential and with 8
// parallel workers, plus suggestion latency. Writes the `sweeps` block of bench/RESULTS.md only.
import { quick } from "./lib/common.mjs";
import { writeSection } from "./lib/results.mjs";
import { sweepsBench } from "./lib/sweeps.mjs";

const started = performance.now();
const body = await sweepsBench();
// Say how it was really started: `npm run bench:sweeps` builds first, `node bench/sweeps.mjs` uses what is built.
const how = process.env.npm_lifecycle_event === "bench:sweeps" ? "npm run bench:sweeps" : "node bench/sweeps.mjs";
writeSection("sweeps", body(`${how}${quick ? (how.startsWith("npm") ? " -- --quick" : " --quick") : ""}`, (performance.now() - started) / 60000));
console.log(`\nwrote the sweeps section of bench/RESULTS.md (${((performance.now() - started) / 60000).toFixed(1)} minutes)`);
