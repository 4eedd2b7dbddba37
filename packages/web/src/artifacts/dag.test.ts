import { describe, expect, it } from "vitest";
import { countCrossings, edgePath, layoutDag, longestPathLayers } from "./dag";

const O = { nodeWidth: 100, nodeHeight: 40, gapX: 50, gapY: 10, margin: 0 };
const layerOf = (l: ReturnType<typeof layoutDag>, id: string) => l.nodes.find((n) => n.id === id)!.layer;

describe("lineage layout", () => {
  it("a dataset -> train -> model -> eval chain takes one layer each, left to right", () => {
    const l = layoutDag(["eval", "model", "data", "train"], [
      { from: "data", to: "train" }, { from: "train", to: "model" }, { from: "model", to: "eval" },
    ], O);
    expect(["data", "train", "model", "eval"].map((id) => layerOf(l, id))).toEqual([0, 1, 2, 3]);
    const x = (id: string) => l.nodes.find((n) => n.id === id)!.x;
    expect(x("data")).toBeLessThan(x("train"));
    expect(x("model")).toBe(2 * 150);
    expect(l.layers).toBe(4);
    expect(l.width).toBe(4 * 150 - 50);
    expect(l.height).toBe(40);
  });

  it("a node's layer is its longest path from a source, not its shortest", () => {
    const layers = longestPathLayers(["a", "b", "c", "d"], [
      { from: "a", to: "b" }, { from: "b", to: "c" }, { from: "c", to: "d" }, { from: "a", to: "d" },
    ]);
    expect(layers.get("d")).toBe(3);
  });

  it("an edge that skips layers passes through one virtual point per skipped layer", () => {
    const l = layoutDag(["data", "train", "model", "eval"], [
      { from: "data", to: "train" }, { from: "train", to: "model" }, { from: "model", to: "eval" }, { from: "data", to: "eval" },
    ], O);
    const long = l.edges.find((e) => e.from === "data" && e.to === "eval")!;
    // out of data, in and out of two virtual points, into eval
    expect(long.points).toHaveLength(6);
    expect(long.points[0]!.x).toBe(100);
    expect(long.points.at(-1)!.x).toBe(3 * 150);
    expect(l.nodes).toHaveLength(4);
    const mid = (id: string) => l.nodes.find((n) => n.id === id)!.y + 20;
    const short = l.edges.find((e) => e.from === "data" && e.to === "train")!;
    expect(short.points).toEqual([{ x: 100, y: mid("data") }, { x: 150, y: mid("train") }]);
  });

  it("barycenter ordering removes a crossing the input order would draw", () => {
    // Input order puts a over b and c over d, but a feeds d and b feeds c: drawn as given, they cross.
    const l = layoutDag(["a", "b", "c", "d"], [{ from: "a", to: "d" }, { from: "b", to: "c" }], O);
    expect(countCrossings(l)).toBe(0);
    const order = (id: string) => l.nodes.find((n) => n.id === id)!.order;
    expect(order("a") < order("b")).toBe(order("d") < order("c"));
  });

  it("a run fed by three datasets sits between them, centred", () => {
    const l = layoutDag(["d1", "d2", "d3", "run"], [{ from: "d1", to: "run" }, { from: "d2", to: "run" }, { from: "d3", to: "run" }], O);
    const y = (id: string) => l.nodes.find((n) => n.id === id)!.y;
    expect(y("run")).toBe(y("d2"));
  });

  it("a cycle does not hang the layout, and the edge closing it is drawn as a loop", () => {
    const l = layoutDag(["a", "b"], [{ from: "a", to: "b" }, { from: "b", to: "a" }], O);
    expect(l.edges.filter((e) => e.back)).toEqual([expect.objectContaining({ from: "b", to: "a" })]);
    expect(edgePath(l.edges.find((e) => e.back)!)).toMatch(/^M\d+,\d+ C/);
  });

  it("edges to unknown nodes, repeated edges and self-loops are dropped", () => {
    const l = layoutDag(["a", "b"], [
      { from: "a", to: "b" }, { from: "a", to: "b" }, { from: "a", to: "zzz" }, { from: "b", to: "b" },
    ], O);
    expect(l.edges.map((e) => `${e.from}->${e.to}`)).toEqual(["a->b"]);
  });

  it("the same graph always gets the same layout", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i) => ({ from: ids[Math.floor(i / 2)]!, to: id }));
    expect(layoutDag(ids, edges, O)).toEqual(layoutDag(ids, edges, O));
  });

  it("an empty graph has no layers", () => {
    expect(layoutDag([], [], O)).toMatchObject({ nodes: [], edges: [], layers: 0 });
  });

  it("edge paths curve between layers and run straight through virtual points", () => {
    const d = edgePath({ from: "a", to: "b", back: false, points: [{ x: 0, y: 0 }, { x: 10, y: 20 }, { x: 20, y: 20 }, { x: 30, y: 5 }] });
    expect(d).toBe("M0,0 C5,0 5,20 10,20 L20,20 C25,20 25,5 30,5");
  });
});
