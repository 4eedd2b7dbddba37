import { describe, expect, it } from "vitest";
import { aggregate, readExact, reduce, type ChunkSource } from "./assemble.js";
import { bucketMinMax } from "./bucket.js";
import { decodeChunk, encodeChunk, type Points64 } from "./codec.js";
import { combineLaterWins, mergeLaterWins, sliceRange, sortUnique } from "./merge.js";
import { buildSketch, rollup, type Rollup } from "./rollup.js";

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const pts = (x: number[], y: number[]): Points64 => ({ x: Float64Array.from(x), y: Float64Array.from(y) });

/** Chunks of `size` points over p, with a source that counts what it decodes. */
function chunked(p: Points64, size: number): ChunkSource & { decoded: number[]; sketched: number[] } {
  const stored: { r: Rollup; data: Buffer; sketch: Buffer }[] = [];
  for (let i = 0; i < p.x.length; i += size) {
    const part = { x: p.x.subarray(i, i + size), y: p.y.subarray(i, i + size) };
    stored.push({ r: rollup(part), data: encodeChunk(part.x, part.y), sketch: buildSketch(part) });
  }
  const decoded: number[] = [];
  const sketched: number[] = [];
  return {
    chunks: stored.map((s) => s.r),
    data: (i) => { decoded.push(i); return decodeChunk(stored[i].data); },
    sketch: (i) => { sketched.push(i); return stored[i].sketch; },
    decoded,
    sketched,
  };
}

/** Only the chunks of `all` that may hold points of [lo, hi], as the engine would hand them in. */
function inRange(all: ChunkSource, lo: number, hi: number): ChunkSource {
  const keep = all.chunks.map((c, i) => [c, i] as const).filter(([c]) => c.xMax >= lo && c.xMin <= hi);
  return { chunks: keep.map(([c]) => c), data: (i) => all.data(keep[i][1]), sketch: (i) => all.sketch(keep[i][1]) };
}

function randomSeries(r: () => number, n: number, nanRate = 0.02): Points64 {
  const x: number[] = [];
  const y: number[] = [];
  let at = Math.floor(r() * 10);
  for (let i = 0; i < n; i++) {
    at += 1 + Math.floor(r() * r() * 5);
    x.push(at);
    const u = r();
    y.push(u < nanRate ? NaN : u < nanRate * 1.2 ? Infinity : u < nanRate * 1.4 ? -Infinity : Math.sin(at / 50) + r() - 0.5);
  }
  return pts(x, y);
}

/** Tail points: some over chunk x (overwrites), some in gaps, some beyond the end. */
function randomTail(r: () => number, base: Points64, n: number): Points64 {
  const x: number[] = [];
  const y: number[] = [];
  const last = base.x[base.x.length - 1] ?? 0;
  for (let i = 0; i < n; i++) {
    const u = r();
    x.push(u < 0.4 ? base.x[Math.floor(r() * base.x.length)] : Math.floor(r() * (last + 200)));
    y.push(r() < 0.05 ? NaN : r() * 4 - 2);
  }
  return sortUnique(x, y);
}

function naiveAggregate(p: Points64) {
  let nanCount = 0, min = NaN, max = NaN, sum = 0;
  for (const v of p.y) {
    if (v !== v) { nanCount++; continue; }
    if (!(min <= v)) min = v;
    if (!(max >= v)) max = v;
    sum += v;
  }
  const n = p.x.length;
  return { count: n, nanCount, min, max, sum, lastX: n ? p.x[n - 1] : 0, lastValue: n ? p.y[n - 1] : NaN };
}

describe("merging point sets", () => {
  it("sortUnique keeps the last write of a repeated x", () => {
    const p = sortUnique([3, 1, 3, 2, 1], [30, 10, 31, 20, 11]);
    expect(Array.from(p.x)).toEqual([1, 2, 3]);
    expect(Array.from(p.y)).toEqual([11, 20, 31]);
  });

  it("mergeLaterWins lets the later set win a shared x", () => {
    const m = mergeLaterWins(pts([1, 2, 4], [1, 2, 4]), pts([2, 3, 5], [20, 30, 50]));
    expect(Array.from(m.x)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(m.y)).toEqual([1, 20, 30, 4, 50]);
  });

  it("combineLaterWins concatenates sets that follow each other and merges sets that overlap", () => {
    expect(Array.from(combineLaterWins([pts([1, 2], [1, 2]), pts([3], [3])]).y)).toEqual([1, 2, 3]);
    const c = combineLaterWins([pts([1, 5], [1, 5]), pts([2, 5], [2, 50]), pts([5], [500])]);
    expect(Array.from(c.x)).toEqual([1, 2, 5]);
    expect(Array.from(c.y)).toEqual([1, 2, 500]);
  });

  it("sliceRange keeps the closed range", () => {
    expect(Array.from(sliceRange(pts([1, 2, 3, 4], [0, 0, 0, 0]), 2, 3).x)).toEqual([2, 3]);
  });
});

