// Decoding table bodies and the decoded-table cache: numbers become float64 (NaN and infinities
// included), and the cache keeps the most recently used tables within its budget of cells.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { encodeTableBody, TABLE_BODY_VERSION, type Store } from "@orrery/store";
import { decodeBody, TableCache } from "./decode.js";

function body(rows: number, columns = 1): Buffer {
  return encodeTableBody({
    v: TABLE_BODY_VERSION, columns: Array.from({ length: columns }, (_, c) => ({ name: `x${c}`, type: "number" as const })), classes: {}, rows,
    data: Array.from({ length: columns }, () => Array.from({ length: rows }, (_, i) => (i === 0 ? "NaN" : i === 1 ? "-Infinity" : i))),
  });
}

function fakeStore(bodies: Record<string, Buffer>, reads: string[]): Store {
  return { blobs: { get: async (d: string) => { reads.push(d); return Readable.from([bodies[d]!]); } } } as unknown as Store;
}

describe("table bodies", () => {
  it("decode number cells to float64, NaN and infinities included", () => {
    expect(decodeBody("d", body(3)).cols[0]!.values).toEqual([NaN, -Infinity, 2]);
  });

  it("are cached by digest and evicted least recently used first once the cells exceed the budget", async () => {
    const reads: string[] = [];
    const cache = new TableCache(fakeStore({ a: body(40), b: body(40), c: body(40) }, reads), 100);
    await cache.get("a");
    await cache.get("b");
    await cache.get("a"); // a is now the most recently used
    await cache.get("c"); // 120 cells: b goes
    expect(cache.heldCells).toBe(80);
    await cache.get("a");
    await cache.get("b");
    expect(reads).toEqual(["a", "b", "c", "b"]);
  });

  it("count a wide table by its cells, not its rows", async () => {
    const cache = new TableCache(fakeStore({ narrow: body(40), wide: body(10, 8) }, []), 100);
    await cache.get("narrow");
    await cache.get("wide"); // 80 cells: with the narrow table's 40 the budget is passed, so it goes
    expect(cache.heldCells).toBe(80);
  });

  it("share one read between concurrent requests for a table", async () => {
    const reads: string[] = [];
    const cache = new TableCache(fakeStore({ a: body(5) }, reads));
    const [x, y] = await Promise.all([cache.get("a"), cache.get("a")]);
    expect(x).toBe(y);
    expect(reads).toEqual(["a"]);
  });
});
