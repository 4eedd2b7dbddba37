// Owns the workspace toolbar's inputs: free-text search (debounced into the URL), the filter box
// (applied on Enter, the server's complaint shown under it), the group-by select and the compare
// button. The values live in the URL; these keep only the text being typed.
import { useEffect, useRef, useState } from "react";
import { MAX_GROUP_FIELDS } from "@orrery/protocol";

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

/**
 * Group-by fields: the first select (`group-by`) picks the outermost key or none; once grouped,
 * each further key has its own select with a remove button, and `group-by-add` appends another.
 */
export function GroupBySelect({ value, configFields, onChange }: { value: readonly string[]; configFields: readonly string[]; onChange(v: string[]): void }) {
  const base = ["group", "jobType", "state"];
  const all = [...base, ...configFields];
  for (const v of value) if (!all.includes(v)) all.push(v);
  // Each select offers the fields not chosen by another one.
  const options = (own: string | null) => {
    const free = all.filter((f) => f === own || !value.includes(f));
    const run = free.filter((f) => base.includes(f));
    const config = free.filter((f) => !base.includes(f));
    return (
      <>
        {run.length ? <optgroup label="Run">{run.map((f) => <option key={f} value={f}>{f}</option>)}</optgroup> : null}
        {config.length ? <optgroup label="Config">{config.map((f) => <option key={f} value={f}>{f}</option>)}</optgroup> : null}
      </>
    );
  };
  const setAt = (i: number, f: string) => onChange(value.map((v, j) => (j === i ? f : v)));
  // The server groups by at most MAX_GROUP_FIELDS fields; offering more would only end in an error.
  const canAdd = value.length > 0 && value.length < MAX_GROUP_FIELDS && all.some((f) => !value.includes(f));
  return (
    <span className="group-by">
      <label>
        <span className="muted">Group by</span>{" "}
        <select data-testid="group-by" value={value[0] ?? ""} onChange={(e) => onChange(e.target.value ? [e.target.value, ...value.slice(1).filter((v) => v !== e.target.value)] : [])}>
          <option value="">(none)</option>
          {options(value[0] ?? null)}
        </select>
      </label>
      {value.slice(1).map((f, k) => (
        <span key={f} className="group-by-more">
          <span className="muted">then</span>{" "}
          <select data-testid="group-by-key" data-index={k + 1} aria-label={`Group-by key ${k + 2}`} value={f} onChange={(e) => setAt(k + 1, e.target.value)}>
            {options(f)}
          </select>
          <button type="button" data-testid="group-by-remove" data-index={k + 1} title={`Stop grouping by ${f}`} aria-label={`Stop grouping by ${f}`}
            onClick={() => onChange(value.filter((_, j) => j !== k + 1))}>×</button>
        </span>
      ))}
      {canAdd ? (
        <select data-testid="group-by-add" aria-label="Add a group-by key" value="" onChange={(e) => { if (e.target.value) onChange([...value, e.target.value]); }}>
          <option value="">+ key</option>
          {options(null)}
        </select>
      ) : null}
    </span>
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
