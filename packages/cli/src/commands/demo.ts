// Owns `orrery demo`: fill a project on a running server with example runs.
import { Command } from "commander";
import { resolve } from "node:path";
import { defaultEntity, parseProject, parseUrl, positiveInt } from "../args.js";
import { remoteFromEnv } from "../http.js";
import { runDemo } from "../demo/demo.js";

export function demoCommand(): Command {
  return new Command("demo")
    .description("fill a project with example training runs (an MLP learning-rate x batch-size grid, one crashed run, a bayes sweep, and data set and model artifacts with their lineage)")
    .option("--runs <n>", "how many grid runs (the last one is the crashed run)", positiveInt("--runs", 500), 20)
    .option("--sweep-runs <n>", "trials of the demo's bayes sweep, run by an in-process agent (0: no sweep)", positiveInt("--sweep-runs", 200, 0), 8)
    .option("--project <project>", "NAME or ENTITY/NAME", "demo/shapes-mlp")
    .option("--epochs <n>", "epochs per run", positiveInt("--epochs", 1000), 25)
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .action(async (opts: { runs: number; sweepRuns: number; project: string; epochs: number; url?: string }) => {
      const { entity, project } = parseProject(opts.project, defaultEntity());
      const remote = remoteFromEnv(opts.url);
      try {
        const res = await fetch(remote.url + "/api/v1/health");
        if (!res.ok) throw new Error();
      } catch {
        throw new Error(`cannot reach the Orrery server at ${remote.url}: start it with 'orrery server' (or use 'orrery server --demo')`);
      }
      await runDemo({
        url: remote.url, apiKey: remote.apiKey, runs: opts.runs, sweepRuns: opts.sweepRuns, project: `${entity}/${project}`, epochs: opts.epochs,
        spoolDir: resolve(process.env.ORRERY_DIR ?? "./orrery"),
      });
      const sweep = opts.sweepRuns > 0 ? ` and a ${opts.sweepRuns}-trial sweep` : "";
      process.stdout.write(`filled ${entity}/${project} with ${opts.runs} runs${sweep}: ${remote.url}\n`);
    });
}
