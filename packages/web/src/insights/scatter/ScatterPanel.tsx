// Owns the workspace's scatter panel: any two keys (config, summary or run fields such as runtime
// and createdAt) over every run matching the workspace's filter and brushes, coloured by a third.
// Points are drawn into a pixel buffer (points.ts); hovering finds the nearest point through a
// uniform grid (grid.ts) and shows the run; a click opens it.
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { ErrorBox } from "../../ui/common";
import type { InsightPanelProps, ScatterConfig } from "../context";
import { KeySelect } from "../KeySelect";
import { keyOptions } from "../keys";
import { Legend } from "../Legend";
import { colorScale, css, invert, makeScale, pack, ticks, toColumn, valueLabel, type Cell, type Column, type Scale } from "../scale";
import { parseScatterConfig, serializeScatterConfig } from "../url";
import { useRunValues } from "../useValues";
import { drawOrder } from "../parcoords/raster";
import { buildGrid, nearest, type SpatialGrid } from "./grid";
import { drawPoints, pixelAxis } from "./points";

const HEIGHT = 340;
const M = { left: 64, right: 16, top: 10, bottom: 34 };
const PLOT_H = HEIGHT - M.top - M.bottom;
/** Up to this many points are drawn as anti-aliased circles; above, as squares in a pixel buffer. */
const CIRCLE_LIMIT = 5000;
const HOVER_PX = 8;
const WHITE = pack(255, 255, 255);

interface Model {
  n: number;
  ids: string[];
  names: string[];
  cells: Record<string, Cell[]>;
  x: Column;
  y: Column;
  xs: Scale;
  ys: Scale;
  px: Float32Array;
  py: Float32Array;
  colors: ReturnType<typeof colorScale>;
  order: Uint32Array;
  /** onTop[i]: run i's place in the draw order. */
  onTop: Uint32Array;
  grid: SpatialGrid;
  points: number;
}

function build(cfg: ScatterConfig, data: { ids: string[]; names: string[]; columns: Record<string, Cell[]> }, width: number): Model | null {
  const xc = data.columns[cfg.x];
  const yc = data.columns[cfg.y];
  if (!xc || !yc || width <= M.left + M.right) return null;
  const n = data.ids.length;
  const x = toColumn(cfg.x, xc);
  const y = toColumn(cfg.y, yc);
  const xs = makeScale(x, { log: cfg.logX, pad: 0.03 });
  const ys = makeScale(y, { log: cfg.logY, pad: 0.04 });
  const plotW = width - M.left - M.right;
  const px = pixelAxis(x, xs, M.left, plotW);
  const py = pixelAxis(y, ys, M.top + PLOT_H, -PLOT_H);
  const cc = cfg.color ? data.columns[cfg.color] : undefined;
  const colors = colorScale(n, cc ? toColumn(cfg.color, cc) : null);
  const order = drawOrder(colors.rank);
  const onTop = new Uint32Array(n);
  for (let k = 0; k < n; k++) onTop[order[k]!] = k;
  let points = 0;
  for (let i = 0; i < n; i++) if (px[i] === px[i] && py[i] === py[i]) points++;
  return {
    n, ids: data.ids, names: data.names, cells: data.columns, x, y, xs, ys, px, py, colors, order, onTop,
    grid: buildGrid(px, py, width, HEIGHT, 8), points,
  };
}

function paint(c: CanvasRenderingContext2D, m: Model, width: number): void {
  if (m.n <= CIRCLE_LIMIT) {
    c.clearRect(0, 0, width, HEIGHT);
    const r = m.n <= 1000 ? 3.5 : 2.5;
    let path: Path2D | null = null;
    let color = -1;
    const flush = () => { if (path) { c.fillStyle = css(color); c.globalAlpha = 0.85; c.fill(path); } };
    for (let k = 0; k < m.order.length; k++) {
      const i = m.order[k]!;
      const x = m.px[i]!;
      const y = m.py[i]!;
      if (x !== x || y !== y) continue;
      const col = m.colors.colors[i]!;
      // Consecutive points of one colour share a path (the draw order groups colours already).
      if (col !== color) { flush(); path = new Path2D(); color = col; }
      path!.moveTo(x + r, y);
      path!.arc(x, y, r, 0, Math.PI * 2);
    }
    flush();
    c.globalAlpha = 1;
    return;
  }
  const img = c.createImageData(width, HEIGHT);
  const buf = new Uint32Array(img.data.buffer);
  buf.fill(WHITE);
  drawPoints(buf, width, HEIGHT, m.px, m.py, m.order, m.colors.colors, 3);
  c.putImageData(img, 0, 0);
}

