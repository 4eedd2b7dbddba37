// Owns the CLI's calls to a running server: base URL and key from flags or environment, and
// turning error bodies and unreachable servers into one readable sentence.
import type { ErrorBody } from "@orrery/protocol";

export interface Remote { url: string; apiKey?: string }

export function remoteFromEnv(url?: string): Remote {
  return { url: (url ?? process.env.ORRERY_URL ?? "http://127.0.0.1:5170").replace(/\/+$/, ""), apiKey: process.env.ORRERY_API_KEY || undefined };
}

export async function getJson<T>(remote: Remote, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(remote.url + path, { headers: remote.apiKey ? { authorization: `Bearer ${remote.apiKey}` } : {} });
  } catch {
    throw new Error(`cannot reach the Orrery server at ${remote.url}: start it with 'orrery server' or set ORRERY_URL`);
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text;
    try { msg = (JSON.parse(text) as ErrorBody).message; } catch { /* keep raw text */ }
    throw new Error(`${res.status}: ${msg}`);
  }
  return JSON.parse(text) as T;
}
