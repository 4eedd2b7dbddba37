// Owns drawing the lineage around a version or a run: the graph comes from the API (a depth the
// user picks, 1 to 5 hops each way), is laid out by dag.ts, and drawn as SVG: runs as rounded boxes
// coloured by state, artifact versions as square boxes labelled name:vN with their type, edges as
// curves with arrows (artifact -> run: used; run -> artifact: produced). A click opens the node's page.
import { useId, useMemo, useState } from "react";
import { api, type LineageGraph as Graph, type LineageNode, type ProjectRef } from "../api/client";
import { useLoad } from "../run/useLoad";
import { navigate, paths } from "../state/router";
import { ErrorBox, Loading } from "../ui/common";
import { DEFAULT_LAYOUT, edgePath, layoutDag } from "./dag";
import { clip, nodeOrder, nodeTarget, nodeText } from "./lineage";

export const DEPTHS = [1, 2, 3, 4, 5] as const;
const W = DEFAULT_LAYOUT.nodeWidth;
const H = DEFAULT_LAYOUT.nodeHeight;

export function LineageView({ project, artifact, run, revision = 0 }: {
  project: ProjectRef;
  /** `name:vN` of the version in the middle, or */
  artifact?: string;
  /** the run in the middle. */
  run?: string;
  /** Changes when something the graph shows (aliases) changed, to refetch it. */
  revision?: number;
}) {
  const [depth, setDepth] = useState(3);
  const [load, reload] = useLoad(() => api.lineage(project, { artifact, run, depth }), [project, artifact, run, depth, revision]);
  return (
    <div className="lineage">
      <div className="toolbar">
        <label className="muted">
          Hops each way{" "}
          <select data-testid="lineage-depth" value={depth} onChange={(e) => setDepth(Number(e.target.value))}>
            {DEPTHS.map((d) => <option key={d} value={d}>{d}</option>)}
          </select>
        </label>
        {load.status === "ok" ? (
          <span className="muted" data-testid="lineage-count">
            {load.data.nodes.length} node{load.data.nodes.length === 1 ? "" : "s"}, {load.data.edges.length} edge{load.data.edges.length === 1 ? "" : "s"}
            {load.data.truncated ? " (cut at 500 nodes: pick fewer hops)" : ""}
          </span>
        ) : null}
        <span className="lineage-legend muted small">
          <span className="legend-box legend-run" /> run <span className="legend-box legend-artifact" /> artifact version · arrows run from inputs to outputs
        </span>
      </div>
      {load.status === "loading" ? <Loading what="the lineage" /> : null}
      {load.status === "error" ? <ErrorBox error={load.error} what="the lineage" retry={reload} /> : null}
      {load.status === "ok" ? <LineageSvg project={project} graph={load.data} /> : null}
    </div>
  );
}

const RUN_STYLE: Record<string, { fill: string; stroke: string }> = {
  running: { fill: "#e6f4ea", stroke: "#1a7f37" },
  finished: { fill: "#f1f3f7", stroke: "#6b7280" },
  failed: { fill: "#fdecec", stroke: "#c62828" },
  crashed: { fill: "#fdecec", stroke: "#c62828" },
};
const TYPE_STYLE: Record<string, { fill: string; stroke: string }> = {
  model: { fill: "#e7ebf8", stroke: "#3b5bdb" },
  dataset: { fill: "#fff4e0", stroke: "#b7791f" },
};
const OTHER_TYPE = { fill: "#f3f0ff", stroke: "#7048e8" };
const UNKNOWN_RUN = { fill: "#ffffff", stroke: "#9aa3b5" };

function styleOf(n: LineageNode): { fill: string; stroke: string } {
  if (n.kind === "run") return (n.state && RUN_STYLE[n.state]) || UNKNOWN_RUN;
  return TYPE_STYLE[n.type ?? ""] ?? OTHER_TYPE;
}

function hrefOf(project: ProjectRef, n: LineageNode): string | null {
  const t = nodeTarget(n);
  if (!t) return null;
  return t.kind === "run" ? paths.run(project.entity, project.project, t.runId) : paths.artifactVersion(project.entity, project.project, t.name, t.version);
}

export function LineageSvg({ project, graph }: { project: ProjectRef; graph: Graph }) {
  const arrow = `lineage-arrow-${useId().replace(/[^A-Za-z0-9_-]/g, "")}`;
  const ordered = useMemo(() => nodeOrder(graph.nodes, graph.root), [graph]);
  const layout = useMemo(() => layoutDag(ordered.map((n) => n.id), graph.edges), [ordered, graph.edges]);
  const byId = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph.nodes]);
  const loops = layout.edges.some((e) => e.back) ? 48 : 0;
  return (
    <div className="lineage-scroll">
      <svg data-testid="lineage-graph" data-root={graph.root} data-nodes={graph.nodes.length} data-edges={graph.edges.length}
        width={layout.width} height={layout.height + loops} viewBox={`0 0 ${layout.width} ${layout.height + loops}`} role="img"
        aria-label={`Lineage of ${graph.root}: ${graph.nodes.length} nodes`} className="lineage-svg">
        <defs>
          <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#6b7280" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path key={`${e.from}->${e.to}`} data-testid="lineage-edge" data-from={e.from} data-to={e.to}
            className={`lineage-edge${e.from === graph.root || e.to === graph.root ? " near-root" : ""}`}
            d={edgePath(e)} fill="none" markerEnd={`url(#${arrow})`} />
        ))}
        {layout.nodes.map((p) => {
          const n = byId.get(p.id)!;
          const { title, detail } = nodeText(n);
          const s = styleOf(n);
          const href = hrefOf(project, n);
          const root = n.id === graph.root;
          const go = () => href && navigate(href);
          return (
            <g key={n.id} data-testid="lineage-node" data-id={n.id} data-kind={n.kind} data-root={root ? "true" : undefined}
              transform={`translate(${p.x},${p.y})`} className={`lineage-node${href ? " clickable" : ""}`}
              tabIndex={href ? 0 : undefined} role={href ? "link" : undefined} aria-label={`${title} (${detail})`}
              onClick={go} onKeyDown={(e) => { if (e.key === "Enter") go(); }}>
              <title>{`${title}\n${detail}${href ? "\nclick to open" : ""}`}</title>
              <rect width={W} height={H} rx={n.kind === "run" ? 12 : 2} fill={s.fill} stroke={s.stroke} strokeWidth={root ? 2.5 : 1.2}
                strokeDasharray={n.kind === "run" && !n.state ? "4 3" : undefined} />
              <text x={10} y={19} className="lineage-title">{clip(title, 25)}</text>
              <text x={10} y={36} className="lineage-detail">{clip(detail, 32)}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
