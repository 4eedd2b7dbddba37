// Owns loading the compared runs: each run is fetched once (adding a run to the comparison does not
// refetch the others), unknown ids are told apart from other failures, and live row events keep
// state and lastStep current.
import { useEffect, useState } from "react";
import { ApiError, api, subscribeProject, type ProjectRef, type Run } from "../api/client";
import { mergeRow } from "../run/useLiveRun";

export type RunLoad = { status: "loading" } | { status: "missing" } | { status: "error"; error: unknown } | { status: "ok"; run: Run };

export function useCompareRuns(p: ProjectRef, ids: readonly string[]): { loads: Map<string, RunLoad>; retry(id: string): void } {
  const [loads, setLoads] = useState<Map<string, RunLoad>>(new Map());
  const set = (id: string, l: RunLoad) => setLoads((m) => new Map(m).set(id, l));

  const fetchRun = (id: string) => {
    set(id, { status: "loading" });
    api.run(p, id).then(
      (run) => set(id, { status: "ok", run }),
      (error: unknown) => set(id, error instanceof ApiError && error.status === 404 ? { status: "missing" } : { status: "error", error }),
    );
  };

  const key = ids.join(",");
  useEffect(() => {
    for (const id of ids) if (!loads.has(id)) fetchRun(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(
    () =>
      subscribeProject(p, {
        runs(rows) {
          setLoads((m) => {
            let next: Map<string, RunLoad> | null = null;
            for (const row of rows) {
              const l = m.get(row.id);
              if (l?.status !== "ok") continue;
              next ??= new Map(m);
              next.set(row.id, { status: "ok", run: mergeRow(l.run, row) });
            }
            return next ?? m;
          });
        },
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [p.entity, p.project],
  );
  return { loads, retry: fetchRun };
}
