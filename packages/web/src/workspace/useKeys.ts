// Owns the project's config and summary keys for the workspace: a first page of each scope (for
// default columns and the group-by list) and the chooser's debounced key search.
import { useEffect, useState } from "react";
import { api, type ProjectRef, type RunKey } from "../api/client";

export interface ProjectKeys { config: RunKey[]; summary: RunKey[]; loaded: boolean; error: unknown }

const KEYS_PAGE = 500;

export function useProjectKeys(project: ProjectRef, reloads: number): ProjectKeys {
  const [keys, setKeys] = useState<ProjectKeys>({ config: [], summary: [], loaded: false, error: null });
  const { entity, project: name } = project;
  useEffect(() => {
    const ac = new AbortController();
    const p = { entity, project: name };
    // Separate scopes: a run with a huge config would otherwise fill the page before any summary key.
    Promise.all([
      api.keys(p, { scope: "config", limit: KEYS_PAGE }, ac.signal),
      api.keys(p, { scope: "summary", limit: KEYS_PAGE }, ac.signal),
    ]).then(
      ([c, s]) => setKeys({ config: c.keys, summary: s.keys, loaded: true, error: null }),
      (err: unknown) => { if (!ac.signal.aborted) setKeys((k) => ({ ...k, loaded: true, error: err })); },
    );
    return () => ac.abort();
  }, [entity, name, reloads]);
  return keys;
}

/** Keys whose path contains `search`, after the user pauses typing. */
export function useKeySearch(project: ProjectRef, search: string, enabled: boolean): { keys: RunKey[]; loading: boolean; error: unknown } {
  const [state, setState] = useState<{ keys: RunKey[]; loading: boolean; error: unknown }>({ keys: [], loading: true, error: null });
  const { entity, project: name } = project;
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      api.keys({ entity, project: name }, { search: search || undefined, limit: 200 }, ac.signal).then(
        (page) => setState({ keys: page.keys, loading: false, error: null }),
        (err: unknown) => { if (!ac.signal.aborted) setState({ keys: [], loading: false, error: err }); },
      );
    }, 200);
    return () => {
      clearTimeout(t);
      ac.abort();
    };
  }, [entity, name, search, enabled]);
  return state;
}
