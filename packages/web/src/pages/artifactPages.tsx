// Owns loading pages on demand: the artifact pages (and the file previews and lineage layout they
// bring) and the saved-views list (and its markdown renderer) are separate chunks, so the runs
// pages do not download them.
import { lazy, Suspense, type ComponentType } from "react";
import { Loading } from "../ui/common";

function onDemand<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() })) as unknown as ComponentType<P>;
  return function OnDemand(props: P) {
    return (
      <Suspense fallback={<Loading what="the page" />}>
        <Lazy {...props} />
      </Suspense>
    );
  };
}

export const ArtifactsPage = onDemand(() => import("./ArtifactsPage").then((m) => m.ArtifactsPage));
export const ArtifactPage = onDemand(() => import("./ArtifactPage").then((m) => m.ArtifactPage));
export const ArtifactVersionPage = onDemand(() => import("./ArtifactVersionPage").then((m) => m.ArtifactVersionPage));
export const RegistryPage = onDemand(() => import("./RegistryPage").then((m) => m.RegistryPage));
/** The run page's artifacts section. */
export const RunArtifacts = onDemand(() => import("../artifacts/RunArtifacts").then((m) => m.RunArtifacts));
/** The project's saved views. */
export const ViewsPage = onDemand(() => import("./ViewsPage").then((m) => m.ViewsPage));
