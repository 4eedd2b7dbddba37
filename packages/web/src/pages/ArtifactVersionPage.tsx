// Owns one version's page (/p/:entity/:project/artifacts/:name/:version): its facts, description,
// editable aliases, files (browsable, with previews; the open folder and file are in the URL as
// ?dir= and ?file=), metadata, the runs around it and its lineage graph. An alias or description
// change refetches the version, so the page always shows what the server holds.
import { useMemo, useState } from "react";
import { api, type ArtifactVersion, type ProjectRef } from "../api/client";
import { AliasEditor } from "../artifacts/AliasEditor";
import { ArtifactMetadata } from "../artifacts/ArtifactMetadata";
import { TypeTag } from "../artifacts/common";
import { DescriptionEditor } from "../artifacts/DescriptionEditor";
import { FileBrowser } from "../artifacts/FileBrowser";
import { formatBytes } from "../artifacts/files";
import { LineageView } from "../artifacts/LineageGraph";
import { VersionRuns } from "../artifacts/VersionRuns";
import { fullTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths, useSearchParams } from "../state/router";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";

export function ArtifactVersionPage({ entity, project, name, version }: { entity: string; project: string; name: string; version: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload] = useLoad(() => api.artifactVersion(ref, name, version), [ref, name, version]);
  const [revision, setRevision] = useState(0);
  const crumbs = [
    { label: entity, to: paths.projects() },
    { label: project, to: paths.workspace(entity, project) },
    { label: "artifacts", to: paths.artifacts(entity, project) },
    { label: name, to: paths.artifact(entity, project, name) },
    { label: version },
  ];
  return (
    <PageFrame crumbs={crumbs} actions={<ProjectLinks entity={entity} project={project} />}>
      {load.status === "loading" ? <Loading what={`${name}:${version}`} /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what={`${name}:${version}`} retry={reload} /> : null}
      {load.status === "ok" ? (
        <VersionSections
          project={ref} v={load.data} revision={revision}
          onChanged={() => {
            // Refetch rather than trust the reply alone: an added alias may have left another version.
            reload();
            setRevision((r) => r + 1);
          }}
        />
      ) : null}
    </PageFrame>
  );
}

const SECTIONS = [["files", "Files"], ["metadata", "Metadata"], ["runs", "Runs"], ["lineage", "Lineage"]] as const;

function VersionSections({ project, v, revision, onChanged }: { project: ProjectRef; v: ArtifactVersion; revision: number; onChanged(): void }) {
  const [params, setParams] = useSearchParams();
  const dir = params.get("dir") ?? "";
  const file = params.get("file");
  const { entity, project: proj } = project;
  const fileRef = useMemo(() => ({ project, name: v.name, version: v.version }), [project, v.name, v.version]);
  return (
    <div className="run-page artifact-version" data-version={v.version}>
      <h1 className="run-title">
        {v.name}:{v.version} <TypeTag type={v.type} />
      </h1>
      <div className="sweep-facts muted">
        <span><strong>{v.fileCount.toLocaleString("en")}</strong> files</span>
        <span><strong>{formatBytes(v.size)}</strong></span>
        <span title={v.digest}>digest <code>{v.digest.slice(0, 12)}</code></span>
        <span title={fullTime(v.createdAt)}>logged {fullTime(v.createdAt)}</span>
        {v.createdBy ? <span>by run <a {...linkProps(paths.run(entity, proj, v.createdBy))}>{v.createdBy}</a></span> : null}
        <a {...linkProps(paths.artifact(entity, proj, v.name))}>all versions</a>
      </div>
      <nav className="section-nav" aria-label="version sections">
        {SECTIONS.map(([id, label]) => <a key={id} href={`#${id}`}>{label}</a>)}
      </nav>
      <section className="run-section">
        <h2 className="section-title">Aliases</h2>
        <AliasEditor project={project} version={v} onChanged={onChanged} />
      </section>
      <section className="run-section">
        <h2 className="section-title">Description</h2>
        <DescriptionEditor project={project} version={v} onChanged={onChanged} />
      </section>
      <section id="files" className="run-section">
        <h2 className="section-title">Files</h2>
        <FileBrowser
          file={fileRef} dir={dir} selected={file} fileCount={v.fileCount}
          onDir={(d) => setParams({ dir: d || null, file: null }, { push: true })}
          onFile={(f) => setParams({ file: f }, { push: true })}
        />
        <p className="muted small">Download this version with <code>orrery artifact get {v.name}:{v.version}</code>.</p>
      </section>
      <section id="metadata" className="run-section">
        <h2 className="section-title">Metadata</h2>
        <ArtifactMetadata metadata={v.metadata} />
      </section>
      <section id="runs" className="run-section">
        <h2 className="section-title">Runs</h2>
        <VersionRuns project={project} name={v.name} version={v.version} />
      </section>
      <section id="lineage" className="run-section">
        <h2 className="section-title">Lineage</h2>
        <LineageView project={project} artifact={`${v.name}:${v.version}`} revision={revision} />
      </section>
    </div>
  );
}
