// Owns the runs table's column model (TanStack Table column definitions): the row controls, the
// run's own fields, and the chosen config/summary columns, each with its cell, its server field
// for sorting and quick filters, and its sticky-left offset when pinned. Computed columns
// (slice.worst:<prefix>) are drawn from the row's values of the fields they stand for.
import type { ColumnDef } from "@tanstack/react-table";
import type { ProjectRef, RunRow } from "../api/client";
import { formatDuration, formatTime, formatValue } from "../api/values";
import { linkProps, paths } from "../state/router";
import { runColor } from "../ui/colors";
import { defaultWorstEnd, sliceValues, worstColumnPrefix, worstSlice, type SlicePrefix } from "../insights/slices";
import { FIELD_COLUMN_WIDTH, NAME_COLUMN, RUN_COLUMNS, fieldLabel } from "./columns";

export interface OrreryColumnMeta {
  /** Server field for sort and quick filters; absent for the row controls. */
  field?: string;
  sortable: boolean;
  /** Left offset in px when the column sticks to the left edge. */
  stickyLeft?: number;
  /** Header text and a muted scope prefix (config/summary). */
  label: string;
  scope?: string;
  numericAggregate?: string;
  /** Header tooltip of a column the server does not know (computed in the browser; not sortable). */
  computed?: string;
}

export interface TableActions {
  project: ProjectRef;
  selected: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
  toggleSelect(id: string): void;
  toggleHidden(id: string): void;
}

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData, TValue> {
    orrery?: OrreryColumnMeta;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface TableMeta<TData> {
    actions?: TableActions;
  }
}

export function StateCell({ state }: { state: RunRow["state"] }) {
  return (
    <span className={`state state-${state}`}>
      {state === "running" ? <span className="live-dot" aria-hidden /> : null}
      {state}
    </span>
  );
}

const CONTROL_WIDTHS = { select: 30, color: 20, hide: 28 };

/** Column definitions for the given config/summary columns (already pinned-first). */
export function buildColumns(fields: readonly string[], pinned: readonly string[], slices: readonly SlicePrefix[] = []): ColumnDef<RunRow>[] {
  let left = 0;
  const stick = (w: number) => {
    const at = left;
    left += w;
    return at;
  };
  const cols: ColumnDef<RunRow>[] = [
    {
      id: "select", size: CONTROL_WIDTHS.select, header: "",
      meta: { orrery: { sortable: false, stickyLeft: stick(CONTROL_WIDTHS.select), label: "" } },
      cell: ({ row, table }) => {
        const a = table.options.meta!.actions!;
        return (
          <input type="checkbox" data-testid="select-run" aria-label={`select ${row.original.name}`}
            checked={a.selected.has(row.original.id)} onChange={() => a.toggleSelect(row.original.id)} />
        );
      },
    },
    {
      id: "color", size: CONTROL_WIDTHS.color, header: "",
      meta: { orrery: { sortable: false, stickyLeft: stick(CONTROL_WIDTHS.color), label: "" } },
      cell: ({ row }) => <span className="swatch" style={{ background: runColor(row.original.id) }} />,
    },
    {
      id: "hide", size: CONTROL_WIDTHS.hide, header: "",
      meta: { orrery: { sortable: false, stickyLeft: stick(CONTROL_WIDTHS.hide), label: "" } },
      cell: ({ row, table }) => {
        const a = table.options.meta!.actions!;
        const hidden = a.hidden.has(row.original.id);
        return (
          <button type="button" className={`eye${hidden ? " off" : ""}`} data-testid="hide-run" aria-pressed={hidden}
            title={hidden ? "Show in charts" : "Hide from charts"} onClick={() => a.toggleHidden(row.original.id)}>
            {hidden ? "◌" : "◉"}
          </button>
        );
      },
    },
    {
      id: NAME_COLUMN.id, size: NAME_COLUMN.width, header: NAME_COLUMN.label,
      meta: { orrery: { field: NAME_COLUMN.field, sortable: true, stickyLeft: stick(NAME_COLUMN.width), label: NAME_COLUMN.label } },
      cell: ({ row, table }) => {
        const p = table.options.meta!.actions!.project;
        return <a className="run-name" title={row.original.name} {...linkProps(paths.run(p.entity, p.project, row.original.id))}>{row.original.name}</a>;
      },
    },
  ];
  const fieldCol = (f: string, isPinned: boolean): ColumnDef<RunRow> => {
    const prefix = worstColumnPrefix(f);
    if (prefix !== null) return worstSliceCol(f, prefix, slices.find((s) => s.prefix === prefix), isPinned ? stick(FIELD_COLUMN_WIDTH) : undefined);
    const { scope, name } = fieldLabel(f);
    return {
      id: f, size: FIELD_COLUMN_WIDTH, header: name,
      meta: { orrery: { field: f, sortable: true, label: name, scope, ...(isPinned ? { stickyLeft: stick(FIELD_COLUMN_WIDTH) } : {}) } },
      cell: ({ row }) => {
        const v = row.original.values[f];
        const text = formatValue(v);
        return <span className={typeof v === "number" ? "num" : undefined} title={text}>{text}</span>;
      },
    };
  };
  const pins = fields.filter((f) => pinned.includes(f));
  for (const f of pins) cols.push(fieldCol(f, true));
  for (const c of RUN_COLUMNS) {
    cols.push({
      id: c.id, size: c.width, header: c.label,
      meta: { orrery: { field: c.field, sortable: c.sortable, label: c.label } },
      cell: ({ row }) => {
        const r = row.original;
        switch (c.id) {
          case "state": return <StateCell state={r.state} />;
          case "created": return <span title={r.createdAt}>{formatTime(r.createdAt)}</span>;
          case "runtime": return <span className="num">{formatDuration(r.runtime)}</span>;
          case "tags": return <span title={r.tags.join(", ")}>{r.tags.map((t) => <span key={t} className="tag">{t}</span>)}</span>;
          case "group": return <span title={r.group ?? ""}>{r.group ?? ""}</span>;
          default: return null;
        }
      },
    });
  }
  for (const f of fields) if (!pinned.includes(f)) cols.push(fieldCol(f, false));
  return cols;
}

/** The worst slice under a prefix: its name and value, from the row's values of the prefix's slices. */
function worstSliceCol(id: string, prefix: string, slices: SlicePrefix | undefined, stickyLeft: number | undefined): ColumnDef<RunRow> {
  const label = `worst ${prefix}/*`;
  const end = defaultWorstEnd(prefix);
  const computed = `The worst of ${slices ? slices.slices.map((s) => `${prefix}/${s}`).join(", ") : `${prefix}/*`} `
    + `(the ${end === "low" ? "lowest" : "highest"}), worked out in the browser from the row's summary values: sorting by it is not available.`;
  return {
    id, size: FIELD_COLUMN_WIDTH + 40, header: label,
    meta: { orrery: { sortable: false, label, scope: "summary", computed, ...(stickyLeft !== undefined ? { stickyLeft } : {}) } },
    cell: ({ row }) => {
      const w = slices ? worstSlice(sliceValues(row.original.values, slices), end) : null;
      if (!w) return <span className="muted">—</span>;
      const text = `${w.slice} ${formatValue(w.value)}`;
      return <span className="slice-worst-cell" title={`${prefix}/${w.slice} = ${formatValue(w.value)}`}>{text}</span>;
    },
  };
}
