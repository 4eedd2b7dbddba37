// Owns choosing the page for the current path; each page owns its own data loading.
import { parseRoute, useLocationKey, paths, linkProps } from "./state/router";
import { ProjectsPage } from "./pages/ProjectsPage";
import { WorkspacePage } from "./pages/WorkspacePage";
import { RunPage } from "./pages/RunPage";
import { ComparePage } from "./pages/ComparePage";
import { SweepsPage } from "./pages/SweepsPage";
import { SweepPage } from "./pages/SweepPage";
import { PageFrame } from "./ui/common";
import { ArtifactsPage, ArtifactPage, ArtifactVersionPage, RegistryPage, ViewsPage } from "./pages/artifactPages";

export function App() {
  const key = useLocationKey();
  const route = parseRoute(key.split("?")[0]!);
  switch (route.page) {
    case "projects":
      return <ProjectsPage />;
    case "workspace":
      return <WorkspacePage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
    case "run":
      return <RunPage key={route.runId} entity={route.entity} project={route.project} runId={route.runId} />;
    case "compare":
      return <ComparePage entity={route.entity} project={route.project} />;
    case "sweeps":
      return <SweepsPage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
    case "sweep":
      return <SweepPage key={route.sweepId} entity={route.entity} project={route.project} sweepId={route.sweepId} />;
    case "artifacts":
      return <ArtifactsPage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
    case "artifact":
      return <ArtifactPage key={route.name} entity={route.entity} project={route.project} name={route.name} />;
    case "artifactVersion":
      return <ArtifactVersionPage key={`${route.name}:${route.version}`} entity={route.entity} project={route.project} name={route.name} version={route.version} />;
    case "registry":
      return <RegistryPage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
    case "views":
      return <ViewsPage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
    case "notFound":
      return (
        <PageFrame crumbs={[{ label: "not found" }]}>
          <div className="empty">
            <p>There is no page at <code>{route.path}</code>.</p>
            <a {...linkProps(paths.projects())}>See all projects</a>
          </div>
        </PageFrame>
      );
  }
}
