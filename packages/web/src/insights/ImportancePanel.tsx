// Owns the parameter-importance insight panel: pick a summary metric, and the server ranks every
// config key that varies by its importance for that metric (a random-forest surrogate's
// permutation importance) with its signed correlation, over the runs matching the workspace's
// filter, search and brushes. The note says how many runs the numbers rest on, and the server's
// reason when there were too few.
import { useEffect, useMemo, useState } from "react";
import type { Importance, ParamImportance } from "@orrery/protocol";
import { api } from "../api/client";
import { ErrorBox } from "../ui/common";
import type { PanelContext } from "./context";

export interface ImportancePanelProps { ctx: PanelContext; config: string; onConfig(next: string): void }

/** Wait this long after the last change of filter or metric before asking (brushing changes the filter fast). */
const DEBOUNCE_MS = 250;

interface Reply { forKey: string; data: Importance | null; error: unknown }

/** Summary keys worth ranking parameters against: numeric, not reserved (_runtime, _step...). */
export function metricChoices(summary: PanelContext["keys"]["summary"]): string[] {
  return summary.filter((k) => (k.types["number"] ?? 0) > 0 && !(k.path[0] ?? "").startsWith("_")).map((k) => k.field);
}

export function ImportancePanel({ ctx, config, onConfig }: ImportancePanelProps) {
  const metrics = useMemo(() => metricChoices(ctx.keys.summary), [ctx.keys.summary]);
  // A new panel has no metric yet: rank against the first one (val/acc-like keys come first when present).
  const metric = config || metrics.find((m) => /acc|loss/i.test(m)) || metrics[0] || "";
  const { entity, project } = ctx.project;
  const fetchKey = `${metric}\n${ctx.filter}\n${ctx.search}`;
  const [reply, setReply] = useState<Reply>({ forKey: "", data: null, error: null });
  const [retries, setRetries] = useState(0);
  useEffect(() => {
    if (!metric) return;
    const ac = new AbortController();
    const t = setTimeout(() => {
      api.importance({ entity, project }, { metric, filter: ctx.filter || undefined, search: ctx.search || undefined }, ac.signal).then(
        (data) => setReply({ forKey: fetchKey, data, error: null }),
        (error: unknown) => { if (!ac.signal.aborted) setReply((old) => ({ ...old, forKey: fetchKey, error })); },
      );
    }, DEBOUNCE_MS);
    return () => { clearTimeout(t); ac.abort(); };
  }, [entity, project, fetchKey, retries]); // eslint-disable-line react-hooks/exhaustive-deps -- metric, filter and search are in fetchKey

  if (!metric) {
    return (
      <div className="importance-panel empty" data-testid="importance-panel">
        No numeric summary metrics yet. Once runs log a metric (for example <code>val/acc</code>), this panel ranks config keys by how much they matter for it.
      </div>
    );
  }
  const loading = reply.forKey !== fetchKey;
  const data = reply.data;
  const options = metrics.includes(metric) ? metrics : [metric, ...metrics];
  return (
    <div className="importance-panel" data-testid="importance-panel" data-metric={metric} {...(loading ? { "data-loading": "true" } : {})}>
      <div className="toolbar importance-toolbar">
        <label>
          Importance for{" "}
          <select data-testid="importance-metric" value={metric} onChange={(e) => onConfig(e.target.value)}>
            {options.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        {loading ? <span className="muted">computing…</span> : null}
      </div>
      {reply.error && !loading ? <ErrorBox error={reply.error} what="parameter importance" retry={() => setRetries((n) => n + 1)} /> : null}
      {data ? <ImportanceNote data={data} /> : null}
      {data && data.params.length ? <ImportanceTable params={data.params} /> : null}
      {data && !data.params.length ? <div className="muted">No config key varies across these runs, so there is nothing to rank.</div> : null}
    </div>
  );
}

function ImportanceNote({ data }: { data: Importance }) {
  const runs = (n: number) => `${n} run${n === 1 ? "" : "s"}`;
  const base = data.enough
    ? `Computed from ${runs(data.runsUsed)} with a value for ${data.metric}`
    : `Not enough runs: ${runs(data.runsUsed)} with a value for ${data.metric}`;
  return (
    <p className={`importance-note${data.enough ? "" : " warn"}`} data-testid="importance-note" data-runs-used={data.runsUsed} data-enough={String(data.enough)}>
      {base}{data.runsTotal !== data.runsUsed ? ` (of ${data.runsTotal} matching)` : ""}.
      {data.message ? <> {data.message}</> : null}
      {data.enough ? <span className="muted" title={data.method}> Method: {data.method}.</span> : null}
    </p>
  );
}

function ImportanceTable({ params }: { params: ParamImportance[] }) {
  const maxImp = Math.max(0, ...params.map((p) => p.importance ?? 0)) || 1;
  return (
    <table className="importance-table" data-testid="importance-table">
      <thead>
        <tr>
          <th>Config key</th>
          <th title="Permutation importance of a random-forest surrogate, normalized to sum 1">Importance</th>
          <th title="Pearson correlation with the metric (numbers only)">Correlation</th>
          <th title="Runs used that hold this key">Runs</th>
        </tr>
      </thead>
      <tbody>
        {params.map((p) => (
          <tr key={p.key} data-testid="importance-row" data-key={p.key}
            data-importance={p.importance === null ? "" : String(p.importance)} data-correlation={p.correlation === null ? "" : String(p.correlation)}>
            <td className="importance-key" title={`${p.key} (${p.kind})`}>{p.key.replace(/^config\./, "")}{p.kind === "category" ? <span className="muted small"> (category)</span> : null}</td>
            <td>
              {p.importance === null ? <span className="muted">—</span> : (
                <span className="imp-cell">
                  <span className="imp-track"><span className="imp-bar" style={{ width: `${(p.importance / maxImp) * 100}%` }} /></span>
                  <span className="num">{p.importance.toFixed(3)}</span>
                </span>
              )}
            </td>
            <td>
              {p.correlation === null ? <span className="muted">—</span> : (
                <span className="imp-cell">
                  <span className="corr-track">
                    <span className={`corr-bar ${p.correlation < 0 ? "neg" : "pos"}`}
                      style={p.correlation < 0
                        ? { right: "50%", width: `${Math.abs(p.correlation) * 50}%` }
                        : { left: "50%", width: `${p.correlation * 50}%` }} />
                  </span>
                  <span className="num">{p.correlation >= 0 ? "+" : ""}{p.correlation.toFixed(2)}</span>
                </span>
              )}
            </td>
            <td className="num">{p.runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
