// Owns the headers a stored file is served with: a content type from its extension (so the
// dashboard can preview text, images and tables) and the Content-Disposition of a download.
// HTML is served as text: a user's page must never run on the dashboard's origin.
const TEXT = "text/plain; charset=utf-8";
const TYPES = new Map<string, string>(Object.entries({
  txt: TEXT, log: TEXT, md: "text/markdown; charset=utf-8", json: "application/json; charset=utf-8",
  jsonl: TEXT, ndjson: TEXT, csv: "text/csv; charset=utf-8", tsv: "text/tab-separated-values; charset=utf-8",
  yaml: TEXT, yml: TEXT, toml: TEXT, ini: TEXT, cfg: TEXT, xml: TEXT, html: TEXT, htm: TEXT,
  py: TEXT, js: TEXT, ts: TEXT, sh: TEXT, r: TEXT, c: TEXT, h: TEXT, cpp: TEXT, rs: TEXT, go: TEXT, java: TEXT, sql: TEXT,
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", bmp: "image/bmp",
  svg: "image/svg+xml", ico: "image/x-icon", avif: "image/avif",
  pdf: "application/pdf", wav: "audio/wav", mp3: "audio/mpeg", mp4: "video/mp4", webm: "video/webm",
}));

export function contentTypeOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return (dot > 0 && TYPES.get(name.slice(dot + 1).toLowerCase())) || "application/octet-stream";
}

/** `attachment` with the file's own name: ASCII fallback plus the exact UTF-8 name (RFC 6266). */
export function attachment(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
