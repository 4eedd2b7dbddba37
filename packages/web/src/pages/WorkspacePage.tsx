// Owns the project workspace: composes the toolbar, the runs table (flat or grouped) and the panel
// grid, keeps every view setting in the URL (state/workspace.ts), and routes live events to the
// parts that show runs.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, lazy, Suspense } from "react";
import { ApiError, type RunRow } from "../api/client";
import { parseWorkspace, workspacePatch, type WorkspaceState } from "../state/workspace";
import { navigate, paths, useSearchParams } from "../state/router";
import { runColor } from "../ui/colors";
import { ErrorBox, FirstRunHelp, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";
import { PanelGrid, type ChartRun, type ChartSettings } from "../workspace/PanelGrid";
import { ColumnChooser } from "../workspace/ColumnChooser";
import { DEFAULT_SORT, defaultColumns, nextSort, orderColumns, toggleIn } from "../workspace/columns";
import { flatRowCount, groupedItems, type DisplayItem } from "../workspace/display";
import { andFilter } from "../workspace/filterText";
import { chartRunsFrom, rowCountText } from "../workspace/rows";
import { RunsTable } from "../workspace/RunsTable";
import { CompareButton, FilterBox, GroupBySelect, SearchBox, COMPARE_MAX, COMPARE_MIN } from "../workspace/Toolbar";
import { groupId, useGroups } from "../workspace/useGroups";
import { rowGroupLabel, useGroupedChartRows } from "../workspace/useGroupedChartRows";
import { serverColumns, slicePrefixes, worstColumnId } from "../insights/slices";
import { useProjectKeys } from "../workspace/useKeys";
import { useLiveRuns } from "../workspace/useLiveRuns";
import { useRunPages } from "../workspace/useRunPages";
import { InsightsSection } from "../insights/InsightsSection";
import { effectiveFilter } from "../insights/brush";
import type { Brush, PanelContext } from "../insights/context";
import { parseBrushes, serializeBrushes, withBrush } from "../insights/url";
import { SaveViewButton } from "../views/SaveViewDialog";
import { viewHref } from "../views/state";
import { useOpenView } from "../views/useOpenView";


// Only a workspace opened from a saved view needs the banner and its markdown renderer.
const ViewBanner = lazy(() => import("../views/ViewBanner").then((m) => ({ default: m.ViewBanner })));
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
  // A saved view named by ?view=: fetched, and its state applied first when the URL is a bare link.
  const openView = useOpenView(ref, params.toString());

  // First visit (no columns in the URL): wait for the keys and show sensible default columns.
  const keys = useProjectKeys(ref, reloads);
  const [needDefaults, setNeedDefaults] = useState(() => !params.has("cols"));
  useEffect(() => {
    if (!needDefaults || !keys.loaded || openView.pending) return;
    setNeedDefaults(false);
    const current = parseWorkspace(new URLSearchParams(location.search));
    const cols = keys.error ? [] : defaultColumns([...keys.summary, ...keys.config]);
    if (!current.columns.length && cols.length) update({ columns: cols });
  }, [needDefaults, keys, update, openView.pending]);
  const ready = !needDefaults && !openView.pending;

  // Group-by fields as one string: parseWorkspace gives a new array every render.
  const groupKey = ws.groupBy.join("~");
  const groupBy = useMemo(() => (groupKey ? groupKey.split("~") : []), [groupKey]);
  const grouped = groupBy.length > 0;
  // Summary keys named with a slice path (val/acc/snow): the computed worst-slice columns.
  const slices = useMemo(() => slicePrefixes(keys.summary), [keys.summary]);
  // parseWorkspace gives new arrays every render; the table's column model must only change with their content.
  const colsKey = ws.columns.join("\n");
  const pinKey = ws.pinned.join("\n");
  const pinned = useMemo(() => (pinKey ? pinKey.split("\n") : []), [pinKey]);
  const ordered = useMemo(() => orderColumns(colsKey ? colsKey.split("\n") : [], pinned), [colsKey, pinned]);
  // Reordering (pinning) needs no refetch: values are keyed by field.
  // Computed columns (slice.worst:<prefix>) ask the server for the fields they are worked out from.
  const columnsParam = useMemo(() => (colsKey ? serverColumns(colsKey.split("\n"), slices).join(",") : ""), [colsKey, slices]);
  // Brushes on plot axes (brush=) narrow everything that lists runs: the filter used below is the user's AND the brushes.
  const brushText = ws.brush;
  const brushes = useMemo(() => parseBrushes(brushText), [brushText]);
  const filter = useMemo(() => effectiveFilter(ws.filter, brushes), [ws.filter, brushes]);
  const query = { filter, search: ws.search, sort: ws.sort, columns: columnsParam };
  const aggregate = [...(columnsParam ? columnsParam.split(",") : []), "runtime"].map((f) => `${f}:mean`).join(",");

  const pages = useRunPages(ref, query, ready && !grouped);
  const groups = useGroups(ref, { ...query, by: groupBy, aggregate }, ready && grouped);
  const groupedChart = useGroupedChartRows(ref, { by: groupBy, filter, search: ws.search, sort: ws.sort }, ws.chartRuns, ready && grouped, reloads);

  // Live updates.
  const lastGroupRefresh = useRef(0);
  const defaultOrder = (ws.sort === "" || ws.sort === DEFAULT_SORT) && !filter && !ws.search;
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

  // Selected and hidden runs, both in the URL (sel=, hide=) so a link or a saved view holds them.
  const selected = ws.selected;
  const selKey = selected.join("\n");
  // A toggle reads the URL at click time, so two quick clicks never work from a stale list.
  const setSelected = useCallback((change: (s: string[]) => string[]) => {
    update({ selected: change(parseWorkspace(new URLSearchParams(location.search)).selected) });
  }, [update]);
  const hidden = useMemo(() => new Set(ws.hidden), [ws.hidden.join("\n")]); // eslint-disable-line react-hooks/exhaustive-deps
  const selectedSet = useMemo(() => new Set(selKey ? selKey.split("\n") : []), [selKey]);
  const hiddenList = ws.hidden;
  const actions = useMemo(() => ({
    project: ref, selected: selectedSet, hidden,
    toggleSelect: (id: string) => setSelected((s) => toggleIn(s, id)),
    toggleHidden: (id: string) => update({ hidden: toggleIn(hiddenList, id) }),
  }), [ref, selectedSet, hidden, hiddenList, update, setSelected]);

  // The rows the table scrolls over.
  const items: DisplayItem[] | null = useMemo(
    () => (grouped ? groupedItems(groups.state.groups, groupBy, groups.state.expanded, (g) => groupId(g, groupBy)) : null),
    [grouped, groups.state.groups, groups.state.expanded, groupBy],
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
  const chartData = chartRunsFrom(chartRows, ws.chartRuns, hidden, grouped ? (r) => rowGroupLabel(r, groupBy) : undefined);
  const chartSig = chartData.map((r) => `${r.id}\t${r.name}\t${r.state}\t${r.lastStep}\t${r.group ?? ""}`).join("\n");
  const chartRuns: ChartRun[] = useMemo(
    () => chartData.map((r) => ({ ...r, color: runColor(r.id) })),
    [chartSig], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const settings: ChartSettings = {
    smoothing: ws.smoothing, xAxis: ws.xAxis, logY: ws.logY, panelSearch: ws.panelSearch, collapsed: ws.collapsed, chartRuns: ws.chartRuns,
    band: ws.band,
  };

  // Errors: a refused query keeps the previous rows; its message goes under the filter box.
  const error = grouped ? groups.state.error : flat.error;
  const queryError = error instanceof ApiError && error.status === 400 ? error : null;
  const loading = grouped ? groups.state.loading : flat.loading || !ready;
  const answered = grouped ? !groups.state.loading || groups.state.groups.length > 0 : flat.applied !== null;
  const nothing = grouped ? groups.state.groups.length === 0 : flat.rows.length === 0;
  const narrowed = filter !== "" || ws.search !== "";
  let empty: React.ReactNode = null;
  if (answered && nothing && !loading && !(error && !queryError)) {
    empty = narrowed ? (
      <div className="empty" data-testid="no-match">
        <p><strong>No runs match</strong>{filter ? <> the filter <code>{filter}</code></> : null}{filter && ws.search ? " and" : null}{ws.search ? <> the search “{ws.search}”</> : null}.</p>
        <button type="button" onClick={() => update({ filter: "", search: "", brush: "" })}>Clear the filter{brushes.length ? ", brushes" : ""} and search</button>
      </div>
    ) : <FirstRunHelp entity={entity} project={project} />;
  } else if (!answered) {
    empty = error && !queryError ? <ErrorBox error={error} what="runs" retry={() => (grouped ? groups.refresh() : pages.reload())} /> : <Loading what="runs" />;
  }

  const rowCount = grouped
    ? `${groups.state.groups.length}${groups.state.moreGroups ? "+" : ""} groups`
    : rowCountText(flat.rows.length, flat.total, flat.nextCursor !== null);

  const onSearch = useCallback((search: string) => update({ search }), [update]);

  // What every insight panel is told (insights/context.ts). A brush change reads the URL at that
  // moment, so two quick brushes on different axes never undo each other.
  const setBrush = useCallback((key: string, b: Brush | null) => {
    const now = parseBrushes(new URLSearchParams(location.search).get("brush"));
    update({ brush: serializeBrushes(withBrush(now, key, b)) ?? "" });
  }, [update]);
  const insightCtx: PanelContext = useMemo(() => ({
    project: ref, filter, search: ws.search, runs: chartRuns, keys: { config: keys.config, summary: keys.summary },
    userFilter: ws.filter, brushes, setBrush, openRun: (runId: string) => navigate(paths.run(entity, project, runId)),
  }), [ref, filter, ws.search, chartRuns, keys.config, keys.summary, ws.filter, brushes, setBrush, entity, project]);

  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project }]}
      actions={<ProjectLinks entity={entity} project={project} here="runs" />}
    >
      <div className="toolbar ws-toolbar">
        <SearchBox value={ws.search} onChange={onSearch} />
        <FilterBox value={ws.filter} onApply={(filter) => update({ filter })} />
        <GroupBySelect value={groupBy} configFields={keys.config.map((k) => k.field)} onChange={(groupBy) => update({ groupBy })} />
        <ColumnChooser project={ref} columns={ws.columns} pinned={ws.pinned} onChange={(columns, pinned) => update({ columns, pinned })}
          computed={slices.map((s) => worstColumnId(s.prefix))} />
        <CompareButton
          count={selected.length} onClear={() => setSelected(() => [])}
          onCompare={() => { if (selected.length >= COMPARE_MIN && selected.length <= COMPARE_MAX) navigate(paths.compare(entity, project, selected)); }}
        />
        <SaveViewButton project={ref} onSaved={(v) => { openView.adopt(v); navigate(viewHref(entity, project, v.id, v.state), { replace: true }); }} />
      </div>
      {openView.id !== null ? (
        <Suspense fallback={null}><ViewBanner project={ref} open={openView} search={params.toString()} /></Suspense>
      ) : null}
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
          groupBy={groupBy} slices={slices} onToggleGroup={groups.toggle} onMoreInGroup={groups.loadMore}
          empty={empty}
        />
      </div>
      <InsightsSection ctx={insightCtx} value={ws.insights} onChange={(insights) => update({ insights })} />
      <section className="ws-charts" aria-label="charts">
        {chartRuns.length === 0 && answered && !nothing ? (
          <div className="empty">All charted runs are hidden. <button type="button" onClick={() => update({ hidden: [] })}>Show them</button></div>
        ) : null}
        <PanelGrid project={ref} runs={chartRuns} grouped={grouped} settings={settings} onSettings={(patch: Partial<ChartSettings>) => update(patch)} />
      </section>
    </PageFrame>
  );
}
