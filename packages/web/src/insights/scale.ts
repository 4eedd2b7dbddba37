// Owns turning one values column (as `runs/values` returns it) into something a plot can place:
// a numeric column as a Float64Array (NaN = no value) with a linear or log scale, or a string
// column as category codes; ticks; inverting a position back to a value (brushing); and the
// colour scales (a continuous viridis ramp, a categorical palette) as packed RGBA for pixel
// buffers. Pure.
import { formatNumber } from "../api/values";
import { categoryLiteral } from "./brush";

export type Cell = number | string | boolean | null;

/** Run fields that hold epoch milliseconds: their ticks read as dates. */
export const TIME_KEYS = new Set(["createdAt"]);

export interface NumericColumn {
  kind: "number";
  key: string;
  values: Float64Array;
  /** Finite min/max over the values (NaN when there are none). */
  min: number;
  max: number;
  /** Smallest value > 0, for log scales. */
  minPositive: number;
}

export interface CategoryColumn {
  kind: "category";
  key: string;
  /** codes[i]: index into categories, -1 = no value. */
  codes: Int32Array;
  /** Each category's filter literal (`"adam"`, `true`, `3`), in display order. */
  categories: string[];
  /** Display labels, same order. */
  labels: string[];
}

export type Column = NumericColumn | CategoryColumn;

/**
 * A column is numeric when every value it holds is a number (booleans and strings make it
 * categorical, with each distinct value a category).
 */
export function toColumn(key: string, cells: readonly Cell[]): Column {
  let numeric = true;
  for (const c of cells) if (c !== null && typeof c !== "number") { numeric = false; break; }
  if (numeric) {
    const values = new Float64Array(cells.length);
    let min = Infinity;
    let max = -Infinity;
    let minPositive = Infinity;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      const x = typeof v === "number" && Number.isFinite(v) ? v : NaN;
      values[i] = x;
      if (x === x) {
        if (x < min) min = x;
        if (x > max) max = x;
        if (x > 0 && x < minPositive) minPositive = x;
      }
    }
    return { kind: "number", key, values, min: min === Infinity ? NaN : min, max: max === -Infinity ? NaN : max, minPositive: minPositive === Infinity ? NaN : minPositive };
  }
  const index = new Map<string, number>();
  const raw: Cell[] = [];
  const first = new Int32Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined) { first[i] = -1; continue; }
    const lit = categoryLiteral(v);
    let k = index.get(lit);
    if (k === undefined) { k = raw.length; index.set(lit, k); raw.push(v); }
    first[i] = k;
  }
  // Display order: numbers ascending, then text, then booleans; remap codes to it.
  const order = raw.map((_, k) => k).sort((a, b) => compareCells(raw[a]!, raw[b]!));
  const remap = new Int32Array(raw.length);
  order.forEach((k, pos) => { remap[k] = pos; });
  const codes = new Int32Array(cells.length);
  for (let i = 0; i < cells.length; i++) codes[i] = first[i]! < 0 ? -1 : remap[first[i]!]!;
  return {
    kind: "category", key, codes,
    categories: order.map((k) => categoryLiteral(raw[k])),
    labels: order.map((k) => String(raw[k])),
  };
}

