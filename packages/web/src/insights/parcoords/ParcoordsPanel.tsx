// Owns the workspace's parallel-coordinates panel: one axis per chosen key (config, summary or run
// field), one line per run matching the user's filter, coloured by a key. Axes move (buttons or drag
// the title), take a log scale or flip; dragging along an axis brushes it. A brush move selects and
// redraws right in the pointer handler (plot.ts), with no React render in between; letting go writes
// the brush to the URL, which narrows the runs table and every other panel.
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { ErrorBox } from "../../ui/common";
import { brushLabel, roundRange } from "../brush";
import type { Brush, InsightPanelProps, ParcoordsConfig } from "../context";
import { keyOptions, shortKey } from "../keys";
import { invert, position, ticks, type Scale } from "../scale";
import { parseParcoordsConfig, serializeBrushes, serializeParcoordsConfig, withBrush } from "../url";
import { useRunValues } from "../useValues";
import { Legend } from "../Legend";
import { KeySelect } from "../KeySelect";
import { ParcoordsPlot, type PlacedAxis } from "./plot";

const HEIGHT = 320;
const TOP = 12;
const PLOT_H = HEIGHT - TOP - 14;
const SIDE = 72;
/** A press that moves less than this is a click: it clears the axis's brush. */
const CLICK_PX = 3;
/** The brushing strip reaches this far past both ends of the axis, so a drag from the very end takes in its extreme. */
const OVERHANG = 8;

const yOf = (pos: number) => TOP + (1 - pos) * PLOT_H;
const posOf = (y: number) => Math.max(0, Math.min(1, (TOP + PLOT_H - y) / PLOT_H));
const uniq = (xs: string[]) => [...new Set(xs.filter(Boolean))];

/** Keeps the drag's moves coming to this element; a pointer the browser does not know (a scripted event) just is not captured. */
function capture(ev: React.PointerEvent<HTMLElement>): void {
  try {
    ev.currentTarget.setPointerCapture(ev.pointerId);
  } catch {
    /* not an active pointer */
  }
}

/** The brush a drag from y0 to y1 (pixels) makes on an axis, or null when it covers no category. */
function dragBrush(axis: PlacedAxis, y0: number, y1: number, round: boolean): Brush | null {
  const p0 = posOf(Math.max(y0, y1));
  const p1 = posOf(Math.min(y0, y1));
  if (axis.column.kind === "category") {
    const cats = axis.column.categories.filter((_, c) => {
      const p = position(axis.scale, c);
      return p >= p0 && p <= p1;
    });
    return cats.length ? { key: axis.key, kind: "cats", values: cats } : null;
  }
  const a = invert(axis.scale, p0);
  const b = invert(axis.scale, p1);
  let lo = Math.min(a, b);
  let hi = Math.max(a, b);
  if (round) [lo, hi] = roundRange(lo, hi, axis.scale.hi - axis.scale.lo, axis.scale.kind === "log");
  return { key: axis.key, kind: "range", lo, hi };
}

/** The pixel span a brush covers on an axis, for its rectangle. */
function brushSpan(axis: PlacedAxis, b: Brush): [number, number] | null {
  const s: Scale = axis.scale;
  if (b.kind === "range" && axis.column.kind === "number") {
    const clampPos = (v: number) => {
      const p = s.kind === "log" && !(v > 0) ? (s.flip ? 1 : 0) : position(s, v);
      return Math.max(0, Math.min(1, p));
    };
    const ya = yOf(clampPos(b.lo));
    const yb = yOf(clampPos(b.hi));
    return [Math.min(ya, yb), Math.max(ya, yb)];
  }
  if (b.kind === "cats" && axis.column.kind === "category") {
    const col = axis.column;
    const ps = b.values.map((v) => col.categories.indexOf(v)).filter((c) => c >= 0).map((c) => position(s, c));
    if (!ps.length) return null;
    const half = 0.5 / Math.max(1, s.count);
    return [yOf(Math.min(1, Math.max(...ps) + half)), yOf(Math.max(0, Math.min(...ps) - half))];
  }
  return null;
}