describe("reading chunks plus tail", () => {
  it("readExact, reduce and aggregate agree with a naive merge on random series", () => {
    const r = rng(42);
    for (let trial = 0; trial < 40; trial++) {
      const base = randomSeries(r, 50 + Math.floor(r() * 3000));
      const size = [1, 7, 128, 500, 4096][trial % 5];
      const all = chunked(base, size);
      const tail = trial % 3 === 0 ? sortUnique([], []) : randomTail(r, base, Math.floor(r() * 300));
      const truth = mergeLaterWins(base, tail);
      const last = truth.x[truth.x.length - 1];
      const lo = trial % 4 === 0 ? -Infinity : Math.floor(r() * last * 0.5);
      const hi = trial % 4 === 0 ? Infinity : lo + Math.floor(r() * last);
      const src = inRange(all, lo, hi);
      const t = sliceRange(tail, lo, hi);
      const want = sliceRange(truth, lo, hi);

      const exact = readExact(src, t, lo, hi);
      expect(Array.from(exact.x)).toEqual(Array.from(want.x));
      expect(Array.from(exact.y)).toEqual(Array.from(want.y));

      for (const maxPoints of [2, 50, 1000, 100_000]) {
        const red = reduce(src, t, lo, hi, maxPoints);
        expect(red.count).toBe(want.x.length);
        expect(red.x.length).toBeLessThanOrEqual(maxPoints);
        expect(red.sampled).toBe(want.x.length > maxPoints);
        // Every returned point is a real point, in x order.
        const at = new Map(Array.from(want.x, (x, i) => [x, want.y[i]]));
        for (let i = 0; i < red.x.length; i++) {
          expect(Object.is(at.get(red.x[i]), red.y[i])).toBe(true);
          if (i > 0) expect(red.x[i]).toBeGreaterThan(red.x[i - 1]);
        }
        if (!red.sampled) {
          expect(red.x).toEqual(Array.from(want.x));
        } else {
          const agg = naiveAggregate(want);
          // Global extremes (spikes) always survive.
          if (agg.max === agg.max) expect(red.y).toContain(agg.max);
          if (agg.min === agg.min) expect(red.y).toContain(agg.min);
        }
      }

      const a = aggregate(all, tail);
      const n = naiveAggregate(truth);
      expect({ ...a, sum: 0 }).toEqual({ ...n, sum: 0 });
      if (Number.isFinite(n.sum)) expect(a.sum).toBeCloseTo(n.sum, 6);
      else expect(a.sum).toBe(n.sum);
    }
  });

  it("with chunks inside single buckets, reduce matches bucketing every point", () => {
    // When every chunk lies inside one bucket, rollup extremes are exactly the bucket extremes.
    const n = 100_000;
    const r = rng(7);
    const base = pts(Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, () => r()));
    const src = chunked(base, 100); // 1,000 chunks; 500 buckets of 200 points: two chunks per bucket
    const red = reduce(src, sortUnique([], []), -Infinity, Infinity, 1000);
    const naive = bucketMinMax(Array.from(base.x), Array.from(base.y), 1000);
    expect(red.x).toEqual(naive.x);
    expect(red.y).toEqual(naive.y);
    expect(src.decoded).toEqual([]);
  });

  it("a full-range reduce reads rollups only, keeps a one-point spike, and decodes nothing", () => {
    const n = 1_000_000;
    const y = new Float64Array(n).fill(1);
    y[654_321] = 1e9;
    y[123_457] = -1e9;
    // 1,000-point chunks, 500 buckets of 2,000 steps: every chunk is narrower than a bucket.
    const src = chunked({ x: Float64Array.from({ length: n }, (_, i) => i), y }, 1000);
    const red = reduce(src, sortUnique([], []), -Infinity, Infinity, 1000);
    expect(red.x.length).toBeLessThanOrEqual(1000);
    expect(red.count).toBe(n);
    expect(red.x[red.y.indexOf(1e9)]).toBe(654_321);
    expect(red.x[red.y.indexOf(-1e9)]).toBe(123_457);
    expect(src.decoded).toEqual([]);
    expect(src.sketched).toEqual([]);
  });

  it("a medium zoom reads sketches instead of decoding chunks", () => {
    const n = 100_000;
    const r = rng(3);
    const src = chunked(pts(Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, () => r())), 4096);
    const red = reduce(src, sortUnique([], []), -Infinity, Infinity, 1000); // buckets of 200 steps > 128-point blocks
    expect(red.x.length).toBeLessThanOrEqual(1000);
    expect(src.decoded).toEqual([]);
    expect(src.sketched.length).toBe(src.chunks.length);
  });

  it("tail points inside a chunk make only that chunk decode", () => {
    const n = 40_960;
    const src = chunked(pts(Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => i % 7)), 4096);
    const tail = pts([5000, n + 10], [-3, 9]);
    const red = reduce(src, tail, -Infinity, Infinity, 100);
    expect(src.decoded).toEqual([1]);
    expect(red.count).toBe(n + 1);
    expect(red.y).toContain(-3);
    expect(red.y).toContain(9);
  });

  it("an empty series aggregates to nothing", () => {
    expect(aggregate({ chunks: [], data: () => { throw new Error("no"); }, sketch: () => { throw new Error("no"); } }, sortUnique([], [])))
      .toEqual({ count: 0, nanCount: 0, min: NaN, max: NaN, sum: 0, lastX: 0, lastValue: NaN });
  });
});
