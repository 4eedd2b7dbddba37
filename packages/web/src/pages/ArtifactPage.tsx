// Owns one artifact's page (/p/:entity/:project/artifacts/:name): its type, description and current
// aliases, the versions table (newest first) and the alias history.
import { useMemo } from "react";
import { api, type ProjectRef } from "../api/client";
import { AliasHistoryList } from "../artifacts/AliasHistoryList";
import { TypeTag } from "../artifacts/common";
import { VersionsTable } from "../artifacts/VersionsTable";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";

export function ArtifactPage({ entity, project, name }: { entity: string; project: string; name: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload] = useLoad(() => api.artifact(ref, name), [ref, name]);
  const crumbs = [
    { label: entity, to: paths.projects() },
    { label: project, to: paths.workspace(entity, project) },
    { label: "artifacts", to: paths.artifacts(entity, project) },
    { label: name },
  ];
  return (
    <PageFrame crumbs={crumbs} actions={<ProjectLinks entity={entity} project={project} />}>
      {load.status === "loading" ? <Loading what={`artifact ${name}`} /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what={`artifact ${name}`} retry={reload} /> : null}
      {load.status === "ok" ? (
        <>
          <h1 className="run-title">{name} <TypeTag type={load.data.artifact.type} /></h1>
          {load.data.artifact.description ? <p className="wrap">{load.data.artifact.description}</p> : null}
          <div className="sweep-facts muted">
            <span><strong>{load.data.artifact.versionCount}</strong> versions</span>
            {load.data.artifact.aliases.map((a) => (
              <span key={a.alias}>{a.alias} → <a {...linkProps(paths.artifactVersion(entity, project, name, a.version))}>{a.version}</a></span>
            ))}
          </div>
          <h2 className="section-title">Versions</h2>
          <VersionsTable entity={entity} project={project} versions={load.data.versions} />
          <h2 className="section-title">Alias history</h2>
          <AliasHistoryList project={ref} name={name} />
        </>
      ) : null}
    </PageFrame>
  );
}
