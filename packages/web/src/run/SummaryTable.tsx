// Owns the run's summary table: every summary key (keys starting with "_" are internal and hidden)
// with its value, searchable, in natural key order; a table value is drawn as a small table.
import { useMemo, useState } from "react";
import { formatValue, isTableValue, type TableValue } from "../api/values";

const SHOW = 1000;
const collator = new Intl.Collator("en", { numeric: true });

export function SummaryTable({ summary }: { summary: Record<string, unknown> }) {
  const [search, setSearch] = useState("");
  const [limit, setLimit] = useState(SHOW);
  const keys = useMemo(() => Object.keys(summary).filter((k) => !k.startsWith("_")).sort(collator.compare), [summary]);
  const q = search.trim().toLowerCase();
  const shown = q ? keys.filter((k) => k.toLowerCase().includes(q)) : keys;
  return (
    <div>
      <div className="toolbar">
        <input type="search" placeholder="Search summary keys" aria-label="Search summary" value={search} onChange={(e) => setSearch(e.target.value)} size={28} data-testid="summary-search" />
        <span className="muted">{q ? `${shown.length} of ${keys.length}` : keys.length} keys</span>
      </div>
      {keys.length === 0 ? <div className="muted">No summary yet: it fills in as the run logs metrics.</div> : (
        <table className="kv" data-testid="summary-table">
          <tbody>
            {shown.slice(0, limit).map((k) => (
              <tr key={k} data-key={k}><th>{k}</th>{isTableValue(summary[k]) ? <td><TableCell table={summary[k]} /></td> : <td className="num">{formatValue(summary[k])}</td>}</tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length > limit ? <button type="button" onClick={() => setLimit(limit + SHOW)}>Show {Math.min(SHOW, shown.length - limit)} more</button> : null}
      {q && shown.length === 0 && keys.length > 0 ? <div className="muted">No summary key contains “{search}”.</div> : null}
    </div>
  );
}

/** Rows shown of a table value before "show all". */
const TABLE_ROWS = 50;

/** A table value (e.g. a confusion matrix) as a small HTML table; long tables show their first rows. */
function TableCell({ table }: { table: TableValue }) {
  const [all, setAll] = useState(false);
  const rows = all ? table.data : table.data.slice(0, TABLE_ROWS);
  const cell = (v: unknown) => (typeof v === "string" ? v : formatValue(v));
  return (
    <div className="table-value-wrap">
      <table className="kv table-value" data-testid="table-value" data-rows={table.data.length} data-columns={table.columns.length}>
        <thead><tr>{table.columns.map((c, i) => <th key={i}>{cell(c)}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>{table.columns.map((_, j) => <td key={j} className={typeof r[j] === "number" ? "num" : undefined}>{cell(r[j])}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {table.data.length > rows.length ? (
        <button type="button" onClick={() => setAll(true)}>Show all {table.data.length.toLocaleString("en")} rows</button>
      ) : null}
    </div>
  );
}
