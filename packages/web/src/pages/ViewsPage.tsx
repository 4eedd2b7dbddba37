// Owns the project's saved views list (/p/:entity/:project/views): each view's name (a link that
// opens it in the workspace), what its state shows, its note, when it was last saved, and delete.
// Saving and updating views happens in the workspace (src/views/).
import { useMemo, useState } from "react";
import { api, type ProjectRef, type View } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";
import { renderNote } from "../views/markdown";
import { describeState, viewHref } from "../views/state";

export function ViewsPage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload, change] = useLoad(() => api.views(ref), [ref]);
  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project, to: paths.workspace(entity, project) }, { label: "views" }]}
      actions={<ProjectLinks entity={entity} project={project} here="views" />}
    >
      <h1 className="run-title">Saved views</h1>
      {load.status === "loading" ? <Loading what="views" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="views" retry={reload} /> : null}
      {load.status === "ok" ? (
        load.data.views.length ? (
          <ViewList project={ref} views={load.data.views}
            onDeleted={(id) => change((d) => ({ views: d.views.filter((v) => v.id !== id) }))} />
        ) : (
          <div className="empty" data-testid="views-empty">
            <p><strong>No saved views yet.</strong></p>
            <p>
              In the <a {...linkProps(paths.workspace(entity, project))}>workspace</a>, set up filters, grouping, selected runs and
              panels, then press <em>Save view</em>: give it a name and a note (markdown), and share its link.
            </p>
          </div>
        )
      ) : null}
    </PageFrame>
  );
}

function ViewList({ project, views, onDeleted }: { project: ProjectRef; views: View[]; onDeleted(id: string): void }) {
  const now = Date.now();
  return (
    <table className="kv views-table" data-testid="views-table">
      <thead><tr><th>View</th><th>Shows</th><th>Note</th><th>Saved</th><th /></tr></thead>
      <tbody>
        {views.map((v) => <ViewRow key={v.id} project={project} view={v} now={now} onDeleted={onDeleted} />)}
      </tbody>
    </table>
  );
}

function ViewRow({ project, view, now, onDeleted }: { project: ProjectRef; view: View; now: number; onDeleted(id: string): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const html = useMemo(() => renderNote(view.note), [view.note]);
  return (
    <tr data-testid="view-row" data-id={view.id}>
      <td>
        <a data-testid="view-link" {...linkProps(viewHref(project.entity, project.project, view.id))}><strong>{view.name}</strong></a>
        <span className="muted"> {view.id}</span>
      </td>
      <td className="muted">{describeState(view.state)}</td>
      <td>{html ? <div className="view-note-html clamp" dangerouslySetInnerHTML={{ __html: html }} /> : <span className="muted">—</span>}</td>
      <td title={fullTime(view.updatedAt)}>{relativeTime(view.updatedAt, now)}</td>
      <td>
        <button type="button" data-testid="view-delete" disabled={busy} title="Delete this view (its link then opens the plain workspace)"
          onClick={() => {
            setBusy(true);
            setError(null);
            api.deleteView(project, view.id).then(() => onDeleted(view.id), (err: unknown) => { setError(err); setBusy(false); });
          }}>
          Delete
        </button>
        {error ? <ErrorBox error={error} what="the view deleted" /> : null}
      </td>
    </tr>
  );
}
