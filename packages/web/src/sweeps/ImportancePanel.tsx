// Owns the parameter-importance panel: per searched parameter, its importance share (importance.ts)
// and its correlation with the metric, each as a bar, as W&B's panel shows them. Recomputed only
// when the set of finished trials changes.
import { useMemo } from "react";
import { formatNumber } from "../api/values";
import { paramImportance } from "./importance";
import type { ParamDim } from "./trials";

interface Props {
  dims: ParamDim[];
  trials: { flat: Record<string, unknown>; value: number }[];
  metricName: string;
}

/** Fewer finished trials than this and a forest's credit is mostly noise: say so instead. */
const MIN_TRIALS = 4;

export function ImportancePanel({ dims, trials, metricName }: Props) {
  const rows = useMemo(
    () => paramImportance(dims, { params: trials.map((t) => t.flat), values: trials.map((t) => t.value) }),
    [dims, trials],
  );
  return (
    <div className="importance sweep-card" data-testid="param-importance" data-trials={trials.length}>
      <div className="chart-head"><span className="chart-title">Parameter importance for {metricName}</span></div>
      {trials.length < MIN_TRIALS ? (
        <p className="muted pad">Importance needs at least {MIN_TRIALS} finished trials with a {metricName}; there {trials.length === 1 ? "is" : "are"} {trials.length}.</p>
      ) : null}
      <table className="kv importance-table">
        <thead>
          <tr>
            <th>parameter</th>
            <th title="Share of the metric's variance an extra-trees forest credits to the parameter">importance</th>
            <th title="Pearson correlation with the metric (log-scaled parameters in log space); Spearman's in the tooltip">correlation</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-testid="importance-row" data-param={r.name} data-importance={r.importance.toFixed(4)}>
              <td className="importance-name" title={r.name}>{r.name}</td>
              <td>
                <span className="bar-track" title={`${(r.importance * 100).toFixed(1)}%`}>
                  <span className="bar importance-bar" style={{ width: `${Math.round(r.importance * 100)}%` }} />
                </span>
                <span className="num bar-label">{trials.length >= MIN_TRIALS ? r.importance.toFixed(2) : ""}</span>
              </td>
              <td>
                {r.pearson === null ? (
                  <span className="muted" title="categorical, or too few trials with this parameter">n/a</span>
                ) : (
                  <>
                    <span className="bar-track corr-track" title={`Pearson ${formatNumber(r.pearson)}, Spearman ${r.spearman === null ? "n/a" : formatNumber(r.spearman)}`}>
                      <span
                        className={`bar ${r.pearson >= 0 ? "corr-pos" : "corr-neg"}`}
                        style={r.pearson >= 0 ? { left: "50%", width: `${r.pearson * 50}%` } : { right: "50%", width: `${-r.pearson * 50}%` }}
                      />
                    </span>
                    <span className="num bar-label">{r.pearson.toFixed(2)}</span>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
