// Owns talking to the Orrery HTTP API: one typed function per endpoint the dashboard uses, the
// API key (kept in localStorage), and turning error bodies into ApiError. Nothing else in the
// dashboard builds URLs for /api/v1.
import type {
  AliasHistory, ArtifactDetail, ArtifactList, ArtifactVersion, ArtifactVersionPatch, ConfigTreePage, ConsoleLine,
  HistogramSeriesResponse, Importance, LineageGraph, ManifestPage, Project, Run, RunArtifacts, RunGroupsPage, RunKeyPage, RunPatch,
  RunQueryPage, RunRow, SeriesResponse, VersionRuns,
} from "@orrery/protocol";

import type { Sweep, SweepTrial } from "../sweeps/wire";
import type { View, ViewCreate, ViewPatch } from "@orrery/protocol";
import type { RunValues } from "@orrery/protocol";
export type { View } from "@orrery/protocol";
import type { MediaKeys, MediaStep } from "../media/wire";
import type { Confusion, TableComparePage, TableCompareQuery, TableKeys, TablePage, TableQuery } from "../tables/wire";

export type { ConfigEntry, HistogramSeriesResponse, Project, Run, RunGroup, RunKey, RunRow, RunState } from "@orrery/protocol";
export type { Sweep, SweepState, SweepTrial, TrialState } from "../sweeps/wire";
export type {
  AliasEvent, AliasHistory, AliasRef, ArtifactDetail, ArtifactList, ArtifactSummary, ArtifactVersion, LineageGraph, LineageNode,
  ManifestEntry, ManifestPage, RunArtifacts, RunLink, VersionLink, VersionRuns,
} from "@orrery/protocol";

const KEY_STORAGE = "orrery.key";

/** An API reply that was not 2xx, with the server's `{error, message, field}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function apiKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}
export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

type Query = Record<string, string | number | boolean | undefined | null>;

function qs(q: Query | undefined): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

async function request<T>(path: string, init: RequestInit & { query?: Query; text?: boolean } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const key = apiKey();
  if (key) headers.set("authorization", `Bearer ${key}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${qs(init.query)}`, { ...init, headers });
  } catch (err) {
    throw new ApiError(0, "network", `cannot reach the Orrery server (${(err as Error).message}): is it running?`);
  }
  if (!res.ok) throw await failure(res);
  return (init.text ? await res.text() : await res.json()) as T;
}

/** The ApiError for a reply that was not 2xx. */
async function failure(res: Response): Promise<ApiError> {
  let body: { error?: string; message?: string; field?: string } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    /* not JSON: fall back to the status text */
  }
  return new ApiError(res.status, body.error ?? "http_error", body.message ?? `${res.status} ${res.statusText}`, body.field);
}

/** A GET whose body is bytes, not JSON (artifact files): the Response, for the caller to read as it needs. */
async function requestRaw(url: string, signal?: AbortSignal): Promise<Response> {
  const headers = new Headers();
  const key = apiKey();
  if (key) headers.set("authorization", `Bearer ${key}`);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "network", `cannot reach the Orrery server (${(err as Error).message}): is it running?`);
  }
  if (!res.ok) throw await failure(res);
  return res;
}

/** The first bytes of a file as far as `maxBytes`; the rest is never downloaded (the stream is cancelled). */
export interface FileHead { bytes: Uint8Array; truncated: boolean; contentType: string }

async function readHead(res: Response, maxBytes: number): Promise<FileHead> {
  const contentType = res.headers.get("content-type") ?? "";
  const length = Number(res.headers.get("content-length") ?? NaN);
  if (!res.body) {
    const all = new Uint8Array(await res.arrayBuffer());
    return { bytes: all.subarray(0, maxBytes), truncated: all.length > maxBytes, contentType };
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    if (got >= maxBytes) {
      truncated = got > maxBytes || length > maxBytes;
      if (!truncated) {
        // Exactly maxBytes so far: the file is longer only if another chunk follows.
        const next = await reader.read();
        truncated = !next.done;
      }
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(got, maxBytes));
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, bytes.length - at);
    bytes.set(p.subarray(0, take), at);
    at += take;
    if (at === bytes.length) break;
  }
  return { bytes, truncated, contentType };
}

const enc = encodeURIComponent;
export interface ProjectRef { entity: string; project: string }
const projectPath = (p: ProjectRef) => `/projects/${enc(p.entity)}/${enc(p.project)}`;
const runPath = (p: ProjectRef, runId: string) => `${projectPath(p)}/runs/${enc(runId)}`;
const sweepPath = (p: ProjectRef, sweepId: string) => `${projectPath(p)}/sweeps/${enc(sweepId)}`;
const artifactPath = (p: ProjectRef, name: string) => `${projectPath(p)}/artifacts/${enc(name)}`;
const versionPath = (p: ProjectRef, name: string, ref: string) => `${artifactPath(p, name)}/versions/${enc(ref)}`;
/** A file inside a version: each path segment escaped, the slashes kept (the route is `files/*`). */
const filePath = (p: ProjectRef, name: string, ref: string, path: string) =>
  `${versionPath(p, name, ref)}/files/${path.split("/").map(enc).join("/")}`;

