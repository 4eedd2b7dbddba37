// Owns what a brush means: the filter condition it becomes (ANDed with the user's filter for every
// list of runs), the same test done in the browser on a plotted value (so what a plot highlights is
// exactly what the server returns), its chip label, and the rounding applied when a drag ends (so
// links stay short). Pure.
import { formatNumber } from "../api/values";
import { andFilter, valueLiteral } from "../workspace/filterText";
import type { Brush } from "./context";

/** One brush as a filter condition in the server's grammar. */
export function brushCondition(b: Brush): string {
  if (b.kind === "range") return `${b.key} >= ${numberText(b.lo)} and ${b.key} <= ${numberText(b.hi)}`;
  return `${b.key} in (${b.values.join(", ")})`;
}

/** Every brush ANDed, or "" for none. */
export function brushFilter(brushes: readonly Brush[]): string {
  return brushes.map(brushCondition).join(" and ");
}

/** The user's filter AND the brushes: the filter everything that lists runs uses. */
export function effectiveFilter(userFilter: string, brushes: readonly Brush[]): string {
  return andFilter(userFilter, brushFilter(brushes));
}

function numberText(n: number): string {
  // String() is the shortest text that reads back as the same double, which the grammar accepts.
  return String(n);
}

/** The literal a value is written as in a category brush (`"adam"`, `true`, `3`). */
export function categoryLiteral(v: unknown): string {
  return valueLiteral(v);
}

/** Whether a plotted value passes the brush, with the server's typed comparison. */
export function brushAccepts(b: Brush, v: unknown): boolean {
  if (b.kind === "range") return typeof v === "number" && v >= b.lo && v <= b.hi;
  if (v === null || v === undefined) return false;
  return b.values.includes(categoryLiteral(v));
}

/** Short text for a brush chip. */
export function brushLabel(b: Brush, time = false): string {
  const show = (n: number) => (time ? new Date(n).toISOString().slice(0, 16).replace("T", " ") : formatNumber(n));
  if (b.kind === "range") return `${b.key} ∈ [${show(b.lo)}, ${show(b.hi)}]`;
  const vals = b.values.map((v) => (v.startsWith('"') ? safeParse(v) : v));
  return `${b.key} ∈ {${vals.length > 4 ? `${vals.slice(0, 3).join(", ")}, … ${vals.length - 3} more` : vals.join(", ")}}`;
}

function safeParse(lit: string): string {
  try {
    const v: unknown = JSON.parse(lit);
    return typeof v === "string" ? v : lit;
  } catch {
    return lit;
  }
}

/**
 * Rounds a dragged range outward to a few significant digits of the axis's span (log axes: of the
 * value), so the link reads `0.81:0.95` rather than `0.8093217…`, and the brush never shrinks.
 */
export function roundRange(lo: number, hi: number, span: number, log: boolean): [number, number] {
  if (log) return [roundSig(lo, 3, Math.floor), roundSig(hi, 3, Math.ceil)];
  if (!(span > 0) || !Number.isFinite(span)) return [lo, hi];
  const digits = Math.max(0, Math.min(15, Math.ceil(-Math.log10(span / 1000))));
  const f = 10 ** digits;
  // A large span (epoch milliseconds) rounds to a power of ten above one instead.
  if (digits === 0) {
    const step = 10 ** Math.max(0, Math.floor(Math.log10(span / 1000)));
    return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  }
  return [tidy(Math.floor(lo * f) / f, digits), tidy(Math.ceil(hi * f) / f, digits)];
}

const tidy = (n: number, digits: number) => Number(n.toFixed(digits));

function roundSig(v: number, sig: number, dir: (x: number) => number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log10(Math.abs(v))) - sig + 1;
  const f = 10 ** -e;
  return e < 0 ? Number((dir(v * f) / f).toFixed(-e)) : dir(v / 10 ** e) * 10 ** e;
}
