// Owns drawing already-fetched columns with uPlot: aligning lines onto the shared pixel grid,
// drag-to-zoom and double-click reset, the hover tooltip (exact values from each line's own
// columns), resizing with the container, and the panel's data-* test attributes after each draw.
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from "react";
import uPlot from "uplot";
import { formatNumber } from "../api/values";
import { withAlpha } from "../ui/colors";
import { alignToGrid, extentX, nearestIndex, type Aligned, type XY } from "./align";
import type { ChartBand, ChartLine } from "./types";

export type { ChartBand, ChartLine } from "./types";

export interface LineChartProps {
  title: string;
  lines: ChartLine[];
  bands?: ChartBand[];
  /** time = epoch seconds */
  xKind: "number" | "time";
  logY?: boolean;
  height?: number;
  /** Called with the dragged x range (null on double-click reset); the chart zooms itself either way. */
  onZoom?(range: [number, number] | null): void;
  /** Makes the chart a `panel` for tests, with this as its data-key. */
  testKey?: string;
  /** data-x-axis value (the x key); defaults to xKind. */
  xAxis?: string;
  /** Whether lines are smoothed (data-smoothed); defaults to whether any line is faint. */
  smoothed?: boolean;
  /** Data is on its way: kept as data-loading until the next draw. */
  loading?: boolean;
  /** Formats x values for the axis and the tooltip (e.g. durations); time axes format themselves. */
  formatX?(x: number): string;
  /** Extra header controls (e.g. the log-scale toggle). */
  actions?: ReactNode;
  /** Shown instead of the plot, e.g. an error. */
  message?: ReactNode;
}

interface Meta {
  points: number;
  series: number;
  maxX: number;
  zoom: [number, number] | null;
  xAxis: string;
  smoothed: boolean;
  logY: boolean;
  loading: boolean;
}

const Y_AXIS_PX = 56;
const GRID = "#eef0f4";
const AXIS = "#6b7280";

function writeAttrs(el: HTMLElement, m: Meta): void {
  el.setAttribute("data-series-count", String(m.series));
  el.setAttribute("data-points", String(m.points));
  el.setAttribute("data-x-axis", m.xAxis);
  el.setAttribute("data-smoothed", String(m.smoothed));
  el.setAttribute("data-y-scale", m.logY ? "log" : "linear");
  if (Number.isFinite(m.maxX)) el.setAttribute("data-max-x", String(m.maxX));
  else el.removeAttribute("data-max-x");
  if (m.zoom) el.setAttribute("data-zoom", `${m.zoom[0]},${m.zoom[1]}`);
  else el.removeAttribute("data-zoom");
  if (m.loading) el.setAttribute("data-loading", "true");
  else el.removeAttribute("data-loading");
}

