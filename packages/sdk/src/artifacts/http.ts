// Owns the artifact client's HTTP: one request function over node:http(s) that streams bodies both
// ways (fetch would buffer nothing either, but gives no hold on Content-Length and socket idle
// time), JSON calls with a short retry on transient failures, and turning error bodies into an
// OrreryError with the server's code, message and field. Upload and download policy live in
// upload.ts and download.ts.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { ERROR_STATUS, OrreryError, type ErrorCode } from "@orrery/protocol";

export interface ServerTarget {
  /** Base URL of the Orrery server, e.g. http://127.0.0.1:5170. */
  url: string;
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** A request whose socket is silent this long fails (and is retried where safe). Default 60000. */
  timeoutMs?: number;
}

export interface RawRequest {
  method: string;
  /** Path below the server URL, starting with /api/v1. */
  path: string;
  headers?: Record<string, string | number>;
  /** JSON text, bytes, or a stream piped as the body. */
  body?: string | Buffer | Readable;
}

/** Sends one request; resolves with the response once its headers arrive (the body is the caller's to read). */
export function send(target: ServerTarget, req: RawRequest): Promise<IncomingMessage> {
  const url = new URL(target.url.replace(/\/+$/, "") + req.path);
  const headers: Record<string, string | number> = { ...req.headers };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  if (typeof req.body === "string" || Buffer.isBuffer(req.body)) headers["content-length"] = Buffer.byteLength(req.body);
  const doRequest = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = doRequest(url, { method: req.method, headers }, resolve);
    r.setTimeout(target.timeoutMs ?? 60_000, () => r.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
    r.on("error", (err) => reject(networkError(target, err)));
    const body = req.body;
    if (body === undefined) r.end();
    else if (typeof body === "string" || Buffer.isBuffer(body)) r.end(body);
    else {
      // A failing source (file removed mid-upload) must fail the request, not hang it.
      body.on("error", (err) => r.destroy(err));
      body.pipe(r);
    }
  });
}

/** Reads a whole (small) response body as text. */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The error a non-2xx response stands for: the server's code, message and field when it sent JSON. */
export async function responseError(res: IncomingMessage, what: string): Promise<OrreryError> {
  let text = "";
  try {
    text = await readText(res);
  } catch { /* the body broke off: the status alone must do */ }
  const status = res.statusCode ?? 500;
  let code: ErrorCode = codeForStatus(status);
  let message = text.trim().slice(0, 500) || `HTTP ${status}`;
  let field: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; field?: unknown };
    if (typeof body.error === "string" && body.error in ERROR_STATUS) code = body.error as ErrorCode;
    if (typeof body.message === "string") message = body.message;
    if (typeof body.field === "string") field = body.field;
  } catch { /* not JSON: keep the raw text */ }
  return new OrreryError(code, `${what}: ${message}`, field);
}

function codeForStatus(status: number): ErrorCode {
  if (status === 400) return "invalid_request";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "payload_too_large";
  if (status === 503 || status === 502 || status === 504) return "unavailable";
  return "internal";
}

/** A failure to reach the server or a connection that broke: code `unavailable`. */
export function networkError(target: ServerTarget, err: unknown): OrreryError {
  if (err instanceof OrreryError) return err;
  const e = err as { code?: string; message?: string };
  const why = e.code ?? e.message ?? String(err);
  return new OrreryError("unavailable", `cannot reach the Orrery server at ${target.url} (${why}): start it with 'orrery server' or set ORRERY_URL`, undefined, { cause: err });
}

/** Whether trying again may help: the server was unreachable, the connection broke, or it answered 502-504. */
export function isTransient(err: unknown): boolean {
  return err instanceof OrreryError && err.code === "unavailable";
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A JSON request: resolves with the parsed 2xx body, throws OrreryError otherwise. Every JSON call
 * of the artifact API is idempotent (a draft with the same digest is found again, a commit twice
 * returns the same version), so transient failures are retried a few times with backoff.
 */
export async function jsonRequest<T>(target: ServerTarget, method: string, path: string, what: string, body?: unknown, tries = 3): Promise<T> {
  let delay = 300;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await send(target, {
        method, path,
        headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const status = res.statusCode ?? 500;
      if (status < 200 || status >= 300) throw await responseError(res, what);
      const text = await readText(res).catch((err: unknown) => { throw networkError(target, err); });
      return JSON.parse(text) as T;
    } catch (err) {
      if (!isTransient(err) || attempt >= tries) throw err;
      await sleep(delay);
      delay *= 2;
    }
  }
}
