// Owns the workspace view state that lives in the URL (so a view is shared by link and survives a
// reload): columns, pins, filter, search, sort, grouping, hidden and selected runs, and chart settings. Pure
// parse/serialize, so it can be tested without a browser.

export interface WorkspaceState {
  /** Extra table columns: config.<key> and summary.<key> fields, in display order. */
  columns: string[];
  /** Columns pinned to the left of the table (a subset of columns). */
  pinned: string[];
  /** Filter expression in the server's grammar (docs/filter-grammar.md). */
  filter: string;
  /** Free text matched against run names and tags. */
  search: string;
  /** field:asc|desc, e.g. summary.val/acc:desc; empty means the server's default (newest first). */
  sort: string;
  /** Group-by fields (config.<key>, group, jobType, state), outermost first; empty for no grouping. */
  groupBy: string[];
  /** Grouped charts' band: min/max, or mean ± one standard deviation. */
  band: "minmax" | "std";
  /** Run ids hidden from the charts. */
  hidden: string[];
  /** Selected run ids (the table's checkboxes): kept in the URL so a saved view holds them. */
  selected: string[];
  /** How many of the table's first runs the charts draw. */
  chartRuns: number;
  /** EMA smoothing weight, 0 (off) to 0.99. */
  smoothing: number;
  /** Chart x axis: _step, _timestamp (wall time), _runtime (relative time) or a metric key. */
  xAxis: string;
  /** Panels (metric keys) drawn with a log-scale y axis. */
  logY: string[];
  /** Panel search text. */
  panelSearch: string;
  /** Collapsed panel sections, by prefix. */
  collapsed: string[];
  /** Insight panels, in insights/url.ts's syntax (`ins=`); kept raw here, parsed by the Insights section. */
  insights: string;
  /** Brushes on plot axes, in insights/url.ts's syntax (`brush=`); ANDed into the filter of everything that lists runs. */
  brush: string;
}

export const DEFAULT_CHART_RUNS = 10;
export const MAX_CHART_RUNS = 100;

export const DEFAULT_WORKSPACE: WorkspaceState = {
  columns: [], pinned: [], filter: "", search: "", sort: "", groupBy: [], band: "minmax", hidden: [], selected: [],
  chartRuns: DEFAULT_CHART_RUNS, smoothing: 0, xAxis: "_step", logY: [], panelSearch: "", collapsed: [], insights: "", brush: "",
};

// Lists are joined with a character that never appears in keys we generate ("," can appear in
// backtick-quoted config keys, so a newline-free separator that URLSearchParams escapes is used).
const SEP = "~";
const list = (s: string | null): string[] => (s ? s.split(SEP).filter(Boolean) : []);
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

export function parseWorkspace(p: URLSearchParams): WorkspaceState {
  const n = Number(p.get("runs"));
  const s = Number(p.get("smooth"));
  const columns = list(p.get("cols"));
  return {
    columns,
    pinned: list(p.get("pin")).filter((c) => columns.includes(c)),
    filter: p.get("filter") ?? "",
    search: p.get("q") ?? "",
    sort: p.get("sort") ?? "",
    groupBy: [...new Set(list(p.get("group")))],
    band: p.get("band") === "std" ? "std" : "minmax",
    hidden: list(p.get("hide")),
    selected: [...new Set(list(p.get("sel")))],
    chartRuns: Number.isInteger(n) && n > 0 ? clamp(n, 1, MAX_CHART_RUNS) : DEFAULT_CHART_RUNS,
    smoothing: Number.isFinite(s) ? clamp(s, 0, 0.99) : 0,
    xAxis: p.get("x") || "_step",
    logY: list(p.get("logy")),
    panelSearch: p.get("panels") ?? "",
    collapsed: list(p.get("collapsed")),
    insights: p.get("ins") ?? "",
    brush: p.get("brush") ?? "",
  };
}

/** The URL query patch for a partial state change (null removes a parameter at its default). */
export function workspacePatch(change: Partial<WorkspaceState>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const join = (v: string[]) => (v.length ? v.join(SEP) : null);
  for (const [k, v] of Object.entries(change) as [keyof WorkspaceState, WorkspaceState[keyof WorkspaceState]][]) {
    switch (k) {
      // No columns at all is a choice, kept as a bare separator: an absent cols means "first visit, pick defaults".
      case "columns": out.cols = join(v as string[]) ?? SEP; break;
      case "pinned": out.pin = join(v as string[]); break;
      case "filter": out.filter = (v as string) || null; break;
      case "search": out.q = (v as string) || null; break;
      case "sort": out.sort = (v as string) || null; break;
      case "groupBy": out.group = join(v as string[]); break;
      case "band": out.band = v === "std" ? "std" : null; break;
      case "hidden": out.hide = join(v as string[]); break;
      case "selected": out.sel = join(v as string[]); break;
      case "chartRuns": out.runs = v === DEFAULT_CHART_RUNS ? null : String(v); break;
      case "smoothing": out.smooth = v === 0 ? null : String(v); break;
      case "xAxis": out.x = v === "_step" ? null : (v as string); break;
      case "logY": out.logy = join(v as string[]); break;
      case "panelSearch": out.panels = (v as string) || null; break;
      case "collapsed": out.collapsed = join(v as string[]); break;
      case "insights": out.ins = (v as string) || null; break;
      case "brush": out.brush = (v as string) || null; break;
    }
  }
  return out;
}
