// Owns chart downsampling: a pure function, no I/O. Points are split into equal-width x buckets and
// each bucket keeps its minimum and its maximum (in x order), so a one-point spike survives any
// zoom level and the output never exceeds maxPoints.

export interface Columns { x: number[]; y: number[] }

/**
 * Reduces sorted (x, y) columns to at most maxPoints points (maxPoints >= 2).
 * NaN values are ignored for min/max; a bucket holding only NaN keeps one NaN point so gaps show.
 * Input shorter than maxPoints is returned unchanged (same arrays).
 */
export function bucketMinMax(x: number[], y: number[], maxPoints: number): Columns & { sampled: boolean } {
  const n = x.length;
  if (n <= maxPoints) return { x, y, sampled: false };
  const b = bucketMinMaxIn(x, y, Math.max(1, Math.floor(maxPoints / 2)), x[0], x[n - 1]);
  return { x: b.x, y: b.y, sampled: true };
}

/**
 * The bucketing step of bucketMinMax with the x extent given: `buckets` equal-width buckets over
 * [x0, x1] (the last one closed), each keeping its min and max, so at most 2 * buckets points come
 * out. Input must be sorted by x; it is never returned as is.
 */
export function bucketMinMaxIn(x: ArrayLike<number>, y: ArrayLike<number>, buckets: number, x0: number, x1: number): Columns {
  const b = new MinMaxBuckets(buckets, x0, x1);
  b.addAll(x, y, 0, x.length);
  return b.finish();
}

/**
 * Incremental form of bucketMinMaxIn, for points that arrive in x order from several places
 * (chunk rollups, sketches, decoded chunks, tail rows) without first copying them into one array.
 * NaN is ignored for min/max; a bucket holding only NaN keeps its first NaN point so gaps show.
 */
export class MinMaxBuckets {
  private readonly outX: number[] = [];
  private readonly outY: number[] = [];
  private readonly span: number;
  private b = 0;
  private hi: number;
  // The current bucket: x and y of its min, its max, its first NaN (minX !== minX: none yet).
  private minX = NaN; private minY = NaN;
  private maxX = NaN; private maxY = NaN;
  private nanX = NaN;

  constructor(private readonly buckets: number, private readonly x0: number, x1: number) {
    this.span = x1 - x0;
    this.hi = this.edge(0);
  }

  /** Adds one point; x must not decrease from one call to the next. */
  add(x: number, y: number): void {
    if (x >= this.hi) this.advance(x);
    if (y !== y) {
      if (this.nanX !== this.nanX) this.nanX = x;
      return;
    }
    if (this.minX !== this.minX) {
      this.minX = this.maxX = x;
      this.minY = this.maxY = y;
      return;
    }
    if (y < this.minY) { this.minX = x; this.minY = y; }
    if (y > this.maxY) { this.maxX = x; this.maxY = y; }
  }

  /** Adds points [from, to) of sorted columns. */
  addAll(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(x[i], y[i]);
  }

  finish(): Columns {
    this.emit();
    return { x: this.outX, y: this.outY };
  }

  /** Upper bound (exclusive) of bucket b; the last bucket is closed so the final point always lands. */
  private edge(b: number): number {
    return b >= this.buckets - 1 ? Infinity : this.x0 + (this.span * (b + 1)) / this.buckets;
  }

  private advance(x: number): void {
    this.emit();
    // Skip empty buckets in one jump, then settle on the bucket whose range holds x.
    let b = this.b + 1;
    if (this.span > 0) b = Math.max(b, Math.min(this.buckets - 1, Math.floor(((x - this.x0) / this.span) * this.buckets) - 1));
    while (x >= this.edge(b)) b++;
    this.b = b;
    this.hi = this.edge(b);
  }

  private emit(): void {
    if (this.minX !== this.minX) {
      if (this.nanX === this.nanX) { this.outX.push(this.nanX); this.outY.push(NaN); }
    } else if (this.minX === this.maxX) {
      this.outX.push(this.minX); this.outY.push(this.minY);
    } else if (this.minX < this.maxX) {
      this.outX.push(this.minX, this.maxX); this.outY.push(this.minY, this.maxY);
    } else {
      this.outX.push(this.maxX, this.minX); this.outY.push(this.maxY, this.minY);
    }
    this.minX = this.maxX = this.minY = this.maxY = this.nanX = NaN;
  }
}
