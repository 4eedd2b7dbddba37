// Owns one histogram key's panel: fetching the key's histograms (sampled to about one per pixel
// column), drawing them as a canvas heatmap (x = step, y = value, colour = count on a log-like
// scale), the hover tooltip, refreshing while the run is live, and the panel's test attributes.
// Re-binning and geometry live in heatmap.ts.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { api, type HistogramSeriesResponse, type ProjectRef } from "../api/client";
import { formatNumber } from "../api/values";
import { ErrorBox } from "../ui/common";
import { buildHeatmap, cellAt, colourOf, columnAt, columnEdges, intensity, type Heatmap } from "./heatmap";

export interface HistogramPanelProps {
  project: ProjectRef;
  runId: string;
  histKey: string;
  /** Refetch every few seconds (the run is still logging). */
  running?: boolean;
  height?: number;
}

const LEFT_PX = 56;
const BOTTOM_PX = 20;
const TOP_PX = 8;
const RIGHT_PX = 6;
const MAX_STEPS = 2000;
const REFRESH_MS = 5_000;
const AXIS = "#6b7280";
const GRID = "#e3e6ee";

interface Fetched { reply: HistogramSeriesResponse; maxSteps: number }

export function HistogramPanel({ project, runId, histKey, running = false, height = 220 }: HistogramPanelProps) {
  const rootRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [data, setData] = useState<Fetched | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [tip, setTip] = useState<{ x: number; y: number; text: string[] } | null>(null);

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

  const plotW = Math.max(10, width - LEFT_PX - RIGHT_PX);
  const plotH = Math.max(10, height - BOTTOM_PX - TOP_PX);
  // About one histogram per pixel column, in steps of 100 so resizing refetches rarely.
  const maxSteps = Math.min(MAX_STEPS, Math.max(100, Math.ceil(plotW / 100) * 100));

  useEffect(() => {
    if (width === 0) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.histograms(project, runId, { key: histKey, maxSteps }, ctrl.signal).then(
        (reply) => {
          setData({ reply, maxSteps });
          setError(null);
          if (running) timer = setTimeout(load, REFRESH_MS);
        },
        (e: unknown) => {
          if (!ctrl.signal.aborted) setError(e);
        },
      );
    };
    load();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [project.entity, project.project, runId, histKey, maxSteps, running, attempt, width === 0]);

  const hm = useMemo<Heatmap | null>(() => {
    if (!data || data.reply.steps.length === 0) return null;
    return buildHeatmap(data.reply.steps, data.reply.histograms, Math.max(8, Math.min(128, Math.round(plotH / 3))));
  }, [data, plotH]);
  const edges = useMemo(() => (hm ? columnEdges(hm.steps, plotW) : [0]), [hm, plotW]);

  useLayoutEffect(() => {
    const root = rootRef.current!;
    const canvas = canvasRef.current;
    if (data === null) {
      root.setAttribute("data-loading", "true");
      return;
    }
    root.removeAttribute("data-loading");
    if (!canvas || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (hm) draw(ctx, hm, edges, plotW, plotH);
    root.setAttribute("data-steps", String(hm?.steps.length ?? 0));
    root.setAttribute("data-count", String(data.reply.count));
  }, [data, hm, edges, width, height, plotW, plotH]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!hm) return;
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left - LEFT_PX;
    const y = e.clientY - r.top - TOP_PX;
    const col = columnAt(edges, x);
    const row = hm.rows - 1 - Math.floor((y / plotH) * hm.rows);
    const cell = y >= 0 && y < plotH ? cellAt(hm, col, row) : null;
    if (!cell) return setTip(null);
    setTip({
      x: e.clientX - r.left,
      y: e.clientY - r.top,
      text: [`step ${cell.step.toLocaleString("en")}`, `${formatNumber(cell.lo)} to ${formatNumber(cell.hi)}`, `count ${formatNumber(Number(cell.count.toPrecision(4)))}`],
    });
  };

  const sampled = data !== null && data.reply.count > data.reply.steps.length;
  let message: React.ReactNode = null;
  if (error) message = <ErrorBox error={error} what={`${histKey} histograms`} retry={() => setAttempt((a) => a + 1)} />;
  else if (data === null) message = <div className="chart-empty">Loading…</div>;
  else if (!hm) message = <div className="chart-empty">no data</div>;
  return (
    <div ref={rootRef} className="chart-panel histogram-panel" data-testid="histogram-panel" data-key={histKey}>
      <div className="chart-head">
        <span className="chart-title" title={histKey}>{histKey}</span>
        {data ? (
          <span className="muted small" title={sampled ? `${data.reply.steps.length} of ${data.reply.count} steps drawn, evenly sampled` : undefined}>
            {sampled ? `${data.reply.steps.length} of ${data.reply.count.toLocaleString("en")} steps` : `${data.reply.count.toLocaleString("en")} steps`}
          </span>
        ) : null}
      </div>
      <div ref={bodyRef} className="chart-body" style={{ height }}>
        <canvas ref={canvasRef} className="chart-plot" onMouseMove={onMove} onMouseLeave={() => setTip(null)} style={{ visibility: message ? "hidden" : undefined }} />
        {tip ? (
          <div
            className="chart-tooltip"
            data-testid="histogram-tooltip"
            style={{ left: tip.x + 14 + 160 > width ? Math.max(0, tip.x - 170) : tip.x + 14, top: tip.y + 10 }}
          >
            <div className="chart-tooltip-x">{tip.text[0]}</div>
            <div>{tip.text[1]}</div>
            <div className="tooltip-value">{tip.text[2]}</div>
          </div>
        ) : null}
        {message ? <div className="chart-overlay">{message}</div> : null}
      </div>
    </div>
  );
}

/** Cells as rectangles (row 0 at the bottom), then the axes: value labels left, steps below. */
function draw(ctx: CanvasRenderingContext2D, hm: Heatmap, edges: readonly number[], w: number, h: number): void {
  const rowH = h / hm.rows;
  for (let c = 0; c < hm.steps.length; c++) {
    const x0 = LEFT_PX + edges[c]!;
    // Overlap by half a pixel so neighbouring columns leave no hairline gaps.
    const cw = edges[c + 1]! - edges[c]! + 0.5;
    for (let r = 0; r < hm.rows; r++) {
      const rgb = colourOf(intensity(hm.cells[c * hm.rows + r]!, hm.max));
      if (!rgb) continue;
      ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
      ctx.fillRect(x0, TOP_PX + h - (r + 1) * rowH, cw, rowH + 0.5);
    }
  }
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.strokeRect(LEFT_PX - 0.5, TOP_PX - 0.5, w + 1, h + 1);
  ctx.fillStyle = AXIS;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const f of [0, 0.5, 1]) ctx.fillText(formatNumber(Number((hm.lo + (hm.hi - hm.lo) * f).toPrecision(4))), LEFT_PX - 6, TOP_PX + h - f * h);
  ctx.textBaseline = "top";
  const first = hm.steps[0]!;
  const last = hm.steps[hm.steps.length - 1]!;
  ctx.textAlign = "left";
  ctx.fillText(first.toLocaleString("en"), LEFT_PX + 2, TOP_PX + h + 4);
  if (last !== first) {
    ctx.textAlign = "right";
    ctx.fillText(last.toLocaleString("en"), LEFT_PX + w - 2, TOP_PX + h + 4);
  }
  ctx.textAlign = "center";
  ctx.fillText("step", LEFT_PX + w / 2, TOP_PX + h + 4);
}