function formatTime(x: number): string {
  return new Date(x * 1000).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function LineChart(props: LineChartProps) {
  const { title, lines, bands = EMPTY_BANDS, xKind, logY = false, height = 220, testKey, loading = false, formatX } = props;
  const rootRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const uRef = useRef<uPlot | null>(null);
  const sigRef = useRef("");
  const tipRef = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  const [zoom, setZoom] = useState<[number, number] | null>(null);

  // Latest values for uPlot hooks, which are bound once per uPlot instance.
  const live = useRef({ lines, xKind, formatX, onZoom: props.onZoom, meta: null as Meta | null, range: [0, 1] as [number, number] });
  live.current.lines = lines;
  live.current.xKind = xKind;
  live.current.formatX = formatX;
  live.current.onZoom = props.onZoom;

  useLayoutEffect(() => {
    const body = bodyRef.current!;
    setWidth(Math.round(body.getBoundingClientRect().width));
    const ro = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]!.contentRect.width);
      setWidth((old) => (old === w ? old : w));
    });
    ro.observe(body);
    return () => ro.disconnect();
  }, []);

  useEffect(() => () => {
    uRef.current?.destroy();
    uRef.current = null;
    tipRef.current?.remove();
  }, []);

  const columns = Math.max(10, width - Y_AXIS_PX - 4);
  const aligned = useMemo((): { a: Aligned; range: [number, number] } | null => {
    if (width === 0) return null;
    const all: XY[] = lines.slice();
    for (const b of bands) all.push({ x: b.x, y: b.hi }, { x: b.x, y: b.lo });
    const opts = { dropNonPositive: logY };
    let range = zoom ?? extentX(all, opts);
    if (!range) return null;
    if (!(range[1] > range[0])) range = [range[0] - 0.5, range[0] + 0.5];
    return { a: alignToGrid(all, range[0], range[1], columns, opts), range };
  }, [lines, bands, logY, zoom, columns, width]);

  let points = 0;
  let series = 0;
  if (aligned) {
    // Points count every line drawn (faint raw ones too); series count the run or group lines.
    lines.forEach((l, i) => {
      const n = aligned.a.points[i]!;
      points += n;
      if (n > 0 && !l.faint) series++;
    });
  }
  const hasData = aligned !== null && aligned.a.maxX > -Infinity;

  useLayoutEffect(() => {
    const root = rootRef.current!;
    const meta: Meta = {
      points, series, maxX: aligned?.a.maxX ?? -Infinity, zoom,
      xAxis: props.xAxis ?? xKind, smoothed: props.smoothed ?? lines.some((l) => l.faint), logY, loading,
    };
    live.current.meta = meta;
    if (loading) root.setAttribute("data-loading", "true");
    if (!aligned || !hasData) {
      uRef.current?.destroy();
      uRef.current = null;
      // Before the first measurement there is nothing to claim yet.
      if (width > 0) writeAttrs(root, meta);
      return;
    }
    live.current.range = aligned.range;
    const a = aligned.a;
    const showPoints = lines.map((l, i) => !l.faint && a.points[i]! > 0 && a.points[i]! < columns / 12);
    const sig = JSON.stringify([lines.map((l, i) => [l.color, !!l.faint, showPoints[i]]), bands.map((b) => b.color), logY, xKind, height, !!formatX]);
    const data = [a.x, ...a.ys] as uPlot.AlignedData;
    let u = uRef.current;
    if (!u || sigRef.current !== sig) {
      u?.destroy();
      u = new uPlot(makeOptions(), data, plotRef.current!);
      uRef.current = u;
      sigRef.current = sig;
      u.over.addEventListener("dblclick", () => {
        setZoom(null);
        live.current.onZoom?.(null);
      });
      u.over.addEventListener("mouseleave", hideTip);
    } else {
      if (u.width !== width || u.height !== height) u.setSize({ width, height });
      u.setData(data);
    }

    function makeOptions(): uPlot.Options {
      const s: uPlot.Series[] = [{}];
      lines.forEach((l, i) => s.push({
        label: l.label,
        stroke: l.faint ? withAlpha(l.color, 0.28) : l.color,
        width: l.faint ? 1 : 1.5,
        spanGaps: true,
        points: { show: showPoints[i], size: 5, fill: l.color, stroke: l.color },
      }));
      const uBands: uPlot.Band[] = [];
      bands.forEach((b) => {
        const hi = s.length;
        for (let k = 0; k < 2; k++) s.push({ stroke: withAlpha(b.color, 0.3), width: 1, spanGaps: true, points: { show: false } });
        uBands.push({ series: [hi, hi + 1], fill: withAlpha(b.color, 0.14) });
      });
      const xAxis: uPlot.Axis = { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } };
      const fx = live.current.formatX;
      if (xKind === "number" && fx) xAxis.values = (_u, splits) => splits.map((v) => (v == null ? "" : fx(v)));
      return {
        width,
        height,
        legend: { show: false },
        scales: {
          x: { time: xKind === "time", range: () => live.current.range },
          y: logY ? { distr: 3, log: 10 } : {},
        },
        axes: [
          xAxis,
          {
            stroke: AXIS, size: Y_AXIS_PX, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 },
            values: (_u, splits) => splits.map((v) => (v == null ? "" : formatNumber(v))),
          },
        ],
        series: s,
        bands: uBands,
        cursor: { y: false, drag: { x: true, y: false, setScale: false }, points: { show: false } },
        hooks: {
          draw: [() => { if (live.current.meta) writeAttrs(root, live.current.meta); }],
          setSelect: [onSelect],
          setCursor: [showTip],
        },
      };
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- lines and bands change only through `aligned`
  }, [aligned, loading, width, height, logY, xKind, zoom, props.xAxis, props.smoothed]);

  function onSelect(u: uPlot) {
    const { left, width: w } = u.select;
    if (w < 3) return;
    const lo = u.posToVal(left, "x");
    const hi = u.posToVal(left + w, "x");
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (!(hi > lo)) return;
    setZoom([lo, hi]);
    live.current.onZoom?.([lo, hi]);
  }

  function hideTip() {
    tipRef.current?.remove();
  }

  function showTip(u: uPlot) {
    const { left, top } = u.cursor;
    if (left == null || top == null || left < 0) return hideTip();
    const { lines: ls, xKind: kind, formatX: fx } = live.current;
    const at = u.posToVal(left, "x");
    let tip = tipRef.current;
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tooltip";
      tip.setAttribute("data-testid", "chart-tooltip");
      tipRef.current = tip;
    }
    const head = document.createElement("div");
    head.className = "chart-tooltip-x";
    const rows: HTMLElement[] = [head];
    // The header shows the x of the data point nearest the cursor, not the cursor's own x.
    let nearX = at;
    let nearD = Infinity;
    for (const l of ls) {
      if (l.faint) continue;
      const j = nearestIndex(l.x, at);
      if (j < 0) continue;
      const d = Math.abs(l.x[j]! - at);
      if (d < nearD) {
        nearD = d;
        nearX = l.x[j]!;
      }
      const row = document.createElement("div");
      row.className = "tooltip-row";
      row.setAttribute("data-testid", "tooltip-row");
      row.setAttribute("data-run-id", l.id);
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = l.color;
      const name = document.createElement("span");
      name.className = "tooltip-name";
      name.textContent = l.label;
      const val = document.createElement("span");
      val.className = "tooltip-value";
      val.textContent = formatNumber(l.y[j]!);
      row.append(sw, name, val);
      rows.push(row);
    }
    head.textContent = kind === "time" ? formatTime(nearX) : fx ? fx(nearX) : formatNumber(nearX);
    tip.replaceChildren(...rows);
    const body = bodyRef.current!;
    if (tip.parentElement !== body) body.appendChild(tip);
    const ox = u.over.offsetLeft;
    const oy = u.over.offsetTop;
    const tw = tip.offsetWidth;
    const x = ox + left + 14 + tw > body.clientWidth ? ox + left - 14 - tw : ox + left + 14;
    tip.style.left = `${Math.max(0, x)}px`;
    tip.style.top = `${oy + top + 10}px`;
  }

  const showMessage = props.message ?? (!hasData && width > 0 ? <div className="chart-empty">{loading ? "Loading…" : "no data"}</div> : null);
  return (
    <div ref={rootRef} className="chart-panel" data-testid={testKey !== undefined ? "panel" : undefined} data-key={testKey}>
      <div className="chart-head">
        <span className="chart-title" title={title}>{title}</span>
        <span className="chart-actions">
          {zoom ? (
            <button type="button" className="chart-btn" title="Reset zoom (or double-click the plot)" onClick={() => { setZoom(null); props.onZoom?.(null); }}>
              reset zoom
            </button>
          ) : null}
          {props.actions}
        </span>
      </div>
      <div ref={bodyRef} className="chart-body" style={{ height }}>
        <div ref={plotRef} className="chart-plot" style={{ visibility: props.message ? "hidden" : undefined }} />
        {showMessage ? <div className="chart-overlay">{showMessage}</div> : null}
      </div>
    </div>
  );
}

const EMPTY_BANDS: ChartBand[] = [];
