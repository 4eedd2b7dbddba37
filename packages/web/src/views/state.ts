// Owns what a saved view holds and how it maps to the workspace URL: a view's state is the
// workspace query string without view=, and an opened view's URL is ?view=<id>&<state>. Pure, so
// it can be tested without a browser; the fetching lives in useOpenView.ts.
import { paths } from "../state/router";

/** The query parameter that names the open view. */
export const VIEW_PARAM = "view";

/** The state a view saves from a query string (with or without its leading ?): everything but view=. */
export function viewStateFrom(search: string): string {
  const p = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  p.delete(VIEW_PARAM);
  return p.toString();
}

/** The workspace URL that shows a view: the view's id first, then its state. */
export function viewHref(entity: string, project: string, viewId: string, state = ""): string {
  const p = new URLSearchParams(viewStateFrom(state));
  const s = p.toString();
  return `${paths.workspace(entity, project)}?${VIEW_PARAM}=${encodeURIComponent(viewId)}${s ? `&${s}` : ""}`;
}

/**
 * The id of a view link still to be applied: the query names a view and nothing else (the form the
 * views list and shared links use). Once applied the URL carries the state too, so a reload keeps
 * whatever the user changed since instead of resetting it to the saved state.
 */
export function pendingViewId(search: string): string | null {
  const p = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const id = p.get(VIEW_PARAM);
  if (!id) return null;
  for (const k of p.keys()) if (k !== VIEW_PARAM) return null;
  return id;
}

/** Whether two workspace states differ as the workspace reads them (parameter order and view= aside). */
export function statesDiffer(a: string, b: string): boolean {
  const canon = (s: string) => {
    const p = new URLSearchParams(viewStateFrom(s));
    p.sort();
    return p.toString();
  };
  return canon(a) !== canon(b);
}

/** A one-line summary of a state for the views list: its filter, grouping and selection counts. */
export function describeState(state: string): string {
  const p = new URLSearchParams(state);
  const parts: string[] = [];
  const count = (k: string) => (p.get(k) ?? "").split("~").filter(Boolean).length;
  if (p.get("filter")) parts.push(`filter ${p.get("filter")}`);
  if (p.get("q")) parts.push(`search “${p.get("q")}”`);
  if (p.get("group")) parts.push(`grouped by ${(p.get("group") ?? "").split("~").filter(Boolean).join(", ")}`);
  if (count("sel")) parts.push(`${count("sel")} selected`);
  if (count("hide")) parts.push(`${count("hide")} hidden`);
  if (p.get("ins")) parts.push("insight panels");
  return parts.length ? parts.join(" · ") : "all runs";
}
