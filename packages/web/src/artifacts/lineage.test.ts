import { describe, expect, it } from "vitest";
import type { LineageNode } from "@orrery/protocol";
import { clip, nodeOrder, nodeTarget, nodeText } from "./lineage";

const run = (id: string, extra: Partial<LineageNode> = {}): LineageNode => ({ id: `run:${id}`, kind: "run", label: id, depth: 1, runId: id, state: "finished", ...extra });
const art = (name: string, v: string, extra: Partial<LineageNode> = {}): LineageNode => ({
  id: `artifact:${name}:${v}`, kind: "artifact", label: `${name}:${v}`, depth: 0, name, version: v, type: "model", ...extra,
});

describe("lineage nodes", () => {
  it("a run node opens its run page and an artifact node its version page", () => {
    expect(nodeTarget(run("k3x9"))).toEqual({ kind: "run", runId: "k3x9" });
    expect(nodeTarget(art("mlp", "v1"))).toEqual({ kind: "artifact", name: "mlp", version: "v1" });
  });

  it("without the optional fields the target comes from the id, names with colons included", () => {
    expect(nodeTarget({ id: "run:abc", kind: "run" })).toEqual({ kind: "run", runId: "abc" });
    expect(nodeTarget({ id: "artifact:ns:mlp:v12", kind: "artifact" })).toEqual({ kind: "artifact", name: "ns:mlp", version: "v12" });
    expect(nodeTarget({ id: "artifact:broken", kind: "artifact" })).toBeNull();
  });

  it("boxes read name:vN with the type and user aliases, or the run's name with its id and state", () => {
    expect(nodeText(art("mlp", "v1", { aliases: ["latest", "production"] }))).toEqual({ title: "mlp:v1", detail: "model · production" });
    expect(nodeText(run("k3x9", { label: "train-cnn" }))).toEqual({ title: "train-cnn", detail: "k3x9 · finished" });
    expect(nodeText(run("k3x9", { state: null }))).toEqual({ title: "k3x9", detail: "not reported" });
  });

  it("long text is clipped with an ellipsis", () => {
    expect(clip("abcdef", 4)).toBe("abc…");
    expect(clip("abc", 4)).toBe("abc");
  });

  it("the root comes first, then nodes by hops", () => {
    const order = nodeOrder([run("b", { depth: 2 }), run("a", { depth: 1 }), art("m", "v0", { depth: 0 })], "artifact:m:v0");
    expect(order.map((n) => n.id)).toEqual(["artifact:m:v0", "run:a", "run:b"]);
  });
});
