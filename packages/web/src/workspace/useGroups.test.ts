import { describe, expect, it } from "vitest";
import type { RunGroup } from "@orrery/protocol";
import { groupFilter, groupId } from "./useGroups";

const g = (key: Record<string, unknown>): RunGroup => ({ key, count: 1, aggregates: {} });

describe("groups of several keys", () => {
  it("select a group's runs with each key's condition ANDed", () => {
    expect(groupFilter(g({ "config.optimizer": "adam", "config.lr": 0.01 }), ["config.optimizer", "config.lr"]))
      .toBe('config.optimizer = "adam" and config.lr = 0.01');
  });

  it("match runs without a key to the null group of that key", () => {
    expect(groupFilter(g({ state: "finished", "config.lr": null }), ["state", "config.lr"]))
      .toBe('state = "finished" and (config.lr not exists or config.lr = null)');
  });

  it("have ids that tell apart the same values under different keys and text from numbers", () => {
    const by = ["config.a", "config.b"];
    expect(groupId(g({ "config.a": 1, "config.b": "x" }), by)).not.toBe(groupId(g({ "config.a": "1", "config.b": "x" }), by));
    expect(groupId(g({ "config.a": 1 }), by)).toBe(JSON.stringify([1, null]));
  });
});