export interface RunsQuery {
  filter?: string;
  search?: string;
  sort?: string;
  columns?: string;
  limit?: number;
  cursor?: string | null;
  total?: boolean;
}

/** One wire series: metric values may be the strings "NaN", "Infinity", "-Infinity". */
export type WireSeries = SeriesResponse["series"][number];
export interface MultiSeriesResponse { xAxis: string; runs: { runId: string; series: WireSeries[] }[] }
export interface HistoryQuery { runs: string[]; keys: string[]; x?: string; min?: number; max?: number; maxPoints?: number }

export const api = {
  projects: () => request<{ projects: Project[] }>("/projects"),
  project: (p: ProjectRef) => request<Project>(projectPath(p)),
  runs: (p: ProjectRef, q: RunsQuery, signal?: AbortSignal) =>
    request<RunQueryPage>(`${projectPath(p)}/runs`, { query: { ...q }, signal }),
  /** Table rows (RunRow) for exactly these runs, e.g. after a live event. */
  rowsById: (p: ProjectRef, ids: string[], columns: string) =>
    request<RunQueryPage>(`${projectPath(p)}/runs`, {
      query: { filter: `id in (${ids.map((id) => JSON.stringify(id)).join(", ")})`, columns: columns || undefined, limit: ids.length },
    }),
  groups: (p: ProjectRef, q: { by: string; filter?: string; search?: string; aggregate?: string; limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    request<RunGroupsPage>(`${projectPath(p)}/runs/groups`, { query: { ...q }, signal }),
  /** Each config key's importance for a metric (server-side surrogate) and its correlation, over the runs matching filter and search. */
  importance: (p: ProjectRef, q: { metric: string; params?: string; filter?: string; search?: string }, signal?: AbortSignal) =>
    request<Importance>(`${projectPath(p)}/runs/importance`, { query: { ...q }, signal }),
  /** Columns of values (config, summary, run fields) over every run matching filter and search, newest first: the plots' data. */
  runValues: (p: ProjectRef, q: { keys: string[]; filter?: string; search?: string; limit?: number }, signal?: AbortSignal) =>
    request<RunValues>(`${projectPath(p)}/runs/values`, { query: { keys: q.keys.join(","), filter: q.filter || undefined, search: q.search || undefined, limit: q.limit }, signal }),
  keys: (p: ProjectRef, q: { scope?: "config" | "summary"; search?: string; limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
    request<RunKeyPage>(`${projectPath(p)}/runs/keys`, { query: { ...q }, signal }),
  run: (p: ProjectRef, runId: string) => request<Run>(runPath(p, runId)),
  patchRun: (p: ProjectRef, runId: string, patch: RunPatch) =>
    request<Run>(runPath(p, runId), { method: "PATCH", body: JSON.stringify(patch) }),
  configTree: (p: ProjectRef, runId: string, q: { prefix?: string; search?: string; limit?: number; cursor?: string | null }) =>
    request<ConfigTreePage>(`${runPath(p, runId)}/config`, { query: { ...q } }),
  diff: (p: ProjectRef, runId: string) => request<string>(`${runPath(p, runId)}/diff`, { text: true }),
  console: (p: ProjectRef, runId: string, after = 0, limit = 1000) =>
    request<{ lines: ConsoleLine[] }>(`${runPath(p, runId)}/console`, { query: { after, limit } }),
  /** The last `tail` console lines, oldest first. */
  consoleTail: (p: ProjectRef, runId: string, tail: number) =>
    request<{ lines: ConsoleLine[] }>(`${runPath(p, runId)}/console`, { query: { tail } }),
  systemKeys: (p: ProjectRef, runId: string) => request<{ keys: string[] }>(`${runPath(p, runId)}/system/keys`),
  system: (p: ProjectRef, runId: string, q: { keys?: string[]; min?: number; max?: number; maxPoints?: number }) =>
    request<SeriesResponse>(`${runPath(p, runId)}/system`, { query: { keys: q.keys?.join(","), min: q.min, max: q.max, maxPoints: q.maxPoints } }),
  /** Metric keys (not the reserved _timestamp/_runtime) logged by any of these runs. */
  historyKeys: (p: ProjectRef, runs: string[], signal?: AbortSignal) =>
    request<{ keys: string[] }>(`${projectPath(p)}/history/keys`, { query: { runs: runs.join(",") }, signal }),
  /** Bucketed series of many runs at once; x is _step, _timestamp (s), _runtime (s) or a metric key. */
  history: (p: ProjectRef, q: HistoryQuery, signal?: AbortSignal) =>
    request<MultiSeriesResponse>(`${projectPath(p)}/history`, {
      query: { runs: q.runs.join(","), keys: q.keys.join(","), x: q.x, min: q.min, max: q.max, maxPoints: q.maxPoints },
      signal,
    }),
  /** Keys the run logged histograms for (none: the run has no histograms). */
  histogramKeys: (p: ProjectRef, runId: string, signal?: AbortSignal) =>
    request<{ keys: string[] }>(`${runPath(p, runId)}/histograms/keys`, { signal }),
  /** One key's histograms by step, sampled evenly down to maxSteps. */
  histograms: (p: ProjectRef, runId: string, q: { key: string; maxSteps?: number; min?: number; max?: number }, signal?: AbortSignal) =>
    request<HistogramSeriesResponse>(`${runPath(p, runId)}/histograms`, { query: { ...q }, signal }),
  /** The image keys a run logged, each with its number of steps and first and last step. */
  mediaKeys: (p: ProjectRef, runId: string, signal?: AbortSignal) =>
    request<MediaKeys>(`${runPath(p, runId)}/media/keys`, { signal }),
  /** One image key's images at a step (the asked one, else the last at or before it, else the first), with every step it has. */
  media: (p: ProjectRef, runId: string, q: { key: string; step: number }, signal?: AbortSignal) =>
    request<MediaStep>(`${runPath(p, runId)}/media`, { query: { ...q }, signal }),
  /** A media file (an image or a mask) by the `url` a media reply gave, fetched with the API key. */
  mediaFileBlob: async (url: string, signal?: AbortSignal) => (await requestRaw(url, signal)).blob(),
  sweeps: (p: ProjectRef, signal?: AbortSignal) => request<{ sweeps: Sweep[] }>(`${projectPath(p)}/sweeps`, { signal }),
  sweep: (p: ProjectRef, sweepId: string, signal?: AbortSignal) => request<Sweep>(sweepPath(p, sweepId), { signal }),
  /** Pauses, resumes or stops a sweep; stopping also asks its agents to stop their runs. */
  patchSweep: (p: ProjectRef, sweepId: string, state: "paused" | "running" | "stopped") =>
    request<Sweep>(sweepPath(p, sweepId), { method: "PATCH", body: JSON.stringify({ state }) }),
  /** Every trial of the sweep, in creation order. */
  sweepTrials: (p: ProjectRef, sweepId: string, signal?: AbortSignal) =>
    request<{ trials: SweepTrial[] }>(`${sweepPath(p, sweepId)}/trials`, { signal }),

  /** The project's saved views, most recently updated first. */
  views: (p: ProjectRef, signal?: AbortSignal) => request<{ views: View[] }>(`${projectPath(p)}/views`, { signal }),
  view: (p: ProjectRef, viewId: string, signal?: AbortSignal) => request<View>(`${projectPath(p)}/views/${enc(viewId)}`, { signal }),
  /** Saves a view: name, markdown note, and the workspace query string as its state. */
  createView: (p: ProjectRef, body: ViewCreate) =>
    request<View>(`${projectPath(p)}/views`, { method: "POST", body: JSON.stringify(body) }),
  /** Renames a view, edits its note, or overwrites its state. */
  patchView: (p: ProjectRef, viewId: string, patch: ViewPatch) =>
    request<View>(`${projectPath(p)}/views/${enc(viewId)}`, { method: "PATCH", body: JSON.stringify(patch) }),
  deleteView: async (p: ProjectRef, viewId: string): Promise<void> => {
    await request<string>(`${projectPath(p)}/views/${enc(viewId)}`, { method: "DELETE", text: true });
  },

  /** The project's artifacts (each with its latest version's facts), optionally of one type or matching a search. */
  artifacts: (p: ProjectRef, q: { type?: string; search?: string } = {}, signal?: AbortSignal) =>
    request<ArtifactList>(`${projectPath(p)}/artifacts`, { query: { ...q }, signal }),
  /** One artifact and its committed versions, newest first. */
  artifact: (p: ProjectRef, name: string, signal?: AbortSignal) => request<ArtifactDetail>(artifactPath(p, name), { signal }),
  /** One version by `vN` or alias. */
  artifactVersion: (p: ProjectRef, name: string, ref: string, signal?: AbortSignal) =>
    request<ArtifactVersion>(versionPath(p, name, ref), { signal }),
  /** A page of a version's manifest: entries whose path starts with `prefix`, in path order. */
  manifest: (p: ProjectRef, name: string, ref: string, q: { prefix?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<ManifestPage>(`${versionPath(p, name, ref)}/manifest`, { query: { ...q }, signal }),
  /** Edits a version's description, metadata or aliases (an added alias moves here from wherever it was). */
  patchArtifactVersion: (p: ProjectRef, name: string, ref: string, patch: ArtifactVersionPatch) =>
    request<ArtifactVersion>(versionPath(p, name, ref), { method: "PATCH", body: JSON.stringify(patch) }),
  /** Alias moves of an artifact, newest first (`latest` included). */
  aliasHistory: (p: ProjectRef, name: string, limit?: number, signal?: AbortSignal) =>
    request<AliasHistory>(`${artifactPath(p, name)}/aliases/history`, { query: { limit }, signal }),
  /** The runs that logged (producers) and used (consumers) a version. */
  versionRuns: (p: ProjectRef, name: string, ref: string, signal?: AbortSignal) =>
    request<VersionRuns>(`${versionPath(p, name, ref)}/runs`, { signal }),
  /** The versions a run used and produced. */
  runArtifacts: (p: ProjectRef, runId: string, signal?: AbortSignal) =>
    request<RunArtifacts>(`${runPath(p, runId)}/artifacts`, { signal }),
  /** The lineage graph around one artifact version (`name:ref`) or one run, `depth` hops each way. */
  lineage: (p: ProjectRef, q: { artifact?: string; run?: string; depth?: number }, signal?: AbortSignal) =>
    request<LineageGraph>(`${projectPath(p)}/lineage`, { query: { ...q }, signal }),
  /** The URL of a stored file, for links (`download` asks the server for an attachment). */
  artifactFileUrl: (p: ProjectRef, name: string, ref: string, path: string, download = false) =>
    `/api/v1${filePath(p, name, ref, path)}${download ? "?download=1" : ""}`,
  /** The first `maxBytes` of a stored file (previews): the rest is not downloaded. */
  artifactFileHead: async (p: ProjectRef, name: string, ref: string, path: string, maxBytes: number, signal?: AbortSignal) =>
    readHead(await requestRaw(`/api/v1${filePath(p, name, ref, path)}`, signal), maxBytes),
  /** A whole stored file as a Blob (image previews, downloads with an API key). */
  artifactFileBlob: async (p: ProjectRef, name: string, ref: string, path: string, signal?: AbortSignal) =>
    (await requestRaw(`/api/v1${filePath(p, name, ref, path)}`, signal)).blob(),

  /** The keys a run logged tables under, with their steps and size. */
  tableKeys: (p: ProjectRef, runId: string, signal?: AbortSignal) =>
    request<TableKeys>(`${runPath(p, runId)}/tables/keys`, { signal }),
  /** One page of a run's table (sorted and filtered server-side); image cells come as `{image: url}`. */
  table: (p: ProjectRef, runId: string, key: string, q: TableQuery, signal?: AbortSignal) =>
    request<TablePage>(`${runPath(p, runId)}/tables/${enc(key)}`, { query: { ...q }, signal }),
  /** Counts of (actual, predicted) label pairs of a run's table. */
  tableConfusion: (p: ProjectRef, runId: string, key: string, q: { actual: string; predicted: string; step?: number | null }, signal?: AbortSignal) =>
    request<Confusion>(`${runPath(p, runId)}/tables/${enc(key)}/confusion`, { query: { ...q }, signal }),
  /** One table of 2 to 4 runs joined on a column (or the row index), a page of the joined rows. */
  tableCompare: (p: ProjectRef, q: TableCompareQuery, signal?: AbortSignal) =>
    request<TableComparePage>(`${projectPath(p)}/tables/compare`, { query: { ...q, runs: q.runs.join(",") }, signal }),
  /** An image cell's bytes (the `{image: url}` a table page gave) as a Blob, sent with the API key. */
  tableImageBlob: async (url: string, signal?: AbortSignal) => (await requestRaw(url, signal)).blob(),
};

/** Live run updates for a project over Server-Sent Events; returns a function that closes the stream. */
export function subscribeProject(
  p: ProjectRef,
  handlers: { runs?(rows: RunRow[]): void; project?(): void; error?(): void },
): () => void {
  const key = apiKey();
  const es = new EventSource(`/api/v1${projectPath(p)}/events${key ? `?key=${enc(key)}` : ""}`);
  es.addEventListener("runs", (e) => handlers.runs?.((JSON.parse((e as MessageEvent<string>).data) as { runs: RunRow[] }).runs));
  es.addEventListener("project", () => handlers.project?.());
  es.onerror = () => handlers.error?.();
  return () => es.close();
}
