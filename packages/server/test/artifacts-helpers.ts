// Shared by the artifact and blob API tests: a thin client for the artifact routes that logs a
// version the way the SDKs do (manifest, upload what is missing, commit), a PUT that is cut off
// after part of its body, a run played through the ingest API, and a way to damage a stored blob.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { api, postJson } from "../../../e2e/helpers.js";

export interface ErrorBody { error: string; message: string; field?: string }
export interface Entry { path: string; digest: string; size: number | null; ref?: string }
export interface VersionBody {
  name: string; type: string; version: string; index: number; digest: string; description: string;
  metadata: Record<string, unknown>; aliases: string[]; size: number; fileCount: number; createdAt: string; createdBy: string | null;
}
export interface DraftBody { state: "pending" | "committed"; draftId: string | null; digest: string; missing: string[]; version: VersionBody | null }
export interface UploadBody { digest: string; received: number; size: number | null; complete: boolean }
export interface LineageBody {
  root: string; truncated: boolean;
  nodes: { id: string; kind: string; label: string; depth: number; runId?: string; state?: string | null; name?: string; type?: string; aliases?: string[] }[];
  edges: { from: string; to: string }[];
}

export const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

export type Files = Record<string, Buffer | string>;

export function manifestOf(files: Files): Entry[] {
  return Object.entries(files).map(([path, data]) => {
    const buf = Buffer.from(data);
    return { path, digest: sha256(buf), size: buf.length };
  });
}

const T0 = Date.UTC(2026, 0, 1);

export class ArtifactClient {
  constructor(readonly url: string, readonly entity = "ada", readonly project = "vision") {}
  get base(): string { return `/api/v1/projects/${this.entity}/${this.project}`; }

  create(body: object) {
    return postJson(this.url, `${this.base}/artifacts`, body) as Promise<{ status: number; body: DraftBody & ErrorBody }>;
  }
  async createOk(body: object): Promise<DraftBody> {
    const res = await this.create(body);
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  put(digest: string, data: Buffer, offset: number, size: number, headers: Record<string, string> = { "content-type": "application/octet-stream" }) {
    return api<UploadBody & ErrorBody>(this.url, `/api/v1/blobs/${digest}/upload?offset=${offset}&size=${size}`, { method: "PUT", headers, body: data });
  }
  async uploadStatus(digest: string): Promise<UploadBody> {
    return (await api<UploadBody>(this.url, `/api/v1/blobs/${digest}/upload`)).body;
  }
  commit(name: string, draftId: string) {
    return postJson(this.url, `${this.base}/artifacts/${name}/drafts/${draftId}/commit`, {}) as Promise<{ status: number; body: VersionBody & ErrorBody }>;
  }
  get<T = unknown>(path: string, init: RequestInit = {}) {
    return api<T & ErrorBody>(this.url, path.startsWith("/api/") ? path : `${this.base}${path}`, init);
  }
  patch<T = VersionBody>(path: string, body: unknown) {
    return this.get<T>(path, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }
  del(path: string) {
    return this.get<{ deleted: string }>(path, { method: "DELETE" });
  }
  gc(body: object = {}) {
    return postJson(this.url, "/api/v1/gc", body) as Promise<{ status: number; body: GcBody & ErrorBody }>;
  }

  /** Logs files as the SDKs do: draft, upload each missing blob whole, commit. */
  async log(name: string, type: string, files: Files, extra: { aliases?: string[]; runId?: string; metadata?: object; description?: string } = {}) {
    const draft = await this.createOk({ name, type, manifest: manifestOf(files), ...extra });
    const uploaded: string[] = [];
    if (draft.state === "committed") return { draft, version: draft.version!, uploaded };
    const byDigest = new Map(Object.values(files).map((d) => [sha256(Buffer.from(d)), Buffer.from(d)]));
    for (const digest of draft.missing) {
      const data = byDigest.get(digest)!;
      const res = await this.put(digest, data, 0, data.length);
      if (res.status !== 200 || !res.body.complete) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
      uploaded.push(digest);
    }
    const res = await this.commit(name, draft.draftId!);
    if (res.status !== 200) throw new Error(`commit failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { draft, version: res.body, uploaded };
  }

  /** Plays a run through the ingest API: opened with a name, optionally finished. */
  async run(runId: string, name: string, finish = true): Promise<void> {
    const records = [
      { seq: 1, ts: T0, type: "run", name },
      ...(finish ? [{ seq: 2, ts: T0 + 1000, type: "finish", exitCode: 0 }] : []),
    ];
    const res = await postJson(this.url, `${this.base}/runs/${runId}/records`, { records });
    if (res.status !== 200) throw new Error(`ingest failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async use(name: string, ref: string, runId: string) {
    return postJson(this.url, `${this.base}/artifacts/${name}/versions/${ref}/use`, { runId }) as Promise<{ status: number; body: VersionBody & ErrorBody }>;
  }
}

export interface GcBody {
  dryRun: boolean; blobsScanned: number; blobsDeleted: number; bytesFreed: number; blobsKept: number;
  draftsExpired: number; uploadsRemoved: number; corrupt: string[];
}

/**
 * Starts a PUT of `data` (Content-Length says all of it), sends the first `sent` bytes, and
 * returns a handle to send the rest later or to destroy the connection as a crash would.
 */
export function openPut(url: string, digest: string, data: Buffer, sent: number, offset = 0, size = offset + data.length) {
  const req = request(`${url}/api/v1/blobs/${digest}/upload?offset=${offset}&size=${size}`, {
    method: "PUT", headers: { "content-type": "application/octet-stream", "content-length": String(data.length) },
  });
  const reply = new Promise<{ status: number; body: UploadBody & ErrorBody }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => { text += c; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as UploadBody & ErrorBody }));
    });
    req.on("error", reject);
  });
  reply.catch(() => undefined);
  req.flushHeaders();
  req.write(data.subarray(0, sent));
  return {
    reply,
    finish: () => { req.end(data.subarray(sent)); return reply; },
    crash: () => { req.destroy(); },
  };
}

/** Flips one byte of a stored blob on disk, as a failing disk would. */
export async function damageBlob(dataDir: string, digest: string, at = 0): Promise<void> {
  const fh = await open(join(dataDir, "blobs", digest.slice(0, 2), digest.slice(2)), "r+");
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