export function ParcoordsPanel({ ctx, config, onConfig }: InsightPanelProps) {
  const cfg = useMemo(() => parseParcoordsConfig(config), [config]);
  const setCfg = useCallback((patch: Partial<ParcoordsConfig>) => onConfig(serializeParcoordsConfig({ ...cfg, ...patch })), [cfg, onConfig]);

  // Load the axes, the colour key, and any brushed key (a brush set elsewhere still narrows the selection).
  // Keys already loaded are not asked again when a brush or axis goes away.
  const want = uniq([...cfg.keys, cfg.color, ...ctx.brushes.map((b) => b.key)]).slice(0, 32);
  const loadRef = useRef<string[]>([]);
  if (!want.every((k) => loadRef.current.includes(k))) loadRef.current = [...want].sort();
  const values = useRunValues(ctx.project, loadRef.current, ctx.userFilter, ctx.search, want.length > 0);
  const plot = useMemo(() => (values.data ? new ParcoordsPlot(values.data) : null), [values.data]);

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

  // Geometry: redone when data, size, axes, scales or colours change.
  const axesSig = `${cfg.keys.join("\n")}|${cfg.log.join("\n")}|${cfg.flip.join("\n")}|${cfg.color}`;
  const [layoutVersion, setLayoutVersion] = useState(0);
  useLayoutEffect(() => {
    if (!plot || width === 0) return;
    plot.setColor(cfg.color);
    plot.layout(cfg.keys.map((key) => ({ key, log: cfg.log.includes(key), flip: cfg.flip.includes(key) })), width, HEIGHT, TOP, PLOT_H, SIDE);
    setLayoutVersion((v) => v + 1);
  }, [plot, width, axesSig]); // eslint-disable-line react-hooks/exhaustive-deps

  // Drawing: on every change of the brushes (live while dragging, then the committed ones).
  const [drag, setDrag] = useState<{ key: string; from: number; to: number } | null>(null);
  const [selected, setSelected] = useState(0);
  const drawn = useRef("");
  const draws = useRef(0);
  const redraw = useCallback((brushes: readonly Brush[]) => {
    if (!plot || !canvas.current) return;
    const sig = `${layoutVersion}\n${serializeBrushes(brushes) ?? ""}`;
    if (sig === drawn.current) return;
    drawn.current = sig;
    const count = plot.update(canvas.current.getContext("2d"), brushes);
    draws.current++;
    // Set right away (not on the next render) so a reader of the attributes sees this very draw.
    const el = root.current!;
    el.setAttribute("data-selected", String(count));
    el.setAttribute("data-draw-ms", plot.lastDrawMs.toFixed(1));
    el.setAttribute("data-draws", String(draws.current));
    setSelected(count);
  }, [plot, layoutVersion]);

  const liveBrushes = (d: typeof drag): Brush[] => {
    if (!d || !plot) return ctx.brushes;
    const axis = plot.axes.find((a) => a.key === d.key);
    return axis ? withBrush(ctx.brushes, d.key, dragBrush(axis, d.from, d.to, false)) : ctx.brushes;
  };
  useLayoutEffect(() => { if (layoutVersion > 0) redraw(liveBrushes(drag)); });

  // Brushing: pointer handlers on each axis strip.
  const onDown = (key: string) => (ev: React.PointerEvent<HTMLDivElement>) => {
    capture(ev);
    const y = ev.clientY - ev.currentTarget.getBoundingClientRect().top + TOP - OVERHANG;
    setDrag({ key, from: y, to: y });
  };
  const onMove = (key: string) => (ev: React.PointerEvent<HTMLDivElement>) => {
    if (!drag || drag.key !== key) return;
    const y = ev.clientY - ev.currentTarget.getBoundingClientRect().top + TOP - OVERHANG;
    const next = { ...drag, to: y };
    redraw(liveBrushes(next));
    setDrag(next);
  };
  const onUp = (key: string) => () => {
    if (!drag || drag.key !== key || !plot) return;
    const axis = plot.axes.find((a) => a.key === key);
    setDrag(null);
    if (!axis) return;
    const b = Math.abs(drag.to - drag.from) < CLICK_PX ? null : dragBrush(axis, drag.from, drag.to, true);
    ctx.setBrush(key, b);
  };

  // Moving axes by dragging the title.
  const [move, setMove] = useState<{ key: string; x0: number; dx: number } | null>(null);
  const moveTo = (key: string, to: number) => {
    const keys = cfg.keys.filter((k) => k !== key);
    keys.splice(Math.max(0, Math.min(keys.length, to)), 0, key);
    setCfg({ keys });
  };
  const step = (key: string, by: number) => moveTo(key, cfg.keys.indexOf(key) + by);
  const toggle = (list: "log" | "flip", key: string) => setCfg({ [list]: cfg[list].includes(key) ? cfg[list].filter((k) => k !== key) : [...cfg[list], key] });

  const options = useMemo(() => keyOptions(ctx.keys), [ctx.keys]);
  const axes = plot && layoutVersion > 0 ? plot.axes : [];
  const axesAttr = cfg.keys.map((k) => [k, ...(cfg.log.includes(k) ? ["log"] : []), ...(cfg.flip.includes(k) ? ["flip"] : [])].join(":")).join(",");
  const brushFor = (key: string) => liveBrushes(drag).find((b) => b.key === key) ?? null;
  const data = values.data;
  const ready = !!plot && layoutVersion > 0 && values.keys.length > 0;

  return (
    <div
      ref={root} className="ins-pc" data-testid="parcoords" data-runs={ready ? plot!.n : 0} data-selected={ready ? selected : 0}
      data-axes={axesAttr} data-loading={values.loading || !ready ? "true" : "false"}
    >
      <div className="ins-pc-heads" style={{ height: 46 }}>
        {axes.map((a, i) => {
          const isMoving = move?.key === a.key;
          return (
            <div
              key={a.key} className="ins-pc-head" data-key={a.key}
              style={{ left: a.x, transform: `translateX(calc(-50% + ${isMoving ? move.dx : 0}px))`, zIndex: isMoving ? 2 : 1 }}
            >
              <div
                className="ins-pc-title" title={`${a.key} (drag to move)`}
                onPointerDown={(ev) => { capture(ev); setMove({ key: a.key, x0: ev.clientX, dx: 0 }); }}
                onPointerMove={(ev) => { if (move?.key === a.key) setMove({ ...move, dx: ev.clientX - move.x0 }); }}
                onPointerUp={() => {
                  if (move?.key !== a.key) return;
                  setMove(null);
                  if (Math.abs(move.dx) < 4) return;
                  const x = a.x + move.dx;
                  let best = 0;
                  axes.forEach((o, j) => { if (Math.abs(o.x - x) < Math.abs(axes[best]!.x - x)) best = j; });
                  if (best !== i) moveTo(a.key, best);
                }}
              >{shortKey(a.key)}</div>
              <div className="ins-pc-tools">
                <button type="button" data-testid="parcoords-move-left" data-key={a.key} disabled={i === 0} onClick={() => step(a.key, -1)} title="move left">◀</button>
                {a.column.kind === "number" ? (
                  <button type="button" data-testid="parcoords-log" data-key={a.key} aria-pressed={a.log} className={a.log ? "on" : ""} onClick={() => toggle("log", a.key)} title="log scale">log</button>
                ) : null}
                <button type="button" data-testid="parcoords-flip" data-key={a.key} aria-pressed={a.flip} className={a.flip ? "on" : ""} onClick={() => toggle("flip", a.key)} title="flip">⇅</button>
                <button type="button" data-testid="parcoords-move-right" data-key={a.key} disabled={i === axes.length - 1} onClick={() => step(a.key, 1)} title="move right">▶</button>
                <button type="button" data-testid="parcoords-remove-axis" data-key={a.key} onClick={() => setCfg({ keys: cfg.keys.filter((k) => k !== a.key) })} title="remove axis">×</button>
              </div>
            </div>
          );
        })}
      </div>
      <div className="ins-pc-plot" style={{ height: HEIGHT }}>
        <canvas ref={canvas} width={width} height={HEIGHT} style={{ width, height: HEIGHT }} />
        {axes.map((a) => {
          const b = brushFor(a.key);
          const span = b ? brushSpan(a, b) : null;
          return (
            <div key={a.key}>
              <div className="ins-pc-axisline" style={{ left: a.x, top: TOP, height: PLOT_H }} />
              {ticks(a.scale, a.column, 5).map((t) => (
                <span key={`${t.pos}:${t.label}`} className="ins-pc-tick" style={{ left: a.x - 4, top: yOf(t.pos) }}>
                  {t.label.length > 14 ? `${t.label.slice(0, 13)}…` : t.label}
                </span>
              ))}
              {span ? <div className="ins-pc-brush" style={{ left: a.x - 7, top: span[0], height: Math.max(2, span[1] - span[0]) }} /> : null}
              <div
                className="ins-pc-strip" data-testid="parcoords-axis" data-key={a.key} data-log={String(a.log)} data-flip={String(a.flip)}
                data-kind={a.column.kind} style={{ left: a.x - 12, top: TOP - OVERHANG, height: PLOT_H + 2 * OVERHANG }}
                onPointerDown={onDown(a.key)} onPointerMove={onMove(a.key)} onPointerUp={onUp(a.key)}
                title={b ? `${brushLabel(b, a.scale.time)} (click to clear)` : "drag to brush"}
              />
            </div>
          );
        })}
        {!ready && !values.error ? <div className="ins-overlay muted">Loading runs…</div> : null}
        {ready && plot!.n === 0 ? <div className="ins-overlay muted">No runs match.</div> : null}
        {ready && cfg.keys.length === 0 ? <div className="ins-overlay muted">Add an axis below.</div> : null}
      </div>
      {values.error ? <ErrorBox error={values.error} what="run values" /> : null}
      <div className="ins-foot">
        <KeySelect
          testId="parcoords-add-axis" label="add axis" value="" options={options.filter((o) => !cfg.keys.includes(o.value))}
          onChange={(k) => { if (k && cfg.keys.length < 31) setCfg({ keys: [...cfg.keys, k] }); }}
        />
        <KeySelect testId="parcoords-color" label="colour by" value={cfg.color} options={options} allowNone onChange={(color) => setCfg({ color })} />
        {plot ? <Legend legend={plot.colors.legend} /> : null}
        <span className="muted ins-count">
          {ready ? <>{plot!.n.toLocaleString("en")} runs{ctx.brushes.length ? <> · <strong>{selected.toLocaleString("en")}</strong> in the brushes</> : " · drag along an axis to brush"}</> : null}
          {data?.truncated ? <> · the newest {data.ids.length.toLocaleString("en")} of {data.total.toLocaleString("en")}</> : null}
        </span>
      </div>
    </div>
  );
}
