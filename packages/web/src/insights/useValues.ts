// Owns loading the plots' data (`GET .../runs/values`): one request per (keys, filter, search),
// shared by panels that ask the same question at the same time, with the last few answers kept so
// toggling a panel setting back and forth does not refetch 100,000 runs.
import { useEffect, useState } from "react";
import type { RunValues } from "@orrery/protocol";
import { api, type ProjectRef } from "../api/client";

export interface ValuesState {
  data: RunValues | null;
  /** The keys `data` holds (it may lag behind the keys asked for while a new request is on its way). */
  keys: string[];
  loading: boolean;
  error: unknown;
}

const KEEP = 6;
const cache = new Map<string, Promise<RunValues>>();

function load(project: ProjectRef, keys: string[], filter: string, search: string, generation: number): Promise<RunValues> {
  const id = JSON.stringify([project.entity, project.project, keys, filter, search, generation]);
  let p = cache.get(id);
  if (!p) {
    p = api.runValues(project, { keys, filter, search });
    // A failed answer is not kept: the next ask tries again.
    p.catch(() => cache.delete(id));
    cache.set(id, p);
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  } else {
    // Most recently used goes last.
    cache.delete(id);
    cache.set(id, p);
  }
  return p;
}

/** Values of `keys` for the runs matching filter and search; nothing is fetched while `enabled` is false or keys is empty; a new `reloads` asks again. */
export function useRunValues(project: ProjectRef, keys: string[], filter: string, search: string, enabled: boolean, reloads = 0): ValuesState {
  const [state, setState] = useState<ValuesState>({ data: null, keys: [], loading: false, error: null });
  const keysText = keys.join("\n");
  const { entity, project: name } = project;
  useEffect(() => {
    if (!enabled || !keysText) return;
    let live = true;
    const ks = keysText.split("\n");
    setState((s) => ({ ...s, loading: true }));
    load({ entity, project: name }, ks, filter, search, reloads).then(
      (data) => { if (live) setState({ data, keys: ks, loading: false, error: null }); },
      (error: unknown) => { if (live) setState((s) => ({ ...s, loading: false, error })); },
    );
    return () => { live = false; };
  }, [entity, name, keysText, filter, search, enabled, reloads]);
  return state;
}
