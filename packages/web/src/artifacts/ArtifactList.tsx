// Owns the project's artifact list: one table per type (models, datasets, then the rest), each row
// an artifact with its latest version, version count, aliases, size and last update.
import type { ArtifactSummary } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { linkProps, paths } from "../state/router";
import { TypeTag } from "./common";
import { formatBytes } from "./files";
import { groupByType } from "./registry";

export function ArtifactList({ entity, project, artifacts }: { entity: string; project: string; artifacts: readonly ArtifactSummary[] }) {
  const now = Date.now();
  return (
    <div className="artifact-groups">
      {groupByType(artifacts).map((g) => (
        <section key={g.type} className="artifact-group" data-testid="artifact-group" data-type={g.type}>
          <h2 className="section-title"><TypeTag type={g.type} /> <span className="muted">{g.artifacts.length}</span></h2>
          <table className="kv artifacts-table">
            <thead>
              <tr><th>Name</th><th>Latest</th><th className="num">Versions</th><th>Aliases</th><th className="num">Size</th><th>Updated</th><th>Description</th></tr>
            </thead>
            <tbody>
              {g.artifacts.map((a) => (
                <tr key={a.name} data-testid="artifact-row" data-name={a.name} data-type={a.type}>
                  <td><a {...linkProps(paths.artifact(entity, project, a.name))}><strong>{a.name}</strong></a></td>
                  <td>{a.latest ? <a {...linkProps(paths.artifactVersion(entity, project, a.name, a.latest))}>{a.latest}</a> : <span className="muted">—</span>}</td>
                  <td className="num" data-col="versions">{a.versionCount}</td>
                  <td>
                    {a.aliases.filter((x) => x.alias !== "latest").map((x) => (
                      <a key={x.alias} className="tag alias-tag" data-alias={x.alias} {...linkProps(paths.artifactVersion(entity, project, a.name, x.version))}>
                        {x.alias}: {x.version}
                      </a>
                    ))}
                  </td>
                  <td className="num">{formatBytes(a.size)}</td>
                  <td title={fullTime(a.updatedAt)}>{relativeTime(a.updatedAt, now)}</td>
                  <td className="muted clip" title={a.description}>{a.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
