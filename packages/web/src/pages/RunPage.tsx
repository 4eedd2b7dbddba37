// Owns the run page (/p/:entity/:project/runs/:runId): stacked sections with anchors (overview,
// charts, histograms and media (images, boxes, masks) when the run has any, system metrics,
// console, config, summary, metadata, artifacts used and produced with the run's lineage), each
// loading on its own, the run kept live from the project's event stream, and chart settings kept
// in this page's URL.
import { useMemo } from "react";
import type { ProjectRef, Run } from "../api/client";
import { HistogramGrid, useHistogramKeys } from "../charts/HistogramGrid";
import { linkProps, paths, useSearchParams } from "../state/router";
import { parseWorkspace, workspacePatch } from "../state/workspace";
import { runColor } from "../ui/colors";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { PanelGrid, type ChartRun, type ChartSettings } from "../workspace/PanelGrid";
import { ConfigTree } from "../run/ConfigTree";
import { ConsoleView } from "../run/ConsoleView";
import { MetadataView } from "../run/MetadataView";
import { Overview, RunStateBadge } from "../run/Overview";
import { SummaryTable } from "../run/SummaryTable";
import { SystemPanels } from "../run/SystemPanels";
import { useLiveRun } from "../run/useLiveRun";
import { RunTables } from "../tables/RunTables";
import { MediaSection } from "../media/MediaSection";
import { RunArtifacts } from "./artifactPages";

const SECTIONS = [
  ["overview", "Overview"], ["charts", "Charts"], ["system", "System"], ["console", "Console"],
  ["config", "Config"], ["summary", "Summary"], ["metadata", "Metadata"], ["artifacts", "Artifacts"],
] as const;

export function RunPage({ entity, project, runId }: { entity: string; project: string; runId: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload, update] = useLiveRun(ref, runId);
  const run = load.status === "ok" ? load.data : null;
  const crumbs = [
    { label: `${entity}/${project}`, to: paths.workspace(entity, project) },
    { label: run?.name ?? runId },
  ];
  const actions = (
    <a data-testid="compare-link" {...linkProps(paths.compare(entity, project, [runId]))} title="Compare this run with others">
      Compare with other runs…
    </a>
  );
  return (
    <PageFrame crumbs={crumbs} actions={actions}>
      {load.status === "loading" ? <Loading what="the run" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what={`run ${runId}`} retry={reload} /> : null}
      {run ? <RunSections project={ref} run={run} onRun={(r) => update(() => r)} /> : null}
    </PageFrame>
  );
}

function RunSections({ project, run, onRun }: { project: ProjectRef; run: Run; onRun(run: Run): void }) {
  const color = runColor(run.id);
  const running = run.state === "running";
  return (
    <div className="run-page">
      <h1 className="run-title">
        <span className="swatch" style={{ background: color }} /> {run.name} <RunStateBadge state={run.state} />
        <span className="muted run-id"> {run.id}</span>
      </h1>
      <nav className="section-nav" aria-label="run sections">
        {SECTIONS.map(([id, label]) => <a key={id} href={`#${id}`}>{label}</a>)}
      </nav>
      <Section id="overview" title="Overview"><Overview project={project} run={run} onRun={onRun} /></Section>
      <Section id="charts" title="Charts"><RunCharts project={project} run={run} color={color} /></Section>
      <RunHistograms project={project} run={run} />
      <MediaSection project={project} runId={run.id} running={running} />
      <Section id="system" title="System metrics" collapsible>
        <SystemPanels project={project} runId={run.id} color={color} running={running} />
      </Section>
      <Section id="console" title="Console output">
        <ConsoleView project={project} runId={run.id} running={running} lastSeq={run.lastSeq} />
      </Section>
      <Section id="config" title="Config">
        <ConfigTree project={project} runId={run.id} />
      </Section>
      <Section id="summary" title="Summary"><SummaryTable summary={run.summary} /></Section>
      <RunTables project={project} runId={run.id} lastSeq={run.lastSeq} />
      <Section id="metadata" title="Metadata"><MetadataView project={project} run={run} /></Section>
      <Section id="artifacts" title="Artifacts"><RunArtifacts project={project} runId={run.id} /></Section>
    </div>
  );
}

function Section({ id, title, children, collapsible }: { id: string; title: string; children: React.ReactNode; collapsible?: boolean }) {
  if (collapsible) {
    return (
      <details id={id} className="run-section" open>
        <summary className="section-title">{title}</summary>
        {children}
      </details>
    );
  }
  return (
    <section id={id} className="run-section">
      <h2 className="section-title">{title}</h2>
      {children}
    </section>
  );
}

/** A heatmap per histogram key the run logged (weights, gradients); nothing when it logged none. */
function RunHistograms({ project, run }: { project: ProjectRef; run: Run }) {
  const running = run.state === "running";
  const { byRun } = useHistogramKeys(project, [run.id], running);
  const keys = byRun?.get(run.id) ?? [];
  if (keys.length === 0) return null;
  return (
    <details id="histograms" className="run-section" data-testid="histogram-section" open>
      <summary className="section-title">Histograms <span className="muted">({keys.length})</span></summary>
      <HistogramGrid project={project} runId={run.id} keys={keys} running={running} />
    </details>
  );
}

/** The run's metric charts; settings live in this page's query string so a view is shareable. */
function RunCharts({ project, run, color }: { project: ProjectRef; run: Run; color: string }) {
  const [params, setParams] = useSearchParams();
  const ws = parseWorkspace(params);
  const settings: ChartSettings = {
    smoothing: ws.smoothing, xAxis: ws.xAxis, logY: ws.logY, panelSearch: ws.panelSearch, collapsed: ws.collapsed, chartRuns: 1,
  };
  const runs: ChartRun[] = [{ id: run.id, name: run.name, color, state: run.state, lastStep: run.lastStep, group: run.group }];
  return (
    <PanelGrid
      project={project} runs={runs} grouped={false} settings={settings} runCountControl={false}
      onSettings={({ chartRuns: _ignored, ...patch }) => setParams(workspacePatch(patch))}
      histograms={false}
    />
  );
}
