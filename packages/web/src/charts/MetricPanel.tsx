// Owns one metric's panel in the grid: its lines from the shared loader's cache (or, when zoomed,
// from its own full-resolution refetch of the zoomed x range), its log-scale toggle, and telling
// the loader whether it is on screen.
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { api, type ProjectRef } from "../api/client";
import { formatDuration } from "../api/values";
import { ErrorBox } from "../ui/common";
import { decodeReply, planRequests, type Column } from "./columns";
import { LineChart } from "./LineChart";
import type { BandKind } from "./groups";
import { buildLines, type LineRun } from "./lines";
import type { ChartLoader } from "./loader";

export interface MetricPanelProps {
  project: ProjectRef;
  metricKey: string;
  loader: ChartLoader;
  runs: readonly LineRun[];
  grouped: boolean;
  /** Grouped charts' band (default min/max). */
  band?: BandKind;
  smoothing: number;
  logY: boolean;
  onToggleLog(): void;
  /** Only load and draw once scrolled into view (many panels). */
  lazy: boolean;
}

interface ZoomState {
  range: [number, number];
  cols: Map<string, Column> | null;
  error: unknown;
}

const Y_AXIS_PX = 60;

export function xKindOf(xAxis: string): "number" | "time" {
  return xAxis === "_timestamp" ? "time" : "number";
}

export function xFormatterOf(xAxis: string): ((x: number) => string) | undefined {
  return xAxis === "_runtime" ? formatDuration : undefined;
}

export function MetricPanel(props: MetricPanelProps) {
  const { project, metricKey, loader, runs, grouped, smoothing, logY, lazy } = props;
  const band = props.band ?? "minmax";
  const cellRef = useRef<HTMLDivElement>(null);
  const [zoom, setZoom] = useState<ZoomState | null>(null);
  const zoomSeq = useRef(0);
  const version = useSyncExternalStore(loader.subscribe, () => loader.version(metricKey));

  useLayoutEffect(() => {
    const el = cellRef.current!;
    const measure = (w: number) => {
      if (w > 0) loader.width = Math.max(100, Math.round(w - Y_AXIS_PX));
    };
    measure(el.getBoundingClientRect().width);
    const ro = new ResizeObserver((e) => measure(e[0]!.contentRect.width));
    ro.observe(el);
    if (!lazy) {
      loader.setVisible(metricKey, true);
      return () => {
        ro.disconnect();
        loader.setVisible(metricKey, false);
      };
    }
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) loader.setVisible(metricKey, e.isIntersecting);
    }, { rootMargin: "300px 0px" });
    io.observe(el);
    return () => {
      ro.disconnect();
      io.disconnect();
      loader.setVisible(metricKey, false);
    };
  }, [loader, metricKey, lazy]);

  // A new loader means a new x axis (or project): an old zoom range means nothing there.
  useEffect(() => setZoom(null), [loader]);

  const runIds = runs.map((r) => r.id).join(",");
  const onZoom = (range: [number, number] | null) => {
    const seq = ++zoomSeq.current;
    if (!range) {
      setZoom(null);
      return;
    }
    setZoom({ range, cols: null, error: null });
    const ids = runs.map((r) => r.id);
    const maxPoints = loader.maxPoints;
    Promise.all(planRequests(ids, [metricKey], maxPoints).map((req) =>
      api.history(project, { runs: req.runs, keys: req.keys, x: loader.xAxis, min: range[0], max: range[1], maxPoints }),
    )).then((replies) => {
      if (seq !== zoomSeq.current) return;
      const cols = new Map<string, Column>();
      for (const r of replies) for (const [id, byKey] of decodeReply(r, [metricKey])) cols.set(id, byKey.get(metricKey)!);
      setZoom({ range, cols, error: null });
    }, (error: unknown) => {
      if (seq === zoomSeq.current) setZoom({ range, cols: null, error });
    });
  };

  const zoomCols = zoom?.cols ?? null;
  const { lines, bands } = useMemo(
    () => buildLines(runs, (id) => (zoomCols ? zoomCols.get(id) : loader.column(id, metricKey)), {
      smoothing, grouped, columns: loader.maxPoints, range: zoom?.range ?? null, band,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs matter by identity of ids/colours/groups, not lastStep
    [version, loader, metricKey, runIds, runsLook(runs), smoothing, grouped, zoomCols, zoom?.range, band],
  );

  const error = loader.error(metricKey) ?? zoom?.error;
  const loading = (zoom ? zoom.cols === null && !zoom.error : loader.loading(metricKey));
  return (
    <div ref={cellRef} className="panel-cell" {...(grouped ? { "data-band": band, "data-band-span": bandSpan(bands) } : {})}>
      <LineChart
        key={loader.xAxis}
        testKey={metricKey}
        title={metricKey}
        lines={lines}
        bands={bands}
        xKind={xKindOf(loader.xAxis)}
        xAxis={loader.xAxis}
        formatX={xFormatterOf(loader.xAxis)}
        smoothed={smoothing > 0}
        logY={logY}
        loading={loading}
        onZoom={onZoom}
        message={error ? <ErrorBox error={error} what={`${metricKey} history`} retry={() => (zoom ? onZoom(zoom.range) : loader.retry(metricKey))} /> : undefined}
        actions={
          <button type="button" className={`chart-btn${logY ? " on" : ""}`} data-testid="log-y" aria-pressed={logY} title="Log-scale y axis" onClick={props.onToggleLog}>
            log
          </button>
        }
      />
    </div>
  );
}

/** The mean height of the drawn bands over their finite columns (a test hook: std bands are narrower than min/max). */
function bandSpan(bands: readonly { lo: ArrayLike<number>; hi: ArrayLike<number> }[]): string {
  let sum = 0;
  let n = 0;
  for (const b of bands) {
    for (let i = 0; i < b.lo.length; i++) {
      const d = b.hi[i]! - b.lo[i]!;
      if (Number.isFinite(d)) { sum += d; n++; }
    }
  }
  return n ? String(sum / n) : "0";
}

/** What of the runs changes how lines look (not lastStep, which changes on every live event). */
function runsLook(runs: readonly LineRun[]): string {
  let s = "";
  for (const r of runs) s += `${r.id}\u0000${r.name}\u0000${r.color}\u0000${r.group ?? ""}\u0001`;
  return s;
}
