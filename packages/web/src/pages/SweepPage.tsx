// Owns one sweep's page (/p/:entity/:project/sweeps/:sweepId): the header with its state and
// controls, progress, the best-so-far chart, parameter importance, parallel coordinates and the
// trials table. Data comes from useSweep (polled while the sweep is live); the parts are in sweeps/.
import { useMemo } from "react";
import type { ProjectRef } from "../api/client";
import { formatNumber } from "../api/values";
import { fullTime } from "../run/format";
import { linkProps, paths } from "../state/router";
import { BestSoFar } from "../sweeps/BestSoFar";
import { ImportancePanel } from "../sweeps/ImportancePanel";
import { ParallelCoords } from "../sweeps/ParallelCoords";
import { SweepControls } from "../sweeps/SweepControls";
import { SweepProgress } from "../sweeps/SweepProgress";
import { TrialsTable } from "../sweeps/TrialsTable";
import { flatTrials, paramDims, scored } from "../sweeps/trials";
import { useSweep } from "../sweeps/useSweep";
import { ErrorBox, Loading, PageFrame } from "../ui/common";

export function SweepPage({ entity, project, sweepId }: { entity: string; project: string; sweepId: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const { sweep, trials, error, setSweep, reload } = useSweep(ref, sweepId);

  const flat = useMemo(() => flatTrials(trials ?? []), [trials]);
  const dims = useMemo(() => paramDims(sweep?.config ?? {}, flat.map((t) => t.flat)), [sweep?.config, flat]);
  const done = useMemo(() => scored(flat), [flat]);
  // Parameters the search varies come first in the table; constants are still shown, last.
  const tableParams = useMemo(
    () => [...dims.filter((d) => d.kind !== "constant"), ...dims.filter((d) => d.kind === "constant")].map((d) => d.name),
    [dims],
  );

  const crumbs = [
    { label: entity, to: paths.projects() },
    { label: project, to: paths.workspace(entity, project) },
    { label: "sweeps", to: paths.sweeps(entity, project) },
    { label: sweep?.name || sweepId },
  ];
  if (!sweep) {
    return (
      <PageFrame crumbs={crumbs}>
        {error ? <ErrorBox error={error} what={`sweep ${sweepId}`} retry={reload} /> : <Loading what="the sweep" />}
      </PageFrame>
    );
  }
  const metric = sweep.metric;
  return (
    <PageFrame crumbs={crumbs}>
      <div className="sweep-header">
        <h1 className="run-title">
          {sweep.name || sweep.id}
          <span className="muted sweep-id">{sweep.id}</span>
        </h1>
        <SweepControls project={ref} sweep={sweep} onChange={setSweep} />
      </div>
      <div className="sweep-facts muted">
        <span>method <strong>{sweep.method}</strong></span>
        {metric ? <span>{metric.goal} <strong>{metric.name}</strong></span> : <span>no metric</span>}
        {sweep.best && metric ? (
          <span data-testid="sweep-best">
            best <strong>{formatNumber(sweep.best.value)}</strong> in{" "}
            <a {...linkProps(paths.run(entity, project, sweep.best.runId))}>{sweep.best.runId}</a>
          </span>
        ) : null}
        <span title={fullTime(sweep.createdAt)}>created {fullTime(sweep.createdAt)}</span>
      </div>
      {error ? <ErrorBox error={error} what="the latest sweep state" retry={reload} /> : null}
      <SweepProgress sweep={sweep} />
      {metric ? (
        <div className="sweep-grid">
          <BestSoFar trials={flat} metric={metric} />
          <ImportancePanel dims={dims} trials={done} metricName={metric.name} />
        </div>
      ) : (
        <p className="muted">This sweep has no <code>metric</code>, so there is no best-so-far curve, importance or parallel coordinates.</p>
      )}
      {metric ? (
        <section className="sweep-card">
          <ParallelCoords entity={entity} project={project} dims={dims} trials={done} metric={metric} />
        </section>
      ) : null}
      <h2 className="section-title">Trials</h2>
      {trials ? (
        <TrialsTable entity={entity} project={project} trials={flat} params={tableParams} metric={metric} bestRunId={sweep.best?.runId ?? null} />
      ) : <Loading what="trials" />}
      <details className="sweep-config">
        <summary>Sweep config</summary>
        <pre>{JSON.stringify(sweep.config, null, 2)}</pre>
      </details>
    </PageFrame>
  );
}
