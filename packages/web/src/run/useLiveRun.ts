// Owns keeping one run current on its page: load it, then merge the project's live row events for
// this run (state, lastStep, runtime, times) and reload it when the server says the project changed.
import { useEffect } from "react";
import { api, subscribeProject, type ProjectRef, type Run, type RunRow } from "../api/client";
import { useLoad, type Load } from "./useLoad";

/** A row's own run fields over a run (a RunRow has no config, summary or metadata to overwrite). */
export function mergeRow(run: Run, row: RunRow): Run {
  const { values: _values, ...fields } = row;
  return { ...run, ...fields };
}

export function useLiveRun(p: ProjectRef, runId: string): [Load<Run>, () => void, (fn: (run: Run) => Run) => void] {
  const [load, reload, update] = useLoad(() => api.run(p, runId), [p.entity, p.project, runId]);
  useEffect(
    () =>
      subscribeProject(p, {
        runs(rows) {
          const row = rows.find((r) => r.id === runId);
          if (row) update((run) => mergeRow(run, row));
        },
        project: reload,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [p.entity, p.project, runId],
  );
  return [load, reload, update];
}