function compareCells(a: Cell, b: Cell): number {
  const rank = (v: Cell) => (typeof v === "number" ? 0 : typeof v === "string" ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---- scales: value -> position 0 (bottom/left) .. 1 (top/right) ----

export interface Scale {
  kind: "linear" | "log" | "category";
  /** Domain in scale space (log10 for log scales); for categories 0..count. */
  lo: number;
  hi: number;
  flip: boolean;
  time: boolean;
  /** Category count (category scales). */
  count: number;
}

/**
 * A scale for a column; `log` is ignored where no value is positive or the column is categorical.
 * `pad` widens a numeric domain by that fraction at each end (scatter points off the frame).
 */
export function makeScale(col: Column, opts: { log?: boolean; flip?: boolean; pad?: number } = {}): Scale {
  const s = bareScale(col, opts);
  const pad = opts.pad ?? 0;
  if (pad > 0 && s.kind !== "category") {
    const span = s.hi - s.lo;
    s.lo -= span * pad;
    s.hi += span * pad;
  }
  return s;
}

function bareScale(col: Column, opts: { log?: boolean; flip?: boolean }): Scale {
  const flip = !!opts.flip;
  if (col.kind === "category") return { kind: "category", lo: 0, hi: Math.max(1, col.categories.length), flip, time: false, count: col.categories.length };
  const time = TIME_KEYS.has(col.key);
  if (opts.log && col.minPositive === col.minPositive && !time) {
    let lo = Math.log10(col.minPositive);
    let hi = Math.log10(col.max);
    if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
    return { kind: "log", lo, hi, flip, time, count: 0 };
  }
  let lo = col.min;
  let hi = col.max;
  if (lo !== lo) { lo = 0; hi = 1; }
  if (!(hi > lo)) {
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  return { kind: "linear", lo, hi, flip, time, count: 0 };
}

/** Position of a numeric value (0..1), NaN where it cannot be placed (missing; <= 0 on a log scale). */
export function position(s: Scale, v: number): number {
  if (v !== v) return NaN;
  let t: number;
  if (s.kind === "log") {
    if (!(v > 0)) return NaN;
    t = (Math.log10(v) - s.lo) / (s.hi - s.lo);
  } else if (s.kind === "category") {
    if (v < 0) return NaN;
    t = (v + 0.5) / s.count;
  } else {
    t = (v - s.lo) / (s.hi - s.lo);
  }
  return s.flip ? 1 - t : t;
}

/** The value at a position (numeric scales); for categories the fractional code. */
export function invert(s: Scale, pos: number): number {
  const t = s.flip ? 1 - pos : pos;
  if (s.kind === "log") return 10 ** (s.lo + t * (s.hi - s.lo));
  if (s.kind === "category") return t * s.count - 0.5;
  return s.lo + t * (s.hi - s.lo);
}

/** Positions of every value of a column on a scale, as Float32 (NaN = not drawn). */
export function positions(col: Column, s: Scale): Float32Array {
  const n = col.kind === "number" ? col.values.length : col.codes.length;
  const out = new Float32Array(n);
  if (col.kind === "category") {
    for (let i = 0; i < n; i++) out[i] = position(s, col.codes[i]!);
    return out;
  }
  const v = col.values;
  if (s.kind === "linear") {
    // The hot path at 100,000 runs: no log, no branches beyond the flip.
    const k = 1 / (s.hi - s.lo);
    if (s.flip) for (let i = 0; i < n; i++) out[i] = 1 - (v[i]! - s.lo) * k;
    else for (let i = 0; i < n; i++) out[i] = (v[i]! - s.lo) * k;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = position(s, v[i]!);
  return out;
}

export interface Tick { pos: number; label: string }

/** About `target` ticks: 1-2-5 steps (linear), decades (log), dates (time), every category (thinned). */
export function ticks(s: Scale, col: Column, target = 5): Tick[] {
  const place = (t: number) => (s.flip ? 1 - t : t);
  if (s.kind === "category" && col.kind === "category") {
    const every = Math.max(1, Math.ceil(col.labels.length / 12));
    return col.labels.flatMap((label, i) => (i % every === 0 ? [{ pos: place((i + 0.5) / s.count), label }] : []));
  }
  const span = s.hi - s.lo;
  if (s.kind === "log") {
    const out: Tick[] = [];
    const stepDec = Math.max(1, Math.ceil(span / target));
    for (let e = Math.ceil(s.lo); e <= Math.floor(s.hi); e += stepDec) out.push({ pos: place((e - s.lo) / span), label: formatNumber(Number((10 ** e).toPrecision(3))) });
    if (out.length < 2) return [0, 1].map((t) => ({ pos: place(t), label: formatNumber(Number((10 ** (s.lo + t * span)).toPrecision(3))) }));
    return out;
  }
  const step = niceStep(span / target);
  const out: Tick[] = [];
  for (let v = Math.ceil(s.lo / step) * step; v <= s.hi + step * 1e-9; v += step) {
    const value = Number(v.toPrecision(12));
    out.push({ pos: place((value - s.lo) / span), label: s.time ? timeLabel(value, span) : formatNumber(value) });
  }
  return out;
}

function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

function timeLabel(ms: number, span: number): string {
  const iso = new Date(ms).toISOString();
  return span > 3 * 86_400_000 ? iso.slice(0, 10) : iso.slice(5, 16).replace("T", " ");
}

/** A value as a label, dates for time keys. */
export function valueLabel(key: string, v: Cell | undefined): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return TIME_KEYS.has(key) ? new Date(v).toISOString().slice(0, 19).replace("T", " ") : formatNumber(v);
  return String(v);
}

// ---- colours: packed as ImageData words (little-endian RGBA = 0xAABBGGRR) ----

export const pack = (r: number, g: number, b: number, a = 255): number => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
export const css = (w: number): string => `rgb(${w & 255},${(w >>> 8) & 255},${(w >>> 16) & 255})`;

// Viridis control points (matplotlib), interpolated into a 256-entry table.
const VIRIDIS = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];
export const RAMP: Uint32Array = (() => {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (VIRIDIS.length - 1);
    const k = Math.min(VIRIDIS.length - 2, Math.floor(t));
    const f = t - k;
    const a = VIRIDIS[k]!;
    const b = VIRIDIS[k + 1]!;
    out[i] = pack(Math.round(a[0]! + (b[0]! - a[0]!) * f), Math.round(a[1]! + (b[1]! - a[1]!) * f), Math.round(a[2]! + (b[2]! - a[2]!) * f));
  }
  return out;
})();

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];
const hexWord = (h: string) => pack(parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16));
export const CATEGORY_COLORS: Uint32Array = Uint32Array.from(PALETTE.map(hexWord));
/** Lines and points without a colour value. */
export const NO_COLOR = pack(150, 150, 150);

