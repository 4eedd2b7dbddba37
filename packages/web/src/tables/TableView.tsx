// Owns one logged table on the run page, paged by the server so 100,000 rows cost one page: sortable
// headers, a filter box in the tables' grammar (Enter applies; a refused filter shows the server's
// message and the previous rows stay), paging, a step select when the key was logged at several
// steps, and the confusion-matrix view when the table has two label columns (a cell click filters).
import { useEffect, useState } from "react";
import { ApiError, api, type ProjectRef } from "../api/client";
import { ErrorBox, Loading } from "../ui/common";
import { lastPageOffset, nextSort, pageInfo, parseSort } from "./cells";
import { defaultPair } from "./confusion";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { CellView, cellClass } from "./TableCells";
import { useKeptPage } from "./useKeptPage";
import type { TableKey } from "./wire";

export const PAGE_ROWS = 100;

export function TableView({ project, runId, info }: { project: ProjectRef; runId: string; info: TableKey }) {
  const [step, setStep] = useState<number | null>(null);
  const [sort, setSort] = useState("");
  const [filter, setFilter] = useState("");
  const [draft, setDraft] = useState("");
  const [offset, setOffset] = useState(0);
  const q = { step, sort, filter, offset, limit: PAGE_ROWS };
  const load = useKeptPage(
    (signal) => api.table(project, runId, info.key, q, signal).then((page) => ({ page, filter: q.filter, offset: q.offset })),
    JSON.stringify([runId, info.key, q]),
  );
  const page = load.data?.page ?? null;
  // A refused filter goes back to the one the shown rows were read with, so paging keeps working
  // while the server's message stays up until the next filter is applied.
  const [refused, setRefused] = useState<string | null>(null);
  const error = load.error instanceof ApiError && load.error.status === 400 ? load.error : null;
  useEffect(() => {
    if (!error || !load.data || filter === load.data.filter) return;
    setRefused(error.message);
    setFilter(load.data.filter);
    setOffset(load.data.offset);
  }, [error, load.data, filter]);

  const apply = (next: string) => {
    setDraft(next);
    setRefused(null);
    setFilter(next.trim());
    setOffset(0);
  };
  const sorted = parseSort(sort);
  const total = page?.total ?? 0;
  return (
    <div className="table-view" data-testid="table-view" data-key={info.key} data-total={page?.total} data-loading={load.loading ? "true" : undefined}>
      <div className="toolbar">
        <strong className="table-key">{info.key}</strong>
        {page && page.steps.length > 1 ? (
          <label>step{" "}
            <select data-testid="table-step" value={page.step} onChange={(e) => { setStep(Number(e.target.value)); setOffset(0); }}>
              {page.steps.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        ) : page ? <span className="muted">step {page.step}</span> : null}
        <input
          type="search" data-testid="table-filter" aria-label={`Filter ${info.key}`} size={40} value={draft}
          placeholder="label = pedestrian and score > 0.9"
          onChange={(e) => { setDraft(e.target.value); if (e.target.value === "" && filter) apply(""); }}
          onKeyDown={(e) => { if (e.key === "Enter") apply(draft); }}
        />
        <span className="muted" data-testid="table-page-info">{page ? pageInfo(page.offset, page.rows.length, total) : "…"}</span>
        <button type="button" data-testid="table-page-prev" disabled={!page || page.offset === 0} onClick={() => setOffset(Math.max(0, (page?.offset ?? 0) - PAGE_ROWS))}>Previous</button>
        <button type="button" data-testid="table-page-next" disabled={!page || page.offset + page.rows.length >= total} onClick={() => setOffset((page?.offset ?? 0) + PAGE_ROWS)}>Next</button>
        <button type="button" data-testid="table-page-last" disabled={!page || page.offset + page.rows.length >= total} onClick={() => setOffset(lastPageOffset(total, PAGE_ROWS))}>Last</button>
      </div>
      {refused ?? error ? (
        <div className="error-box" role="alert" data-testid="table-filter-error">{refused ?? error?.message}</div>
      ) : load.error ? <ErrorBox error={load.error} what={`table ${info.key}`} /> : null}
      {!page && load.loading ? <Loading what={`table ${info.key}`} /> : null}
      {page ? (
        <div className="table-scroll">
          <table className="kv data-table">
            <thead>
              <tr>
                <th className="muted num">#</th>
                {page.columns.map((c) => (
                  <th key={c.name} className={cellClass(c)}>
                    {c.type === "image" ? c.name : (
                      <button
                        type="button" className="link-button" data-testid="table-sort" data-col={c.name}
                        data-sort={sorted?.col === c.name ? sorted.dir : undefined} title={`Sort by ${c.name}`}
                        onClick={() => { setSort(nextSort(sort, c)); setOffset(0); }}
                      >
                        {c.name}{sorted?.col === c.name ? (sorted.dir === "asc" ? " ▲" : " ▼") : ""}
                      </button>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((r, i) => (
                <tr key={page.offset + i} data-testid="table-row" data-row={page.index[i] ?? page.offset + i}>
                  <td className="muted num" title="row number in the logged table">{(page.index[i] ?? page.offset + i) + 1}</td>
                  {page.columns.map((c, j) => (
                    <td key={c.name} className={cellClass(c)} data-testid="table-cell" data-col={c.name}>
                      <CellView value={r[j]} column={c} classes={page.classes} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {page.rows.length === 0 ? <div className="muted">{filter ? "No rows match the filter." : "The table has no rows."}</div> : null}
        </div>
      ) : null}
      {page && defaultPair(page.columns) ? (
        <details className="confusion-details" open>
          <summary>Confusion matrix</summary>
          <ConfusionMatrix project={project} runId={runId} tableKey={info.key} step={page.step} columns={page.columns} onFilter={apply} />
        </details>
      ) : null}
    </div>
  );
}
