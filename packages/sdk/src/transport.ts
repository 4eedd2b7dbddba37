// Owns HTTP: endpoint paths and the auth header. It reports what happened (status and
// body, or a network error) and decides nothing; retry policy lives in sender.ts.

export interface Endpoint {
  url: string;
  apiKey: string | undefined;
  entity: string;
  project: string;
  runId: string;
}

export type Reply = { ok: true; status: number; body: string } | { ok: false; error: string };

export function runPath(e: Endpoint): string {
  const enc = encodeURIComponent;
  return `${e.url}/api/v1/projects/${enc(e.entity)}/${enc(e.project)}/runs/${enc(e.runId)}`;
}

/** POSTs `body` (bytes of `contentType`, or nothing) and never throws: network failures become `{ ok: false }`. */
export async function post(
  target: string, apiKey: string | undefined, body: Uint8Array<ArrayBuffer> | undefined, signal: AbortSignal, contentType = "application/json",
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = contentType;
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  try {
    const res = await fetch(target, { method: "POST", headers, body, signal });
    const text = await res.text();
    return { ok: true, status: res.status, body: text };
  } catch (err) {
    return { ok: false, error: describeNetworkError(err) };
  }
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return "request timed out";
    if (err.name === "AbortError") return "request aborted";
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code) return cause.code;
    if (cause?.message) return cause.message;
    return err.message;
  }
  return String(err);
}
