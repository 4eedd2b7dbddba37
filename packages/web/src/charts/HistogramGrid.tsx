// Owns the histogram parts the run page and the workspace share: which histogram keys some runs
// logged (refreshed now and then while they are live), and a grid of one heatmap panel per key.
import { useEffect, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { HistogramPanel } from "./HistogramPanel";

const KEYS_REFRESH_MS = 10_000;

export interface HistogramKeys {
  /** Histogram keys per run id (an empty list for a run without histograms); null until loaded. */
  byRun: Map<string, string[]> | null;
  error: unknown;
  retry(): void;
}

/** The histogram keys of each of `runIds`, looked up again every 10 s while `live`. */
export function useHistogramKeys(project: ProjectRef, runIds: readonly string[], live: boolean): HistogramKeys {
  const idsKey = runIds.join(",");
  const [state, setState] = useState<{ byRun: Map<string, string[]> | null; error: unknown; forIds: string }>({ byRun: null, error: null, forIds: "" });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ids = idsKey ? idsKey.split(",") : [];
    const load = () => {
      Promise.all(ids.map((id) => api.histogramKeys(project, id, ctrl.signal).then((r) => [id, r.keys] as const))).then(
        (pairs) => {
          setState({ byRun: new Map(pairs), error: null, forIds: idsKey });
          if (live) timer = setTimeout(load, KEYS_REFRESH_MS);
        },
        (error: unknown) => {
          if (!ctrl.signal.aborted) setState((old) => ({ byRun: old.forIds === idsKey ? old.byRun : null, error, forIds: idsKey }));
        },
      );
    };
    load();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [project.entity, project.project, idsKey, live, attempt]);
  // Keys of other runs than asked for mean nothing yet.
  const byRun = state.forIds === idsKey ? state.byRun : null;
  return { byRun, error: state.error, retry: () => setAttempt((a) => a + 1) };
}

export function HistogramGrid({ project, runId, keys, running }: { project: ProjectRef; runId: string; keys: readonly string[]; running: boolean }) {
  return (
    <div className="panel-grid">
      {keys.map((k) => (
        <div key={`${runId}\u0000${k}`} className="panel-cell">
          <HistogramPanel project={project} runId={runId} histKey={k} running={running} />
        </div>
      ))}
    </div>
  );
}

/** How many of the charted runs the workspace asks for histogram keys (one request each). */
export const MAX_HISTOGRAM_PROBES = 10;
/** The workspace section's id in the collapsed-sections list (never a metric key prefix: those have no ':'). */
export const HISTOGRAM_SECTION_ID = ":histograms";

export interface WorkspaceHistogramsProps {
  project: ProjectRef;
  runs: readonly { id: string; name: string; state: string }[];
  collapsed: boolean;
  onToggle(): void;
}

/**
 * The workspace's "histograms" section: the histograms of ONE charted run, picked in a select among
 * those of the first MAX_HISTOGRAM_PROBES charted runs that logged any (the first by default).
 * Absent when none did.
 */
export function WorkspaceHistograms({ project, runs, collapsed, onToggle }: WorkspaceHistogramsProps) {
  const probed = runs.slice(0, MAX_HISTOGRAM_PROBES);
  const live = probed.some((r) => r.state === "running");
  const { byRun } = useHistogramKeys(project, probed.map((r) => r.id), live);
  const [picked, setPicked] = useState<string | null>(null);
  const withHistograms = byRun ? probed.filter((r) => (byRun.get(r.id)?.length ?? 0) > 0) : [];
  if (withHistograms.length === 0) return null;
  const run = withHistograms.find((r) => r.id === picked) ?? withHistograms[0]!;
  const keys = byRun!.get(run.id)!;
  return (
    <section className="panel-section" data-testid="histograms-section" data-run-id={run.id}>
      <div className="histogram-section-head">
        <button type="button" className="section-toggle" data-testid="histograms-toggle" aria-expanded={!collapsed} onClick={onToggle}>
          <span className="section-caret">{collapsed ? "▸" : "▾"}</span> histograms <span className="muted">({keys.length})</span>
        </button>
        <label className="chart-control muted">
          of run
          <select data-testid="histogram-run" value={run.id} onChange={(e) => setPicked(e.target.value)}>
            {withHistograms.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
      </div>
      {collapsed ? null : <HistogramGrid project={project} runId={run.id} keys={keys} running={run.state === "running"} />}
    </section>
  );
}
