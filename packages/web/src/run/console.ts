// Owns the console view's data logic: appending newly polled lines while keeping a bounded tail,
// and splitting text around search matches for highlighting. Pure.
import type { ConsoleLine } from "@orrery/protocol";

/** Lines after the last one held, keeping only the newest `max`. */
export function appendLines(held: ConsoleLine[], next: ConsoleLine[], max: number): ConsoleLine[] {
  const last = held.length ? held[held.length - 1]!.n : 0;
  const fresh = next.filter((l) => l.n > last);
  if (fresh.length === 0) return held;
  const all = held.concat(fresh);
  return all.length > max ? all.slice(all.length - max) : all;
}

/** The text cut into pieces, with `hit` on each case-insensitive occurrence of the query. */
export function splitMatches(text: string, query: string): { text: string; hit: boolean }[] {
  if (!query) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  const out: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i !== -1; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push({ text: text.slice(at, i), hit: false });
    out.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), hit: false });
  return out;
}
