// log() semantics, read back from the spool: steps, commit, late rows, flattening, refusals and
// the encoding of non-finite values.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OrreryValueError, type Run } from "../src/index.js";
import { quietInit, spoolRecords, tempDir } from "./helpers.js";

let dir: ReturnType<typeof tempDir>;
let run: Run;
beforeEach(async () => {
  vi.spyOn(process.stderr, "write").mockImplementation(() => true); // the offline notices
  dir = tempDir();
  run = await quietInit({ mode: "offline", dir: dir.path });
});
afterEach(async () => {
  await run.finish();
  vi.restoreAllMocks();
  dir.cleanup();
});

/** [step, values] of every history record, in spool order. */
async function rows(): Promise<[number, Record<string, unknown>][]> {
  await run.finish();
  return spoolRecords(run.spoolDir)
    .filter((r) => r.type === "history")
    .map((r) => [r.step as number, r.values as Record<string, unknown>]);
}

/** The rows as the server stores them: writes to one step merged in order, later winning per key. */
async function merged(): Promise<[number, Record<string, unknown>][]> {
  const byStep = new Map<number, Record<string, unknown>>();
  for (const [step, values] of await rows()) byStep.set(step, { ...byStep.get(step), ...values });
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

describe("log()", () => {
  it("without a step writes a row at the current step and increments it", async () => {
    run.log({ loss: 1 });
    run.log({ loss: 0.5 });
    expect(run.step).toBe(2);
    expect(await rows()).toEqual([[0, { loss: 1 }], [1, { loss: 0.5 }]]);
  });

  it("with commit: false adds to the current step's row, later values winning per key", async () => {
    run.log({ a: 1, b: 1 }, { commit: false });
    run.log({ b: 2 }, { commit: false });
    expect(run.step).toBe(0);
    run.log({ c: 3 });
    expect(run.step).toBe(1);
    expect(await merged()).toEqual([[0, { a: 1, b: 2, c: 3 }]]);
  });

  it("with commit: false is on disk when log() returns, so a killed process keeps it", () => {
    run.log({ "val/loss": 0.2 }, { step: 5, commit: false });
    const history = spoolRecords(run.spoolDir).filter((r) => r.type === "history");
    expect(history).toEqual([expect.objectContaining({ step: 5, values: { "val/loss": 0.2 } })]);
  });

  it("with a lower step writes there at once and the auto step continues from the highest", async () => {
    run.log({ a: 1 });
    run.log({ a: 2 });
    run.log({ a: 3 });
    run.log({ pending: 1 }, { commit: false });
    run.log({ late: 9 }, { step: 1 });
    run.log({ a: 4 });
    expect(await rows()).toEqual([[0, { a: 1 }], [1, { a: 2 }], [2, { a: 3 }], [3, { pending: 1 }], [1, { late: 9 }], [3, { a: 4 }]]);
    expect(await merged()).toEqual([[0, { a: 1 }], [1, { a: 2, late: 9 }], [2, { a: 3 }], [3, { pending: 1, a: 4 }]]);
  });

  it("with a higher step writes there and continues from step + 1", async () => {
    run.log({ a: 1 }, { commit: false });
    run.log({ b: 2 }, { step: 10 });
    run.log({ c: 3 });
    expect(run.step).toBe(12);
    expect(await rows()).toEqual([[0, { a: 1 }], [10, { b: 2 }], [11, { c: 3 }]]);
  });

  it("with the current step and commit: false keeps building that step's row", async () => {
    run.log({ a: 1 }, { step: 5, commit: false });
    run.log({ b: 2 }, { step: 5, commit: false });
    run.log({ c: 3 });
    expect(await merged()).toEqual([[5, { a: 1, b: 2, c: 3 }]]);
  });

  it("a row never committed is still stored at its step", async () => {
    run.log({ a: 1 }, { commit: false });
    expect(await rows()).toEqual([[0, { a: 1 }]]);
  });

  it("an empty row advances the step without writing anything", async () => {
    run.log({});
    run.log({ a: 1 });
    expect(await rows()).toEqual([[1, { a: 1 }]]);
  });

  it("flattens nested objects with dots", async () => {
    run.log({ val: { acc: 0.9, loss: { ce: 0.1 } }, "train/loss": 0.2 });
    expect(await rows()).toEqual([[0, { "val.acc": 0.9, "val.loss.ce": 0.1, "train/loss": 0.2 }]]);
  });

  it("keeps NaN and ±Infinity as the protocol's strings, and -0 and tiny and huge numbers exactly", async () => {
    run.log({ nan: NaN, inf: Infinity, ninf: -Infinity, tiny: 5e-324, huge: 1.7976931348623157e308, third: 1 / 3 });
    const [[, values]] = await rows();
    expect(values).toEqual({ nan: "NaN", inf: "Infinity", ninf: "-Infinity", tiny: 5e-324, huge: 1.7976931348623157e308, third: 1 / 3 });
  });

  it("escapes keys that need it in JSON", async () => {
    run.log({ 'quote"d': 1, "back\\slash": 2, "new\nline": 3 });
    expect((await rows())[0]![1]).toEqual({ 'quote"d': 1, "back\\slash": 2, "new\nline": 3 });
  });

  it.each([
    ["a string", { acc: "high" }, /"acc" is the string "high".*run\.summary or run\.config/],
    ["a boolean", { ok: true }, /"ok" is boolean true/],
    ["null", { gone: null }, /"gone" is null/],
    ["an array", { xs: [1, 2] }, /"xs" is an array.*"xs\.0"/],
    ["a bigint", { big: 10n }, /"big" is the bigint 10n.*Number\(value\)/],
    ["undefined", { u: undefined }, /"u" is undefined/],
    ["a Date", { when: new Date(0) }, /"when" is a Date/],
    ["a nested string", { val: { name: "x" } }, /"val\.name" is the string/],
  ])("refuses %s, naming the key and saying what to do", async (_what, values, message) => {
    let error: unknown;
    try {
      run.log(values as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OrreryValueError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect(await rows()).toEqual([]);
  });

  it("refuses reserved and over-long keys", () => {
    expect(() => run.log({ _step: 3 })).toThrow(/"_step" starts with "_", which is reserved/);
    expect(() => run.log({ ["k".repeat(257)]: 1 })).toThrow(/257 characters; the limit is 256/);
    expect(() => run.log({ "": 1 })).toThrow(/empty key/);
    expect(() => run.log({ a: { ["b".repeat(255)]: 1 } })).toThrow(/257 characters/);
  });

  it("a refused call changes nothing: no row and no step", async () => {
    run.log({ a: 1 }, { commit: false });
    expect(() => run.log({ b: 2, c: "x" } as never)).toThrow(OrreryValueError);
    expect(() => run.log({ b: 2, c: "x" } as never, { commit: false })).toThrow(OrreryValueError);
    expect(run.step).toBe(0);
    run.log({ d: 4 });
    expect(await merged()).toEqual([[0, { a: 1, d: 4 }]]);
  });

  it("refuses bad options and non-object values", () => {
    expect(() => run.log({ a: 1 }, { step: -1 })).toThrow(/step must be an integer/);
    expect(() => run.log({ a: 1 }, { step: 1.5 })).toThrow(/step must be an integer/);
    expect(() => run.log({ a: 1 }, { commit: "no" as never })).toThrow(/commit must be true or false/);
    expect(() => run.log(42 as never)).toThrow(/takes an object of metrics/);
    expect(() => run.log(new Map() as never)).toThrow(/takes an object of metrics/);
  });

  it("refuses a row with more than 10,000 metrics", () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i <= 10_000; i++) wide[`m${i}`] = i;
    expect(() => run.log(wide)).toThrow(/10001 metrics; the limit is 10000/);
  });

  it("gives every record the next seq, starting with the run record at seq 1", async () => {
    run.log({ a: 1 });
    run.config.update({ b: 2 });
    run.summary.set("c", "text is fine here");
    run.defineMetric("a", { summary: "max" });
    await run.finish(3);
    const records = spoolRecords(run.spoolDir);
    expect(records.map((r) => r.type)).toEqual(["run", "history", "config", "summary", "define_metric", "finish"]);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[5]).toMatchObject({ exitCode: 3 });
    expect(records[3]).toMatchObject({ values: { c: "text is fine here" } });
    expect(records[4]).toMatchObject({ key: "a", summary: "max" });
  });

  it("after finish, further calls are ignored with one warning", async () => {
    await run.finish();
    run.log({ a: 1 });
    run.log({ a: 2 });
    const types = spoolRecords(run.spoolDir).map((r) => r.type);
    expect(types).toEqual(["run", "finish"]);
  });
});
