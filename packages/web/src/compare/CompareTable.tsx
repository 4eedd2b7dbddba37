// Owns the side-by-side table of the compared runs' config and summary: one column per run, rows
// where values differ (all rows with "show all"), differing cells highlighted, and key search.
import { useMemo, useState } from "react";
import type { Run } from "../api/client";
import { formatValue } from "../api/values";
import { linkProps, paths } from "../state/router";
import { runColor } from "../ui/colors";
import { compareRuns, differingCells, visibleRows } from "./diff";

const PAGE = 2000;

export function CompareTable({ runs, showAll, search, onRemove }: { runs: Run[]; showAll: boolean; search: string; onRemove(id: string): void }) {
  const rows = useMemo(() => compareRuns(runs), [runs]);
  const shown = useMemo(() => visibleRows(rows, { showAll, search }), [rows, showAll, search]);
  const [limit, setLimit] = useState(PAGE);
  const differing = rows.filter((r) => r.differs).length;
  const truncated = runs.filter((r) => r.configTruncated);
  return (
    <div>
      <div className="muted">
        {differing.toLocaleString("en")} of {rows.length.toLocaleString("en")} keys differ
        {search ? ` · ${shown.length.toLocaleString("en")} match “${search}”` : ""}.
      </div>
      {truncated.length ? (
        <div className="note">
          {truncated.map((r) => r.name).join(", ")} {truncated.length === 1 ? "has" : "have"} more config keys than a run carries inline
          ({truncated.map((r) => r.configKeyCount.toLocaleString("en")).join(", ")} keys): only the first 10,000 of {truncated.length === 1 ? "its" : "each"} config keys are compared.
        </div>
      ) : null}
      <div className="compare-scroll">
        <table className="kv compare-table" data-testid="compare-table">
          <thead>
            <tr>
              <th>Key</th>
              {runs.map((r) => (
                <th key={r.id} data-run-id={r.id}>
                  <span className="swatch" style={{ background: runColor(r.id) }} />{" "}
                  <a {...linkProps(paths.run(r.entity, r.project, r.id))}>{r.name}</a>{" "}
                  <span className={`state state-${r.state}`}>{r.state === "running" ? <span className="live-dot" aria-hidden /> : null}{r.state}</span>{" "}
                  <button type="button" className="icon" data-testid="remove-run" data-run-id={r.id} aria-label={`Remove ${r.name} from the comparison`} title="Remove from comparison" onClick={() => onRemove(r.id)}>×</button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, limit).map((row) => {
              const cells = row.differs ? differingCells(row.values) : null;
              return (
                <tr key={row.key} data-testid="compare-row" data-key={row.key} data-differs={String(row.differs)}>
                  <th><span className="muted">{row.scope}.</span>{row.path}</th>
                  {row.values.map((v, i) => (
                    <td key={runs[i]!.id} className={cells?.[i] ? "diff" : undefined}>
                      {v === undefined ? <span className="muted">—</span> : formatValue(v)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {shown.length === 0 ? (
        <div className="muted">
          {rows.length === 0 ? "These runs have no config or summary yet." : search ? `No key contains “${search}”.` : "All values are equal: tick “show all” to see them."}
        </div>
      ) : null}
      {shown.length > limit ? <button type="button" onClick={() => setLimit(limit + PAGE)}>Show {Math.min(PAGE, shown.length - limit).toLocaleString("en")} more rows</button> : null}
    </div>
  );
}
