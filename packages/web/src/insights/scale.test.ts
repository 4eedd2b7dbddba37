import { describe, expect, it } from "vitest";
import { colorScale, css, invert, makeScale, NO_COLOR, position, positions, RAMP, ticks, toColumn, valueLabel } from "./scale";

describe("columns and scales", () => {
  it("reads a column of numbers and nulls as numbers, with its range", () => {
    const c = toColumn("config.lr", [0.1, null, 0.001, 0.01]);
    expect(c.kind).toBe("number");
    if (c.kind !== "number") return;
    expect(Array.from(c.values)).toEqual([0.1, NaN, 0.001, 0.01]);
    expect([c.min, c.max, c.minPositive]).toEqual([0.001, 0.1, 0.001]);
  });

  it("reads text and booleans as categories in a stable order, numbers first", () => {
    const c = toColumn("config.o", ["sgd", "adam", null, "sgd", 3, true]);
    expect(c.kind).toBe("category");
    if (c.kind !== "category") return;
    expect(c.categories).toEqual(["3", '"adam"', '"sgd"', "true"]);
    expect(c.labels).toEqual(["3", "adam", "sgd", "true"]);
    expect(Array.from(c.codes)).toEqual([2, 1, -1, 2, 0, 3]);
  });

  it("places values linearly, flipped, and on a log scale (non-positive values have no place there)", () => {
    const c = toColumn("x", [1, 10, 100, 0, -5]);
    const lin = makeScale(c);
    expect(position(lin, 100)).toBe(1);
    expect(position(lin, -5)).toBe(0);
    expect(position(makeScale(c, { flip: true }), 100)).toBe(0);
    const log = makeScale(c, { log: true });
    expect(log.kind).toBe("log");
    expect(position(log, 10)).toBeCloseTo(0.5);
    expect(position(log, 0)).toBeNaN();
    expect(invert(log, 0.5)).toBeCloseTo(10);
    expect(invert(makeScale(c, { flip: true }), 0)).toBe(100);
    expect(Array.from(positions(c, log)).map((p) => (Number.isNaN(p) ? null : Math.round(p * 100) / 100))).toEqual([0, 0.5, 1, null, null]);
  });

  it("gives a constant column a small span instead of dividing by zero", () => {
    const s = makeScale(toColumn("x", [5, 5, null]));
    expect(s.hi).toBeGreaterThan(s.lo);
    expect(position(s, 5)).toBeCloseTo(0.5);
    expect(makeScale(toColumn("x", [null, null])).kind).toBe("linear");
  });

  it("centres categories in equal bands", () => {
    const c = toColumn("o", ["a", "b", "c", "d"]);
    const s = makeScale(c);
    expect([0, 1, 2, 3].map((k) => position(s, k))).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(position(s, -1)).toBeNaN();
  });

  it("ticks at round numbers, decades on log scales, and dates for createdAt", () => {
    const s = makeScale(toColumn("x", [0, 1]));
    expect(ticks(s, toColumn("x", [0, 1])).map((t) => t.label)).toEqual(["0", "0.2", "0.4", "0.6", "0.8", "1"]);
    const lc = toColumn("lr", [1e-5, 1e-1]);
    expect(ticks(makeScale(lc, { log: true }), lc).map((t) => t.label)).toEqual(["1.000e-5", "1.000e-4", "0.001", "0.01", "0.1"]);
    const tc = toColumn("createdAt", [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 20)]);
    expect(ticks(makeScale(tc), tc, 4).every((t) => /^2026-01-\d\d$/.test(t.label))).toBe(true);
    expect(valueLabel("createdAt", Date.UTC(2026, 0, 1, 12))).toBe("2026-01-01 12:00:00");
  });

  it("colours by a continuous key along the ramp, missing values grey", () => {
    const cs = colorScale(3, toColumn("m", [0, 1, null]));
    expect(cs.colors[0]).toBe(RAMP[0]);
    expect(cs.colors[1]).toBe(RAMP[255]);
    expect(cs.colors[2]).toBe(NO_COLOR);
    expect(Array.from(cs.rank)).toEqual([0, 1, -1]);
    expect(cs.legend).toEqual({ kind: "ramp", key: "m", lo: "0", hi: "1" });
    expect(css(RAMP[0]!)).toBe("rgb(68,1,84)");
  });

  it("colours by a categorical key from a palette, with a legend entry each", () => {
    const cs = colorScale(3, toColumn("o", ["sgd", "adam", "sgd"]));
    expect(cs.colors[0]).toBe(cs.colors[2]);
    expect(cs.colors[0]).not.toBe(cs.colors[1]);
    expect(cs.legend.kind === "categories" && cs.legend.entries.map((e) => e.label)).toEqual(["adam", "sgd"]);
  });
});
