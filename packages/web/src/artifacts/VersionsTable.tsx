// Owns an artifact's versions table: newest first, each version with its aliases, file count,
// size, digest, when and by which run it was logged, and its description.
import type { ArtifactVersion } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { linkProps, paths } from "../state/router";
import { AliasTags } from "./common";
import { formatBytes, shortDigest } from "./files";

export function VersionsTable({ entity, project, versions }: { entity: string; project: string; versions: readonly ArtifactVersion[] }) {
  const now = Date.now();
  return (
    <table className="kv versions-table" data-testid="versions-table">
      <thead>
        <tr><th>Version</th><th>Aliases</th><th className="num">Files</th><th className="num">Size</th><th>Digest</th><th>Logged</th><th>By run</th><th>Description</th></tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version} data-testid="version-row" data-version={v.version}>
            <td><a {...linkProps(paths.artifactVersion(entity, project, v.name, v.version))}><strong>{v.version}</strong></a></td>
            <td><AliasTags aliases={v.aliases} /></td>
            <td className="num">{v.fileCount.toLocaleString("en")}</td>
            <td className="num">{formatBytes(v.size)}</td>
            <td title={v.digest}><code>{shortDigest(v.digest)}</code></td>
            <td title={fullTime(v.createdAt)}>{relativeTime(v.createdAt, now)}</td>
            <td>{v.createdBy ? <a {...linkProps(paths.run(entity, project, v.createdBy))}>{v.createdBy}</a> : <span className="muted">—</span>}</td>
            <td className="muted clip" title={v.description}>{v.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
