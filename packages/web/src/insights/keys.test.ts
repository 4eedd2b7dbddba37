import { describe, expect, it } from "vitest";
import type { RunKey } from "./context";
import { defaultParcoords, defaultScatter, keyOptions, shortKey } from "./keys";

const key = (field: string, types: Record<string, number>): RunKey => {
  const [scope, ...rest] = field.split(".");
  return { field, scope: scope as "config" | "summary", path: [rest.join(".")], runs: 10, types };
};
const keys = {
  config: [key("config.batch_size", { number: 10 }), key("config.layers", { array: 10 }), key("config.lr", { number: 10 }), key("config.optimizer", { string: 10 })],
  summary: [key("summary._runtime", { number: 10 }), key("summary.train/loss", { number: 10 }), key("summary.val/acc", { number: 10 })],
};

describe("plot keys", () => {
  it("offers plottable config and summary keys and the run fields, without reserved or list-only keys", () => {
    const values = keyOptions(keys).map((o) => o.value);
    expect(values).toContain("config.optimizer");
    expect(values).toContain("runtime");
    expect(values).toContain("createdAt");
    expect(values).not.toContain("config.layers");
    expect(values).not.toContain("summary._runtime");
  });

  it("starts parallel coordinates on numeric config keys first, then the metric, coloured by it", () => {
    expect(defaultParcoords(keys)).toEqual({
      keys: ["config.batch_size", "config.lr", "config.optimizer", "summary.train/loss"], color: "summary.train/loss", log: [], flip: [],
    });
  });

  it("starts a scatter on a config key against the metric, coloured by another config key", () => {
    expect(defaultScatter(keys)).toEqual({ x: "config.batch_size", y: "summary.train/loss", color: "config.lr", logX: false, logY: false });
    expect(defaultScatter({ config: [], summary: [] })).toEqual({ x: "runtime", y: "runtime", color: "", logX: false, logY: false });
  });

  it("shortens keys for labels", () => {
    expect(shortKey("config.optimizer.lr")).toBe("optimizer.lr");
    expect(shortKey("runtime")).toBe("runtime");
  });
});
