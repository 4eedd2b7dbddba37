// Owns putting many series' (x, y) columns on one shared x array for uPlot: a pixel grid of two
// slots per pixel column, each column keeping its min and max in the order they occur. It looks
// the same as drawing every point, and costs at most width x series however long the series are.

export interface XY {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Aligned {
  /** Slot x positions: a left edge slot, 2 per pixel column, a right edge slot. */
  x: Float64Array;
  /** One array per input series, null where the series has no point (lines use spanGaps). */
  ys: (number | null)[][];
  /** Points each series contributed inside [xmin, xmax]. */
  points: Uint32Array;
  /** Largest x of a drawn point, -Infinity when none. */
  maxX: number;
}

export interface AlignOptions {
  /** Drop y <= 0 (log scale cannot draw them). */
  dropNonPositive?: boolean;
}

/** [min, max] of x over points with a drawable y, or null when there are none. */
export function extentX(series: readonly XY[], opts: AlignOptions = {}): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const { x, y } = s;
    for (let i = 0; i < x.length; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v) || (opts.dropNonPositive && v <= 0)) continue;
      const xv = x[i]!;
      if (xv < lo) lo = xv;
      if (xv > hi) hi = xv;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Aligns series (each sorted by x) onto 2 * width slots over [xmin, xmax]. Points outside the range
 * are not drawn, but a series that crosses an edge gets an edge slot on the crossing segment, so
 * the line still runs to the plot's edge.
 */
export function alignToGrid(series: readonly XY[], xmin: number, xmax: number, width: number, opts: AlignOptions = {}): Aligned {
  const cols = Math.max(1, Math.round(width));
  if (!(xmax > xmin)) {
    const c = Number.isFinite(xmin) ? xmin : 0;
    xmin = c - 0.5;
    xmax = c + 0.5;
  }
  const dx = (xmax - xmin) / cols;
  const slots = cols * 2 + 2;
  const xs = new Float64Array(slots);
  xs[0] = xmin - dx;
  for (let c = 0; c < cols; c++) {
    xs[1 + 2 * c] = xmin + (c + 0.25) * dx;
    xs[2 + 2 * c] = xmin + (c + 0.75) * dx;
  }
  xs[slots - 1] = xmax + dx;
  const leftX = xs[0]!;
  const rightX = xs[slots - 1]!;
  const dropNonPositive = !!opts.dropNonPositive;

  const ys: (number | null)[][] = [];
  const points = new Uint32Array(series.length);
  let maxX = -Infinity;

  for (let s = 0; s < series.length; s++) {
    const { x, y } = series[s]!;
    const out: (number | null)[] = new Array(slots).fill(null);
    let count = 0;
    // The column being filled: its first-seen extreme and the other one, with their values.
    let col = -1;
    let minV = 0, maxV = 0, minI = 0, maxI = 0, firstX = 0, n = 0;
    // Neighbours across each edge, for the edge slots.
    let beforeX = NaN, beforeY = NaN, firstInX = NaN, firstInY = NaN;
    let lastInX = NaN, lastInY = NaN, afterX = NaN, afterY = NaN;

    const flush = () => {
      if (col < 0 || n === 0) return;
      const a = 1 + 2 * col;
      if (minI === maxI) {
        // One distinct point: use the half of the column it falls in.
        const frac = (firstX - xmin) / dx - col;
        out[frac < 0.5 ? a : a + 1] = minV;
      } else if (minI < maxI) {
        out[a] = minV;
        out[a + 1] = maxV;
      } else {
        out[a] = maxV;
        out[a + 1] = minV;
      }
    };

    for (let i = 0; i < x.length; i++) {
      const v = y[i]!;
      if (!Number.isFinite(v) || (dropNonPositive && v <= 0)) continue;
      const xv = x[i]!;
      if (xv < xmin) {
        beforeX = xv;
        beforeY = v;
        continue;
      }
      if (xv > xmax) {
        if (Number.isNaN(afterX)) {
          afterX = xv;
          afterY = v;
        }
        continue;
      }
      if (Number.isNaN(firstInX)) {
        firstInX = xv;
        firstInY = v;
      }
      lastInX = xv;
      lastInY = v;
      if (xv > maxX) maxX = xv;
      count++;
      let c = Math.floor((xv - xmin) / dx);
      if (c >= cols) c = cols - 1;
      if (c !== col) {
        flush();
        col = c;
        n = 1;
        minV = maxV = v;
        minI = maxI = i;
        firstX = xv;
      } else {
        n++;
        if (v < minV) {
          minV = v;
          minI = i;
        } else if (v > maxV) {
          maxV = v;
          maxI = i;
        }
      }
    }
    flush();

    // Edge slots sit on the segment that crosses the edge, so uPlot's clipping shows the visible
    // part of that segment.
    const leftTo = Number.isNaN(firstInX) ? afterX : firstInX;
    const leftToY = Number.isNaN(firstInX) ? afterY : firstInY;
    if (!Number.isNaN(beforeX) && !Number.isNaN(leftTo)) out[0] = edge(beforeX, beforeY, leftTo, leftToY, leftX, beforeY, dropNonPositive);
    const rightFrom = Number.isNaN(lastInX) ? beforeX : lastInX;
    const rightFromY = Number.isNaN(lastInX) ? beforeY : lastInY;
    if (!Number.isNaN(afterX) && !Number.isNaN(rightFrom)) out[slots - 1] = edge(rightFrom, rightFromY, afterX, afterY, rightX, afterY, dropNonPositive);

    ys.push(out);
    points[s] = count;
  }
  return { x: xs, ys, points, maxX };
}

/**
 * The value at an edge slot: on the segment (x0, y0)-(x1, y1) when the slot lies on it, else the
 * outside point's own value (it is then within a pixel of the slot), never an extrapolation that
 * could stretch the y range.
 */
function edge(x0: number, y0: number, x1: number, y1: number, at: number, outside: number, dropNonPositive: boolean): number | null {
  const v = at >= x0 && at <= x1 && x1 > x0 ? y0 + ((y1 - y0) * (at - x0)) / (x1 - x0) : outside;
  return Number.isFinite(v) && !(dropNonPositive && v <= 0) ? v : null;
}

/** Index of the point whose x is nearest to `at` in a sorted column, -1 when empty. */
export function nearestIndex(x: ArrayLike<number>, at: number): number {
  const n = x.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! < at) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && at - x[lo - 1]! <= x[lo]! - at) return lo - 1;
  return lo;
}
