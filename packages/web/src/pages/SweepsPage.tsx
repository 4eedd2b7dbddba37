// Owns the project's sweeps list (/p/:entity/:project/sweeps): each sweep's name, method, state,
// trial counts and best value, refreshed every 2 s while any is active, and the how-to for
// starting one when there are none.
import { useEffect, useMemo } from "react";
import { api, type ProjectRef, type Sweep } from "../api/client";
import { formatNumber } from "../api/values";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { SweepStateBadge } from "../sweeps/SweepControls";
import { isLive, POLL_MS } from "../sweeps/useSweep";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";

export function SweepsPage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload] = useLoad(() => api.sweeps(ref), [ref]);
  const live = load.status === "ok" && load.data.sweeps.some(isLive);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(reload, POLL_MS);
    return () => clearInterval(t);
  }, [live, reload]);

  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project, to: paths.workspace(entity, project) }, { label: "sweeps" }]}
      actions={<ProjectLinks entity={entity} project={project} here="sweeps" />}
    >
      <h1 className="run-title">Sweeps</h1>
      {load.status === "loading" ? <Loading what="sweeps" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="sweeps" retry={reload} /> : null}
      {load.status === "ok" ? (load.data.sweeps.length ? <SweepList sweeps={load.data.sweeps} /> : <SweepHelp entity={entity} project={project} />) : null}
    </PageFrame>
  );
}

function SweepList({ sweeps }: { sweeps: Sweep[] }) {
  const now = Date.now();
  const shown = sweeps.slice().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <table className="kv sweeps-table">
      <thead>
        <tr>
          <th>Sweep</th><th>Method</th><th>State</th><th className="num">Trials</th><th className="num">Finished</th>
          <th className="num">Running</th><th className="num">Failed</th><th>Best</th><th>Created</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((s) => {
          const c = s.counts;
          return (
            <tr key={s.id} data-testid="sweep-row" data-sweep-id={s.id}>
              <td>
                <a {...linkProps(paths.sweep(s.entity, s.project, s.id))}><strong>{s.name || s.id}</strong></a>
                {s.name && s.name !== s.id ? <span className="muted"> {s.id}</span> : null}
              </td>
              <td>{s.method}</td>
              <td><SweepStateBadge state={s.state} /></td>
              <td className="num" data-col="total">{c.total}{s.runCap !== null ? <span className="muted"> / {s.runCap}</span> : null}</td>
              <td className="num" data-col="finished">{c.finished}</td>
              <td className="num" data-col="running">{c.running}</td>
              <td className="num" data-col="failed">{c.failed + c.crashed}</td>
              <td data-col="best">
                {s.best && s.metric ? (
                  <span title={`${s.metric.goal} ${s.metric.name}`}>
                    {s.metric.name} = <strong>{formatNumber(s.best.value)}</strong> <span className="muted">({s.best.runId})</span>
                  </span>
                ) : <span className="muted">—</span>}
              </td>
              <td title={fullTime(s.createdAt)}>{relativeTime(s.createdAt, now)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const EXAMPLE = `program: train.py
method: bayes
metric:
  name: val/loss
  goal: minimize
parameters:
  optimizer:
    parameters:
      name:
        values: [adam, sgd]
      lr:
        distribution: log_uniform_values
        min: 0.00001
        max: 0.1
  batch_size:
    values: [32, 64, 128]
  dropout:
    min: 0.0
    max: 0.5
early_terminate:
  type: hyperband
  min_iter: 3
run_cap: 50`;

/** What a new user needs to start a first sweep: the same YAML a W&B sweep uses. */
function SweepHelp({ entity, project }: { entity: string; project: string }) {
  return (
    <div className="empty" data-testid="sweeps-empty">
      <p><strong>No sweeps in {entity}/{project} yet.</strong> A sweep searches hyperparameters with agents on any number of machines.</p>
      <p>1. Describe the search in <code>sweep.yaml</code> (W&amp;B sweep files work unchanged):</p>
      <pre>{EXAMPLE}</pre>
      <p>2. Create the sweep, then start an agent on each machine (each runs trials until the sweep ends, or <code>--count</code> of them):</p>
      <pre>{`ORRERY_ENTITY=${entity} ORRERY_PROJECT=${project} orrery sweep sweep.yaml
orrery agent SWEEP_ID --count 10`}</pre>
      <p className="muted">
        Set <code>ORRERY_URL</code> to this server ({location.origin}). Your script logs the metric with <code>run.log({"{"} &quot;val/loss&quot;: … {"}"})</code>;
        its parameters arrive in <code>run.config</code>.
      </p>
    </div>
  );
}
