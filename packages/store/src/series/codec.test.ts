import { describe, expect, it } from "vitest";
import { chunkLength, codecCounters, decodeChunk, encodeChunk } from "./codec.js";

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const steps = (n: number, from = 0, by = 1): Float64Array => Float64Array.from({ length: n }, (_, i) => from + i * by);
const bits = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function roundTrip(x: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array; bytes: number } {
  const chunk = encodeChunk(x, y);
  const back = decodeChunk(chunk);
  expect(bits(back.x).equals(bits(x))).toBe(true);
  expect(bits(back.y).equals(bits(y))).toBe(true);
  expect(chunkLength(chunk)).toBe(x.length);
  return { ...back, bytes: chunk.length };
}

function noisyCurve(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 3000) + 0.1 + 0.05 * (r() + r() + r() + r() - 2));
}

describe("series codec", () => {
  it("round-trips random float64 values bit-exactly", () => {
    const r = rng(1);
    const y = Float64Array.from({ length: 1000 }, () => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
    roundTrip(steps(1000), y);
  });

  it("keeps NaN, NaN payloads, the infinities and -0 bit-exact", () => {
    const y = Float64Array.from([NaN, Infinity, -Infinity, -0, 0, 1, -1, Number.MIN_VALUE, -Number.MAX_VALUE, 5e-324]);
    const view = new DataView(y.buffer);
    view.setUint32(0 * 8, 0x00000001, true); // a NaN with a payload
    view.setUint32(0 * 8 + 4, 0xfff80000, true);
    const back = roundTrip(steps(y.length), y);
    expect(Object.is(back.y[3], -0)).toBe(true);
    expect(Object.is(back.y[4], 0)).toBe(true);
  });

  it("keeps -0 exact among integer values", () => {
    const back = roundTrip(steps(4), Float64Array.from([3, -0, 2, 7]));
    expect(Object.is(back.y[1], -0)).toBe(true);
  });

  it("round-trips non-integer x", () => {
    const r = rng(2);
    let x = 0.5;
    const xs = Float64Array.from({ length: 500 }, () => (x += r() * 3 + 1e-9));
    roundTrip(xs, noisyCurve(500, 3));
  });

  it("round-trips integer x with irregular gaps, large epoch-ms timestamps and negative x", () => {
    const r = rng(4);
    let t = Date.UTC(2025, 0, 1);
    const ts = Float64Array.from({ length: 2000 }, () => (t += 14_000 + Math.floor(r() * 2000)));
    roundTrip(ts, noisyCurve(2000, 5));
    roundTrip(Float64Array.from([-(2 ** 53 - 1), -5, 0, 7, 2 ** 40, 2 ** 53 - 1]), Float64Array.from([1, 2, 3, 4, 5, 6]));
    roundTrip(steps(100, -1000, 7), noisyCurve(100, 6));
  });

  it("round-trips x regularly spaced by a fraction", () => {
    roundTrip(steps(300, 0.25, 0.125), noisyCurve(300, 7));
  });

  it("round-trips a single point", () => {
    roundTrip(Float64Array.of(42), Float64Array.of(-0.1));
    roundTrip(Float64Array.of(0.5), Float64Array.of(NaN));
    roundTrip(Float64Array.of(Date.UTC(2025, 0, 1)), Float64Array.of(Date.UTC(2025, 0, 1)));
  });

  it("round-trips 4096 points", () => {
    roundTrip(steps(4096, 10_000), noisyCurve(4096, 8));
  });

  it("stores integer values as zigzag deltas, exact for negative and large values", () => {
    const r = rng(9);
    const y = Float64Array.from({ length: 1000 }, () => Math.floor((r() - 0.5) * 2 ** 50));
    roundTrip(steps(1000), y);
    roundTrip(steps(3), Float64Array.from([2 ** 53 - 1, -(2 ** 53 - 1), 0])); // deltas too large: float mode
    const ts = Float64Array.from({ length: 4096 }, (_, i) => Date.UTC(2025, 0, 1) + i * 50 + (i % 3));
    expect(roundTrip(steps(4096), ts).bytes).toBeLessThan(200);
  });

  it("compresses a noisy float64 curve under 8 bytes and a float32-origin curve under 4 bytes per point", () => {
    const y = noisyCurve(4096, 10);
    expect(roundTrip(steps(4096), y).bytes / 4096).toBeLessThan(8);
    const y32 = y.map((v) => Math.fround(v));
    expect(roundTrip(steps(4096), y32).bytes / 4096).toBeLessThan(4);
  });

  it("refuses x that is not strictly ascending, and empty or mismatched input", () => {
    expect(() => encodeChunk(Float64Array.of(1, 1), Float64Array.of(1, 2))).toThrow(/strictly ascending/);
    expect(() => encodeChunk(Float64Array.of(2, 1), Float64Array.of(1, 2))).toThrow(/strictly ascending/);
    expect(() => encodeChunk(new Float64Array(0), new Float64Array(0))).toThrow(/1 or more points/);
    expect(() => encodeChunk(Float64Array.of(1), Float64Array.of(1, 2))).toThrow(/as many y as x/);
  });

  it("refuses bytes that are not a chunk of this format", () => {
    expect(() => decodeChunk(Buffer.from("not a chunk at all"))).toThrow(/not a series chunk/);
  });

  it("counts encodes and decodes", () => {
    const before = { ...codecCounters };
    decodeChunk(encodeChunk(steps(3), Float64Array.of(1, 2, 3)));
    expect(codecCounters.encoded - before.encoded).toBe(1);
    expect(codecCounters.decoded - before.decoded).toBe(1);
  });
});
