// Owns laying out a lineage graph as layers from left to right (a small Sugiyama layout): layers by
// longest path from the sources, edges longer than one layer broken by virtual points, order within
// a layer by barycenter sweeps (keeping the ordering with the fewest crossings), then coordinates
// and edge points. Pure: nodes and edges in, boxes and polylines out; drawing is LineageGraph.tsx's.

export interface DagEdgeIn { from: string; to: string }
export interface Point { x: number; y: number }
/** A node's box: x, y is its top-left corner. */
export interface PlacedNode { id: string; layer: number; order: number; x: number; y: number }
/**
 * An edge as points: out of the source's right side, through each virtual point of a long edge (in
 * at its left, out at its right), into the target's left side. `back` marks an edge that closes a
 * cycle: it runs right to left and is drawn as a loop.
 */
export interface PlacedEdge { from: string; to: string; points: Point[]; back: boolean }
export interface DagLayout { nodes: PlacedNode[]; edges: PlacedEdge[]; width: number; height: number; layers: number }

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal space between layers (where edges curve). */
  gapX: number;
  /** Vertical space between boxes of one layer. */
  gapY: number;
  margin: number;
  /** Down-and-up barycenter sweeps; each keeps the best ordering so far, so more never hurts. */
  sweeps: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { nodeWidth: 190, nodeHeight: 48, gapX: 70, gapY: 18, margin: 12, sweeps: 8 };

interface Slot { id: string; dummy: boolean; layer: number; key: number }

/**
 * Lays out nodes (ids, in a stable order: it breaks ties) and edges. Edges naming an unknown node,
 * repeated edges and self-loops are dropped; cycles do not hang it (the edge closing one is `back`).
 */
export function layoutDag(ids: readonly string[], edgesIn: readonly DagEdgeIn[], options: Partial<LayoutOptions> = {}): DagLayout {
  const o = { ...DEFAULT_LAYOUT, ...options };
  const nodeIds = [...new Set(ids)];
  const index = new Map(nodeIds.map((id, i) => [id, i]));
  const seen = new Set<string>();
  const edges: DagEdgeIn[] = [];
  for (const e of edgesIn) {
    const k = `${e.from}\n${e.to}`;
    if (e.from === e.to || !index.has(e.from) || !index.has(e.to) || seen.has(k)) continue;
    seen.add(k);
    edges.push({ from: e.from, to: e.to });
  }

  const back = findBackEdges(nodeIds, edges);
  const forward = edges.filter((_, i) => !back.has(i));
  const layer = longestPathLayers(nodeIds, forward);
  const layerCount = nodeIds.length ? Math.max(...nodeIds.map((id) => layer.get(id)!)) + 1 : 0;

  // Slots per layer: real nodes plus one virtual point per layer a long edge crosses.
  const slots = new Map<string, Slot>();
  for (const id of nodeIds) slots.set(id, { id, dummy: false, layer: layer.get(id)!, key: index.get(id)! });
  /** Edges between adjacent layers only (long edges split), for ordering. */
  const segments: [string, string][] = [];
  const chains: string[][] = [];
  forward.forEach((e, n) => {
    const a = layer.get(e.from)!;
    const b = layer.get(e.to)!;
    const chain = [e.from];
    for (let l = a + 1; l < b; l++) {
      const id = `\u0000${n}:${l}`;
      slots.set(id, { id, dummy: true, layer: l, key: index.get(e.from)! + 0.5 });
      chain.push(id);
    }
    chain.push(e.to);
    for (let i = 1; i < chain.length; i++) segments.push([chain[i - 1]!, chain[i]!]);
    chains.push(chain);
  });

  let order: string[][] = Array.from({ length: layerCount }, () => []);
  for (const s of slots.values()) order[s.layer]!.push(s.id);
  for (const row of order) row.sort((x, y) => slots.get(x)!.key - slots.get(y)!.key);

  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const [a, b] of segments) {
    (succs.get(a) ?? succs.set(a, []).get(a)!).push(b);
    (preds.get(b) ?? preds.set(b, []).get(b)!).push(a);
  }
  let best = order.map((r) => r.slice());
  let bestCrossings = crossingsOf(order, segments, slots);
  for (let sweep = 0; sweep < o.sweeps && bestCrossings > 0; sweep++) {
    for (let l = 1; l < layerCount; l++) order[l] = byBarycenter(order[l]!, order[l - 1]!, preds);
    for (let l = layerCount - 2; l >= 0; l--) order[l] = byBarycenter(order[l]!, order[l + 1]!, succs);
    const c = crossingsOf(order, segments, slots);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = order.map((r) => r.slice());
    }
  }
  order = best;

  // Coordinates: every layer is centred on the tallest one.
  const slotH = o.nodeHeight + o.gapY;
  const tallest = Math.max(0, ...order.map((r) => r.length));
  const height = tallest ? tallest * slotH - o.gapY + 2 * o.margin : 2 * o.margin;
  const width = layerCount ? layerCount * (o.nodeWidth + o.gapX) - o.gapX + 2 * o.margin : 2 * o.margin;
  const pos = new Map<string, PlacedNode>();
  order.forEach((row, l) => {
    const top = o.margin + ((tallest - row.length) * slotH) / 2;
    row.forEach((id, i) => pos.set(id, { id, layer: l, order: i, x: o.margin + l * (o.nodeWidth + o.gapX), y: top + i * slotH }));
  });

  const mid = (id: string) => pos.get(id)!.y + o.nodeHeight / 2;
  const placed: PlacedEdge[] = [];
  let f = 0;
  edges.forEach((e, i) => {
    if (back.has(i)) {
      const s = pos.get(e.from)!;
      const t = pos.get(e.to)!;
      placed.push({ from: e.from, to: e.to, back: true, points: [{ x: s.x + o.nodeWidth, y: mid(e.from) }, { x: t.x, y: mid(e.to) }] });
      return;
    }
    const chain = chains[f++]!;
    const points: Point[] = [];
    chain.forEach((id, k) => {
      const p = pos.get(id)!;
      if (k > 0) points.push({ x: p.x, y: mid(id) });
      if (k < chain.length - 1) points.push({ x: p.x + o.nodeWidth, y: mid(id) });
    });
    placed.push({ from: e.from, to: e.to, back: false, points });
  });

  return {
    nodes: nodeIds.map((id) => pos.get(id)!),
    edges: placed,
    width,
    height,
    layers: layerCount,
  };
}

