import { describe, expect, it } from "vitest";
import { brushAccepts } from "../brush";
import type { Brush } from "../context";
import { toColumn, type Cell } from "../scale";
import { brushSpans, buildIndex, selectBrushed, type BrushInput } from "./select";

/** A deterministic pseudo-random stream. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputs(cells: Record<string, Cell[]>, brushes: Brush[]): BrushInput[] {
  return brushes.map((b) => ({ brush: b, index: buildIndex(toColumn(b.key, cells[b.key]!)), cells: cells[b.key]! }));
}

describe("selection over the sorted indexes", () => {
  it("sorts an axis's runs by value and leaves out runs without one", () => {
    const ix = buildIndex(toColumn("x", [3, null, 1, 2, 1]));
    expect(Array.from(ix.order)).toEqual([2, 4, 3, 0]);
    expect(Array.from(ix.sorted)).toEqual([1, 1, 2, 3]);
  });

  it("finds a range's runs with inclusive bounds", () => {
    const ix = buildIndex(toColumn("x", [3, null, 1, 2, 1]));
    expect(brushSpans(ix, { key: "x", kind: "range", lo: 1, hi: 2 })).toEqual([[0, 3]]);
    expect(brushSpans(ix, { key: "x", kind: "range", lo: 1.5, hi: 1.9 })).toEqual([[2, 2]]);
  });

  it("groups a categorical axis's runs by category", () => {
    const ix = buildIndex(toColumn("o", ["sgd", "adam", null, "sgd"]));
    expect(Array.from(ix.starts)).toEqual([0, 1, 3]);
    expect(Array.from(ix.order)).toEqual([1, 0, 3]);
    expect(brushSpans(ix, { key: "o", kind: "cats", values: ['"sgd"', '"nope"'] })).toEqual([[1, 3]]);
  });

  it("selects everything without brushes", () => {
    const mask = new Uint8Array(4);
    expect(selectBrushed(4, [], mask, new Uint8Array(4))).toBe(4);
    expect(Array.from(mask)).toEqual([1, 1, 1, 1]);
  });

  it("keeps exactly the runs inside every brush, as testing each value would", () => {
    const r = rng(7);
    const n = 5000;
    const cells: Record<string, Cell[]> = {
      lr: Array.from({ length: n }, () => (r() < 0.05 ? null : 10 ** (-5 + 4 * r()))),
      acc: Array.from({ length: n }, () => Math.round(r() * 1000) / 1000),
      opt: Array.from({ length: n }, () => ["adam", "sgd", "rmsprop", null][Math.floor(r() * 4)]!),
    };
    const brushes: Brush[] = [
      { key: "lr", kind: "range", lo: 1e-4, hi: 1e-2 },
      { key: "acc", kind: "range", lo: 0.25, hi: 0.75 },
      { key: "opt", kind: "cats", values: ['"adam"', '"rmsprop"'] },
    ];
    const mask = new Uint8Array(n);
    const count = selectBrushed(n, inputs(cells, brushes), mask, new Uint8Array(n));
    const expected = Array.from({ length: n }, (_, i) => (brushes.every((b) => brushAccepts(b, cells[b.key]![i])) ? 1 : 0));
    expect(Array.from(mask)).toEqual(expected);
    expect(count).toBe(expected.reduce<number>((a, b) => a + b, 0));
    expect(count).toBeGreaterThan(0);
  });

  it("falls back to testing values when a brush's kind does not fit the column", () => {
    const cells: Record<string, Cell[]> = { x: ["a", "b", "a"] };
    const b: Brush = { key: "x", kind: "range", lo: 0, hi: 1 };
    const mask = new Uint8Array(3);
    expect(selectBrushed(3, inputs(cells, [b]), mask, new Uint8Array(3))).toBe(0);
  });

  it("brushes 100,000 runs on two axes in well under 100 ms", () => {
    const r = rng(3);
    const n = 100_000;
    const cells: Record<string, Cell[]> = {
      a: Array.from({ length: n }, () => r()),
      b: Array.from({ length: n }, () => r()),
    };
    const ins = inputs(cells, [{ key: "a", kind: "range", lo: 0.2, hi: 0.6 }, { key: "b", kind: "range", lo: 0.1, hi: 0.9 }]);
    const mask = new Uint8Array(n);
    const counts = new Uint8Array(n);
    selectBrushed(n, ins, mask, counts);
    const t = performance.now();
    for (let k = 0; k < 10; k++) {
      ins[0]!.brush = { key: "a", kind: "range", lo: k / 20, hi: k / 20 + 0.4 };
      selectBrushed(n, ins, mask, counts);
    }
    expect((performance.now() - t) / 10).toBeLessThan(100);
  });
});
