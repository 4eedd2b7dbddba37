// Owns the project workspace: composes the toolbar, the runs table (flat or grouped) and the panel
// grid, keeps every view setting in the URL (state/workspace.ts), and routes live events to the
// parts that show runs.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { ApiError, type RunRow } from "../api/client";
import { parseWorkspace, workspacePatch, type WorkspaceState } from "../state/workspace";
import { navigate, paths, useSearchParams } from "../state/router";
import { runColor } from "../ui/colors";
import { ErrorBox, FirstRunHelp, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";
import { PanelGrid, type ChartRun, type ChartSettings } from "../workspace/PanelGrid";
import { ColumnChooser } from "../workspace/ColumnChooser";
import { DEFAULT_SORT, defaultColumns, nextSort, orderColumns, toggleIn } from "../workspace/columns";
import { flatRowCount, groupLabel, groupedItems, type DisplayItem } from "../workspace/display";
import { andFilter } from "../workspace/filterText";
import { chartRunsFrom, rowCountText } from "../workspace/rows";
import { RunsTable } from "../workspace/RunsTable";
import { CompareButton, FilterBox, GroupBySelect, SearchBox, COMPARE_MAX, COMPARE_MIN } from "../workspace/Toolbar";
import { groupId, useGroups } from "../workspace/useGroups";
import { rowGroupValue, useGroupedChartRows } from "../workspace/useGroupedChartRows";
import { useProjectKeys } from "../workspace/useKeys";
import { useLiveRuns } from "../workspace/useLiveRuns";
import { useRunPages } from "../workspace/useRunPages";

/** Load the next page when the last drawn row is this close to the end of what is loaded. */
const PREFETCH_ROWS = 200;
/** Group rows are refetched at most this often while new runs arrive. */
const GROUP_REFRESH_MS = 3000;

export function WorkspacePage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo(() => ({ entity, project }), [entity, project]);
  const [params, setParams] = useSearchParams();
  const ws = parseWorkspace(params);
  const update = useCallback((change: Partial<WorkspaceState>) => setParams(workspacePatch(change)), [setParams]);
  const [reloads, reloadAll] = useReducer((x: number) => x + 1, 0);

  // First visit (no columns in the URL): wait for the keys and show sensible default columns.
  const keys = useProjectKeys(ref, reloads);
  const [needDefaults, setNeedDefaults] = useState(() => !params.has("cols"));
  useEffect(() => {
    if (!needDefaults || !keys.loaded) return;
    setNeedDefaults(false);
    const current = parseWorkspace(new URLSearchParams(location.search));
    const cols = keys.error ? [] : defaultColumns([...keys.summary, ...keys.config]);
    if (!current.columns.length && cols.length) update({ columns: cols });
  }, [needDefaults, keys, update]);
  const ready = !needDefaults;

  const grouped = ws.groupBy !== "";
  // parseWorkspace gives new arrays every render; the table's column model must only change with their content.
  const colsKey = ws.columns.join("\n");
  const pinKey = ws.pinned.join("\n");
  const pinned = useMemo(() => (pinKey ? pinKey.split("\n") : []), [pinKey]);
  const ordered = useMemo(() => orderColumns(colsKey ? colsKey.split("\n") : [], pinned), [colsKey, pinned]);
  // Reordering (pinning) needs no refetch: values are keyed by field.
  const columnsParam = useMemo(() => (colsKey ? colsKey.split("\n").sort().join(",") : ""), [colsKey]);
  const query = { filter: ws.filter, search: ws.search, sort: ws.sort, columns: columnsParam };
  const aggregate = [...ws.columns, "runtime"].map((f) => `${f}:mean`).join(",");

  const pages = useRunPages(ref, query, ready && !grouped);
  const groups = useGroups(ref, { ...query, by: ws.groupBy, aggregate }, ready && grouped);
  const groupedChart = useGroupedChartRows(ref, { by: ws.groupBy, filter: ws.filter, search: ws.search, sort: ws.sort }, ws.chartRuns, ready && grouped, reloads);

  // Live updates.
  const lastGroupRefresh = useRef(0);
  const defaultOrder = (ws.sort === "" || ws.sort === DEFAULT_SORT) && !ws.filter && !ws.search;
  useLiveRuns(ref, columnsParam, {
    runs(rows: RunRow[]) {
      if (grouped) {
        const g = groups.applyLive(rows);
        groupedChart.applyLive(rows);
        if (g.unknown.length && Date.now() - lastGroupRefresh.current > GROUP_REFRESH_MS) {
          lastGroupRefresh.current = Date.now();
          groups.refresh();
        }
        return g.stale;
      }
      const m = pages.applyLive(rows);
      if (m.unknown.length && defaultOrder) pages.refreshFirstPage();
      return m.stale;
    },
    fresh(rows: RunRow[]) {
      if (grouped) groups.replace(rows);
      else pages.replace(rows);
    },
    project() {
      reloadAll();
      if (grouped) groups.refresh();
      else pages.reload();
    },
  });

  // Paging as the table scrolls. No state here: scrolling must not re-render the page (and charts).
  // A new callback when a page arrives makes the table report its range again, to keep loading
  // while the user looks at rows far past the loaded ones.
  const loaded = pages.state.rows.length;
  const { loadMore } = pages;
  const onRange = useCallback((last: number) => {
    if (!grouped && last >= loaded - PREFETCH_ROWS) loadMore();
  }, [grouped, loaded, loadMore]);

  // Selection (not in the URL: it is a step towards comparing) and hidden runs (in the URL).
  const [selected, setSelected] = useState<string[]>([]);
  const hidden = useMemo(() => new Set(ws.hidden), [ws.hidden.join("\n")]); // eslint-disable-line react-hooks/exhaustive-deps
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const hiddenList = ws.hidden;
  const actions = useMemo(() => ({
    project: ref, selected: selectedSet, hidden,
    toggleSelect: (id: string) => setSelected((s) => toggleIn(s, id)),
    toggleHidden: (id: string) => update({ hidden: toggleIn(hiddenList, id) }),
  }), [ref, selectedSet, hidden, hiddenList, update]);

  // The rows the table scrolls over.
  const items: DisplayItem[] | null = useMemo(
    () => (grouped ? groupedItems(groups.state.groups, ws.groupBy, groups.state.expanded, (g) => groupId(g, ws.groupBy)) : null),
    [grouped, groups.state.groups, groups.state.expanded, ws.groupBy],
  );
  const flat = pages.state;
  const count = items ? items.length : flatRowCount(flat.rows.length, flat.total, flat.nextCursor !== null);
  const item = (i: number): DisplayItem => {
    if (items) return items[i]!;
    const row = flat.rows[i];
    return row ? { kind: "run", row, inGroup: false } : { kind: "placeholder" };
  };

  // Charts: the table's first runs (or, grouped, the first runs for the filter, labelled by group).
  const chartRows = grouped ? groupedChart.rows : flat.rows;
  const chartData = chartRunsFrom(chartRows, ws.chartRuns, hidden, grouped ? (r) => groupLabel(rowGroupValue(r, ws.groupBy)) : undefined);
  const chartSig = chartData.map((r) => `${r.id}\t${r.name}\t${r.state}\t${r.lastStep}\t${r.group ?? ""}`).join("\n");
  const chartRuns: ChartRun[] = useMemo(
    () => chartData.map((r) => ({ ...r, color: runColor(r.id) })),
    [chartSig], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const settings: ChartSettings = {
    smoothing: ws.smoothing, xAxis: ws.xAxis, logY: ws.logY, panelSearch: ws.panelSearch, collapsed: ws.collapsed, chartRuns: ws.chartRuns,
  };

  // Errors: a refused query keeps the previous rows; its message goes under the filter box.
  const error = grouped ? groups.state.error : flat.error;
  const queryError = error instanceof ApiError && error.status === 400 ? error : null;
  const loading = grouped ? groups.state.loading : flat.loading || !ready;
  const answered = grouped ? !groups.state.loading || groups.state.groups.length > 0 : flat.applied !== null;
  const nothing = grouped ? groups.state.groups.length === 0 : flat.rows.length === 0;
  const narrowed = ws.filter !== "" || ws.search !== "";
  let empty: React.ReactNode = null;
  if (answered && nothing && !loading && !(error && !queryError)) {
    empty = narrowed ? (
      <div className="empty" data-testid="no-match">
        <p><strong>No runs match</strong>{ws.filter ? <> the filter <code>{ws.filter}</code></> : null}{ws.filter && ws.search ? " and" : null}{ws.search ? <> the search “{ws.search}”</> : null}.</p>
        <button type="button" onClick={() => update({ filter: "", search: "" })}>Clear the filter and search</button>
      </div>
    ) : <FirstRunHelp entity={entity} project={project} />;
  } else if (!answered) {
    empty = error && !queryError ? <ErrorBox error={error} what="runs" retry={() => (grouped ? groups.refresh() : pages.reload())} /> : <Loading what="runs" />;
  }

  const rowCount = grouped
    ? `${groups.state.groups.length}${groups.state.moreGroups ? "+" : ""} groups`
    : rowCountText(flat.rows.length, flat.total, flat.nextCursor !== null);

  const onSearch = useCallback((search: string) => update({ search }), [update]);

  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project }]}
      actions={<ProjectLinks entity={entity} project={project} here="runs" />}
    >
      <div className="toolbar ws-toolbar">
        <SearchBox value={ws.search} onChange={onSearch} />
        <FilterBox value={ws.filter} onApply={(filter) => update({ filter })} />
        <GroupBySelect value={ws.groupBy} configFields={keys.config.map((k) => k.field)} onChange={(groupBy) => update({ groupBy })} />
        <ColumnChooser project={ref} columns={ws.columns} pinned={ws.pinned} onChange={(columns, pinned) => update({ columns, pinned })} />
        <CompareButton
          count={selected.length} onClear={() => setSelected([])}
          onCompare={() => { if (selected.length >= COMPARE_MIN && selected.length <= COMPARE_MAX) navigate(paths.compare(entity, project, selected)); }}
        />
      </div>
      {queryError ? (
        <div className="filter-error" role="alert">
          <pre data-testid="filter-error">{queryError.message}</pre>
          <span className="muted">The table still shows the last results that loaded.</span>
        </div>
      ) : null}
      {error && !queryError && answered ? <ErrorBox error={error} what="more runs" retry={() => (grouped ? groups.refresh() : pages.reload())} /> : null}
      <div className="ws-table-pane">
        <div className="ws-table-status">
          <span data-testid="row-count">{answered ? rowCount : ""}</span>
          {loading && answered ? <span className="muted"> · updating…</span> : null}
          {!grouped && flat.loadingMore ? <span className="muted"> · loading more…</span> : null}
          {ws.hidden.length ? (
            <span className="muted"> · {ws.hidden.length} hidden from charts <button type="button" className="link" onClick={() => update({ hidden: [] })}>show all</button></span>
          ) : null}
          {ws.sort ? <span className="muted"> · sorted by {ws.sort} <button type="button" className="link" onClick={() => update({ sort: "" })}>reset</button></span> : null}
        </div>
        <RunsTable
          actions={actions} columns={ordered} pinned={pinned} sort={ws.sort}
          onSort={(field) => update({ sort: nextSort(ws.sort, field) })}
          onQuickFilter={(cond) => update({ filter: andFilter(ws.filter, cond) })}
          count={empty ? 0 : count} item={item} onRange={onRange}
          groupBy={ws.groupBy} onToggleGroup={groups.toggle} onMoreInGroup={groups.loadMore}
          empty={empty}
        />
      </div>
      <section className="ws-charts" aria-label="charts">
        {chartRuns.length === 0 && answered && !nothing ? (
          <div className="empty">All charted runs are hidden. <button type="button" onClick={() => update({ hidden: [] })}>Show them</button></div>
        ) : null}
        <PanelGrid project={ref} runs={chartRuns} grouped={grouped} settings={settings} onSettings={(patch: Partial<ChartSettings>) => update(patch)} />
      </section>
    </PageFrame>
  );
}
