// Owns browsing a version's files as folders: one folder at a time from manifest pages by prefix
// (1000 entries a page, more on request, so a 100,000-file version never loads whole), breadcrumbs
// back up, and the selected file's preview beside the list. The folder and file live in the URL.
import { useEffect, useMemo, useState } from "react";
import { api, type ManifestEntry } from "../api/client";
import { ErrorBox, Loading } from "../ui/common";
import { breadcrumbs, folderView, formatBytes, shortDigest } from "./files";
import { FilePreview, type FileRef } from "./FilePreview";

const PAGE = 1000;

interface Pages { entries: ManifestEntry[]; total: number | null; cursor: string | null; loading: boolean; error: unknown }

/** Manifest entries under `prefix`, a page at a time. */
function useManifest(file: FileRef, prefix: string) {
  const [state, setState] = useState<Pages>({ entries: [], total: null, cursor: null, loading: true, error: null });
  const [attempt, setAttempt] = useState(0);
  const fetchPage = (cursor: string | null, live: () => boolean) => {
    setState((s) => ({ ...s, loading: true, error: null }));
    api.manifest(file.project, file.name, file.version, { prefix: prefix || undefined, cursor, limit: PAGE }).then(
      (page) => live() && setState((s) => ({
        entries: cursor ? s.entries.concat(page.entries) : page.entries, total: page.total, cursor: page.nextCursor, loading: false, error: null,
      })),
      (error: unknown) => live() && setState((s) => ({ ...s, loading: false, error })),
    );
  };
  useEffect(() => {
    let live = true;
    setState({ entries: [], total: null, cursor: null, loading: true, error: null });
    fetchPage(null, () => live);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [file.project, file.name, file.version, prefix, attempt]);
  return { ...state, more: () => fetchPage(state.cursor, () => true), retry: () => setAttempt((a) => a + 1) };
}

/** The entry at exactly `path`: from the folder's loaded entries, else asked for (a deep link). */
function useEntry(file: FileRef, path: string | null, loaded: readonly ManifestEntry[]): { entry: ManifestEntry | null; missing: boolean } {
  const found = path ? loaded.find((e) => e.path === path) ?? null : null;
  const [fetched, setFetched] = useState<{ path: string; entry: ManifestEntry | null } | null>(null);
  useEffect(() => {
    if (!path || found) return;
    let live = true;
    api.manifest(file.project, file.name, file.version, { prefix: path, limit: 20 }).then(
      (page) => live && setFetched({ path, entry: page.entries.find((e) => e.path === path) ?? null }),
      () => live && setFetched({ path, entry: null }),
    );
    return () => {
      live = false;
    };
  }, [file.project, file.name, file.version, path, found]);
  if (found) return { entry: found, missing: false };
  if (fetched && fetched.path === path) return { entry: fetched.entry, missing: fetched.entry === null };
  return { entry: null, missing: false };
}

export function FileBrowser({ file, dir, selected, fileCount, onDir, onFile }: {
  file: FileRef;
  /** The open folder, "" for the root. */
  dir: string;
  selected: string | null;
  fileCount: number;
  onDir(dir: string): void;
  onFile(path: string | null): void;
}) {
  const m = useManifest(file, dir ? `${dir}/` : "");
  const view = useMemo(() => folderView(m.entries, dir), [m.entries, dir]);
  const { entry, missing } = useEntry(file, selected, m.entries);
  const open = (e: React.KeyboardEvent, go: () => void) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      go();
    }
  };
  return (
    <div className="artifact-files" data-testid="artifact-files" data-dir={dir}>
      <div className="file-list">
        <nav className="file-crumbs" aria-label="folder">
          {breadcrumbs(dir).map((c, i, all) => (
            <span key={c.path}>
              {i > 0 ? <span className="sep">/</span> : null}
              {i < all.length - 1 ? (
                <button type="button" className="link" data-testid="folder-crumb" data-path={c.path} onClick={() => onDir(c.path)}>{c.label}</button>
              ) : <strong>{c.label}</strong>}
            </span>
          ))}
        </nav>
        <table className="kv file-table">
          <tbody>
            {view.folders.map((f) => (
              <tr key={f.path} className="folder-row" data-testid="folder-row" data-path={f.path} tabIndex={0} role="button"
                onClick={() => onDir(f.path)} onKeyDown={(e) => open(e, () => onDir(f.path))}>
                <td><span className="file-icon" aria-hidden>▸</span> <span className="file-name">{f.name}/</span></td>
                <td className="num muted">{f.files.toLocaleString("en")}{m.cursor ? "+" : ""} file{f.files === 1 ? "" : "s"}</td>
                <td className="num muted">{formatBytes(f.size)}</td>
              </tr>
            ))}
            {view.files.map((f) => (
              <tr key={f.path} className={`file-row${f.path === selected ? " selected" : ""}`} data-testid="file-row" data-path={f.path}
                aria-selected={f.path === selected} tabIndex={0} role="button"
                onClick={() => onFile(f.path)} onKeyDown={(e) => open(e, () => onFile(f.path))}>
                <td><span className="file-name">{f.path.slice(dir ? dir.length + 1 : 0)}</span>{f.ref !== undefined ? <span className="tag">reference</span> : null}</td>
                <td className="num">{formatBytes(f.size)}</td>
                <td className="muted" title={f.digest}><code>{shortDigest(f.digest)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
        {m.error ? <ErrorBox error={m.error} what="the files" retry={m.entries.length ? m.more : m.retry} /> : null}
        {m.loading ? <Loading what="files" /> : null}
        {!m.loading && !m.error && m.total === 0 ? <div className="muted">{dir ? "This folder is empty." : "This version has no files."}</div> : null}
        {m.total !== null && m.total > 0 ? (
          <div className="muted small">
            {dir ? `${m.total.toLocaleString("en")} files under ${dir}/` : `${fileCount.toLocaleString("en")} files`}
            {m.cursor ? <> · {m.entries.length.toLocaleString("en")} loaded <button type="button" data-testid="files-more" disabled={m.loading} onClick={m.more}>Load {PAGE} more</button></> : null}
          </div>
        ) : null}
      </div>
      <div className="file-pane">
        {entry ? <FilePreview key={entry.path} file={file} entry={entry} /> : null}
        {!entry && selected && missing ? <div className="muted">This version has no file <code>{selected}</code>.</div> : null}
        {!entry && selected && !missing ? <Loading what={selected} /> : null}
        {!selected ? <div className="muted file-hint">Pick a file to preview it.</div> : null}
      </div>
    </div>
  );
}