/** Indexes of edges that close a cycle, found by depth-first search from the nodes in order. */
function findBackEdges(ids: readonly string[], edges: readonly DagEdgeIn[]): Set<number> {
  const out = new Map<string, number[]>();
  edges.forEach((e, i) => (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(i));
  const state = new Map<string, 1 | 2>(); // 1: on the stack, 2: done
  const back = new Set<number>();
  for (const start of ids) {
    if (state.has(start)) continue;
    // Iterative, so a long chain cannot overflow the stack.
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const list = out.get(top.id) ?? [];
      if (top.next >= list.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const ei = list[top.next++]!;
      const to = edges[ei]!.to;
      const s = state.get(to);
      if (s === 1) back.add(ei);
      else if (s === undefined) {
        state.set(to, 1);
        stack.push({ id: to, next: 0 });
      }
    }
  }
  return back;
}

/** Layer of each node in an acyclic graph: 0 for sources, else one more than its deepest predecessor. */
export function longestPathLayers(ids: readonly string[], edges: readonly DagEdgeIn[]): Map<string, number> {
  const indeg = new Map(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    indeg.set(e.to, indeg.get(e.to)! + 1);
    (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e.to);
  }
  const layer = new Map(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indeg.get(id) === 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const to of out.get(id) ?? []) {
      layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1));
      const d = indeg.get(to)! - 1;
      indeg.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  return layer;
}

/** The row sorted by the mean position of each slot's neighbours in the fixed row; a slot without any keeps its place. */
function byBarycenter(row: readonly string[], fixed: readonly string[], neighbours: Map<string, string[]>): string[] {
  const at = new Map(fixed.map((id, i) => [id, i]));
  const scale = fixed.length > 1 && row.length > 1 ? (fixed.length - 1) / (row.length - 1) : 1;
  const keyed = row.map((id, i) => {
    const ns = (neighbours.get(id) ?? []).map((n) => at.get(n)).filter((v): v is number => v !== undefined);
    return { id, i, key: ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : i * scale };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.id);
}

function crossingsOf(order: readonly string[][], segments: readonly [string, string][], slots: Map<string, Slot>): number {
  const at = new Map<string, number>();
  for (const row of order) row.forEach((id, i) => at.set(id, i));
  const byLayer = new Map<number, [number, number][]>();
  for (const [a, b] of segments) {
    const l = slots.get(a)!.layer;
    (byLayer.get(l) ?? byLayer.set(l, []).get(l)!).push([at.get(a)!, at.get(b)!]);
  }
  let n = 0;
  for (const list of byLayer.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a1, b1] = list[i]!;
        const [a2, b2] = list[j]!;
        if ((a1 - a2) * (b1 - b2) < 0) n++;
      }
    }
  }
  return n;
}

/** Edge crossings of a finished layout (pairs of edge pieces between the same two layers that cross). */
export function countCrossings(layout: DagLayout): number {
  // Pieces between adjacent layers: the y of each end decides the order on both sides.
  const pieces = new Map<number, [number, number][]>();
  for (const e of layout.edges) {
    if (e.back) continue;
    for (let i = 0; i + 1 < e.points.length; i += 2) {
      const a = e.points[i]!;
      const b = e.points[i + 1]!;
      const key = Math.round(a.x);
      (pieces.get(key) ?? pieces.set(key, []).get(key)!).push([a.y, b.y]);
    }
  }
  let n = 0;
  for (const list of pieces.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if ((list[i]![0] - list[j]![0]) * (list[i]![1] - list[j]![1]) < 0) n++;
      }
    }
  }
  return n;
}

/**
 * SVG path data for a placed edge: a horizontal-tangent cubic between layers, a straight line
 * through each virtual point, and for a back edge a loop under both boxes.
 */
export function edgePath(edge: PlacedEdge, loopDrop = 40): string {
  const p = edge.points;
  if (p.length < 2) return "";
  const f = (n: number) => Math.round(n * 10) / 10;
  let d = `M${f(p[0]!.x)},${f(p[0]!.y)}`;
  if (edge.back) {
    const s = p[0]!;
    const t = p[p.length - 1]!;
    const low = Math.max(s.y, t.y) + loopDrop;
    return `${d} C${f(s.x + 60)},${f(low)} ${f(t.x - 60)},${f(low)} ${f(t.x)},${f(t.y)}`;
  }
  for (let i = 1; i < p.length; i++) {
    const a = p[i - 1]!;
    const b = p[i]!;
    if (i % 2 === 1) {
      const mx = (a.x + b.x) / 2;
      d += ` C${f(mx)},${f(a.y)} ${f(mx)},${f(b.y)} ${f(b.x)},${f(b.y)}`;
    } else {
      d += ` L${f(b.x)},${f(b.y)}`;
    }
  }
  return d;
}
