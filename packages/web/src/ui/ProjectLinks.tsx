// Owns the project's navigation links in the page header (runs, sweeps, artifacts, registry, saved views): every
// project page shows the same set, minus the page it is on.
import { linkProps, paths } from "../state/router";

type Here = "runs" | "sweeps" | "artifacts" | "registry" | "views";

const LINKS: { here: Here; label: string; testId: string; to(entity: string, project: string): string }[] = [
  { here: "runs", label: "Runs", testId: "nav-runs", to: paths.workspace },
  { here: "sweeps", label: "Sweeps", testId: "sweeps-link", to: paths.sweeps },
  { here: "artifacts", label: "Artifacts", testId: "nav-artifacts", to: paths.artifacts },
  { here: "registry", label: "Model registry", testId: "nav-registry", to: paths.registry },
  { here: "views", label: "Views", testId: "nav-views", to: paths.views },
];

export function ProjectLinks({ entity, project, here }: { entity: string; project: string; here?: Here }) {
  return (
    <>
      {LINKS.filter((l) => l.here !== here).map((l) => (
        <a key={l.here} data-testid={l.testId} {...linkProps(l.to(entity, project))}>{l.label}</a>
      ))}
    </>
  );
}
