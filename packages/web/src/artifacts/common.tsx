// Owns the small pieces the artifact pages share: an artifact's type tag, read-only alias tags,
// a run link with its state, and the how-to shown where a project has no artifacts yet.
import type { RunLink } from "../api/client";
import { fullTime, relativeTime } from "../run/format";
import { linkProps, paths } from "../state/router";

export function TypeTag({ type }: { type: string }) {
  return <span className={`tag type-tag type-${/^(model|dataset)$/.test(type) ? type : "other"}`} data-type={type}>{type}</span>;
}

/** Aliases as tags (latest last, in muted style); none shows nothing. */
export function AliasTags({ aliases }: { aliases: readonly string[] }) {
  const shown = aliases.filter((a) => a !== "latest").concat(aliases.includes("latest") ? ["latest"] : []);
  return (
    <>
      {shown.map((a) => <span key={a} className={`tag alias-tag${a === "latest" ? " latest" : ""}`} data-alias={a}>{a}</span>)}
    </>
  );
}

/** A run in a list of producers or consumers: its name linked to its page, its state and when. */
export function RunLinkItem({ entity, project, link, testId }: { entity: string; project: string; link: RunLink; testId: string }) {
  return (
    <li data-testid={testId} data-run-id={link.runId}>
      <a {...linkProps(paths.run(entity, project, link.runId))}>{link.name ?? link.runId}</a>
      {link.name && link.name !== link.runId ? <span className="muted"> {link.runId}</span> : null}{" "}
      {link.state ? <span className={`state state-${link.state}`}>{link.state}</span> : <span className="muted">not reported yet</span>}{" "}
      <span className="muted" title={fullTime(link.at)}>{relativeTime(link.at)}</span>
    </li>
  );
}

/** What a new user needs to log a first artifact, from a script or the command line. */
export function ArtifactHelp({ entity, project }: { entity: string; project: string }) {
  return (
    <div className="empty" data-testid="artifacts-empty">
      <p><strong>No artifacts in {entity}/{project} yet.</strong> An artifact is a versioned set of files, such as a dataset or a model, linked to the runs that use and produce it.</p>
      <p>From a run (TypeScript):</p>
      <pre>{`const data = await run.useArtifact("shapes:latest");
const model = new orrery.Artifact("mlp", "model").addFile("model.pt");
await run.logArtifact(model, { aliases: ["best"] });`}</pre>
      <p>Or from the command line:</p>
      <pre>{`ORRERY_ENTITY=${entity} ORRERY_PROJECT=${project} orrery artifact put ./data --name shapes --type dataset
orrery artifact get shapes:latest --to ./data`}</pre>
    </div>
  );
}
