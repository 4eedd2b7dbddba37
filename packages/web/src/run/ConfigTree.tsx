// Owns browsing a run's config lazily: one level at a time (objects open on click), a page of
// entries at a time, and server-side search; a run with a million config keys never loads them all.
import { useEffect, useState } from "react";
import { api, type ConfigEntry, type ProjectRef } from "../api/client";
import { formatValue } from "../api/values";
import { ErrorBox, Loading } from "../ui/common";

const PAGE = 200;

/** Pages of config entries at one prefix (or matching a search), appended by "load more". */
function useEntries(project: ProjectRef, runId: string, q: { prefix?: string; search?: string }) {
  const [entries, setEntries] = useState<ConfigEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<{ loading: boolean; error: unknown }>({ loading: true, error: null });
  const [total, setTotal] = useState<number | null>(null);
  const [attempt, setAttempt] = useState(0);

  const fetchPage = (after: string | null, replace: boolean, live: () => boolean) => {
    setStatus({ loading: true, error: null });
    api.configTree(project, runId, { ...q, limit: PAGE, cursor: after }).then(
      (page) => {
        if (!live()) return;
        setEntries((prev) => (replace ? page.entries : prev.concat(page.entries)));
        setCursor(page.nextCursor);
        setTotal(page.configKeyCount);
        setStatus({ loading: false, error: null });
      },
      (error: unknown) => live() && setStatus({ loading: false, error }),
    );
  };
  useEffect(() => {
    let live = true;
    setEntries([]);
    fetchPage(null, true, () => live);
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project.entity, project.project, runId, q.prefix, q.search, attempt]);
  return {
    entries, cursor, total, ...status,
    more: () => fetchPage(cursor, false, () => true),
    retry: () => setAttempt((a) => a + 1),
  };
}

export function ConfigTree({ project, runId }: { project: ProjectRef; runId: string }) {
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setSearch(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  return (
    <div data-testid="config-tree" className="config-tree">
      <div className="toolbar">
        <input
          data-testid="config-search" type="search" placeholder="Search config keys and values" aria-label="Search config"
          value={text} onChange={(e) => setText(e.target.value)} size={32}
        />
      </div>
      {search ? <SearchResults project={project} runId={runId} search={search} /> : <Level project={project} runId={runId} depth={0} />}
    </div>
  );
}

function Level({ project, runId, prefix, depth }: { project: ProjectRef; runId: string; prefix?: string; depth: number }) {
  const e = useEntries(project, runId, { prefix });
  return (
    <ul className="tree-level" style={{ paddingLeft: depth ? 16 : 0 }}>
      {depth === 0 && e.total !== null ? <li className="muted">{e.total.toLocaleString("en")} keys</li> : null}
      {e.entries.map((entry) => <Entry key={entry.path} project={project} runId={runId} entry={entry} depth={depth} />)}
      <Footer e={e} what="config" empty="This run has no config." />
    </ul>
  );
}

function Footer({ e, what, empty }: { e: ReturnType<typeof useEntries>; what: string; empty: string }) {
  if (e.error) return <li><ErrorBox error={e.error} what={what} retry={e.entries.length ? e.more : e.retry} /></li>;
  if (e.loading) return <li><Loading what={what} /></li>;
  if (e.entries.length === 0) return <li className="muted">{empty}</li>;
  if (e.cursor) return <li><button type="button" onClick={e.more}>Load more</button></li>;
  return null;
}

function Entry({ project, runId, entry, depth }: { project: ProjectRef; runId: string; entry: ConfigEntry; depth: number }) {
  const [open, setOpen] = useState(false);
  const isObject = entry.keyCount !== undefined;
  if (!isObject) {
    return (
      <li data-testid="config-entry" data-path={entry.path} className="tree-leaf">
        <span className="tree-key">{entry.key}</span>: <span className="tree-value">{formatValue(entry.value)}</span>
      </li>
    );
  }
  return (
    <li data-testid="config-entry" data-path={entry.path} data-open={open}>
      <button type="button" className="tree-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} <span className="tree-key">{entry.key}</span>
      </button>{" "}
      <span className="muted">{entry.keyCount!.toLocaleString("en")}{entry.keyCountCapped ? "+" : ""} keys</span>
      {open ? <Level project={project} runId={runId} prefix={entry.path} depth={depth + 1} /> : null}
    </li>
  );
}

function SearchResults({ project, runId, search }: { project: ProjectRef; runId: string; search: string }) {
  const e = useEntries(project, runId, { search });
  return (
    <ul className="tree-level">
      {e.entries.map((entry) => (
        <li key={entry.path} data-testid="config-entry" data-path={entry.path} className="tree-leaf">
          <span className="tree-key">{entry.path}</span>
          {entry.keyCount !== undefined
            ? <span className="muted"> ({entry.keyCount.toLocaleString("en")}{entry.keyCountCapped ? "+" : ""} keys)</span>
            : <>: <span className="tree-value">{formatValue(entry.value)}</span></>}
        </li>
      ))}
      <Footer e={e} what="config search" empty={`No config key or value contains “${search}”.`} />
    </ul>
  );
}
