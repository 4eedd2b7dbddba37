// Owns the project's artifacts page (/p/:entity/:project/artifacts): every artifact grouped by type,
// a search (kept in the URL as ?search=) answered by the server, and the how-to when there are none.
import { useEffect, useMemo, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { ArtifactList } from "../artifacts/ArtifactList";
import { ArtifactHelp } from "../artifacts/common";
import { useLoad } from "../run/useLoad";
import { paths, useSearchParams } from "../state/router";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";

export function ArtifactsPage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  const [text, setText] = useState(search);
  useEffect(() => {
    const t = setTimeout(() => { if (text.trim() !== search) setParams({ search: text.trim() }); }, 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  const [load, reload] = useLoad(() => api.artifacts(ref, { search: search || undefined }), [ref, search]);
  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project, to: paths.workspace(entity, project) }, { label: "artifacts" }]}
      actions={<ProjectLinks entity={entity} project={project} here="artifacts" />}
    >
      <h1 className="run-title">Artifacts</h1>
      <div className="toolbar">
        <input type="search" data-testid="artifact-search" placeholder="Search artifact names" aria-label="Search artifacts"
          value={text} onChange={(e) => setText(e.target.value)} size={28} />
        {load.status === "ok" ? <span className="muted">{load.data.artifacts.length} artifacts</span> : null}
      </div>
      {load.status === "loading" ? <Loading what="artifacts" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="artifacts" retry={reload} /> : null}
      {load.status === "ok" ? (
        load.data.artifacts.length ? <ArtifactList entity={entity} project={project} artifacts={load.data.artifacts} />
          : search ? <div className="empty">No artifact matches “{search}”.</div> : <ArtifactHelp entity={entity} project={project} />
      ) : null}
    </PageFrame>
  );
}
