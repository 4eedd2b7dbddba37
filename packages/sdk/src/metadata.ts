// Owns the metadata captured once at init into the run record: git state, host, OS, runtime,
// command line and working directory. Git runs as async child processes with a short timeout, and
// any failure (no git, not a repository, a hung credential helper) just leaves the field out.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { arch, cpus, hostname, release, totalmem, type } from "node:os";
import type { JsonObject, JsonValue } from "./json-values.js";

const GIT_TIMEOUT_MS = 3_000;
/** init() waits at most this long for git as a whole. */
const GIT_DEADLINE_MS = 5_000;
/** A diff larger than this is cut; metadata travels in one record. */
export const MAX_DIFF_CHARS = 1024 * 1024;

export const SDK_VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

export async function collectMetadata(startedAt: number, cwd: string = process.cwd()): Promise<JsonObject> {
  const meta: JsonObject = {
    startedAt: new Date(startedAt).toISOString(),
    host: hostname(),
    os: `${type()} ${release()}`,
    platform: process.platform,
    arch: arch(),
    runtime: "node",
    runtimeVersion: process.version,
    executable: process.execPath,
    argv: [...process.argv],
    cwd,
    pid: process.pid,
    cpuCount: cpus().length,
    memoryTotalMb: Math.round(totalmem() / 1048576),
    sdk: { name: "orrery", version: SDK_VERSION },
  };
  const git = await withDeadline(collectGit(cwd), GIT_DEADLINE_MS);
  if (git) meta.git = git;
  return meta;
}

async function collectGit(cwd: string): Promise<JsonObject | undefined> {
  const commit = await git(cwd, ["rev-parse", "HEAD"]);
  if (commit === undefined) return undefined;
  const [branch, remote, status, root] = await Promise.all([
    git(cwd, ["rev-parse", "--abbrev-ref", "HEAD"]),
    git(cwd, ["config", "--get", "remote.origin.url"]),
    git(cwd, ["status", "--porcelain", "--untracked-files=no"]),
    git(cwd, ["rev-parse", "--show-toplevel"]),
  ]);
  const out: { [key: string]: JsonValue } = { commit: commit.trim() };
  if (branch) out.branch = branch.trim();
  if (remote) out.remote = stripCredentials(remote.trim());
  if (root) out.root = root.trim();
  if (status !== undefined) {
    const dirty = status.trim().length > 0;
    out.dirty = dirty;
    if (dirty) {
      const diff = await git(cwd, ["diff", "HEAD"], 64 * 1024 * 1024);
      if (diff !== undefined) {
        out.diff = diff.length > MAX_DIFF_CHARS ? diff.slice(0, MAX_DIFF_CHARS) : diff;
        if (diff.length > MAX_DIFF_CHARS) out.diffTruncated = true;
      }
    }
  }
  return out;
}

/** https://user:token@host/repo -> https://host/repo: a remote URL must not leak a token. */
export function stripCredentials(remote: string): string {
  try {
    const url = new URL(remote);
    if (url.username || url.password) {
      url.username = "";
      url.password = "";
      return url.toString();
    }
  } catch {
    // scp-style "git@host:repo" carries no secret
  }
  return remote;
}

function git(cwd: string, args: string[], maxBuffer = 1024 * 1024): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(
        "git",
        args,
        { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" } },
        (err, stdout) => resolve(err ? undefined : stdout),
      );
    } catch {
      resolve(undefined);
    }
  });
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    void work.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}
