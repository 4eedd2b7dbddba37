// Owns the compare page's "Tables" section: one table key every compared run logged, joined across
// the runs on a column (an `id` column by default, else the row index) by the server, a page at a
// time, each per-run column beside its twins (run A's prediction next to run B's), sortable and
// filterable by the server. "Disagreements only" asks the server for the rows where the runs'
// values of the compared column differ when that column has a known set of values (class labels,
// true/false; see compare.ts); for other columns it keeps the differing rows of the shown page.
import { useMemo, useState } from "react";
import { ApiError, api, type ProjectRef, type Run } from "../api/client";
import { runColor } from "../ui/colors";
import { ErrorBox, Loading } from "../ui/common";
import { cellText, nextSort, pageInfo, parseSort, type ClassMap } from "./cells";
import {
  INDEX_JOIN, andFilters, commonKeys, defaultCompared, defaultJoin, disagreementFilter, disagrees, knownValues, perRunNames,
} from "./compare";
import { CellView, cellClass } from "./TableCells";
import { useKeptPage } from "./useKeptPage";
import type { CompareColumn, TableKey } from "./wire";

/** The compare route joins at most this many runs. */
export const MAX_TABLE_RUNS = 4;
const PAGE_ROWS = 100;

export function TableCompare({ project, runs }: { project: ProjectRef; runs: Run[] }) {
  const used = runs.slice(0, MAX_TABLE_RUNS);
  const ids = used.map((r) => r.id);
  const keysLoad = useKeptPage(
    (signal) => Promise.all(ids.map((id) => api.tableKeys(project, id, signal).then((k) => k.keys))),
    JSON.stringify([project, ids]),
  );
  const common = useMemo(() => commonKeys(keysLoad.data ?? []), [keysLoad.data]);
  const [picked, setPicked] = useState<string | null>(null);
  const key = picked !== null && common.includes(picked) ? picked : common[0] ?? null;
  const info = keysLoad.data?.[0]?.find((k) => k.key === key);

  if (keysLoad.error && !keysLoad.data) {
    // A server from before tables has no such route: nothing to compare.
    if (keysLoad.error instanceof ApiError && keysLoad.error.status === 404) return null;
    return <ErrorBox error={keysLoad.error} what="the runs' tables" />;
  }
  if (!keysLoad.data) return <Loading what="the runs' tables" />;
  if (common.length === 0) return null;
  return (
    <section className="table-compare" data-testid="table-compare">
      <h2 className="section-title">Tables</h2>
      {runs.length > MAX_TABLE_RUNS ? <div className="note">Tables compare the first {MAX_TABLE_RUNS} of the {runs.length} runs.</div> : null}
      <div className="toolbar">
        <label>table{" "}
          <select data-testid="table-compare-key" value={key ?? ""} onChange={(e) => setPicked(e.target.value)}>
            {common.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
      </div>
      {key && info ? <ComparedTable key={key} project={project} runs={used} info={info} /> : null}
    </section>
  );
}

function ComparedTable({ project, runs, info }: { project: ProjectRef; runs: Run[]; info: TableKey }) {
  const ids = runs.map((r) => r.id);
  const [join, setJoin] = useState(() => defaultJoin(info.columns));
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState("");
  const [filter, setFilter] = useState("");
  const [draft, setDraft] = useState("");
  const [onlyDiff, setOnlyDiff] = useState(false);
  const [pickedCompared, setCompared] = useState<string | null>(null);
  // The columns of the last page, to write the disagreement filter before asking for the next one.
  const [known, setKnown] = useState<{ columns: CompareColumn[]; classes: Record<string, string>[] } | null>(null);

  const names = known ? perRunNames(known.columns) : [];
  const compared = pickedCompared !== null && names.includes(pickedCompared) ? pickedCompared : known ? defaultCompared(known.columns) : null;
  const diffFilter = onlyDiff && known && compared
    ? disagreementFilter(known.columns, compared, knownValues(known.columns.find((c) => c.run !== null && c.name === compared), known.classes))
    : null;
  const perPage = onlyDiff && diffFilter === null;

  const q = { runs: ids, key: info.key, join, offset, limit: PAGE_ROWS, sort, filter: andFilters(filter, diffFilter) };
  const load = useKeptPage(
    (signal) => api.tableCompare(project, q, signal).then((page) => {
      setKnown((k) => (k && JSON.stringify(k.columns) === JSON.stringify(page.columns) ? k : { columns: page.columns, classes: page.runs.map((r) => r.classes) }));
      return page;
    }),
    JSON.stringify(q),
  );
  const page = load.data;
  const classesOf = (run: string | null): ClassMap => page?.runs.find((r) => r.runId === run)?.classes ?? page?.runs[0]?.classes;
  // Per-run columns beside their twins: join first, then each name once per run.
  const order = useMemo(() => {
    if (!page) return [];
    const idx = page.columns.map((c, i) => ({ c, i }));
    return [...idx.filter((x) => x.c.run === null), ...perRunNames(page.columns).flatMap((n) => idx.filter((x) => x.c.run !== null && x.c.name === n))];
  }, [page]);
  const rows = useMemo(() => {
    if (!page) return [];
    const all = page.rows.map((r, i) => ({ r, i, differs: compared ? disagrees(r, page.columns, compared) : false }));
    return perPage ? all.filter((x) => x.differs) : all;
  }, [page, compared, perPage]);
  const differing = page && compared ? page.rows.filter((r) => disagrees(r, page.columns, compared)).length : 0;
  const runName = (id: string | null) => runs.find((r) => r.id === id)?.name ?? id ?? "";
  const total = page?.total ?? 0;
  const joinIndex = page?.columns.findIndex((c) => c.run === null) ?? -1;
  const error = load.error instanceof ApiError && load.error.status === 400 ? load.error : null;
  const sorted = parseSort(sort);

  return (
    <div data-loading={load.loading ? "true" : undefined} data-total={page?.total} data-disagree={onlyDiff ? (perPage ? "page" : "server") : undefined}>
      <div className="toolbar">
        <label>join on{" "}
          <select data-testid="table-compare-join" value={join} onChange={(e) => { setJoin(e.target.value); setOffset(0); }}>
            <option value={INDEX_JOIN}>row index</option>
            {info.columns.filter((c) => c.type !== "image").map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
          </select>
        </label>
        <label>compare{" "}
          <select data-testid="table-compare-column" value={compared ?? ""} onChange={(e) => { setCompared(e.target.value); setOffset(0); }}>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label title="Rows where the runs' values of the compared column differ: found by the server for class and true/false columns, else among this page's rows">
          <input type="checkbox" data-testid="table-compare-disagree" checked={onlyDiff} onChange={(e) => { setOnlyDiff(e.target.checked); setOffset(0); }} /> disagreements only
        </label>
        <input
          type="search" data-testid="table-filter" aria-label={`Filter ${info.key} across runs`} size={32} value={draft}
          placeholder={`${ids[0]}/pred = car`}
          onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => { if (e.key === "Enter") { setFilter(draft.trim()); setOffset(0); } }}
        />
        <span className="muted" data-testid="table-page-info">{page ? pageInfo(page.offset, page.rows.length, total) : "…"}</span>
        <button type="button" data-testid="table-page-prev" disabled={!page || page.offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_ROWS))}>Previous</button>
        <button type="button" data-testid="table-page-next" disabled={!page || page.offset + page.rows.length >= total} onClick={() => setOffset(offset + PAGE_ROWS)}>Next</button>
      </div>
      {page && compared ? (
        <div className="muted" data-testid="table-compare-differing" data-count={differing}>
          {onlyDiff && !perPage
            ? `${total.toLocaleString("en")} joined rows where the runs differ in ${compared}.`
            : `${differing} of the ${page.rows.length} rows on this page differ in ${compared}${perPage ? " (only those are shown: the column's name needs backticks, which the filter cannot compare column to column)" : ""}.`}
        </div>
      ) : null}
      {error ? <div className="error-box" role="alert" data-testid="table-filter-error">{error.message}</div>
        : load.error ? <ErrorBox error={load.error} what={`table ${info.key} across runs`} /> : null}
      {!page && !load.error ? <Loading what={`table ${info.key} across runs`} /> : null}
      {page ? (
        <div className="table-scroll">
          <table className="kv data-table">
            <thead>
              <tr>
                {order.map(({ c, i }) => (
                  <th key={i} className={cellClass(c)}>
                    {c.type === "image" ? <CompareHeader column={c} runName={runName(c.run)} /> : (
                      <button
                        type="button" className="link-button" data-testid="table-sort" data-col={c.key}
                        data-sort={sorted?.col === c.key ? sorted.dir : undefined}
                        onClick={() => { setSort(nextSort(sort, { name: c.key, type: c.type })); setOffset(0); }}
                      >
                        <CompareHeader column={c} runName={runName(c.run)} />{sorted?.col === c.key ? (sorted.dir === "asc" ? " ▲" : " ▼") : ""}
                      </button>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(({ r, i, differs }) => (
                <tr
                  key={page.offset + i} data-testid="table-compare-row" data-differs={String(differs)}
                  data-join={joinIndex >= 0 ? cellText(r[joinIndex], page.columns[joinIndex]!, classesOf(null)) : String(page.offset + i)}
                  className={differs ? "differs" : undefined}
                >
                  {order.map(({ c, i: j }) => (
                    <td key={j} className={cellClass(c)} data-testid="table-cell" data-col={c.name} data-run={c.run ?? undefined}>
                      <CellView value={r[j]} column={c} classes={classesOf(c.run)} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <div className="muted">{onlyDiff ? "The runs agree on every row here." : "No rows."}</div> : null}
        </div>
      ) : null}
    </div>
  );
}

function CompareHeader({ column, runName }: { column: CompareColumn; runName: string }) {
  if (column.run === null) return <>{column.name === INDEX_JOIN ? "row" : column.name}</>;
  return (
    <span title={`${column.name} of ${runName}`}>
      {column.name} <span className="swatch" style={{ background: runColor(column.run) }} /> <span className="muted">{runName}</span>
    </span>
  );
}
