// Owns reading lineage nodes for drawing: where a click on a node leads (a run page or a version
// page), the two lines of text in its box, and cutting text to fit a box.
import type { LineageNode } from "@orrery/protocol";

export type NodeTarget = { kind: "run"; runId: string } | { kind: "artifact"; name: string; version: string };

/**
 * The page a node opens, from its fields or, failing those, its id (`run:<id>`,
 * `artifact:<name>:v<index>`); null for an id of neither form.
 */
export function nodeTarget(node: Pick<LineageNode, "id" | "kind" | "runId" | "name" | "version">): NodeTarget | null {
  if (node.kind === "run") {
    const runId = node.runId ?? (node.id.startsWith("run:") ? node.id.slice(4) : "");
    return runId ? { kind: "run", runId } : null;
  }
  if (node.name && node.version) return { kind: "artifact", name: node.name, version: node.version };
  const m = /^artifact:(.+):(v\d+)$/.exec(node.id);
  return m ? { kind: "artifact", name: m[1]!, version: m[2]! } : null;
}

/** The box's title and the smaller line under it. */
export function nodeText(node: LineageNode): { title: string; detail: string } {
  if (node.kind === "run") {
    const runId = node.runId ?? node.id.replace(/^run:/, "");
    const title = node.label && node.label !== runId ? node.label : runId;
    const detail = [title !== runId ? runId : null, node.state ?? "not reported"].filter(Boolean).join(" · ");
    return { title, detail };
  }
  const target = nodeTarget(node);
  const title = target?.kind === "artifact" ? `${target.name}:${target.version}` : node.label;
  const aliases = (node.aliases ?? []).filter((a) => a !== "latest");
  return { title, detail: [node.type ?? "artifact", ...aliases].join(" · ") };
}

/** Cuts text to at most `max` characters, ending in an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** The order nodes are laid out in (it breaks ties): the root first, then by hops, kind and label. */
export function nodeOrder(nodes: readonly LineageNode[], root: string): LineageNode[] {
  return nodes.slice().sort((a, b) =>
    Number(b.id === root) - Number(a.id === root) || a.depth - b.depth || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
}
