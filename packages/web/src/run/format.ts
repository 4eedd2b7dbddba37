// Owns the run and project pages' time and command-line text: "3 minutes ago", the full time for a
// title, and a shell-like rendering of argv. Pure, so it is tested without a browser.

const UNITS: [limit: number, seconds: number, name: string][] = [
  [60, 1, "second"],
  [3600, 60, "minute"],
  [86_400, 3600, "hour"],
  [30 * 86_400, 86_400, "day"],
  [365 * 86_400, 30 * 86_400, "month"],
  [Infinity, 365 * 86_400, "year"],
];

/** "3 minutes ago" for an ISO time, relative to now (ms); "" for null or unparsable times. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const s = Math.floor((now - t) / 1000);
  // Clocks of the server and the browser differ a little; a time slightly ahead is still "now".
  if (s < 10) return "just now";
  for (const [limit, size, name] of UNITS) {
    if (s < limit) {
      const n = Math.floor(s / size);
      return `${n} ${name}${n === 1 ? "" : "s"} ago`;
    }
  }
  return "";
}

/** The full local time with seconds, for a title next to a relative time. */
export function fullTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** One argument as a POSIX shell would need it written, so a copied command line runs again. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_\-+=/.,:@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
