// Owns previewing one file of an artifact version: text (its first 256 KB), images, tables (CSV,
// TSV, JSON tables: their first 1000 rows, 100 a page), and for anything else or a reference a
// description with a download link. Only as many bytes as the preview needs are fetched.
import { useEffect, useState } from "react";
import { api, apiKey, type ManifestEntry, type ProjectRef } from "../api/client";
import { useLoad } from "../run/useLoad";
import { ErrorBox, Loading } from "../ui/common";
import { formatBytes, imageMime, looksLikeText, previewPlan, type PreviewKind } from "./files";
import { cellText, pageOf, parseDelimited, parseJsonTable, type ParsedTable } from "./tables";

/** Bytes of a text file shown. */
export const TEXT_BYTES = 256 * 1024;
/** Bytes of a CSV/TSV read for its first rows. */
const TABLE_BYTES = 4 * 1024 * 1024;
/** A JSON file larger than this is shown as text: a table needs the whole document parsed. */
const JSON_BYTES = 8 * 1024 * 1024;
/** Images larger than this are not previewed. */
const IMAGE_BYTES = 32 * 1024 * 1024;
const PAGE_ROWS = 100;

export interface FileRef { project: ProjectRef; name: string; version: string }

export function FilePreview({ file, entry }: { file: FileRef; entry: ManifestEntry }) {
  const [forceText, setForceText] = useState(false);
  const plan = forceText ? "text" : previewPlan(entry);
  return (
    <div className="file-preview-wrap">
      <div className="file-preview-head">
        <strong className="file-preview-path">{entry.path}</strong>
        <span className="muted">{formatBytes(entry.size)}</span>
        {entry.ref === undefined ? <DownloadLink file={file} path={entry.path} /> : null}
      </div>
      {plan === "reference" ? <ReferenceInfo entry={entry} /> : null}
      {plan === "binary" ? <BinaryInfo file={file} entry={entry} onText={() => setForceText(true)} /> : null}
      {plan === "image" ? <ImagePreview file={file} entry={entry} /> : null}
      {plan === "text" ? <TextPreview file={file} entry={entry} /> : null}
      {plan === "table" ? <DelimitedPreview file={file} entry={entry} /> : null}
      {plan === "json" ? <JsonPreview file={file} entry={entry} /> : null}
    </div>
  );
}

function Frame({ kind, loading, children }: { kind: PreviewKind | null; loading?: boolean; children: React.ReactNode }) {
  return (
    <div className="file-preview" data-testid="file-preview" data-kind={kind ?? undefined} data-loading={loading ? "true" : undefined}>
      {children}
    </div>
  );
}

const decode = (bytes: Uint8Array, cut: boolean) => new TextDecoder("utf-8").decode(bytes, { stream: cut });

function useHead(file: FileRef, path: string, maxBytes: number) {
  return useLoad(
    () => api.artifactFileHead(file.project, file.name, file.version, path, maxBytes),
    [file.project, file.name, file.version, path, maxBytes],
  );
}

function TextPreview({ file, entry }: { file: FileRef; entry: ManifestEntry }) {
  const [load, reload] = useHead(file, entry.path, TEXT_BYTES);
  if (load.status === "loading") return <Frame kind={null} loading><Loading what={entry.path} /></Frame>;
  if (load.status === "error") return <Frame kind={null}><ErrorBox error={load.error} what={entry.path} retry={reload} /></Frame>;
  const { bytes, truncated } = load.data;
  if (!looksLikeText(bytes)) {
    return <Frame kind="binary"><p className="muted">This file holds binary data (it has NUL bytes), so it is not shown as text.</p></Frame>;
  }
  return <Frame kind="text"><TextBody text={decode(bytes, truncated)} truncated={truncated} size={entry.size} /></Frame>;
}

function TextBody({ text, truncated, size }: { text: string; truncated: boolean; size: number | null }) {
  return (
    <>
      {truncated ? <p className="muted">Showing the first {formatBytes(TEXT_BYTES)} of {formatBytes(size)}; download the file for the rest.</p> : null}
      <pre className="file-text" data-testid="preview-text">{text}</pre>
    </>
  );
}

function DelimitedPreview({ file, entry }: { file: FileRef; entry: ManifestEntry }) {
  const [load, reload] = useHead(file, entry.path, TABLE_BYTES);
  if (load.status === "loading") return <Frame kind={null} loading><Loading what={entry.path} /></Frame>;
  if (load.status === "error") return <Frame kind={null}><ErrorBox error={load.error} what={entry.path} retry={reload} /></Frame>;
  const { bytes, truncated } = load.data;
  const table = parseDelimited(decode(bytes, truncated), entry.path.toLowerCase().endsWith(".tsv") ? "\t" : ",", truncated);
  return <Frame kind="table"><TableView table={table} /></Frame>;
}

function JsonPreview({ file, entry }: { file: FileRef; entry: ManifestEntry }) {
  const [load, reload] = useHead(file, entry.path, JSON_BYTES);
  if (load.status === "loading") return <Frame kind={null} loading><Loading what={entry.path} /></Frame>;
  if (load.status === "error") return <Frame kind={null}><ErrorBox error={load.error} what={entry.path} retry={reload} /></Frame>;
  const { bytes, truncated } = load.data;
  const text = decode(bytes, truncated);
  const table = truncated ? null : parseJsonTable(text);
  if (table) return <Frame kind="table"><TableView table={table} /></Frame>;
  let shown = text;
  if (!truncated && text.length <= TEXT_BYTES) {
    try {
      shown = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* not valid JSON: show it as it is */
    }
  }
  const cut = shown.length > TEXT_BYTES;
  return <Frame kind="text"><TextBody text={cut ? shown.slice(0, TEXT_BYTES) : shown} truncated={truncated || cut} size={entry.size} /></Frame>;
}

