// Owns an artifact's alias history: every move, newest first, with the run that made it; `latest`
// moves (one per new version) are hidden unless asked for, so production and staging moves stand out.
import { useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { useLoad } from "../run/useLoad";
import { linkProps, paths } from "../state/router";
import { ErrorBox, Loading } from "../ui/common";
import { aliasEventText } from "./registry";

const SHOWN = 10;
const FETCHED = 200;

export function AliasHistoryList({ project, name, revision = 0 }: { project: ProjectRef; name: string; revision?: number }) {
  const [withLatest, setWithLatest] = useState(false);
  const [all, setAll] = useState(false);
  const [load, reload] = useLoad(() => api.aliasHistory(project, name, FETCHED), [project, name, revision]);
  if (load.status === "loading") return <Loading what="alias history" />;
  if (load.status === "error") return <ErrorBox error={load.error} what="the alias history" retry={reload} />;
  const events = load.data.events.filter((e) => withLatest || e.alias !== "latest");
  const shown = all ? events : events.slice(0, SHOWN);
  const v = (version: string | null) => (version ? <a {...linkProps(paths.artifactVersion(project.entity, project.project, name, version))}>{version}</a> : null);
  return (
    <div className="alias-history" data-testid="alias-history">
      <label className="muted small">
        <input type="checkbox" data-testid="history-show-latest" checked={withLatest} onChange={(e) => setWithLatest(e.target.checked)} /> include moves of latest
      </label>
      {events.length === 0 ? <p className="muted">No alias has moved yet.</p> : (
        <table className="kv">
          <tbody>
            {shown.map((e, i) => (
              <tr key={i} data-testid="alias-event" data-alias={e.alias} data-from={e.from ?? ""} data-to={e.to ?? ""}>
                <td title={fullTime(e.at)} className="muted">{relativeTime(e.at)}</td>
                <td title={aliasEventText(e)}>
                  <strong>{e.alias}</strong>{" "}
                  {e.from && e.to ? <>moved {v(e.from)} → {v(e.to)}</> : e.to ? <>set on {v(e.to)}</> : <>removed from {v(e.from)}</>}
                </td>
                <td className="muted">{e.runId ? <>by <a {...linkProps(paths.run(project.entity, project.project, e.runId))}>{e.runId}</a></> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {events.length > shown.length ? <button type="button" className="link" onClick={() => setAll(true)}>Show all {events.length} moves</button> : null}
    </div>
  );
}
