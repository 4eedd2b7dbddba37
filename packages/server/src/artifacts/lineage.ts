// Owns the lineage graph: a breadth-first walk from one run or artifact version over the links
// "run used version" and "run produced version", in both directions, one store query per hop,
// up to `depth` hops and MAX_LINEAGE_NODES nodes (then truncated). Node details (a run's name and
// state, a version's type and aliases) are read once per node at the end.
import { MAX_LINEAGE_NODES, type LineageGraph, type LineageNode } from "@orrery/protocol";
import type { ArtifactVersionRecord, LineageLink, ProjectRef, Store } from "@orrery/store";
import { versionName } from "./wire.js";

export type LineageRoot = { kind: "run"; runId: string } | { kind: "artifact"; name: string; index: number };

export const runNodeId = (runId: string): string => `run:${runId}`;
export const artifactNodeId = (name: string, index: number): string => `artifact:${name}:${versionName(index)}`;

interface Walked {
  id: string;
  depth: number;
  root: LineageRoot;
}

export async function lineage(store: Store, p: ProjectRef, root: LineageRoot, depth: number, maxNodes = MAX_LINEAGE_NODES): Promise<LineageGraph> {
  const idOf = (n: LineageRoot): string => (n.kind === "run" ? runNodeId(n.runId) : artifactNodeId(n.name, n.index));
  const rootId = idOf(root);
  const seen = new Map<string, Walked>([[rootId, { id: rootId, depth: 0, root }]]);
  const edges = new Map<string, { from: string; to: string }>();
  let truncated = false;
  let frontier: LineageRoot[] = [root];

  for (let hop = 1; hop <= depth && frontier.length > 0 && !truncated; hop++) {
    const runs = frontier.filter((n): n is Extract<LineageRoot, { kind: "run" }> => n.kind === "run").map((n) => n.runId);
    const versions = frontier.filter((n): n is Extract<LineageRoot, { kind: "artifact" }> => n.kind === "artifact").map((n) => ({ name: n.name, index: n.index }));
    const links: LineageLink[] = [
      ...(runs.length > 0 ? await store.artifacts.linksOfRuns(p, runs) : []),
      ...(versions.length > 0 ? await store.artifacts.linksOfVersions(p, versions) : []),
    ];
    const next: LineageRoot[] = [];
    for (const link of sortLinks(links)) {
      const run: LineageRoot = { kind: "run", runId: link.runId };
      const version: LineageRoot = { kind: "artifact", name: link.name, index: link.index };
      const [runId, versionId] = [idOf(run), idOf(version)];
      for (const [id, node] of [[runId, run], [versionId, version]] as const) {
        if (seen.has(id)) continue;
        if (seen.size >= maxNodes) {
          truncated = true;
          continue;
        }
        seen.set(id, { id, depth: hop, root: node });
        next.push(node);
      }
      if (!seen.has(runId) || !seen.has(versionId)) continue;
      const edge = link.direction === "input" ? { from: versionId, to: runId } : { from: runId, to: versionId };
      edges.set(`${edge.from}\n${edge.to}`, edge);
    }
    frontier = next;
  }

  const nodes: LineageNode[] = [];
  const versionCache = new Map<string, ArtifactVersionRecord | undefined>();
  for (const w of [...seen.values()].sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const n = w.root;
    if (n.kind === "run") {
      const run = await store.meta.getRun({ ...p, runId: n.runId });
      nodes.push({ id: w.id, kind: "run", label: run?.name ?? n.runId, depth: w.depth, runId: n.runId, state: run?.state ?? null });
    } else {
      const key = `${n.name}\n${n.index}`;
      if (!versionCache.has(key)) versionCache.set(key, await store.artifacts.getVersion({ ...p, name: n.name }, versionName(n.index)));
      const v = versionCache.get(key);
      nodes.push({
        id: w.id, kind: "artifact", label: `${n.name}:${versionName(n.index)}`, depth: w.depth,
        name: n.name, type: v?.type ?? "", version: versionName(n.index), aliases: v?.aliases ?? [],
      });
    }
  }
  const order = (e: { from: string; to: string }): string => `${e.from}\n${e.to}`;
  return { root: rootId, nodes, edges: [...edges.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1)), truncated };
}

/** A stable order, so which nodes make the cut when truncated does not depend on the engine's row order. */
function sortLinks(links: LineageLink[]): LineageLink[] {
  const key = (l: LineageLink): string => `${l.runId}\n${l.name}\n${String(l.index).padStart(12, "0")}\n${l.direction}`;
  return [...links].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
