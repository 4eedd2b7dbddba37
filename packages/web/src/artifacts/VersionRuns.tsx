// Owns the runs around a version: those that logged it (producers) and those that used it
// (consumers), each linked to its run page.
import { api, type ProjectRef } from "../api/client";
import { useLoad } from "../run/useLoad";
import { ErrorBox, Loading } from "../ui/common";
import { RunLinkItem } from "./common";

export function VersionRuns({ project, name, version }: { project: ProjectRef; name: string; version: string }) {
  const [load, reload] = useLoad(() => api.versionRuns(project, name, version), [project, name, version]);
  if (load.status === "loading") return <Loading what="the runs" />;
  if (load.status === "error") return <ErrorBox error={load.error} what="the runs around this version" retry={reload} />;
  const { producers, consumers } = load.data;
  return (
    <div className="version-runs" data-testid="version-runs">
      <div>
        <h3 className="subtitle">Logged by</h3>
        {producers.length ? (
          <ul className="run-links">
            {producers.map((r) => <RunLinkItem key={r.runId} entity={project.entity} project={project.project} link={r} testId="producer-run" />)}
          </ul>
        ) : <p className="muted">No run: it was logged from outside a run (e.g. <code>orrery artifact put</code>).</p>}
      </div>
      <div>
        <h3 className="subtitle">Used by</h3>
        {consumers.length ? (
          <ul className="run-links">
            {consumers.map((r) => <RunLinkItem key={r.runId} entity={project.entity} project={project.project} link={r} testId="consumer-run" />)}
          </ul>
        ) : <p className="muted">No run has used it yet.</p>}
      </div>
    </div>
  );
}
