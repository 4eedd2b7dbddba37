// Owns the banner above an open view's workspace: its name, its note rendered from markdown (HTML
// off, see markdown.ts), whether the workspace changed since it was saved, and the actions on it:
// overwrite its state with the current workspace, edit name and note, copy its link, close it.
import { useMemo, useState } from "react";
import { api, ApiError, type ProjectRef, type View } from "../api/client";
import { relativeTime } from "../run/format";
import { linkProps, paths } from "../state/router";
import { EditViewDialog } from "./SaveViewDialog";
import { renderNote } from "./markdown";
import type { OpenView } from "./useOpenView";
import { statesDiffer, viewHref, viewStateFrom } from "./state";

export function ViewBanner({ project, open, search }: { project: ProjectRef; open: OpenView; search: string }) {
  const { view, error } = open;
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const html = useMemo(() => renderNote(view?.note ?? ""), [view?.note]);
  if (open.id === null) return null;
  if (error) {
    const gone = error instanceof ApiError && error.status === 404;
    return (
      <section className="view-banner error" data-testid="view-banner" data-view-id={open.id} data-missing="true">
        <span>
          {gone ? <>The view <code>{open.id}</code> no longer exists.</> : <>Could not load the view <code>{open.id}</code>: {(error as Error).message}</>}
        </span>{" "}
        <a {...linkProps(paths.views(project.entity, project.project))}>See saved views</a>{" "}
        <button type="button" data-testid="view-close" onClick={open.close}>Close</button>
      </section>
    );
  }
  if (view === null) return <section className="view-banner" data-testid="view-banner" data-view-id={open.id} data-loading="true">Loading the view…</section>;

  const modified = statesDiffer(viewStateFrom(search), view.state);
  const update = async () => {
    setBusy(true);
    setProblem(null);
    try {
      open.adopt(await api.patchView(project, view.id, { state: viewStateFrom(location.search) }));
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    const link = location.origin + viewHref(project.entity, project.project, view.id);
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setProblem(`copy this link: ${link}`);
    }
  };
  return (
    <section className="view-banner" data-testid="view-banner" data-view-id={view.id} data-modified={modified ? "true" : "false"}>
      <div className="view-banner-head">
        <span className="muted">View</span>
        <strong data-testid="view-banner-name">{view.name}</strong>
        <span className="muted small" title={view.updatedAt}>saved {relativeTime(view.updatedAt)}</span>
        {modified ? <span className="tag dirty" data-testid="view-modified">changed since saved</span> : null}
        <span className="view-banner-actions">
          <button type="button" data-testid="view-update" disabled={busy} onClick={() => void update()}
            title="Overwrite the view's filters, grouping, selection and panels with the workspace as it is now">
            {busy ? "Updating…" : "Update view"}
          </button>
          <button type="button" data-testid="view-edit" onClick={() => setEditing(!editing)}>Edit note</button>
          <button type="button" data-testid="view-copy-link" onClick={() => void copy()}>{copied ? "Copied" : "Copy link"}</button>
          <button type="button" data-testid="view-close" onClick={open.close} title="Keep the workspace as it is, without the view">Close</button>
        </span>
      </div>
      {problem ? <div className="error-box" role="alert">{problem}</div> : null}
      {html ? <div className="view-note-html" data-testid="view-banner-note" dangerouslySetInnerHTML={{ __html: html }} /> : null}
      {editing ? (
        <EditViewDialog project={project} view={view} onCancel={() => setEditing(false)}
          onDone={(v) => { open.adopt(v); setEditing(false); }} />
      ) : null}
    </section>
  );
}
