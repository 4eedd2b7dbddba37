// Owns the file browser's pure parts: one folder's view (sub-folders and files) built from the
// manifest entries under its prefix, the breadcrumb trail, how a file is previewed (from its
// extension), and byte sizes as text. The browser and previews themselves are FileBrowser.tsx and
// FilePreview.tsx.
import type { ManifestEntry } from "@orrery/protocol";

/** What the preview draws; `json` is decided after reading: a table when it is one, else text. */
export type PreviewPlan = "text" | "image" | "table" | "json" | "binary" | "reference";
/** The preview's `data-kind`. */
export type PreviewKind = "text" | "image" | "table" | "binary" | "reference";

const IMAGE = new Set(["png", "jpg", "jpeg", "gif", "webp", "svg"]);
const TABLE = new Set(["csv", "tsv"]);
const TEXT = new Set([
  "txt", "md", "markdown", "rst", "log", "out", "err", "jsonl", "ndjson", "yaml", "yml", "toml", "ini", "cfg", "conf", "env",
  "xml", "html", "htm", "css", "scss", "py", "pyi", "ipynb", "js", "mjs", "cjs", "ts", "tsx", "jsx", "sh", "bash", "zsh", "fish",
  "c", "h", "cc", "cpp", "hpp", "cu", "java", "kt", "scala", "go", "rs", "rb", "r", "jl", "lua", "pl", "php", "swift", "sql",
  "tex", "bib", "proto", "gitignore", "dockerignore", "lock", "properties", "vocab", "tokens", "srt", "vtt", "diff", "patch",
]);
/** Files commonly written without an extension that are text. */
const TEXT_NAMES = new Set(["readme", "license", "licence", "copying", "notice", "authors", "changelog", "makefile", "dockerfile", "vocab"]);

export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** How to preview an entry: references are described, never fetched; stored files by their extension. */
export function previewPlan(entry: Pick<ManifestEntry, "path" | "ref">): PreviewPlan {
  if (entry.ref !== undefined) return "reference";
  const ext = extensionOf(entry.path);
  if (IMAGE.has(ext)) return "image";
  if (TABLE.has(ext)) return "table";
  if (ext === "json") return "json";
  if (TEXT.has(ext)) return "text";
  if (ext === "") {
    const name = entry.path.slice(entry.path.lastIndexOf("/") + 1).toLowerCase();
    if (TEXT_NAMES.has(name)) return "text";
  }
  return "binary";
}

/** Bytes that look like text: no NUL in the first 8 KiB (what git and most editors check). */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return false;
  return true;
}

export interface FolderRow { path: string; name: string; files: number; size: number }
export interface FolderView {
  folders: FolderRow[];
  files: ManifestEntry[];
}

/**
 * The sub-folders and files directly inside folder `dir` ("" for the root) from entries under it
 * (in path order, as the manifest pages come). A folder counts the files and bytes seen so far.
 */
export function folderView(entries: readonly ManifestEntry[], dir: string): FolderView {
  const prefix = dir ? `${dir}/` : "";
  const folders = new Map<string, FolderRow>();
  const files: ManifestEntry[] = [];
  for (const e of entries) {
    if (!e.path.startsWith(prefix)) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash === -1) {
      files.push(e);
      continue;
    }
    const name = rest.slice(0, slash);
    const path = prefix + name;
    const row = folders.get(path) ?? { path, name, files: 0, size: 0 };
    row.files++;
    row.size += e.size ?? 0;
    folders.set(path, row);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { folders: [...folders.values()].sort((a, b) => byName(a.name, b.name)), files: files.sort((a, b) => byName(a.path, b.path)) };
}

/** The trail from the root to folder `dir`: [{"", root}, {"a", "a"}, {"a/b", "b"}]. */
export function breadcrumbs(dir: string, rootLabel = "files"): { path: string; label: string }[] {
  const out = [{ path: "", label: rootLabel }];
  if (!dir) return out;
  const parts = dir.split("/");
  parts.forEach((label, i) => out.push({ path: parts.slice(0, i + 1).join("/"), label }));
  return out;
}

/** The folder that holds a path ("" at the root). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i === -1 ? "" : path.slice(0, i);
}

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/** 1536 -> "1.5 KB" (powers of 1024, three significant digits); null -> "unknown size". */
export function formatBytes(n: number | null): string {
  if (n === null) return "unknown size";
  if (n < 1024) return `${n} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[u]}`;
}

/** The first 12 characters of a SHA-256 (what the UI shows; the title holds the whole digest). */
export function shortDigest(digest: string): string {
  return /^[0-9a-f]{64}$/.test(digest) ? digest.slice(0, 12) : digest;
}

const IMAGE_MIME: Record<string, string> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", svg: "image/svg+xml",
};

/** The MIME type an image preview is shown as (an <img> of SVG needs the right one), "" when not an image. */
export function imageMime(path: string): string {
  return IMAGE_MIME[extensionOf(path)] ?? "";
}
