// Owns the model registry (/p/:entity/:project/registry): every artifact of type model with the
// versions its production and staging aliases point at, its other aliases, and the history of
// alias moves.
import { useMemo } from "react";
import { api, type ArtifactSummary, type ProjectRef } from "../api/client";
import { AliasHistoryList } from "../artifacts/AliasHistoryList";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { registryAliases } from "../artifacts/registry";
import { ErrorBox, Loading, PageFrame } from "../ui/common";
import { ProjectLinks } from "../ui/ProjectLinks";

export function RegistryPage({ entity, project }: { entity: string; project: string }) {
  const ref = useMemo<ProjectRef>(() => ({ entity, project }), [entity, project]);
  const [load, reload] = useLoad(() => api.artifacts(ref, { type: "model" }), [ref]);
  return (
    <PageFrame
      crumbs={[{ label: entity, to: paths.projects() }, { label: project, to: paths.workspace(entity, project) }, { label: "registry" }]}
      actions={<ProjectLinks entity={entity} project={project} here="registry" />}
    >
      <h1 className="run-title">Model registry</h1>
      <p className="muted">
        Models are artifacts of type <code>model</code>. Promote a version by moving its alias, on the version&apos;s page or with{" "}
        <code>orrery artifact put … --alias production</code>.
      </p>
      {load.status === "loading" ? <Loading what="models" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="models" retry={reload} /> : null}
      {load.status === "ok" ? (
        load.data.artifacts.length ? (
          <div className="registry">
            {load.data.artifacts.slice().sort((a, b) => a.name.localeCompare(b.name)).map((m) => <ModelCard key={m.name} project={ref} model={m} />)}
          </div>
        ) : (
          <div className="empty" data-testid="registry-empty">
            No models in {entity}/{project} yet: log an artifact with type <code>model</code>, e.g.{" "}
            <code>orrery artifact put model.pt --name mlp --type model --alias staging</code>.
          </div>
        )
      ) : null}
    </PageFrame>
  );
}

function ModelCard({ project, model }: { project: ProjectRef; model: ArtifactSummary }) {
  const { entity, project: proj } = project;
  const r = registryAliases(model.aliases);
  const version = (v: string) => <a {...linkProps(paths.artifactVersion(entity, proj, model.name, v))}>{v}</a>;
  return (
    <section className="registry-model sweep-card" data-testid="registry-model" data-name={model.name}>
      <h2 className="section-title">
        <a {...linkProps(paths.artifact(entity, proj, model.name))}>{model.name}</a>{" "}
        <span className="muted small">{model.versionCount} versions · updated <span title={fullTime(model.updatedAt)}>{relativeTime(model.updatedAt)}</span></span>
      </h2>
      {model.description ? <p className="muted">{model.description}</p> : null}
      <div className="registry-stages">
        {r.stages.map((s) => (
          <div key={s.alias} className={`registry-stage stage-${s.alias}`}>
            <div className="muted small">{s.alias}</div>
            {s.version ? (
              <div className="stage-version" data-testid="registry-alias" data-alias={s.alias} data-version={s.version}>{version(s.version)}</div>
            ) : <div className="muted">not set</div>}
          </div>
        ))}
        <div className="registry-stage">
          <div className="muted small">latest</div>
          {r.latest ? <div className="stage-version" data-testid="registry-alias" data-alias="latest" data-version={r.latest}>{version(r.latest)}</div> : <div className="muted">—</div>}
        </div>
        {r.others.length ? (
          <div className="registry-stage">
            <div className="muted small">other aliases</div>
            <div>
              {r.others.map((a) => (
                <span key={a.alias} className="tag alias-tag" data-testid="registry-alias" data-alias={a.alias} data-version={a.version}>
                  {a.alias}: {version(a.version)}
                </span>
              ))}
            </div>
          </div>
        ) : null}
      </div>
      <details open>
        <summary className="muted">Alias moves</summary>
        <AliasHistoryList project={project} name={model.name} />
      </details>
    </section>
  );
}
