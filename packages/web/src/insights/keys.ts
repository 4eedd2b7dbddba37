// Owns which keys the plot panels offer (config and summary keys of the project, plus run fields such
// as runtime and createdAt) and the configs a freshly added panel starts with. Pure.
import type { ParcoordsConfig, RunKey, ScatterConfig } from "./context";

/** Run fields a plot may use (runs/values takes these besides config.* and summary.*). */
export const RUN_FIELDS = ["runtime", "createdAt", "lastStep", "exitCode", "state", "group", "jobType"] as const;

export interface KeyOption { value: string; label: string; group: "config" | "summary" | "run" }

const visible = (k: RunKey) => !(k.path[0] ?? "").startsWith("_");
const numeric = (k: RunKey) => (k.types["number"] ?? 0) > 0;
/** Keys holding only arrays or objects cannot be plotted. */
const plottable = (k: RunKey) => (k.types["number"] ?? 0) + (k.types["string"] ?? 0) + (k.types["boolean"] ?? 0) > 0;

export function keyOptions(keys: { config: RunKey[]; summary: RunKey[] }): KeyOption[] {
  return [
    ...keys.config.filter((k) => visible(k) && plottable(k)).map((k) => ({ value: k.field, label: k.field, group: "config" as const })),
    ...keys.summary.filter((k) => visible(k) && plottable(k)).map((k) => ({ value: k.field, label: k.field, group: "summary" as const })),
    ...RUN_FIELDS.map((f) => ({ value: f, label: f, group: "run" as const })),
  ];
}

/** The metric a new panel colours by: an accuracy- or loss-like summary key first, else the first numeric one. */
export function defaultMetric(summary: RunKey[]): string {
  const metrics = summary.filter((k) => visible(k) && numeric(k));
  return (metrics.find((k) => /acc|loss/i.test(k.field)) ?? metrics[0])?.field ?? "";
}

/** Up to four config keys (numeric ones first), then the metric, coloured by the metric. */
export function defaultParcoords(keys: { config: RunKey[]; summary: RunKey[] }): ParcoordsConfig {
  const config = keys.config.filter((k) => visible(k) && plottable(k));
  const ordered = [...config.filter(numeric), ...config.filter((k) => !numeric(k))].slice(0, 4).map((k) => k.field);
  const metric = defaultMetric(keys.summary);
  return { keys: metric ? [...ordered, metric] : ordered, color: metric, log: [], flip: [] };
}

/** The first numeric config key against the metric, coloured by the next config key. */
export function defaultScatter(keys: { config: RunKey[]; summary: RunKey[] }): ScatterConfig {
  const config = keys.config.filter((k) => visible(k) && plottable(k));
  const x = config.find(numeric)?.field ?? "runtime";
  const y = defaultMetric(keys.summary) || "runtime";
  const color = config.find((k) => k.field !== x)?.field ?? "";
  return { x, y, color, logX: false, logY: false };
}

/** A key without its scope, for tight labels: config.optimizer.lr -> optimizer.lr. */
export function shortKey(key: string): string {
  return key.replace(/^(config|summary)\./, "");
}
