// Owns the trials table: one row per trial (run id linking to the run page, state, metric, attempt,
// then one column per parameter), sorted on the client by any header. Past 500 trials only the
// rows on screen are rendered (spacer rows keep the scroll height), so huge sweeps stay smooth.
import { useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { formatValue } from "../api/values";
import { linkProps, paths } from "../state/router";
import { nextTrialSort, sortTrials, type FlatTrial, type SortKey, type TrialSort } from "./trials";
import type { Goal } from "./wire";

const VIRTUALIZE_OVER = 500;
const ROW_HEIGHT = 27;

interface Props {
  entity: string;
  project: string;
  trials: FlatTrial[];
  params: string[];
  metric: { name: string; goal: Goal } | null;
  bestRunId: string | null;
}

export function TrialsTable({ entity, project, trials, params, metric, bestRunId }: Props) {
  const [sort, setSort] = useState<TrialSort>({ key: "number", dir: "asc" });
  const rows = useMemo(() => sortTrials(trials, sort), [trials, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_OVER;
  const virtualizer = useVirtualizer({
    count: virtual ? rows.length : 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20,
  });
  const items = virtual ? virtualizer.getVirtualItems() : null;
  const shown = items ? items.map((v) => rows[v.index]!) : rows;
  const padTop = items?.length ? items[0]!.start : 0;
  const padBottom = items?.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const span = 4 + params.length;

  const header = (key: SortKey, label: string, numeric = false) => (
    <th
      key={key} data-testid="trial-col" data-col={key} data-sort={sort.key === key ? sort.dir : undefined}
      className={numeric ? "num sortable" : "sortable"} onClick={() => setSort((s) => nextTrialSort(s, key, metric?.goal ?? null))}
      aria-sort={sort.key === key ? (sort.dir === "asc" ? "ascending" : "descending") : undefined} title={`Sort by ${label}`}
    >
      {label}{sort.key === key ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}
    </th>
  );

  return (
    <div className="trials-scroll" ref={scroller} data-testid="trials-table" data-rows={rows.length}>
      <table className="kv trials-table">
        <thead>
          <tr>
            {header("number", "#", true)}
            {header("runId", "run")}
            {header("state", "state")}
            {header("value", metric?.name ?? "metric", true)}
            {params.map((p) => header(`param:${p}`, p))}
          </tr>
        </thead>
        <tbody>
          {padTop > 0 ? <tr aria-hidden style={{ height: padTop }}><td colSpan={span} /></tr> : null}
          {shown.map((t) => (
            <tr key={t.runId} data-testid="trial-row" data-run-id={t.runId} data-state={t.state} className={t.runId === bestRunId ? "best" : undefined}>
              <td className="num muted">{t.number}</td>
              <td>
                <a {...linkProps(paths.run(entity, project, t.runId))}>{t.runId}</a>
                {t.runId === bestRunId ? <span className="tag best-tag" title="best trial">best</span> : null}
              </td>
              <td>
                <span className={`state state-${t.state}`}>{t.state}</span>
                {t.earlyStopped ? <span className="tag" title="stopped early by the sweep's early_terminate">early stop</span> : null}
                {t.attempt > 1 ? <span className="muted" title="the same params offered again after a failure or a lost agent"> attempt {t.attempt}</span> : null}
              </td>
              <td className="num" data-col="value">{t.value === null ? "" : formatValue(t.value)}</td>
              {params.map((p) => <td key={p} data-col={`param:${p}`} className={typeof t.flat[p] === "number" ? "num" : undefined}>{formatValue(t.flat[p])}</td>)}
            </tr>
          ))}
          {padBottom > 0 ? <tr aria-hidden style={{ height: padBottom }}><td colSpan={span} /></tr> : null}
        </tbody>
      </table>
      {rows.length === 0 ? <div className="muted pad">No trials yet: start an agent to run the first one.</div> : null}
    </div>
  );
}
