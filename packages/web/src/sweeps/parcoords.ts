// Owns the geometry of the parallel-coordinates plot: one axis per searched parameter (log axes for
// log-scaled ones, evenly spaced categories for categorical ones) and the metric axis last, each
// trial's position on every axis as 0 (bottom) to 1 (top), brushing filters, and line colours.
// Pure; ParallelCoords.tsx draws it.
import { formatNumber } from "../api/values";
import { categoryKey, type ParamDim } from "./trials";
import type { Goal } from "./wire";

export interface Axis {
  name: string;
  kind: "linear" | "log" | "categorical";
  /** linear/log: the domain (log axes hold log10 of it); categorical: unused. */
  lo: number;
  hi: number;
  categories: string[];
  /** Labels along the axis, at their 0..1 position. */
  ticks: { pos: number; label: string }[];
}

export interface ParcoordsData {
  axes: Axis[];
  /** lines[i][a]: trial i's position on axis a (0..1), null where it has no value there. */
  lines: (number | null)[][];
  /** The metric of each line, for colouring. */
  values: number[];
}

function numericAxis(name: string, kind: "linear" | "log", vals: number[]): Axis {
  const tv = kind === "log" ? vals.filter((v) => v > 0).map(Math.log10) : vals.filter(Number.isFinite);
  let lo = tv.length ? Math.min(...tv) : 0;
  let hi = tv.length ? Math.max(...tv) : 1;
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const show = (t: number) => formatNumber(Number((kind === "log" ? 10 ** t : t).toPrecision(3)));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((pos) => ({ pos, label: show(lo + (hi - lo) * pos) }));
  return { name, kind, lo, hi, categories: [], ticks };
}

/** Where a value sits on an axis (0..1), or null when it cannot be drawn there. */
export function position(axis: Axis, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (axis.kind === "categorical") {
    const i = axis.categories.indexOf(categoryKey(v));
    if (i < 0) return null;
    return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  if (axis.kind === "log" && v <= 0) return null;
  const t = axis.kind === "log" ? Math.log10(v) : v;
  return Math.max(0, Math.min(1, (t - axis.lo) / (axis.hi - axis.lo)));
}

/**
 * The plot for trials (flat params + metric). Constant params get no axis: a flat line across
 * every trial says nothing. The metric axis is last and named after the metric.
 */
export function buildParcoords(dims: readonly ParamDim[], trials: readonly { flat: Record<string, unknown>; value: number }[], metricName: string): ParcoordsData {
  const axes: Axis[] = [];
  for (const d of dims) {
    if (d.kind === "constant") continue;
    if (d.kind === "categorical") {
      const categories = (d.categories ?? []).filter((c) => trials.some((t) => t.flat[d.name] !== undefined && categoryKey(t.flat[d.name]) === c));
      const n = categories.length;
      axes.push({
        name: d.name, kind: "categorical", lo: 0, hi: 1, categories,
        ticks: categories.map((label, i) => ({ pos: n === 1 ? 0.5 : i / (n - 1), label })),
      });
    } else {
      const vals = trials.map((t) => t.flat[d.name]).filter((v): v is number => typeof v === "number");
      axes.push(numericAxis(d.name, d.kind, vals));
    }
  }
  const values = trials.map((t) => t.value);
  axes.push(numericAxis(metricName, "linear", values));
  const lines = trials.map((t) => axes.map((a, k) => (k === axes.length - 1 ? position(a, t.value) : position(a, t.flat[a.name]))));
  return { axes, lines, values };
}

/** A brush on an axis keeps lines whose position there lies in [lo, hi] (0..1). */
export type Brushes = ReadonlyMap<number, readonly [number, number]>;

export function passesBrushes(line: readonly (number | null)[], brushes: Brushes): boolean {
  for (const [axis, [lo, hi]] of brushes) {
    const p = line[axis];
    if (p === null || p === undefined || p < lo || p > hi) return false;
  }
  return true;
}

/**
 * A line's colour from its metric: the best trials are warm (yellow), the worst cool (purple),
 * on a viridis-like ramp, so the good region stands out whichever the goal.
 */
export function lineColor(value: number, lo: number, hi: number, goal: Goal): string {
  let t = hi > lo ? (value - lo) / (hi - lo) : 0.5;
  if (goal === "minimize") t = 1 - t;
  t = Math.max(0, Math.min(1, t));
  const stops: [number, number, number][] = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const s = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(s));
  const f = s - i;
  const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
