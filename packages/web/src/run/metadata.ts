// Owns reading a run's metadata (what the SDK records at init: host, OS, runtime, command line, git
// state) into the fields the run overview shows, and into key/value rows for the metadata table.
// Unknown or missing fields are simply absent: older or other-language SDKs record less.
import { shellQuote } from "./format";

export interface GitInfo {
  commit: string;
  short: string;
  branch?: string;
  remote?: string;
  /** True when the working tree had uncommitted changes at start. */
  dirty: boolean;
  /** True when a diff was captured (inline or as a blob) and GET .../diff returns it. */
  hasDiff: boolean;
  diffTruncated: boolean;
}

export interface Overview {
  host?: string;
  os?: string;
  /** The command line as one shell-quoted string. */
  command?: string;
  /** e.g. "node v20.11.0" or "python 3.11.4". */
  runtime?: string;
  cwd?: string;
  sdk?: string;
  git?: GitInfo;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]) : undefined;

function command(m: Obj): string | undefined {
  const direct = str(m.command);
  if (direct) return direct;
  const argv = strings(m.argv);
  if (argv?.length) return argv.map(shellQuote).join(" ");
  const program = str(m.program);
  if (program) return [program, ...(strings(m.args) ?? [])].map(shellQuote).join(" ");
  return undefined;
}

function runtime(m: Obj): string | undefined {
  const name = str(m.runtime);
  const version = str(m.runtimeVersion);
  if (name) return version ? `${name} ${version}` : name;
  const python = str(m.python) ?? str(m.pythonVersion);
  if (python) return `python ${python}`;
  const node = str(m.node) ?? str(m.nodeVersion);
  if (node) return `node ${node}`;
  return undefined;
}

export function gitInfo(m: Obj): GitInfo | undefined {
  const g = m.git;
  if (!isObj(g)) return undefined;
  const commit = str(g.commit);
  if (!commit) return undefined;
  return {
    commit,
    short: commit.slice(0, 8),
    branch: str(g.branch),
    remote: str(g.remote),
    dirty: g.dirty === true,
    hasDiff: typeof g.diff === "string" ? g.diff.length > 0 : typeof g.diffBlob === "string",
    diffTruncated: g.diffTruncated === true,
  };
}

export function overview(metadata: Obj): Overview {
  const sdk = isObj(metadata.sdk) ? [str(metadata.sdk.name), str(metadata.sdk.version)].filter(Boolean).join(" ") : undefined;
  return {
    host: str(metadata.host) ?? str(metadata.hostname),
    os: str(metadata.os),
    command: command(metadata),
    runtime: runtime(metadata),
    cwd: str(metadata.cwd),
    sdk: sdk || undefined,
    git: gitInfo(metadata),
  };
}

/** Metadata as dotted key/value rows in recorded order; the git diff itself is left out (it has its own viewer). */
export function metadataRows(metadata: Obj): [key: string, value: unknown][] {
  const out: [string, unknown][] = [];
  const walk = (o: Obj, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (key === "git.diff" || key === "git.diffBlob") continue;
      if (isObj(v) && Object.keys(v).length > 0) walk(v, key);
      else out.push([key, v]);
    }
  };
  walk(metadata, "");
  return out;
}
