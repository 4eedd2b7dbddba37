// Owns `orrery sweep CONFIG`: send a sweep config file (W&B-compatible YAML or JSON) to the server,
// which parses and validates it, then print the sweep id and the agent command to run. Running
// trials is `orrery agent` (agent.ts).
import { readFileSync, statSync } from "node:fs";
import { Command } from "commander";
import { MAX_SWEEP_CONFIG_CHARS, type ErrorBody, type Sweep } from "@orrery/protocol";
import { UsageError, defaultEntity, parseProject, parseUrl } from "../args.js";
import { remoteFromEnv, type Remote } from "../http.js";

/** Reads the config file as text, refusing what cannot be a sweep config before the server sees it. */
export function readConfigFile(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${path} is not a file: give the path of a sweep config such as sweep.yaml`);
    size = st.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${path}: no such file (give the path of a sweep config such as sweep.yaml)`);
  }
  if (size > MAX_SWEEP_CONFIG_CHARS) throw new UsageError(`${path} is ${size} bytes; a sweep config may be at most ${MAX_SWEEP_CONFIG_CHARS}`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new UsageError(`${path} is empty: a sweep config needs at least method and parameters`);
  return text;
}

async function createSweep(remote: Remote, entity: string, project: string, config: string): Promise<Sweep> {
  let res: Response;
  try {
    res = await fetch(`${remote.url}/api/v1/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/sweeps`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(remote.apiKey ? { authorization: `Bearer ${remote.apiKey}` } : {}) },
      body: JSON.stringify({ config }),
    });
  } catch {
    throw new Error(`cannot reach the Orrery server at ${remote.url}: start it with 'orrery server' or set ORRERY_URL`);
  }
  const text = await res.text();
  if (!res.ok) {
    let body: Partial<ErrorBody> = {};
    try { body = JSON.parse(text) as ErrorBody; } catch { /* not JSON: show the raw text */ }
    const msg = body.message ?? text;
    // The server names the key at fault (config.parameters.lr.min); a 400 is the user's file, so exit 2.
    if (res.status === 400) throw new UsageError(msg);
    throw new Error(`${res.status}: ${msg}`);
  }
  return JSON.parse(text) as Sweep;
}

export function sweepCommand(): Command {
  return new Command("sweep")
    .description("create a hyperparameter sweep from a config file (W&B sweep YAML works unchanged) and print its id")
    .argument("<config>", "sweep config file, YAML or JSON (method, metric, parameters, ...)")
    .option("--project <project>", "NAME or ENTITY/NAME (default: $ORRERY_PROJECT)")
    .option("--url <url>", "server URL (default: $ORRERY_URL or http://127.0.0.1:5170)", parseUrl)
    .option("--json", "print the created sweep as JSON")
    .action(async (file: string, opts: { project?: string; url?: string; json?: boolean }) => {
      const projectArg = opts.project ?? process.env.ORRERY_PROJECT;
      if (!projectArg) throw new UsageError("name the project with --project NAME or set ORRERY_PROJECT");
      const { entity, project } = parseProject(projectArg, defaultEntity());
      const config = readConfigFile(file);
      const remote = remoteFromEnv(opts.url);
      const sweep = await createSweep(remote, entity, project, config);
      if (opts.json) { process.stdout.write(JSON.stringify(sweep, null, 2) + "\n"); return; }
      const url = opts.url !== undefined ? ` --url ${opts.url}` : "";
      process.stdout.write(
        `created sweep ${sweep.id} (${sweep.method}${sweep.runCap !== null ? `, run_cap ${sweep.runCap}` : ""}` +
        `${sweep.gridSize !== null ? `, ${sweep.gridSize} grid configurations` : ""}) in ${entity}/${project}\n` +
        `run agents, on as many machines as you like, with:\n  orrery agent ${sweep.id} --project ${entity}/${project}${url}\n`,
      );
    });
}
