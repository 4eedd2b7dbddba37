// Owns choosing the table's config/summary columns: a popover with a key search (the server's key
// listing), a checkbox per key and a pin toggle (pinned columns come first). Computed columns the
// caller offers (slice.worst:<prefix>) are listed before the keys.
import { useEffect, useRef, useState } from "react";
import type { ProjectRef } from "../api/client";
import { ErrorBox } from "../ui/common";
import { toggleIn } from "./columns";
import { useKeySearch } from "./useKeys";

export interface ColumnChooserProps {
  project: ProjectRef;
  columns: readonly string[];
  pinned: readonly string[];
  onChange(columns: string[], pinned: string[]): void;
  /** Columns worked out in the browser (not server keys), offered alongside the keys. */
  computed?: readonly string[];
}

export function ColumnChooser(p: ColumnChooserProps) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setOpen(false); };
    const esc = (e: KeyboardEvent) => { if (e.key === "Escape") setOpen(false); };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);
  return (
    <div className="chooser" ref={ref}>
      <button type="button" data-testid="columns-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns ({p.columns.length})
      </button>
      {open ? <ChooserPanel {...p} /> : null}
    </div>
  );
}

function ChooserPanel({ project, columns, pinned, onChange, computed = [] }: ColumnChooserProps) {
  const [search, setSearch] = useState("");
  const found = useKeySearch(project, search.trim(), true);
  // Without a search the chosen columns lead the list so they are easy to untick; each key appears once.
  const needle = search.trim().toLowerCase();
  const extra = computed.filter((c) => !needle || c.toLowerCase().includes(needle));
  const fields = needle
    ? [...extra, ...found.keys.map((k) => k.field).filter((f) => !extra.includes(f))]
    : [...columns, ...[...extra, ...found.keys.map((k) => k.field)].filter((f) => !columns.includes(f))];
  const runs = new Map(found.keys.map((k) => [k.field, k.runs]));
  return (
    <div className="popover chooser-panel" role="dialog" aria-label="Choose columns">
      <input autoFocus type="search" data-testid="columns-search" placeholder="Search config and summary keys…" value={search}
        onChange={(e) => setSearch(e.target.value)} />
      {found.error ? <ErrorBox error={found.error} what="the project's keys" /> : null}
      <div className="chooser-list">
        {fields.map((f) => {
          const on = columns.includes(f);
          const pin = pinned.includes(f);
          return (
            <div key={f} className="chooser-item">
              <label title={f}>
                <input type="checkbox" data-testid="column-option" data-col={f} checked={on}
                  onChange={() => {
                    const next = toggleIn(columns, f);
                    onChange(next, pinned.filter((x) => next.includes(x)));
                  }} />
                <span className="chooser-field">{f}</span>
              </label>
              {runs.has(f) ? <span className="muted small">{runs.get(f)} runs</span> : null}
              <button type="button" className={`pin${pin ? " on" : ""}`} data-testid="pin-column" data-col={f} aria-pressed={pin}
                title={pin ? "Unpin" : "Pin to the left"}
                onClick={() => onChange(on ? [...columns] : [...columns, f], toggleIn(pinned, f))}>
                {pin ? "pinned" : "pin"}
              </button>
            </div>
          );
        })}
        {found.loading && !fields.length ? <div className="loading">Loading keys…</div> : null}
        {!found.loading && !fields.length ? <div className="muted">No keys match “{search}”.</div> : null}
      </div>
    </div>
  );
}
