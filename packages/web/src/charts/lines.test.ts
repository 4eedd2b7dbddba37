import { describe, expect, it } from "vitest";
import type { Column } from "./columns";
import { buildLines } from "./lines";

const col = (x: number[], y: number[]): Column => ({ x: Float64Array.from(x), y: Float64Array.from(y) });
const data: Record<string, Column> = { a: col([0, 10], [1, 1]), b: col([0, 10], [3, 3]), c: col([], []) };
const runs = [
  { id: "a", name: "A", color: "#111111", group: "g" },
  { id: "b", name: "B", color: "#222222", group: "g" },
  { id: "c", name: "C", color: "#333333", group: "h" },
];

describe("buildLines", () => {
  it("draws one line per run with data", () => {
    const { lines, bands } = buildLines(runs, (id) => data[id], { smoothing: 0, grouped: false, columns: 10 });
    expect(lines.map((l) => l.id)).toEqual(["a", "b"]);
    expect(bands).toEqual([]);
  });

  it("puts faint raw lines beneath smoothed ones", () => {
    const { lines } = buildLines(runs, (id) => data[id], { smoothing: 0.5, grouped: false, columns: 10 });
    expect(lines.map((l) => [l.id, !!l.faint])).toEqual([["a:raw", true], ["b:raw", true], ["a", false], ["b", false]]);
  });

  it("draws a mean line and a min/max band per group", () => {
    const { lines, bands } = buildLines(runs, (id) => data[id], { smoothing: 0, grouped: true, columns: 4 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.id).toBe("g");
    expect(Array.from(lines[0]!.y)).toEqual([2, 2, 2, 2]);
    expect(Array.from(bands[0]!.lo)).toEqual([1, 1, 1, 1]);
    expect(Array.from(bands[0]!.hi)).toEqual([3, 3, 3, 3]);
  });

  it("draws mean ± one standard deviation when the std band is chosen", () => {
    const three: Record<string, Column> = { ...data, d: col([0, 10], [8, 8]) };
    const group = [...runs.slice(0, 2), { id: "d", name: "D", color: "#444444", group: "g" }];
    const { bands } = buildLines(group, (id) => three[id], { smoothing: 0, grouped: true, columns: 2, band: "std" });
    // Runs at 1, 3 and 8: mean 4, population SD sqrt(26/3), narrower than min/max (1..8).
    const sd = Math.sqrt(26 / 3);
    expect(bands[0]!.lo[0]).toBeCloseTo(4 - sd, 12);
    expect(bands[0]!.hi[1]).toBeCloseTo(4 + sd, 12);
  });
});
