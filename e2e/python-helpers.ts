// Shared by the Python end-to-end tests: running scripts with Debian's /usr/bin/python3 and the
// client from clients/python (not installed), and reading runs, history rows and histograms back
// through the HTTP API.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT, api, type CliResult } from "./helpers.js";

/** Debian's torch, scikit-learn and XGBoost are installed for this interpreter only. */
export const PYTHON = process.env.ORRERY_TEST_PYTHON ?? "/usr/bin/python3";
export const PY_CLIENT = join(ROOT, "clients/python");
export const EXAMPLES = join(ROOT, "examples/python");

export function pythonEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  // The test runner's own settings must not leak into the scripts.
  for (const k of Object.keys(clean)) if (k.startsWith("ORRERY_")) delete clean[k];
  return { ...clean, PYTHONPATH: PY_CLIENT, PYTHONUNBUFFERED: "1", ...env };
}

export function spawnPython(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(PYTHON, args, { cwd: ROOT, env: pythonEnv(env), stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a Python script to its end (never blocking the event loop: the server runs in this process). */
export function runPython(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawnPython(args, env);
    let stdout = "", stderr = "";
    child.stdout!.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill("SIGKILL"); rej(new Error(`python ${args.join(" ")} timed out\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); res({ code, stdout, stderr }); });
  });
}

export interface StoredRun {
  id: string; name: string; state: string; exitCode: number | null; group: string | null; jobType: string | null;
  tags: string[]; notes: string; lastStep: number | null; lastSeq: number;
  config: Record<string, unknown>; summary: Record<string, unknown>; metadata?: Record<string, unknown>;
}

export const projectPath = (project: string) => `/api/v1/projects/${project}`;

/** Every run of a project, oldest first. */
export async function runsOf(url: string, project: string): Promise<StoredRun[]> {
  const { status, body } = await api<{ runs: StoredRun[] }>(url, `${projectPath(project)}/runs?limit=1000&sort=createdAt:asc`);
  if (status !== 200) throw new Error(`GET runs of ${project}: ${status} ${JSON.stringify(body)}`);
  return body.runs;
}

export async function runOf(url: string, project: string, runId: string): Promise<StoredRun> {
  const { status, body } = await api<StoredRun>(url, `${projectPath(project)}/runs/${runId}`);
  if (status !== 200) throw new Error(`GET run ${project}/${runId}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export type Row = Record<string, number | string>;

/** Every history row of a run, in step order, paging through history/rows. */
export async function historyRows(url: string, project: string, runId: string): Promise<Row[]> {
  const out: Row[] = [];
  let minStep: number | null = 0;
  while (minStep !== null) {
    const page: { status: number; body: { rows: Row[]; nextMinStep: number | null } } =
      await api(url, `${projectPath(project)}/runs/${runId}/history/rows?minStep=${minStep}&limit=10000`);
    if (page.status !== 200) throw new Error(`history/rows: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.rows);
    minStep = page.body.nextMinStep;
  }
  return out;
}

export const withoutTime = (rows: Row[]) => rows.map(({ _timestamp, _runtime, ...rest }) => rest);

export interface Histograms { key: string; steps: number[]; histograms: { bins: number[]; counts: number[] }[]; count: number }

export async function histogramKeys(url: string, project: string, runId: string): Promise<string[]> {
  const { status, body } = await api<{ keys: string[] }>(url, `${projectPath(project)}/runs/${runId}/histograms/keys`);
  if (status !== 200) throw new Error(`histograms/keys: ${status} ${JSON.stringify(body)}`);
  return body.keys;
}

export async function histograms(url: string, project: string, runId: string, key: string, maxSteps = 2_000): Promise<Histograms> {
  const { status, body } = await api<Histograms>(url, `${projectPath(project)}/runs/${runId}/histograms?key=${encodeURIComponent(key)}&maxSteps=${maxSteps}`);
  if (status !== 200) throw new Error(`histograms ${key}: ${status} ${JSON.stringify(body)}`);
  return body;
}
