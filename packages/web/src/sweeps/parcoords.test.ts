import { describe, expect, it } from "vitest";
import { buildParcoords, lineColor, passesBrushes, position } from "./parcoords";
import type { ParamDim } from "./trials";

const dims: ParamDim[] = [
  { name: "lr", kind: "log" },
  { name: "layers", kind: "linear" },
  { name: "opt", kind: "categorical", categories: ["adam", "sgd", "lion"] },
  { name: "epochs", kind: "constant" },
];
const trials = [
  { flat: { lr: 1e-4, layers: 2, opt: "adam", epochs: 3 }, value: 0.5 },
  { flat: { lr: 1e-2, layers: 6, opt: "sgd", epochs: 3 }, value: 0.9 },
  { flat: { lr: 1e-3, layers: 4, opt: "sgd", epochs: 3 }, value: 0.7 },
];

describe("parallel coordinates geometry", () => {
  const pc = buildParcoords(dims, trials, "val/acc");

  it("has one axis per searched parameter and the metric axis last, without constant ones", () => {
    expect(pc.axes.map((a) => a.name)).toEqual(["lr", "layers", "opt", "val/acc"]);
    expect(pc.lines).toHaveLength(3);
  });

  it("places a log-scaled parameter by its exponent, so 1e-3 sits halfway between 1e-4 and 1e-2", () => {
    expect(pc.lines.map((l) => l[0])).toEqual([0, 1, 0.5]);
  });

  it("keeps only the categories some trial used, in the config's order, evenly spaced", () => {
    const opt = pc.axes[2]!;
    expect(opt.categories).toEqual(["adam", "sgd"]);
    expect(pc.lines.map((l) => l[2])).toEqual([0, 1, 1]);
  });

  it("puts the metric on the last axis, scaled to its range", () => {
    const metric = pc.lines.map((l) => l[3]!);
    [0, 1, 0.5].forEach((want, i) => expect(metric[i]).toBeCloseTo(want, 9));
  });

  it("has no position for a value the axis cannot draw", () => {
    expect(position(pc.axes[0]!, -1)).toBeNull();
    expect(position(pc.axes[2]!, "lion")).toBeNull();
    expect(position(pc.axes[1]!, undefined)).toBeNull();
  });

  it("a brush keeps only the lines that cross it on that axis", () => {
    const kept = pc.lines.filter((l) => passesBrushes(l, new Map([[1, [0.4, 1] as const]])));
    expect(kept).toHaveLength(2);
    expect(pc.lines.filter((l) => passesBrushes(l, new Map())).length).toBe(3);
  });

  it("colours the best trial the same warm colour whether the goal is to maximize or minimize", () => {
    expect(lineColor(1, 0, 1, "maximize")).toBe(lineColor(0, 0, 1, "minimize"));
    expect(lineColor(1, 0, 1, "maximize")).not.toBe(lineColor(0, 0, 1, "maximize"));
  });
});
