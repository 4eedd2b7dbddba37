// Shared fixtures for end-to-end tests: temp directories, a real server on an ephemeral port,
// the built CLI as a child process, and small HTTP helpers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { startServer, type RunningServer, type ServerOptions } from "@orrery/server";

export const ROOT = resolve(import.meta.dirname, "..");
export const CLI = join(ROOT, "packages/cli/dist/main.js");

export function tempDir(prefix = "orrery-test-"): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export async function testServer(dataDir: string, opts: Partial<ServerOptions> = {}): Promise<RunningServer> {
  return startServer({ dataDir, host: "127.0.0.1", port: 0, logger: false, ...opts });
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill("SIGKILL"); rej(new Error(`orrery ${args.join(" ")} timed out\n${stdout}\n${stderr}`)); }, timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); res({ code, stdout, stderr }); });
  });
}

export async function api<T = unknown>(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: body as T };
}

export function postJson(base: string, path: string, payload: unknown, headers: Record<string, string> = {}) {
  return api(base, path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof payload === "string" ? payload : JSON.stringify(payload) });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => { if (child.exitCode !== null) r(child.exitCode); else child.on("exit", (c) => r(c)); });
}
