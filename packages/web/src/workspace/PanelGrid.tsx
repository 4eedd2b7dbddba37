// Owns the automatic panel grid: one line chart per logged metric key, sectioned by key prefix,
// with the chart toolbar (panel search, smoothing, x axis, how many runs) and collapsible sections,
// then the histograms section (charts/HistogramGrid.tsx).
// Data for all visible panels comes through one shared ChartLoader (one request per grid, not per chart).
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, type ProjectRef, type RunState } from "../api/client";
import { MetricPanel } from "../charts/MetricPanel";
import { HISTOGRAM_SECTION_ID, WorkspaceHistograms } from "../charts/HistogramGrid";
import type { BandKind } from "../charts/groups";
import { ChartLoader } from "../charts/loader";
import { buildSections } from "../charts/sections";
import { ErrorBox, Loading } from "../ui/common";

export interface ChartRun {
  id: string;
  name: string;
  color: string;
  state: RunState;
  lastStep: number | null;
  group?: string | null;
}

export interface ChartSettings {
  smoothing: number;
  xAxis: string;
  logY: string[];
  panelSearch: string;
  collapsed: string[];
  chartRuns: number;
  /** Grouped charts' band: min/max (default) or mean ± one standard deviation. */
  band?: BandKind;
}

export interface PanelGridProps {
  project: ProjectRef;
  runs: ChartRun[];
  grouped: boolean;
  settings: ChartSettings;
  onSettings(patch: Partial<ChartSettings>): void;
  /** Restrict the grid to these metric keys. */
  keys?: string[];
  /** Offer the "how many runs" control (pages that chart a fixed set of runs leave it out). */
  runCountControl?: boolean;
  /** Show the histograms section after the metric sections (default true; the run page has its own). */
  histograms?: boolean;
}

/** Above this many panels, only panels scrolled into view are fetched and drawn. */
const LAZY_PANELS = 12;
/** Live runs may start logging new keys: look again at most this often while runs grow. */
const KEYS_REFRESH_MS = 10_000;
const MAX_KEY_RUNS = 100;
const BUILTIN_X = [
  ["_step", "Step"],
  ["_timestamp", "Wall time"],
  ["_runtime", "Relative time"],
] as const;

export function PanelGrid(props: PanelGridProps) {
  const { project, runs, grouped, settings, onSettings } = props;
  const chartRuns = useMemo(() => runs.slice(0, Math.max(1, settings.chartRuns)), [runs, settings.chartRuns]);
  const ids = chartRuns.map((r) => r.id);
  const idsKey = ids.join(",");

  // Metric keys of the charted runs, refreshed when the runs change or (throttled) grow.
  const [keys, setKeys] = useState<{ keys: string[] | null; error: unknown; forIds: string }>({ keys: null, error: null, forIds: "" });
  const [keysTick, setKeysTick] = useState(0);
  const keysAt = useRef(0);
  const stepSum = chartRuns.reduce((s, r) => s + (r.lastStep ?? -1), 0);
  const seen = useRef({ ids: idsKey, sum: stepSum });
  useEffect(() => {
    const was = seen.current;
    seen.current = { ids: idsKey, sum: stepSum };
    // A new set of runs is fetched by the effect below; only growth of the same runs waits here.
    if (was.ids !== idsKey || stepSum <= was.sum) return;
    const wait = keysAt.current + KEYS_REFRESH_MS - Date.now();
    const t = setTimeout(() => setKeysTick((n) => n + 1), Math.max(0, wait));
    return () => clearTimeout(t);
  }, [idsKey, stepSum]);
  useEffect(() => {
    if (!idsKey) return;
    const ctrl = new AbortController();
    const list = idsKey.split(",");
    const chunks: string[][] = [];
    for (let i = 0; i < list.length; i += MAX_KEY_RUNS) chunks.push(list.slice(i, i + MAX_KEY_RUNS));
    keysAt.current = Date.now();
    Promise.all(chunks.map((c) => api.historyKeys(project, c, ctrl.signal))).then(
      (replies) => {
        const all = new Set<string>();
        for (const r of replies) for (const k of r.keys) all.add(k);
        setKeys({ keys: [...all], error: null, forIds: idsKey });
      },
      (error: unknown) => {
        if (!ctrl.signal.aborted) setKeys((old) => ({ keys: old.keys, error, forIds: idsKey }));
      },
    );
    return () => ctrl.abort();
  }, [project.entity, project.project, idsKey, keysTick]);

  // One loader per project and x axis; created in an effect so StrictMode's double mount is safe.
  const [loader, setLoader] = useState<ChartLoader | null>(null);
  useEffect(() => {
    const l = new ChartLoader((q, signal) => api.history(project, q, signal), settings.xAxis);
    setLoader(l);
    return () => l.dispose();
  }, [project.entity, project.project, settings.xAxis]);
  useEffect(() => {
    loader?.setRuns(chartRuns);
  }, [loader, chartRuns]);

  const only = props.keys;
  const metricKeys = useMemo(() => {
    const k = keys.keys ?? [];
    return only ? k.filter((x) => only.includes(x)) : k;
  }, [keys.keys, only]);
  const sections = useMemo(() => buildSections(metricKeys, settings.panelSearch), [metricKeys, settings.panelSearch]);
  const panelCount = sections.reduce((n, s) => n + (settings.collapsed.includes(s.prefix) ? 0 : s.keys.length), 0);
  const lazy = panelCount > LAZY_PANELS;

  const toggleSection = (prefix: string) => {
    const c = settings.collapsed;
    onSettings({ collapsed: c.includes(prefix) ? c.filter((p) => p !== prefix) : [...c, prefix] });
  };
  const toggleLog = (key: string) => {
    const l = settings.logY;
    onSettings({ logY: l.includes(key) ? l.filter((k) => k !== key) : [...l, key] });
  };

  let body: ReactNode;
  if (chartRuns.length === 0) {
    body = <div className="empty">No runs to chart. Runs that match the filter (and are not hidden) are drawn here.</div>;
  } else if (keys.error && !keys.keys) {
    body = <ErrorBox error={keys.error} what="the runs' metric keys" retry={() => setKeysTick((n) => n + 1)} />;
  } else if (!keys.keys || !loader) {
    body = <Loading what="charts" />;
  } else if (metricKeys.length === 0) {
    body = <div className="empty">These runs have not logged any metrics yet. Charts appear here as soon as a run calls <code>run.log(…)</code>.</div>;
  } else if (sections.length === 0) {
    body = <div className="empty">No panels match “{settings.panelSearch}”. Clear the panel search to see all {metricKeys.length} charts.</div>;
  } else {
    body = sections.map((s) => {
      const collapsed = settings.collapsed.includes(s.prefix);
      return (
        <section key={s.prefix} className="panel-section" data-testid="panel-section" data-prefix={s.prefix}>
          <button type="button" className="section-toggle" data-testid="section-toggle" aria-expanded={!collapsed} onClick={() => toggleSection(s.prefix)}>
            <span className="section-caret">{collapsed ? "▸" : "▾"}</span> {s.prefix} <span className="muted">({s.keys.length})</span>
          </button>
          {collapsed ? null : (
            <div className="panel-grid">
              {s.keys.map((k) => (
                <MetricPanel
                  key={k}
                  project={project}
                  metricKey={k}
                  loader={loader}
                  runs={chartRuns}
                  grouped={grouped}
                  band={settings.band}
                  smoothing={settings.smoothing}
                  logY={settings.logY.includes(k)}
                  onToggleLog={() => toggleLog(k)}
                  lazy={lazy}
                />
              ))}
            </div>
          )}
        </section>
      );
    });
  }

  return (
    <div className="panel-grid-root">
      <ChartToolbar settings={settings} onSettings={onSettings} metricKeys={keys.keys ?? []} runCountControl={props.runCountControl !== false} grouped={grouped} />
      {keys.error && keys.keys ? <ErrorBox error={keys.error} what="new metric keys" retry={() => setKeysTick((n) => n + 1)} /> : null}
      {body}
      {props.histograms !== false && chartRuns.length > 0 ? (
        <WorkspaceHistograms
          project={project}
          runs={chartRuns}
          collapsed={settings.collapsed.includes(HISTOGRAM_SECTION_ID)}
          onToggle={() => toggleSection(HISTOGRAM_SECTION_ID)}
        />
      ) : null}
    </div>
  );
}

