// Owns drawing the runs table: a virtualized scroll container (only visible rows are in the DOM),
// a sticky header whose cells sort on click and carry the quick filter, run rows, placeholders for
// rows not loaded yet, and group rows in the grouped view. Data comes from the caller.
import { memo, useEffect, useMemo, useRef } from "react";
import { flexRender, getCoreRowModel, useReactTable, type Column, type ColumnDef, type Row, type Table } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { RunGroup, RunRow } from "../api/client";
import { formatDuration, formatValue, toNumber } from "../api/values";
import { DEFAULT_SORT, parseSortParam } from "./columns";
import { groupLabel, type DisplayItem } from "./display";
import { QuickFilterButton } from "./QuickFilter";
import { defaultWorstEnd, worstColumnPrefix, worstSlice, type SlicePrefix } from "../insights/slices";
import { buildColumns, type OrreryColumnMeta, type TableActions } from "./tableColumns";

const ROW_HEIGHT = 28;

export interface RunsTableProps {
  actions: TableActions;
  /** Config/summary columns, pinned first. */
  columns: readonly string[];
  pinned: readonly string[];
  sort: string;
  onSort(field: string): void;
  onQuickFilter(condition: string): void;
  count: number;
  item(i: number): DisplayItem;
  /** Called with the last rendered index, to load more rows. */
  onRange(last: number): void;
  /** Group-by fields, outermost first (empty: not grouped). */
  groupBy: readonly string[];
  onToggleGroup(g: RunGroup): void;
  onMoreInGroup(g: RunGroup): void;
  /** Slice prefixes, for the computed slice.worst:<prefix> columns. */
  slices?: readonly SlicePrefix[];
  /** Shown in place of rows (empty states). */
  empty?: React.ReactNode;
}

const metaOf = (c: Column<RunRow>): OrreryColumnMeta => c.columnDef.meta!.orrery!;

function cellStyle(c: Column<RunRow>): React.CSSProperties {
  const m = metaOf(c);
  const s: React.CSSProperties = { width: c.getSize(), minWidth: c.getSize() };
  if (m.stickyLeft !== undefined) Object.assign(s, { position: "sticky", left: m.stickyLeft, zIndex: 1 });
  return s;
}

