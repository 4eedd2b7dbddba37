// How the SDK splits a config too large for one record: by top-level key, and deeper (records with
// a path, see ConfigRecord.path) when one key's object alone is too large.
import { describe, expect, it } from "vitest";
import { chunkConfig, type ConfigPart } from "../src/run.js";

/** Applies parts the way the server does: keys replace whole values, under the part's path. */
function apply(parts: readonly ConfigPart[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const part of parts) {
    let target = config;
    for (const seg of part.path ?? []) {
      const next = target[seg];
      if (next === null || typeof next !== "object" || Array.isArray(next)) target[seg] = {};
      target = target[seg] as Record<string, unknown>;
    }
    Object.assign(target, JSON.parse(part.values) as Record<string, unknown>);
  }
  return config;
}

describe("config splitting", () => {
  it("keeps a config that fits in one part without a path", () => {
    expect(chunkConfig({ lr: 0.1, opt: { name: "adam" } })).toEqual([{ values: '{"lr":0.1,"opt":{"name":"adam"}}' }]);
  });

  it("splits by top-level key when the keys fit one by one", () => {
    const config: Record<string, string> = {};
    for (let i = 0; i < 100; i++) config[`k${i}`] = "x".repeat(1000);
    const parts = chunkConfig(config, 10_000);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.every((p) => p.path === undefined && p.values.length <= 10_000)).toBe(true);
    expect(apply(parts)).toEqual(config);
  });

  it("splits one huge nested key deeper: clears it first, then sends its keys under a path", () => {
    const layer = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i}`, i / 7]));
    const config = { lr: 0.1, model: { enc: layer(400), dec: layer(400), head: { tiny: 1 } }, after: "x" };
    const parts = chunkConfig(config, 4_000);
    expect(parts.every((p) => p.values.length <= 4_000)).toBe(true);
    // The {} that clears "model" comes in a part before any part with a path under it.
    const clear = parts.findIndex((p) => p.path === undefined && (JSON.parse(p.values) as Record<string, unknown>).model !== undefined);
    expect(JSON.parse(parts[clear]!.values)).toMatchObject({ model: {} });
    const firstUnder = parts.findIndex((p) => p.path?.[0] === "model");
    expect(clear).toBeLessThan(firstUnder);
    expect(parts.some((p) => JSON.stringify(p.path) === JSON.stringify(["model", "enc"]))).toBe(true);
    expect(apply(parts)).toEqual(config);
  });

  it("replaces an old value of the key whole when applied over it", () => {
    const big = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, i]));
    const parts = chunkConfig({ model: big }, 1_000);
    const before = { model: { stale: true, p0: "old" }, keep: 1 };
    const config: Record<string, unknown> = structuredClone(before);
    for (const part of parts) {
      let target = config;
      for (const seg of part.path ?? []) target = target[seg] as Record<string, unknown>;
      Object.assign(target, JSON.parse(part.values) as Record<string, unknown>);
    }
    expect(config).toEqual({ model: big, keep: 1 });
  });

  it("refuses a value that is not an object and too large for any record, naming its path", () => {
    const table = Array.from({ length: 1_000_000 }, (_, i) => i / 3);
    expect(() => chunkConfig({ model: { inner: { table }, other: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, "y".repeat(200_000)])) } }))
      .toThrow(/config value "model.inner.table" is .* MiB of JSON; one value is at most 8 MiB/);
  });
});
