// Owns choosing a storage engine from a location string by URL scheme. Engines are imported only
// when asked for, so a server on SQLite never loads a PostgreSQL driver (and vice versa).
import type { Store } from "./interfaces.js";

type Opener = (rest: string) => Promise<Store>;

const ENGINES: Record<string, Opener> = {
  sqlite: async (dir) => (await import("./sqlite/store.js")).openSqliteStore(dir),
};

/**
 * Opens a store. `sqlite:/abs/dir`, `sqlite:rel/dir`, `sqlite:///abs/dir` or a bare directory path
 * select the embedded engine, with the database at DIR/orrery.db and blobs in DIR/blobs.
 */
export async function openStore(location: string): Promise<Store> {
  // Two or more letters, so a Windows drive ("C:\data") reads as a path, not a scheme.
  const m = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/s.exec(location);
  if (m === null) return ENGINES.sqlite(requirePath(location, location));
  const scheme = m[1].toLowerCase();
  const opener = Object.hasOwn(ENGINES, scheme) ? ENGINES[scheme] : undefined;
  if (opener === undefined) {
    throw new Error(
      `unsupported store location "${location}": supported schemes are ${Object.keys(ENGINES).map((s) => `${s}:`).join(", ")}` +
        " (or pass a bare directory path for sqlite)",
    );
  }
  let rest = m[2];
  if (rest.startsWith("//")) rest = rest.slice(2);
  return opener(requirePath(rest, location));
}

function requirePath(path: string, location: string): string {
  if (path.trim() === "") throw new Error(`store location "${location}" names no directory: use e.g. sqlite:./orrery-data`);
  return path;
}
