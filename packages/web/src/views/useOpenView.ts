// Owns the view named by the workspace URL (?view=<id>): fetching it, and applying its state when
// the URL is a bare view link (replacing the query with ?view=<id>&<state>). The workspace waits
// while `pending` so it never loads runs, or picks default columns, for the wrong state.
import { useCallback, useEffect, useState } from "react";
import { api, type ProjectRef, type View } from "../api/client";
import { navigate } from "../state/router";
import { VIEW_PARAM, pendingViewId, viewHref } from "./state";

export interface OpenView {
  /** The view the URL names, or null. */
  id: string | null;
  /** The view once fetched (null while fetching, or when it failed). */
  view: View | null;
  error: unknown;
  /** A bare view link whose state is not applied yet. */
  pending: boolean;
  /** Use this view as fetched (after saving or updating it) instead of asking the server again. */
  adopt(view: View): void;
  /** Leaves the view: drops view= from the URL and keeps the workspace as it is. */
  close(): void;
}

export function useOpenView(ref: ProjectRef, search: string): OpenView {
  const id = new URLSearchParams(search).get(VIEW_PARAM) || null;
  const [got, setGot] = useState<{ id: string; view: View | null; error: unknown } | null>(null);
  const have = got !== null && got.id === id;

  useEffect(() => {
    if (id === null || have) return;
    const ctl = new AbortController();
    api.view(ref, id, ctl.signal).then(
      (view) => {
        setGot({ id, view, error: null });
        // Only a bare link gets the saved state; a URL that already carries state is left alone.
        if (pendingViewId(location.search) === id) navigate(viewHref(ref.entity, ref.project, id, view.state), { replace: true });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted) setGot({ id, view: null, error });
      },
    );
    return () => ctl.abort();
  }, [ref, id, have]);

  const adopt = useCallback((view: View) => setGot({ id: view.id, view, error: null }), []);
  const close = useCallback(() => {
    const p = new URLSearchParams(location.search);
    p.delete(VIEW_PARAM);
    const s = p.toString();
    navigate(location.pathname + (s ? `?${s}` : ""), { replace: true });
  }, []);

  return {
    id,
    view: have ? got.view : null,
    error: have ? got.error : null,
    // Once fetched the state is applied (or the fetch failed): a view saved with an empty state
    // leaves the URL a bare link, and must not hold the workspace back for ever.
    pending: id !== null && !have && pendingViewId(search) === id,
    adopt,
    close,
  };
}