export function ScatterPanel({ ctx, config, onConfig }: InsightPanelProps) {
  const cfg = useMemo(() => parseScatterConfig(config), [config]);
  const setCfg = (patch: Partial<ScatterConfig>) => onConfig(serializeScatterConfig({ ...cfg, ...patch }));
  const keys = [...new Set([cfg.x, cfg.y, cfg.color].filter(Boolean))];
  const values = useRunValues(ctx.project, keys, ctx.filter, ctx.search, !!cfg.x && !!cfg.y);

  const root = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = root.current!;
    setWidth(Math.floor(el.getBoundingClientRect().width));
    const ro = new ResizeObserver((e) => setWidth(Math.floor(e[0]!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const data = values.data;
  const model = useMemo(
    () => (data ? build(cfg, data as { ids: string[]; names: string[]; columns: Record<string, Cell[]> }, width) : null),
    [data, cfg, width],
  );
  const [drawnMs, setDrawnMs] = useState<number | null>(null);
  useLayoutEffect(() => {
    if (!model || !canvas.current) return;
    const t = performance.now();
    paint(canvas.current.getContext("2d")!, model, width);
    setDrawnMs(performance.now() - t);
  }, [model, width]);

  const [hover, setHover] = useState<{ i: number; ms: number } | null>(null);
  const onMove = (ev: React.PointerEvent<HTMLCanvasElement>) => {
    if (!model) return;
    const t = performance.now();
    const box = ev.currentTarget.getBoundingClientRect();
    const i = nearest(model.grid, ev.clientX - box.left, ev.clientY - box.top, HOVER_PX, model.onTop);
    const ms = performance.now() - t;
    if (i !== (hover?.i ?? -1)) setHover(i < 0 ? null : { i, ms });
  };

  const options = useMemo(() => keyOptions(ctx.keys), [ctx.keys]);
  const plotW = Math.max(0, width - M.left - M.right);
  const domain = (s: Scale | undefined) => (s && s.kind !== "category" ? `${invert({ ...s, flip: false }, 0)},${invert({ ...s, flip: false }, 1)}` : undefined);
  const h = hover && model && hover.i < model.n ? hover.i : -1;
  const ready = !!model && !values.loading;

  return (
    <div
      ref={root} className="ins-sc" data-testid="scatter" data-points={model ? model.points : 0}
      data-loading={values.loading || !model ? "true" : "false"}
      data-x-scale={model?.xs.kind} data-y-scale={model?.ys.kind}
      data-x-domain={domain(model?.xs)} data-y-domain={domain(model?.ys)}
      data-plot={`${M.left},${M.top},${plotW},${PLOT_H}`}
      data-draw-ms={drawnMs === null ? undefined : drawnMs.toFixed(1)}
    >
      <div className="ins-sc-plot" style={{ height: HEIGHT }}>
        <canvas
          ref={canvas} width={width} height={HEIGHT} style={{ width, height: HEIGHT, cursor: h >= 0 ? "pointer" : "crosshair" }}
          onPointerMove={onMove} onPointerLeave={() => setHover(null)}
          onClick={() => { if (model && h >= 0) ctx.openRun(model.ids[h]!); }}
        />
        {model ? (
          <>
            <div className="ins-sc-frame" style={{ left: M.left, top: M.top, width: plotW, height: PLOT_H }} />
            {ticks(model.xs, model.x, Math.max(2, Math.floor(plotW / 110))).map((t) => (
              <span key={`x${t.pos}:${t.label}`} className="ins-sc-xtick" style={{ left: M.left + t.pos * plotW, top: M.top + PLOT_H + 4 }}>{t.label}</span>
            ))}
            {ticks(model.ys, model.y, 5).map((t) => (
              <span key={`y${t.pos}:${t.label}`} className="ins-sc-ytick" style={{ left: M.left - 6, top: M.top + (1 - t.pos) * PLOT_H }}>{t.label}</span>
            ))}
          </>
        ) : null}
        {model && h >= 0 ? (
          <>
            <div className="ins-sc-ring" style={{ left: model.px[h]!, top: model.py[h]! }} />
            <div
              className="ins-tooltip" data-testid="scatter-tooltip" data-run-id={model.ids[h]} data-hover-ms={hover!.ms.toFixed(2)}
              style={{ left: Math.min(model.px[h]! + 12, width - 220), top: Math.max(0, model.py[h]! - 10) }}
            >
              <strong>{model.names[h]}</strong> <span className="muted">{model.ids[h]}</span>
              {[...new Set([cfg.x, cfg.y, cfg.color].filter(Boolean))].map((k) => (
                <div key={k}><span className="muted">{k}</span> {valueLabel(k, model.cells[k]?.[h])}</div>
              ))}
            </div>
          </>
        ) : null}
        {!ready && !values.error && cfg.x && cfg.y ? <div className="ins-overlay muted">Loading runs…</div> : null}
        {ready && model!.n === 0 ? <div className="ins-overlay muted">No runs match.</div> : null}
      </div>
      {values.error ? <ErrorBox error={values.error} what="run values" /> : null}
      <div className="ins-foot">
        <KeySelect testId="scatter-x" label="x" value={cfg.x} options={options} onChange={(x) => setCfg({ x })} />
        <label className="ins-check"><input type="checkbox" data-testid="scatter-log-x" checked={cfg.logX} onChange={(ev) => setCfg({ logX: ev.currentTarget.checked })} /> log</label>
        <KeySelect testId="scatter-y" label="y" value={cfg.y} options={options} onChange={(y) => setCfg({ y })} />
        <label className="ins-check"><input type="checkbox" data-testid="scatter-log-y" checked={cfg.logY} onChange={(ev) => setCfg({ logY: ev.currentTarget.checked })} /> log</label>
        <KeySelect testId="scatter-color" label="colour by" value={cfg.color} options={options} allowNone onChange={(color) => setCfg({ color })} />
        {model ? <Legend legend={model.colors.legend} /> : null}
        <span className="muted ins-count">
          {model ? <>{model.points.toLocaleString("en")} points{model.points < model.n ? ` (${(model.n - model.points).toLocaleString("en")} runs lack a value)` : ""}</> : null}
          {data?.truncated ? <> · the newest {data.ids.length.toLocaleString("en")} of {data.total.toLocaleString("en")}</> : null}
        </span>
      </div>
    </div>
  );
}
