// Owns the runs the charts draw in the grouped view: the first N runs for the current filter and
// sort (fetched with the group-by column so each knows its group), kept current by live events.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type ProjectRef, type RunRow } from "../api/client";
import { groupKeyLabel } from "./display";
import { indexRows, mergeLive } from "./rows";

export function useGroupedChartRows(
  project: ProjectRef, q: { by: readonly string[]; filter: string; search: string; sort: string }, n: number, enabled: boolean, reloads: number,
): { rows: RunRow[]; applyLive(rows: RunRow[]): void } {
  const [rows, setRows] = useState<RunRow[]>([]);
  const ref = useRef(rows);
  ref.current = rows;
  const { entity, project: name } = project;
  // Config and summary keys come as columns so each run knows its group; run fields are always there.
  const keyColumns = q.by.filter((b) => b.startsWith("config.") || b.startsWith("summary.")).join(",");
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    api.runs({ entity, project: name }, { filter: q.filter, search: q.search, sort: q.sort, columns: keyColumns || undefined, limit: n }, ac.signal).then(
      (page) => setRows(page.runs as RunRow[]),
      () => { /* the table shows the query's error */ },
    );
    return () => ac.abort();
  }, [entity, name, keyColumns, q.filter, q.search, q.sort, n, enabled, reloads]);
  const applyLive = useCallback((live: RunRow[]) => {
    const m = mergeLive(ref.current, indexRows(ref.current), live);
    if (m.rows !== ref.current) setRows(m.rows);
  }, []);
  return { rows, applyLive };
}

/** A chart run's group label from its row for several group-by fields, matching the group rows' labels. */
export function rowGroupLabel(r: RunRow, by: readonly string[]): string {
  const key: Record<string, unknown> = {};
  for (const b of by) key[b] = rowGroupValue(r, b);
  return groupKeyLabel(key, by);
}

/** A chart run's value of one group-by field from its row. */
export function rowGroupValue(r: RunRow, by: string): unknown {
  if (by === "group") return r.group;
  if (by === "jobType") return r.jobType;
  if (by === "state") return r.state;
  if (by === "name") return r.name;
  return r.values[by] ?? null;
}
