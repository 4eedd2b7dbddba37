// Owns a column header's quick filter: a small popover where the user picks an operator and a
// value; the condition it builds is handed up to be ANDed into the filter text.
import { useEffect, useRef, useState } from "react";
import { QUICK_OPS, opTakesValue, quickCondition, type QuickOp } from "./filterText";

const STATE_VALUES = ["running", "finished", "failed", "crashed"];

function opsFor(field: string): readonly QuickOp[] {
  if (field === "state") return ["=", "!="];
  if (field === "tags") return ["contains", "not contains", "exists", "not exists"];
  if (field === "name") return ["contains", "not contains", "=", "!="];
  return QUICK_OPS;
}

export function QuickFilterButton({ field, label, onAdd }: { field: string; label: string; onAdd(condition: string): void }) {
  const [open, setOpen] = useState<{ top: number; left: number } | null>(null);
  const btn = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={btn} type="button" className="qf-button" data-testid="quick-filter" title={`Filter by ${label}`} aria-label={`Filter by ${label}`}
        onClick={(e) => {
          e.stopPropagation();
          const r = btn.current!.getBoundingClientRect();
          setOpen(open ? null : { top: r.bottom + 2, left: Math.max(4, Math.min(r.left, window.innerWidth - 260)) });
        }}
      >
        ▾
      </button>
      {open ? <QuickFilterPopover at={open} field={field} onClose={() => setOpen(null)} onAdd={(c) => { setOpen(null); onAdd(c); }} /> : null}
    </>
  );
}

function QuickFilterPopover({ at, field, onAdd, onClose }: { at: { top: number; left: number }; field: string; onAdd(c: string): void; onClose(): void }) {
  const ops = opsFor(field);
  const [op, setOp] = useState<QuickOp>(ops[0]!);
  const [value, setValue] = useState(field === "state" ? "running" : "");
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const away = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) onClose(); };
    const esc = (e: KeyboardEvent) => { if (e.key === "Escape") onClose(); };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [onClose]);
  const needsValue = opTakesValue(op);
  return (
    <form
      ref={ref} className="popover quick-filter" style={{ top: at.top, left: at.left }} data-testid="quick-filter-popover"
      onClick={(e) => e.stopPropagation()}
      onSubmit={(e) => {
        e.preventDefault();
        if (needsValue && !value.trim()) return;
        onAdd(quickCondition(field, op, value));
      }}
    >
      <div className="muted small">Add a condition on <code>{field}</code></div>
      <div className="row-gap">
        <select aria-label="operator" data-testid="quick-filter-op" value={op} onChange={(e) => setOp(e.target.value as QuickOp)}>
          {ops.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        {needsValue ? (
          field === "state" ? (
            <select aria-label="value" data-testid="quick-filter-value" value={value} onChange={(e) => setValue(e.target.value)}>
              {STATE_VALUES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          ) : (
            <input autoFocus aria-label="value" data-testid="quick-filter-value" value={value} size={12}
              placeholder={field === "createdAt" ? "2026-01-31" : "value"} onChange={(e) => setValue(e.target.value)} />
          )
        ) : null}
        <button type="submit" className="primary" data-testid="quick-filter-add">Add</button>
      </div>
    </form>
  );
}