/** A parsed table, a page of rows at a time. */
export function TableView({ table }: { table: ParsedTable }) {
  const [page, setPage] = useState(0);
  const p = pageOf(table.rows, page, PAGE_ROWS);
  const first = p.page * PAGE_ROWS;
  return (
    <div className="preview-table">
      <div className="toolbar">
        <span className="muted" data-testid="table-range">
          {table.rows.length ? `rows ${(first + 1).toLocaleString("en")}–${(first + p.rows.length).toLocaleString("en")} of ${table.rows.length.toLocaleString("en")}` : "no rows"}
          {table.more ? ` (the first ${table.rows.length.toLocaleString("en")}; the file has more)` : ""} · {table.columns.length} columns
        </span>
        {p.pages > 1 ? (
          <>
            <button type="button" data-testid="table-prev" disabled={p.page === 0} onClick={() => setPage(p.page - 1)}>Previous</button>
            <span className="muted">page {p.page + 1} of {p.pages}</span>
            <button type="button" data-testid="table-next" disabled={p.page >= p.pages - 1} onClick={() => setPage(p.page + 1)}>Next</button>
          </>
        ) : null}
      </div>
      <div className="table-value-wrap preview-table-wrap">
        <table className="kv table-value" data-testid="preview-table" data-rows={table.rows.length} data-columns={table.columns.length}>
          <thead><tr><th className="muted">#</th>{table.columns.map((c, i) => <th key={i}>{c}</th>)}</tr></thead>
          <tbody>
            {p.rows.map((r, i) => (
              <tr key={first + i}>
                <td className="muted num">{first + i + 1}</td>
                {table.columns.map((_, j) => <td key={j} className={typeof r[j] === "number" ? "num" : undefined}>{cellText(r[j])}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ImagePreview({ file, entry }: { file: FileRef; entry: ManifestEntry }) {
  const tooBig = entry.size !== null && entry.size > IMAGE_BYTES;
  const [url, setUrl] = useState<{ src?: string; error?: unknown }>({});
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (tooBig) return;
    const ctl = new AbortController();
    let src: string | undefined;
    setUrl({});
    api.artifactFileBlob(file.project, file.name, file.version, entry.path, ctl.signal).then(
      (blob) => {
        // The type from the path: an SVG served as anything else would not draw in an <img>.
        src = URL.createObjectURL(new Blob([blob], { type: imageMime(entry.path) || blob.type }));
        setUrl({ src });
      },
      (error: unknown) => !ctl.signal.aborted && setUrl({ error }),
    );
    return () => {
      ctl.abort();
      if (src) URL.revokeObjectURL(src);
    };
  }, [file.project, file.name, file.version, entry.path, tooBig, attempt]);
  if (tooBig) {
    return <Frame kind="binary"><p className="muted">This image is {formatBytes(entry.size)}, more than the {formatBytes(IMAGE_BYTES)} a preview loads; download it to view it.</p></Frame>;
  }
  if (url.error) return <Frame kind={null}><ErrorBox error={url.error} what={entry.path} retry={() => setAttempt((a) => a + 1)} /></Frame>;
  if (!url.src) return <Frame kind={null} loading><Loading what={entry.path} /></Frame>;
  return (
    <Frame kind="image">
      <img className="preview-image" data-testid="preview-image" src={url.src} alt={entry.path} />
    </Frame>
  );
}

function BinaryInfo({ file, entry, onText }: { file: FileRef; entry: ManifestEntry; onText(): void }) {
  return (
    <Frame kind="binary">
      <p>No preview for this kind of file ({formatBytes(entry.size)}).</p>
      <table className="kv"><tbody><tr><th>SHA-256</th><td><code className="wrap">{entry.digest}</code></td></tr></tbody></table>
      <p className="muted">
        Download it above, or fetch the whole version with <code>orrery artifact get {file.name}:{file.version}</code>.{" "}
        <button type="button" className="link" data-testid="preview-as-text" onClick={onText}>Show it as text anyway</button>
      </p>
    </Frame>
  );
}

function ReferenceInfo({ entry }: { entry: ManifestEntry }) {
  return (
    <Frame kind="reference">
      <p>A reference to a file outside Orrery: its location, digest and size were recorded; its bytes are not stored here.</p>
      <table className="kv">
        <tbody>
          <tr><th>Location</th><td><code className="wrap">{entry.ref}</code></td></tr>
          <tr><th>Digest</th><td><code className="wrap">{entry.digest}</code></td></tr>
          <tr><th>Size</th><td>{formatBytes(entry.size)}</td></tr>
        </tbody>
      </table>
    </Frame>
  );
}

/**
 * A download link. With an API key the browser cannot put the key on a plain link, so the file
 * is fetched with it and handed over as a blob instead.
 */
function DownloadLink({ file, path }: { file: FileRef; path: string }) {
  const [error, setError] = useState<string | null>(null);
  const href = api.artifactFileUrl(file.project, file.name, file.version, path, true);
  const onClick = (e: React.MouseEvent) => {
    if (!apiKey()) return;
    e.preventDefault();
    setError(null);
    api.artifactFileBlob(file.project, file.name, file.version, path).then(
      (blob) => {
        const url = URL.createObjectURL(blob);
        const a = document.createElement("a");
        a.href = url;
        a.download = path.slice(path.lastIndexOf("/") + 1);
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      },
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  };
  return (
    <>
      <a href={href} download onClick={onClick} data-testid="file-download">Download</a>
      {error ? <span className="bad" role="alert">{error}</span> : null}
    </>
  );
}
