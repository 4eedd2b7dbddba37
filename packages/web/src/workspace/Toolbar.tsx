// Owns the workspace toolbar's inputs: free-text search (debounced into the URL), the filter box
// (applied on Enter, the server's complaint shown under it), the group-by select and the compare
// button. The values live in the URL; these keep only the text being typed.
import { useEffect, useRef, useState } from "react";

const SEARCH_DEBOUNCE_MS = 300;

export function SearchBox({ value, onChange }: { value: string; onChange(v: string): void }) {
  const [draft, setDraft] = useState(value);
  const sent = useRef(value);
  useEffect(() => {
    // An outside change (back button, cleared filter) replaces what is typed.
    if (value !== sent.current) {
      sent.current = value;
      setDraft(value);
    }
  }, [value]);
  useEffect(() => {
    if (draft === sent.current) return;
    const t = setTimeout(() => {
      sent.current = draft;
      onChange(draft);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [draft, onChange]);
  return (
    <input type="search" data-testid="search-input" className="search-input" placeholder="Search names and tags…" aria-label="Search runs"
      value={draft} onChange={(e) => setDraft(e.target.value)} />
  );
}

export function FilterBox({ value, onApply }: { value: string; onApply(v: string): void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const dirty = draft.trim() !== value.trim();
  return (
    <span className="filter-box">
      <input
        data-testid="filter-input" className={`filter-input${dirty ? " dirty" : ""}`} spellCheck={false} aria-label="Filter runs"
        placeholder="Filter, e.g. config.optimizer.lr < 0.01 and state = finished (Enter applies)"
        value={draft} onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onApply(draft.trim());
          if (e.key === "Escape") setDraft(value);
        }}
      />
      {value ? <button type="button" title="Clear the filter" aria-label="Clear the filter" onClick={() => onApply("")}>×</button> : null}
    </span>
  );
}

export function GroupBySelect({ value, configFields, onChange }: { value: string; configFields: readonly string[]; onChange(v: string): void }) {
  const base = ["group", "jobType", "state"];
  const options = [...base, ...configFields];
  if (value && !options.includes(value)) options.push(value);
  return (
    <label className="group-by">
      <span className="muted">Group by</span>{" "}
      <select data-testid="group-by" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">(none)</option>
        <optgroup label="Run">
          {base.map((f) => <option key={f} value={f}>{f}</option>)}
        </optgroup>
        {options.length > base.length ? (
          <optgroup label="Config">
            {options.slice(base.length).map((f) => <option key={f} value={f}>{f}</option>)}
          </optgroup>
        ) : null}
      </select>
    </label>
  );
}

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 10;

export function CompareButton({ count, onCompare, onClear }: { count: number; onCompare(): void; onClear(): void }) {
  const ok = count >= COMPARE_MIN && count <= COMPARE_MAX;
  return (
    <span className="compare">
      <button type="button" className="primary" data-testid="compare-button" disabled={!ok} onClick={onCompare}
        title={ok ? "Compare the selected runs" : `Select ${COMPARE_MIN} to ${COMPARE_MAX} runs to compare`}>
        Compare{count ? ` (${count})` : ""}
      </button>
      {count ? <button type="button" onClick={onClear} title="Clear the selection">Clear</button> : null}
    </span>
  );
}
