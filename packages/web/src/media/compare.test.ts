import { describe, expect, it } from "vitest";
import type { Run } from "../api/client";
import { sharedKeys, unionSteps } from "./compare";
import type { MediaKey } from "./wire";

const run = (id: string) => ({ id, name: id }) as Run;
const key = (k: string, lastStep: number): MediaKey => ({ key: k, count: 1, firstStep: 0, lastStep });

describe("comparing media across runs", () => {
  it("keeps the keys two or more runs logged, with those runs in compare order and the largest last step", () => {
    const runs = [run("a"), run("b"), run("c")];
    const byRun = new Map([
      ["a", [key("val/examples", 10), key("train/samples", 3)]],
      ["b", [key("val/examples", 20)]],
      ["c", [key("val/examples", 5), key("only/c", 1)]],
    ]);
    const shared = sharedKeys(runs, byRun);
    expect(shared.map((s) => [s.key, s.runs.map((r) => r.id), s.lastStep])).toEqual([["val/examples", ["a", "b", "c"], 20]]);
  });
  it("shares nothing when no key is logged twice", () => {
    expect(sharedKeys([run("a"), run("b")], new Map([["a", [key("x", 1)]]]))).toEqual([]);
  });
  it("offers every step any run logged, once, ascending", () => {
    expect(unionSteps([[0, 5, 10], [5, 7], []])).toEqual([0, 5, 7, 10]);
  });
});