export interface ColorScale {
  /** colours[i]: the packed colour of run i. */
  colors: Uint32Array;
  /** 0..1 rank for draw order (higher drawn on top); NaN-coloured runs get -1. */
  rank: Float32Array;
  legend:
    | { kind: "none" }
    | { kind: "ramp"; lo: string; hi: string; key: string }
    | { kind: "categories"; key: string; entries: { label: string; color: string }[] };
}

/** Colours for n runs from a colour column (absent: one colour for all). */
export function colorScale(n: number, col: Column | null, log = false): ColorScale {
  const colors = new Uint32Array(n);
  const rank = new Float32Array(n);
  if (!col) {
    colors.fill(RAMP[90]!);
    return { colors, rank, legend: { kind: "none" } };
  }
  if (col.kind === "category") {
    for (let i = 0; i < n; i++) {
      const c = col.codes[i]!;
      colors[i] = c < 0 ? NO_COLOR : CATEGORY_COLORS[c % CATEGORY_COLORS.length]!;
      rank[i] = c < 0 ? -1 : c / Math.max(1, col.categories.length);
    }
    const shown = col.labels.slice(0, CATEGORY_COLORS.length);
    return {
      colors, rank,
      legend: { kind: "categories", key: col.key, entries: shown.map((label, i) => ({ label, color: css(CATEGORY_COLORS[i]!) })) },
    };
  }
  const s = makeScale(col, { log });
  for (let i = 0; i < n; i++) {
    const t = position(s, col.values[i]!);
    if (t !== t) { colors[i] = NO_COLOR; rank[i] = -1; continue; }
    const k = t <= 0 ? 0 : t >= 1 ? 255 : (t * 255) | 0;
    colors[i] = RAMP[k]!;
    rank[i] = t;
  }
  const label = (t: number) => valueLabel(col.key, invert(s, t));
  return { colors, rank, legend: col.min === col.min ? { kind: "ramp", key: col.key, lo: label(0), hi: label(1) } : { kind: "none" } };
}
