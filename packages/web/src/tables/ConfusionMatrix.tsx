// Owns the confusion-matrix view of a classification table: the user picks the actual and predicted
// columns among the class and string columns, the server counts every (actual, predicted) pair over
// the whole table (not the filtered rows), cells are shaded by count, and clicking a cell asks the
// table to show exactly those rows.
import { useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { ErrorBox, Loading } from "../ui/common";
import { cellFilter, defaultPair, labelColumns, maxCount, shade } from "./confusion";
import { useKeptPage } from "./useKeptPage";
import type { TableColumn } from "./wire";

const fmt = new Intl.NumberFormat("en");

export function ConfusionMatrix({ project, runId, tableKey, step, columns, onFilter }: {
  project: ProjectRef; runId: string; tableKey: string; step: number | null; columns: TableColumn[]; onFilter(filter: string): void;
}) {
  const usable = labelColumns(columns);
  const start = defaultPair(columns);
  const [actual, setActual] = useState(start?.actual ?? "");
  const [predicted, setPredicted] = useState(start?.predicted ?? "");
  const q = { actual, predicted, step };
  const load = useKeptPage((signal) => api.tableConfusion(project, runId, tableKey, q, signal), JSON.stringify([runId, tableKey, q]));
  const pick = (value: string, set: (v: string) => void, testId: string, label: string) => (
    <label>{label}{" "}
      <select data-testid={testId} value={value} onChange={(e) => set(e.target.value)}>
        {usable.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
    </label>
  );
  const m = load.data;
  const max = m ? maxCount(m.matrix) : 0;
  return (
    <div className="confusion">
      <div className="toolbar">
        {pick(actual, setActual, "confusion-actual", "actual")}
        {pick(predicted, setPredicted, "confusion-predicted", "predicted")}
        {m ? <span className="muted">{fmt.format(m.total)} rows · click a cell to list its rows</span> : null}
      </div>
      {load.error ? <ErrorBox error={load.error} what="the confusion matrix" /> : null}
      {!m && load.loading ? <Loading what="the confusion matrix" /> : null}
      {m ? (
        <table className="confusion-matrix" data-testid="confusion-matrix" data-actual={actual} data-predicted={predicted} data-loading={load.loading ? "true" : undefined}>
          <thead>
            <tr>
              <th className="muted corner">actual ↓ · predicted →</th>
              {m.labels.map((l) => <th key={l} scope="col">{l}</th>)}
            </tr>
          </thead>
          <tbody>
            {m.labels.map((a, i) => (
              <tr key={a}>
                <th scope="row">{a}</th>
                {m.labels.map((p, j) => {
                  const n = m.matrix[i]?.[j] ?? 0;
                  return (
                    <td
                      key={p} className={`num confusion-cell${i === j ? " diagonal" : ""}`} style={shade(n, max)}
                      data-testid="confusion-cell" data-actual={a} data-predicted={p}
                      title={`${fmt.format(n)} rows with ${actual} = ${a} and ${predicted} = ${p}`}
                      onClick={() => onFilter(cellFilter(actual, predicted, a, p))}
                    >{n}</td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
