// Owns the dashboard's routes and navigation: paths map to pages, and the query string holds each
// page's shareable state. Links go through navigate() so the back button and reloads work.
import { useSyncExternalStore } from "react";

export type Route =
  | { page: "projects" }
  | { page: "workspace"; entity: string; project: string }
  | { page: "run"; entity: string; project: string; runId: string }
  | { page: "compare"; entity: string; project: string }
  | { page: "sweeps"; entity: string; project: string }
  | { page: "sweep"; entity: string; project: string; sweepId: string }
  | { page: "artifacts"; entity: string; project: string }
  | { page: "artifact"; entity: string; project: string; name: string }
  | { page: "artifactVersion"; entity: string; project: string; name: string; version: string }
  | { page: "registry"; entity: string; project: string }
  | { page: "views"; entity: string; project: string }
  | { page: "notFound"; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "projects" };
  if (parts[0] === "p" && parts.length >= 3) {
    const [, entity, project, what, runId] = parts as [string, string, string, string?, string?];
    if (parts.length === 3) return { page: "workspace", entity, project };
    if (what === "runs" && runId !== undefined && parts.length === 5) return { page: "run", entity, project, runId };
    if (what === "compare" && parts.length === 4) return { page: "compare", entity, project };
    if (what === "sweeps" && parts.length === 4) return { page: "sweeps", entity, project };
    if (what === "sweeps" && runId !== undefined && parts.length === 5) return { page: "sweep", entity, project, sweepId: runId };
    if (what === "artifacts" && parts.length === 4) return { page: "artifacts", entity, project };
    if (what === "artifacts" && runId !== undefined && parts.length === 5) return { page: "artifact", entity, project, name: runId };
    if (what === "artifacts" && runId !== undefined && parts.length === 6) {
      return { page: "artifactVersion", entity, project, name: runId, version: parts[5]! };
    }
    if (what === "registry" && parts.length === 4) return { page: "registry", entity, project };
    if (what === "views" && parts.length === 4) return { page: "views", entity, project };
  }
  return { page: "notFound", path: pathname };
}

const enc = encodeURIComponent;
export const paths = {
  projects: () => "/",
  workspace: (entity: string, project: string) => `/p/${enc(entity)}/${enc(project)}`,
  run: (entity: string, project: string, runId: string) => `/p/${enc(entity)}/${enc(project)}/runs/${enc(runId)}`,
  compare: (entity: string, project: string, runIds: string[]) =>
    `/p/${enc(entity)}/${enc(project)}/compare?runs=${runIds.map(enc).join(",")}`,
  sweeps: (entity: string, project: string) => `/p/${enc(entity)}/${enc(project)}/sweeps`,
  sweep: (entity: string, project: string, sweepId: string) => `/p/${enc(entity)}/${enc(project)}/sweeps/${enc(sweepId)}`,
  artifacts: (entity: string, project: string) => `/p/${enc(entity)}/${enc(project)}/artifacts`,
  artifact: (entity: string, project: string, name: string) => `/p/${enc(entity)}/${enc(project)}/artifacts/${enc(name)}`,
  /** One version's page; `version` is `vN` (an alias works too, but links use the version). */
  artifactVersion: (entity: string, project: string, name: string, version: string) =>
    `/p/${enc(entity)}/${enc(project)}/artifacts/${enc(name)}/${enc(version)}`,
  registry: (entity: string, project: string) => `/p/${enc(entity)}/${enc(project)}/registry`,
  /** The project's saved views; one view opens at workspace?view=<id> (views/state.ts). */
  views: (entity: string, project: string) => `/p/${enc(entity)}/${enc(project)}/views`,
};

const listeners = new Set<() => void>();
function notify(): void {
  for (const l of listeners) l();
}
// Guarded so the pure route parsing can be tested outside a browser.
if (typeof window !== "undefined") window.addEventListener("popstate", notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  notify();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const snapshot = () => location.pathname + location.search;

/** The current path and query; re-renders on navigation. */
export function useLocationKey(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

/** The query string as a URLSearchParams, and a setter that merges a patch into it. */
export function useSearchParams(): [URLSearchParams, (patch: Record<string, string | null>, opts?: { push?: boolean }) => void] {
  const key = useLocationKey();
  const params = new URLSearchParams(key.includes("?") ? key.slice(key.indexOf("?")) : "");
  const set = (patch: Record<string, string | null>, opts: { push?: boolean } = {}) => {
    const next = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    navigate(location.pathname + (s ? `?${s}` : ""), { replace: !opts.push });
  };
  return [params, set];
}

/** Props for an <a> that navigates inside the app (and still opens in a new tab on ctrl/cmd-click). */
export function linkProps(to: string): { href: string; onClick(e: React.MouseEvent): void } {
  return {
    href: to,
    onClick(e) {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
