// Owns the slices insight panel: for a slice prefix (summary keys val/acc/pedestrian, val/acc/cyclist,
// val/acc/snow share val/acc), one bar per slice for each charted run, the worst slice of each run
// highlighted, and which end counts as worst (guessed from the name, or chosen). The values are the
// charted runs' summary fields, fetched as table columns for exactly those runs.
import { useEffect, useMemo, useState } from "react";
import { api, type RunRow } from "../api/client";
import { formatValue } from "../api/values";
import { linkProps, paths } from "../state/router";
import { ErrorBox } from "../ui/common";
import type { PanelContext } from "./context";
import {
  defaultWorstEnd, formatSliceConfig, parseSliceConfig, sliceField, slicePrefixes, sliceValues, worstSlice,
  type SliceValue, type WorstEnd,
} from "./slices";

export interface SlicesPanelProps { ctx: PanelContext; config: string; onConfig(next: string): void }

interface Loaded { forKey: string; values: Map<string, Record<string, unknown>>; error: unknown }

export function SlicesPanel({ ctx, config, onConfig }: SlicesPanelProps) {
  const prefixes = useMemo(() => slicePrefixes(ctx.keys.summary), [ctx.keys.summary]);
  const chosen = parseSliceConfig(config);
  // No prefix yet (a new panel) or one the project no longer has: show the first there is.
  const prefix = prefixes.find((p) => p.prefix === chosen.prefix) ?? prefixes[0] ?? null;
  const guessed = prefix ? defaultWorstEnd(prefix.prefix) : "low";
  const end: WorstEnd = chosen.end ?? guessed;

  const ids = ctx.runs.map((r) => r.id);
  const fields = prefix ? prefix.slices.map((s) => sliceField(prefix.prefix, s)) : [];
  const fetchKey = `${ids.join(",")}\n${fields.join(",")}`;
  const [loaded, setLoaded] = useState<Loaded>({ forKey: "", values: new Map(), error: null });
  const [retries, setRetries] = useState(0);
  const { entity, project } = ctx.project;
  useEffect(() => {
    if (!ids.length || !fields.length) return;
    let live = true;
    api.rowsById({ entity, project }, ids, fields.join(",")).then(
      (page) => { if (live) setLoaded({ forKey: fetchKey, values: new Map((page.runs as RunRow[]).map((r) => [r.id, r.values])), error: null }); },
      (error: unknown) => { if (live) setLoaded((old) => ({ ...old, forKey: fetchKey, error })); },
    );
    return () => { live = false; };
  }, [entity, project, fetchKey, retries]); // eslint-disable-line react-hooks/exhaustive-deps -- ids and fields are in fetchKey

  if (!prefix) {
    return (
      <div className="slice-panel empty" data-testid="slice-panel" data-prefix="">
        No slice metrics yet. Log metrics named with a slice path, for example <code>val/acc/pedestrian</code>,{" "}
        <code>val/acc/cyclist</code> and <code>val/acc/snow</code>, and this panel compares them per run.
      </div>
    );
  }

  const loading = loaded.forKey !== fetchKey;
  const rows = ctx.runs.map((run) => {
    const values: SliceValue[] = loaded.values.has(run.id) ? sliceValues(loaded.values.get(run.id)!, prefix) : prefix.slices.map((slice) => ({ slice, value: null }));
    return { run, values, worst: worstSlice(values, end) };
  });
  // One scale for every bar, so runs compare at a glance; it includes 0 when all values share a sign.
  let lo = 0;
  let hi = 0;
  for (const r of rows) for (const v of r.values) if (v.value !== null) { lo = Math.min(lo, v.value); hi = Math.max(hi, v.value); }
  const span = hi - lo || 1;
  const counts = new Map<string, number>();
  for (const r of rows) if (r.worst) counts.set(r.worst.slice, (counts.get(r.worst.slice) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  const withWorst = rows.filter((r) => r.worst).length;

  return (
    <div className="slice-panel" data-testid="slice-panel" data-prefix={prefix.prefix} data-end={end}
      data-runs={rows.length} {...(loading ? { "data-loading": "true" } : {})}>
      <div className="toolbar slice-toolbar">
        <label>
          Slices of{" "}
          <select data-testid="slice-prefix" value={prefix.prefix} onChange={(e) => onConfig(formatSliceConfig({ prefix: e.target.value, end: chosen.end }))}>
            {prefixes.map((p) => <option key={p.prefix} value={p.prefix}>{p.prefix}/* ({p.slices.length})</option>)}
          </select>
        </label>
        <label title="Which end of the metric is bad: accuracy-like names are guessed to be maximized, loss-like names minimized">
          Worst is{" "}
          <select data-testid="slice-direction" value={end}
            onChange={(e) => {
              const next = e.target.value as WorstEnd;
              onConfig(formatSliceConfig({ prefix: prefix.prefix, end: next === guessed ? null : next }));
            }}>
            <option value="low">the lowest{guessed === "low" ? " (guessed from the name)" : ""}</option>
            <option value="high">the highest{guessed === "high" ? " (guessed from the name)" : ""}</option>
          </select>
        </label>
        {top && !loading ? (
          <span className="muted" data-testid="slice-summary">
            <strong>{top[0]}</strong> is the worst slice for {top[1]} of {withWorst} run{withWorst === 1 ? "" : "s"}
          </span>
        ) : null}
      </div>
      {loaded.error && !loading ? <ErrorBox error={loaded.error} what="the runs' slice values" retry={() => setRetries((n) => n + 1)} /> : null}
      {rows.length === 0 ? <div className="empty">No charted runs: the slices of the runs the charts draw are shown here.</div> : null}
      <div className="slice-runs">
        {rows.map(({ run, values, worst }) => (
          <div key={run.id} className="slice-run" data-testid="slice-run" data-run-id={run.id}>
            <a className="slice-run-name" title={run.name} {...linkProps(paths.run(entity, project, run.id))}>
              <span className="swatch" style={{ background: run.color }} /> {run.name}
            </a>
            {values.map((v) => {
              const isWorst = worst?.slice === v.slice;
              const left = v.value === null ? 0 : ((Math.min(v.value, 0) - lo) / span) * 100;
              const width = v.value === null ? 0 : (Math.abs(v.value) / span) * 100;
              return (
                <div key={v.slice} className={`slice-row${isWorst ? " worst" : ""}`}>
                  <span className="slice-name" title={`${prefix.prefix}/${v.slice}`}>{v.slice}</span>
                  <span className="slice-track">
                    {v.value === null ? null : (
                      <span className="slice-bar" data-testid="slice-bar" data-run-id={run.id} data-slice={v.slice} data-value={String(v.value)}
                        style={{ left: `${left}%`, width: `${Math.max(width, 0.5)}%`, background: isWorst ? undefined : run.color }} />
                    )}
                  </span>
                  <span className="slice-value num">{v.value === null ? "—" : formatValue(v.value)}</span>
                  {isWorst ? <span className="slice-worst" data-testid="slice-worst" data-run-id={run.id} data-slice={v.slice} title={`The ${end === "low" ? "lowest" : "highest"} slice of this run`}>worst</span> : <span />}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
