// Owns turning wire values into what the dashboard shows and draws: metric encodings to numbers,
// and any config or summary value to short display text (a table value as "table N×M").
import { decodeMetric, type EncodedMetric } from "@orrery/protocol";

export function toNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return decodeMetric(v as EncodedMetric);
  return null;
}

/** Decodes a wire y column into a Float64Array (NaN stays NaN). */
export function decodeColumn(y: readonly (number | string)[]): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    out[i] = typeof v === "number" ? v : decodeMetric(v as EncodedMetric);
  }
  return out;
}

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "∞" : "-∞";
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return n.toExponential(3);
  return String(Number(n.toPrecision(5)));
}

/** A table logged as a value (Python's orrery.Table): {"_type": "table", columns, data: rows}. */
export interface TableValue { _type: "table"; columns: unknown[]; data: unknown[][] }

export function isTableValue(v: unknown): v is TableValue {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const t = v as Partial<TableValue>;
  return t._type === "table" && Array.isArray(t.columns) && Array.isArray(t.data) && t.data.every(Array.isArray);
}

export function formatValue(v: unknown): string {
  if (v === undefined) return "";
  if (v === null) return "null";
  if (isTableValue(v)) return `table ${v.data.length}×${v.columns.length}`;
  const n = toNumber(v);
  if (n !== null) return formatNumber(n);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${Math.floor(seconds % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatTime(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
