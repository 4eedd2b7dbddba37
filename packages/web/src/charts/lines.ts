// Owns turning fetched run columns into what a chart draws: one line per run (smoothed, with the
// raw line faint beneath), or per group a mean line with a band over the group's runs (min/max or
// mean ± one standard deviation).
import { extentX } from "./align";
import type { Column } from "./columns";
import { bandEdges, groupStats, type BandKind } from "./groups";
import { smoothEma } from "./smooth";
import type { ChartBand, ChartLine } from "./types";

export interface LineRun {
  id: string;
  name: string;
  color: string;
  group?: string | null;
}

export interface LineOptions {
  smoothing: number;
  grouped: boolean;
  /** Grid columns for group statistics (the plot's width in px). */
  columns: number;
  /** The zoomed x range, else the data's. */
  range?: [number, number] | null;
  /** Grouped charts' band: the runs' min to max (default) or mean ± one standard deviation. */
  band?: BandKind;
}

export const NO_GROUP = "(no group)";

export function buildLines(runs: readonly LineRun[], column: (runId: string) => Column | undefined, opts: LineOptions): { lines: ChartLine[]; bands: ChartBand[] } {
  const smooth = opts.smoothing > 0;
  if (!opts.grouped) {
    const faint: ChartLine[] = [];
    const main: ChartLine[] = [];
    for (const r of runs) {
      const c = column(r.id);
      if (!c || c.x.length === 0) continue;
      if (smooth) {
        faint.push({ id: `${r.id}:raw`, label: r.name, color: r.color, x: c.x, y: c.y, faint: true });
        main.push({ id: r.id, label: r.name, color: r.color, x: c.x, y: smoothEma(c.y, opts.smoothing) });
      } else {
        main.push({ id: r.id, label: r.name, color: r.color, x: c.x, y: c.y });
      }
    }
    return { lines: [...faint, ...main], bands: [] };
  }

  const groups = new Map<string, { color: string; cols: Column[] }>();
  for (const r of runs) {
    const c = column(r.id);
    if (!c || c.x.length === 0) continue;
    const name = r.group ?? NO_GROUP;
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { color: r.color, cols: [] }));
    g.cols.push(c);
  }
  const all = [...groups.values()].flatMap((g) => g.cols);
  const range = opts.range ?? extentX(all);
  if (!range) return { lines: [], bands: [] };
  const faint: ChartLine[] = [];
  const main: ChartLine[] = [];
  const bands: ChartBand[] = [];
  for (const [name, g] of groups) {
    const series = smooth ? g.cols.map((c) => ({ x: c.x, y: smoothEma(c.y, opts.smoothing) })) : g.cols;
    const stats = groupStats(series, range[0], range[1], opts.columns);
    const label = `${name} (${g.cols.length} run${g.cols.length === 1 ? "" : "s"})`;
    if (smooth) faint.push({ id: `${name}:raw`, label, color: g.color, x: stats.x, y: groupStats(g.cols, range[0], range[1], opts.columns).mean, faint: true });
    main.push({ id: name, label, color: g.color, x: stats.x, y: stats.mean });
    if (g.cols.length > 1) bands.push({ color: g.color, x: stats.x, ...bandEdges(stats, opts.band ?? "minmax") });
  }
  return { lines: [...faint, ...main], bands };
}
