import { describe, expect, it } from "vitest";
import { evaluateFilter, parseFilter, type FilterSubject } from "@orrery/protocol";
import { brushAccepts, brushCondition, brushFilter, brushLabel, effectiveFilter, roundRange } from "./brush";
import type { Brush } from "./context";

/** A run whose config holds `value` at `key` (undefined: the run lacks the key). */
const subject = (key: string, value: unknown): FilterSubject => ({
  key: (scope, path) => (scope === "config" && path.length === 1 && path[0] === key ? value : undefined),
  attribute: () => null,
});

const range = (key: string, lo: number, hi: number): Brush => ({ key, kind: "range", lo, hi });

describe("brushes as filter text", () => {
  it("turns a range into two bounds and categories into in (...)", () => {
    expect(brushCondition(range("config.lr", 0.01, 0.1))).toBe("config.lr >= 0.01 and config.lr <= 0.1");
    expect(brushCondition({ key: "config.optimizer", kind: "cats", values: ['"adam"', '"sgd"'] })).toBe('config.optimizer in ("adam", "sgd")');
  });

  it("writes text the server's parser accepts, run fields and odd keys included", () => {
    for (const b of [
      range("config.lr", 1e-7, 2.5e21), range("createdAt", 1767225600000, 1767312000000), range("runtime", 0, 3600),
      range("config.`a b`.c", -1, 1), { key: "state", kind: "cats", values: ['"finished"', '"failed"'] } as Brush,
      { key: "config.flag", kind: "cats", values: ["true", "3"] } as Brush,
    ]) expect(() => parseFilter(brushCondition(b)), brushCondition(b)).not.toThrow();
  });

  it("ands every brush with the user's filter, keeping a top-level or apart", () => {
    const bs = [range("config.lr", 0.01, 0.1), range("summary.val/acc", 0.8, 1)];
    expect(brushFilter([])).toBe("");
    expect(effectiveFilter("", [])).toBe("");
    expect(effectiveFilter("state = finished", [])).toBe("state = finished");
    expect(effectiveFilter("", bs)).toBe("config.lr >= 0.01 and config.lr <= 0.1 and summary.val/acc >= 0.8 and summary.val/acc <= 1");
    expect(effectiveFilter("a = 1 or b = 2", bs.slice(0, 1))).toBe("(a = 1 or b = 2) and config.lr >= 0.01 and config.lr <= 0.1");
  });

  it("accepts in the browser exactly the runs the filter keeps", () => {
    const values: unknown[] = [0.05, 0.01, 0.1, 0.1000001, 0.009, null, "0.05", undefined, Number.NaN];
    const b = range("config.lr", 0.01, 0.1);
    const ast = parseFilter(brushCondition(b));
    for (const v of values) expect(brushAccepts(b, v), String(v)).toBe(evaluateFilter(ast, subject("lr", v)));
    const cats: Brush = { key: "config.opt", kind: "cats", values: ['"adam"', "true"] };
    const cAst = parseFilter(brushCondition(cats));
    for (const v of ["adam", "sgd", true, false, "true", null]) {
      expect(brushAccepts(cats, v), String(v)).toBe(evaluateFilter(cAst, subject("opt", v)));
    }
  });

  it("labels chips with readable values", () => {
    expect(brushLabel(range("summary.val/acc", 0.8, 0.95))).toBe("summary.val/acc ∈ [0.8, 0.95]");
    expect(brushLabel({ key: "config.o", kind: "cats", values: ['"adam"', '"sgd"'] })).toBe("config.o ∈ {adam, sgd}");
    expect(brushLabel(range("createdAt", Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2)), true)).toBe("createdAt ∈ [2026-01-01 00:00, 2026-01-02 00:00]");
  });

  it("rounds a dragged range outward to a tidy number of digits", () => {
    expect(roundRange(0.80932178, 0.95111, 0.4, false)).toEqual([0.8093, 0.9512]);
    expect(roundRange(12.3456, 87.65, 100, false)).toEqual([12.3, 87.7]);
    expect(roundRange(1767225612345, 1767312098765, 86_400_000, false)).toEqual([1767225610000, 1767312100000]);
    const [lo, hi] = roundRange(0.000123456, 0.0456789, 3, true);
    expect(lo).toBe(0.000123);
    expect(hi).toBe(0.0457);
  });
});