function ChartToolbar({ settings, onSettings, metricKeys, runCountControl, grouped }: { settings: ChartSettings; onSettings(p: Partial<ChartSettings>): void; metricKeys: string[]; runCountControl: boolean; grouped: boolean }) {
  const [runsDraft, setRunsDraft] = useState(String(settings.chartRuns));
  useEffect(() => setRunsDraft(String(settings.chartRuns)), [settings.chartRuns]);
  const xOptions = [...metricKeys].sort();
  if (!BUILTIN_X.some(([k]) => k === settings.xAxis) && !xOptions.includes(settings.xAxis)) xOptions.unshift(settings.xAxis);
  return (
    <div className="toolbar chart-toolbar">
      <input
        type="search"
        data-testid="panel-search"
        placeholder="Search panels"
        aria-label="Search panels"
        value={settings.panelSearch}
        onChange={(e) => onSettings({ panelSearch: e.target.value })}
      />
      <label className="chart-control">
        Smoothing
        <input
          type="range"
          data-testid="smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={settings.smoothing}
          onChange={(e) => onSettings({ smoothing: Number(e.target.value) })}
        />
        <span className="chart-control-value">{settings.smoothing.toFixed(2)}</span>
      </label>
      <label className="chart-control">
        X axis
        <select data-testid="x-axis" value={settings.xAxis} onChange={(e) => onSettings({ xAxis: e.target.value })}>
          {BUILTIN_X.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          {xOptions.length ? (
            <optgroup label="Metrics">
              {xOptions.map((k) => <option key={k} value={k}>{k}</option>)}
            </optgroup>
          ) : null}
        </select>
      </label>
      {grouped ? (
        <label className="chart-control" title="The shaded band around each group's mean line">
          Band
          <select data-testid="band-select" value={settings.band ?? "minmax"} onChange={(e) => onSettings({ band: e.target.value as BandKind })}>
            <option value="minmax">min / max</option>
            <option value="std">mean ± 1 SD</option>
          </select>
        </label>
      ) : null}
      {!runCountControl ? null : <label className="chart-control" title="Charts draw this many of the table's first runs">
        Runs
        <input
          type="number"
          data-testid="chart-runs"
          min={1}
          max={100}
          value={runsDraft}
          style={{ width: 64 }}
          onChange={(e) => {
            setRunsDraft(e.target.value);
            const n = Number(e.target.value);
            if (e.target.value !== "" && Number.isInteger(n) && n >= 1 && n <= 100) onSettings({ chartRuns: n });
          }}
          onBlur={() => setRunsDraft(String(settings.chartRuns))}
        />
      </label>}
    </div>
  );
}
