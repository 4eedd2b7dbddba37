// Owns the run's summary table: every summary key (keys starting with "_" are internal and hidden)
// with its value, searchable, in natural key order.
import { useMemo, useState } from "react";
import { formatValue } from "../api/values";

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
              <tr key={k} data-key={k}><th>{k}</th><td className="num">{formatValue(summary[k])}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length > limit ? <button type="button" onClick={() => setLimit(limit + SHOW)}>Show {Math.min(SHOW, shown.length - limit)} more</button> : null}
      {q && shown.length === 0 && keys.length > 0 ? <div className="muted">No summary key contains “{search}”.</div> : null}
    </div>
  );
}
