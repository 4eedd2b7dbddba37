// Owns the compare page (/p/:entity/:project/compare?runs=a,b,c): 2 to 10 runs side by side (config
// and summary differences), their charts overlaid, and adding or removing runs (kept in the URL
// with the chart settings, so a comparison is shared by link).
import { useMemo } from "react";
import type { ProjectRef, Run } from "../api/client";
import { linkProps, navigate, paths, useSearchParams } from "../state/router";
import { parseWorkspace, workspacePatch } from "../state/workspace";
import { runColor } from "../ui/colors";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { PanelGrid, type ChartRun, type ChartSettings } from "../workspace/PanelGrid";
import { CompareTable } from "../compare/CompareTable";
import { RunPicker } from "../compare/RunPicker";
import { useCompareRuns } from "../compare/useCompareRuns";
import { MediaCompare } from "../media/MediaCompare";
import { TableCompare } from "../tables/TableCompare";

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 10;

/** Run ids from ?runs=a,b,c: trimmed, empty and repeated ids dropped. */
function parseIds(s: string | null): string[] {
  return [...new Set((s ?? "").split(",").map((x) => x.trim()).filter(Boolean))];
}

export function ComparePage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [params, setParams] = useSearchParams();
  const ids = parseIds(params.get("runs"));
  const showAll = params.get("all") === "1";
  const search = params.get("keys") ?? "";
  const { loads, retry } = useCompareRuns(ref, ids);
  // Built by hand rather than through setParams so the ids keep readable commas (?runs=a,b,c).
  const setIds = (next: string[]) => {
    const rest = new URLSearchParams(location.search);
    rest.delete("runs");
    const tail = rest.toString();
    navigate(`${paths.compare(entity, project, next)}${tail ? `&${tail}` : ""}`);
  };
  const remove = (id: string) => setIds(ids.filter((x) => x !== id));
  const add = (id: string) => !ids.includes(id) && setIds([...ids, id]);

  const missing = ids.filter((id) => loads.get(id)?.status === "missing");
  const failed = ids.filter((id) => loads.get(id)?.status === "error");
  const loading = ids.filter((id) => (loads.get(id)?.status ?? "loading") === "loading");
  const runs = ids.flatMap((id) => {
    const l = loads.get(id);
    return l?.status === "ok" ? [l.run] : [];
  });
  const countOk = ids.length >= MIN_COMPARE && ids.length <= MAX_COMPARE;
  const ready = countOk && runs.length === ids.length;

  return (
    <PageFrame crumbs={[{ label: `${entity}/${project}`, to: paths.workspace(entity, project) }, { label: "compare" }]}>
      <div className="toolbar">
        <RunPicker project={ref} exclude={ids} onAdd={add} disabled={ids.length >= MAX_COMPARE} />
      </div>
      {ids.length < MIN_COMPARE ? (
        <div className="empty" data-testid="compare-message">
          {ids.length === 0 ? "No runs picked. " : "One run picked. "}
          Compare needs at least {MIN_COMPARE} runs: add runs above, or tick runs in the{" "}
          <a {...linkProps(paths.workspace(entity, project))}>workspace</a> table and press Compare.
        </div>
      ) : null}
      {ids.length > MAX_COMPARE ? (
        <div className="error-box" data-testid="compare-message" role="alert">
          {ids.length} runs picked; compare shows at most {MAX_COMPARE}. Remove {ids.length - MAX_COMPARE}:
          <RunChips ids={ids} runs={runs} onRemove={remove} />
        </div>
      ) : null}
      {missing.length ? (
        <div className="error-box" data-testid="compare-missing" role="alert">
          {missing.length === 1 ? "There is no run" : "There are no runs"} with id {missing.map((id) => <code key={id}>{id} </code>)}
          in {entity}/{project}.{" "}
          {missing.map((id) => <button type="button" key={id} onClick={() => remove(id)}>Remove {id}</button>)}
        </div>
      ) : null}
      {failed.map((id) => {
        const l = loads.get(id);
        return <ErrorBox key={id} error={l?.status === "error" ? l.error : null} what={`run ${id}`} retry={() => retry(id)} />;
      })}
      {loading.length ? <Loading what={`${loading.length === 1 ? "run" : "runs"} ${loading.join(", ")}`} /> : null}
      {ids.length === 1 && runs.length === 1 ? <RunChips ids={ids} runs={runs} onRemove={remove} /> : null}
      {ready ? (
        <>
          <h2 className="section-title">Config and summary</h2>
          <div className="toolbar">
            <input type="search" placeholder="Search keys" aria-label="Search keys" value={search} onChange={(e) => setParams({ keys: e.target.value })} size={28} data-testid="compare-search" />
            <label><input type="checkbox" data-testid="show-all" checked={showAll} onChange={(e) => setParams({ all: e.target.checked ? "1" : null })} /> show all (equal values too)</label>
          </div>
          <CompareTable runs={runs} showAll={showAll} search={search} onRemove={remove} />
          <h2 className="section-title">Charts</h2>
          <CompareCharts project={ref} runs={runs} />
          <MediaCompare project={ref} runs={runs} />
          <TableCompare project={ref} runs={runs} />
        </>
      ) : null}
    </PageFrame>
  );
}

function RunChips({ ids, runs, onRemove }: { ids: string[]; runs: Run[]; onRemove(id: string): void }) {
  return (
    <div className="toolbar">
      {ids.map((id) => {
        const run = runs.find((r) => r.id === id);
        return (
          <span key={id} className="chip">
            <span className="swatch" style={{ background: runColor(id) }} /> {run?.name ?? id}{" "}
            <button type="button" className="icon" data-testid="remove-run" data-run-id={id} aria-label={`Remove ${run?.name ?? id}`} onClick={() => onRemove(id)}>×</button>
          </span>
        );
      })}
    </div>
  );
}

/** The runs' charts overlaid; settings in this page's query string (the runs= list is ours, not a chart count). */
function CompareCharts({ project, runs }: { project: ProjectRef; runs: Run[] }) {
  const [params, setParams] = useSearchParams();
  const ws = parseWorkspace(params);
  const settings: ChartSettings = {
    smoothing: ws.smoothing, xAxis: ws.xAxis, logY: ws.logY, panelSearch: ws.panelSearch, collapsed: ws.collapsed, chartRuns: runs.length,
  };
  const chartRuns: ChartRun[] = runs.map((r) => ({ id: r.id, name: r.name, color: runColor(r.id), state: r.state, lastStep: r.lastStep, group: r.group }));
  return (
    <PanelGrid
      project={project} runs={chartRuns} grouped={false} settings={settings} runCountControl={false}
      onSettings={({ chartRuns: _ignored, ...patch }) => setParams(workspacePatch(patch))}
    />
  );
}
