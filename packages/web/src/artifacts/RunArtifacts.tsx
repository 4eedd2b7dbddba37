// Owns the run page's artifacts section: the versions the run used and produced, each linked to its
// version page, and the run's lineage graph (drawn only when the run touched any artifact).
import { api, type ProjectRef, type VersionLink } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { ErrorBox, Loading } from "../ui/common";
import { AliasTags, TypeTag } from "./common";
import { formatBytes } from "./files";
import { LineageView } from "./LineageGraph";

export function RunArtifacts({ project, runId }: { project: ProjectRef; runId: string }) {
  const [load, reload] = useLoad(() => api.runArtifacts(project, runId), [project, runId]);
  if (load.status === "loading") return <Loading what="artifacts" />;
  if (load.status === "error") return <ErrorBox error={load.error} what="the run's artifacts" retry={reload} />;
  const { used, produced } = load.data;
  return (
    <div data-testid="run-artifacts" className="run-artifacts">
      <div className="run-artifact-lists">
        <VersionList project={project} title="Used" versions={used} testId="run-artifact-used" empty="This run used no artifacts." />
        <VersionList project={project} title="Produced" versions={produced} testId="run-artifact-produced" empty="This run logged no artifacts." />
      </div>
      {used.length + produced.length > 0 ? <LineageView project={project} run={runId} /> : null}
    </div>
  );
}

function VersionList({ project, title, versions, testId, empty }: {
  project: ProjectRef; title: string; versions: VersionLink[]; testId: string; empty: string;
}) {
  return (
    <div>
      <h3 className="subtitle">{title}</h3>
      {versions.length === 0 ? <p className="muted">{empty}</p> : (
        <table className="kv">
          <tbody>
            {versions.map((v) => (
              <tr key={`${v.name}:${v.version}`} data-testid={testId} data-ref={`${v.name}:${v.version}`}>
                <td><a {...linkProps(paths.artifactVersion(project.entity, project.project, v.name, v.version))}><strong>{v.name}:{v.version}</strong></a></td>
                <td><TypeTag type={v.type} /> <AliasTags aliases={v.aliases} /></td>
                <td className="num">{formatBytes(v.size)}</td>
                <td className="muted" title={fullTime(v.at)}>{relativeTime(v.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