export function RunsTable(p: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const columnDefs = useMemo(() => buildColumns(p.columns, p.pinned, p.slices), [p.columns, p.pinned, p.slices]);
  const virtualizer = useVirtualizer({
    count: p.count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const items = virtualRows.map((v) => p.item(v.index));
  // The table model only ever holds the rows on screen, so 100,000 loaded runs cost nothing here.
  // A new data array makes TanStack rebuild its row model (and queue state resets), so keep the
  // previous array while the same rows are on screen.
  const fresh = items.flatMap((it) => (it.kind === "run" ? [it.row] : []));
  const prev = useRef<RunRow[]>([]);
  if (fresh.length !== prev.current.length || fresh.some((r, i) => r !== prev.current[i])) prev.current = fresh;
  const data = prev.current;
  const table = useReactTable({
    data, columns: columnDefs, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id, meta: { actions: p.actions },
    autoResetPageIndex: false, autoResetExpanded: false,
  });
  const rowsById = new Map<string, Row<RunRow>>(table.getRowModel().rows.map((r) => [r.id, r]));
  const leaves = table.getVisibleLeafColumns();
  const width = leaves.reduce((w, c) => w + c.getSize(), 0);

  const last = virtualRows.length ? virtualRows[virtualRows.length - 1]!.index : -1;
  const { onRange } = p;
  useEffect(() => { onRange(last); }, [last, p.count, onRange]);

  const sorted = parseSortParam(p.sort || DEFAULT_SORT)!;

  return (
    <div className="runs-table" data-testid="runs-table" ref={scroller}>
      <div className="rt-header" style={{ width }} role="row">
        {table.getHeaderGroups()[0]!.headers.map((h) => {
          const m = metaOf(h.column);
          const isSorted = m.field !== undefined && m.field === sorted.field;
          const explicit = isSorted && !!p.sort;
          return (
            <div
              key={h.id} role="columnheader" style={cellStyle(h.column)}
              className={`rt-cell rt-head${m.sortable ? " sortable" : ""}${m.stickyLeft !== undefined ? " sticky" : ""}`}
              {...(m.field || m.computed ? { "data-testid": "col-header", "data-col": h.id } : {})}
              {...(explicit ? { "data-sort": sorted.dir } : {})}
              aria-sort={isSorted ? (sorted.dir === "asc" ? "ascending" : "descending") : undefined}
              title={m.computed ?? (m.field ? `${m.field}${m.sortable ? " (click to sort)" : ""}` : undefined)}
              onClick={m.sortable && m.field ? () => p.onSort(m.field!) : undefined}
            >
              {m.scope ? <span className="scope">{m.scope === "summary" ? "Σ" : "⚙"}</span> : null}
              <span className="rt-label">{flexRender(h.column.columnDef.header, h.getContext())}</span>
              {isSorted ? <span className={explicit ? "sort-mark" : "sort-mark muted"}>{sorted.dir === "asc" ? "▲" : "▼"}</span> : null}
              {m.field ? <QuickFilterButton field={m.field} label={m.label} onAdd={p.onQuickFilter} /> : null}
            </div>
          );
        })}
      </div>
      {p.empty ? <div className="rt-empty">{p.empty}</div> : (
        <div className="rt-body" style={{ height: virtualizer.getTotalSize(), width }}>
          {virtualRows.map((v, k) => {
            const it = items[k]!;
            const style: React.CSSProperties = { transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, width };
            if (it.kind === "run") {
              if (!rowsById.has(it.row.id)) return null;
              return (
                <RunRowView key={`r:${it.row.id}`} table={table} row={it.row} columnDefs={columnDefs} start={v.start} width={width}
                  inGroup={it.inGroup} hidden={p.actions.hidden.has(it.row.id)} selected={p.actions.selected.has(it.row.id)} />
              );
            }
            if (it.kind === "placeholder") {
              return (
                <div key={`p:${v.index}`} className="rt-row placeholder" style={style} aria-hidden>
                  {leaves.map((c) => <div key={c.id} className="rt-cell" style={cellStyle(c)}><span className="skeleton" /></div>)}
                </div>
              );
            }
            if (it.kind === "group") {
              return (
                <div key={`g:${it.id}`} className="rt-row group-row" style={style} data-testid="group-row" data-group={it.label}
                  role="row" aria-expanded={it.expanded} onClick={() => p.onToggleGroup(it.group)}>
                  {leaves.map((c) => (
                    <div key={c.id} className={`rt-cell${metaOf(c).stickyLeft !== undefined ? " sticky" : ""}`} style={cellStyle(c)} data-col={c.id}>
                      {groupCell(c.id, it.group, it.label, it.expanded, p.groupBy, p.slices)}
                    </div>
                  ))}
                </div>
              );
            }
            return (
              <div key={`s:${it.id}`} className="rt-row group-status" style={style}>
                <div className="rt-cell" style={{ paddingLeft: 60 }}>
                  {it.status === "loading" ? <span className="muted">Loading runs…</span> : null}
                  {it.status === "error" ? <span className="bad">Could not load this group's runs: {it.message}</span> : null}
                  {it.status === "more" ? (
                    <button type="button" data-testid="group-more" onClick={() => p.onMoreInGroup(it.group)}>Load more runs</button>
                  ) : null}
                </div>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

interface RunRowViewProps {
  table: Table<RunRow>;
  row: RunRow;
  /** Only compared: a new column model re-renders the row. */
  columnDefs: ColumnDef<RunRow>[];
  start: number;
  width: number;
  inGroup: boolean;
  hidden: boolean;
  selected: boolean;
}

// Memoized on the run's data and flags, so scrolling renders only the rows that come into view.
const RunRowView = memo(function RunRowView({ table, row, start, width, inGroup, hidden }: RunRowViewProps) {
  const r = table.getRow(row.id, true);
  if (!r) return null;
  return (
    <div className={`rt-row${inGroup ? " in-group" : ""}${hidden ? " hidden-run" : ""}`}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT, width }}
      data-testid="run-row" data-run-id={row.id} {...(hidden ? { "data-hidden": "true" } : {})} role="row">
      {r.getVisibleCells().map((c) => {
        const m = metaOf(c.column);
        return (
          <div key={c.id} className={`rt-cell${m.stickyLeft !== undefined ? " sticky" : ""}`} style={cellStyle(c.column)} data-col={c.column.id} role="cell">
            {flexRender(c.column.columnDef.cell, c.getContext())}
          </div>
        );
      })}
    </div>
  );
});

function mean(g: RunGroup, field: string): string {
  const v = g.aggregates[field]?.mean;
  if (v === undefined || v === null) return "";
  const n = toNumber(v);
  return n === null ? "" : field === "runtime" ? formatDuration(n) : formatValue(n);
}

/** A group's worst slice by the mean of each slice over the group's runs. */
function groupWorst(g: RunGroup, prefix: string, slices: readonly SlicePrefix[] | undefined): string {
  const found = slices?.find((s) => s.prefix === prefix);
  if (!found) return "";
  const means = found.slices.map((slice) => ({ slice, value: toNumber(g.aggregates[`summary.${prefix}/${slice}`]?.mean ?? null) }));
  const w = worstSlice(means, defaultWorstEnd(prefix));
  return w ? `${w.slice} ${formatValue(w.value)}` : "";
}

function groupCell(col: string, g: RunGroup, label: string, expanded: boolean, by: readonly string[], slices?: readonly SlicePrefix[]) {
  const slicePrefix = worstColumnPrefix(col);
  if (slicePrefix !== null) return <span title="worst slice of the group's means">{groupWorst(g, slicePrefix, slices)}</span>;
  switch (col) {
    case "select": return <span className="caret">{expanded ? "▾" : "▸"}</span>;
    case "color": case "hide": case "tags": case "created": return null;
    case "name":
      return (
        <span className="group-label" title={by.map((b) => `${b} = ${groupLabel(g.key[b] ?? null)}`).join(", ")}>
          <span className={by.every((b) => (g.key[b] ?? null) === null) ? "muted" : undefined}>{label}</span>{" "}
          <span className="muted">(<span data-testid="group-count">{g.count}</span>)</span>
        </span>
      );
    case "runtime": return <span className="num" title="mean">{mean(g, "runtime")}</span>;
    case "state": case "group": {
      const field = col === "state" ? "state" : "group";
      return by.includes(field) ? <span>{groupLabel(g.key[field] ?? null)}</span> : null;
    }
    default: return <span className="num" title="mean">{mean(g, col)}</span>;
  }
}
