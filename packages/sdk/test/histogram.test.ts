// Histograms in the TypeScript SDK: histogram() bins numbers like numpy.histogram, and log() with a
// histogram value writes the scalars as the row and the histograms as a histogram record of the
// same step, read back from the spool.
import { describe, expect, it } from "vitest";
import { histogramProblem } from "@orrery/protocol";
import { histogram, OrreryValueError, type Run } from "../src/index.js";
import { offlineRunPerTest } from "./helpers.js";

describe("histogram()", () => {
  it("bins values into 64 equal-width bins over their range by default, the maximum in the last bin", () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 999);
    const h = histogram(values);
    expect(h.bins).toHaveLength(65);
    expect(h.counts).toHaveLength(64);
    expect(h.bins[0]).toBe(0);
    expect(h.bins[64]).toBe(1);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(histogramProblem(h)).toBeUndefined();
  });

  it("counts each value in the bin [edge, next edge)", () => {
    expect(histogram([0, 1, 1, 2, 3, 4], 4)).toEqual({ bins: [0, 1, 2, 3, 4], counts: [1, 2, 1, 2] });
  });

  it("leaves non-finite values out, widens a single value by 0.5 each side, and spans [0, 1] when nothing is left", () => {
    expect(histogram([NaN, 2, Infinity, 4, -Infinity], 2)).toEqual({ bins: [2, 3, 4], counts: [1, 1] });
    expect(histogram([5, 5, 5], 2)).toEqual({ bins: [4.5, 5, 5.5], counts: [0, 3] });
    expect(histogram([], 2)).toEqual({ bins: [0, 0.5, 1], counts: [0, 0] });
    expect(histogram(new Float32Array([1, 2]), 1)).toEqual({ bins: [1, 2], counts: [2] });
  });

  it("refuses a bin count outside 1 to 512 and values that are not numbers", () => {
    expect(() => histogram([1], 0)).toThrow(OrreryValueError);
    expect(() => histogram([1], 513)).toThrow(/1 to 512/);
    expect(() => histogram([1], 2.5)).toThrow(OrreryValueError);
    expect(() => histogram([1, "2"] as unknown as number[])).toThrow(/element 1/);
  });
});

describe("log() with histograms", () => {
  let run: Run;
  const offline = offlineRunPerTest((r) => { run = r; });

  const records = () => offline.records("history", "histogram");

  it("writes scalars as the row and histograms as a histogram record of the same step, flattened keys and all", async () => {
    const g = histogram([0, 1, 2, 3], 2);
    run.log({ loss: 0.5, gradients: { fc1: g } });
    run.log({ "weights/fc1": { bins: [0, 1], counts: [3] } }, { step: 7 });
    run.log({ acc: 1 });
    expect(run.step).toBe(9);
    const out = (await records()).map((r) => [r.type, r.step, r.values]);
    expect(out).toEqual([
      ["history", 0, { loss: 0.5 }],
      ["histogram", 0, { "gradients.fc1": g }],
      ["histogram", 7, { "weights/fc1": { bins: [0, 1], counts: [3] } }],
      ["history", 8, { acc: 1 }],
    ]);
  });

  it("refuses an invalid histogram, naming the key, and writes nothing of that call", async () => {
    expect(() => run.log({ loss: 1, h: { bins: [0, 2, 1], counts: [1, 1] } })).toThrow(/"h".*bins\[2\]/);
    expect(() => run.log({ h: { bins: [0, 1], counts: [1, 2] } })).toThrow(OrreryValueError);
    expect(() => run.log({ h: histogram([1]), bad: "x" as unknown as number })).toThrow(OrreryValueError);
    run.log({ loss: 2 });
    expect((await records()).map((r) => [r.type, r.step, r.values])).toEqual([["history", 0, { loss: 2 }]]);
  });
});
