// Owns drawing the parallel-coordinates plot (SVG): the axes parcoords.ts lays out, one polyline per
// finished trial coloured by its metric, brushing (drag along an axis to keep the lines crossing
// that range; click the axis to clear it), and a click on a line opening that trial's run.
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { formatNumber } from "../api/values";
import { navigate, paths } from "../state/router";
import { buildParcoords, lineColor, passesBrushes, type Brushes } from "./parcoords";
import type { ParamDim } from "./trials";
import type { Goal } from "./wire";

const HEIGHT = 320;
const TOP = 34;
const BOTTOM = 18;
const SIDE = 56;
const PLOT_H = HEIGHT - TOP - BOTTOM;

interface Props {
  entity: string;
  project: string;
  dims: ParamDim[];
  trials: { runId: string; flat: Record<string, unknown>; value: number }[];
  metric: { name: string; goal: Goal };
}

const yOf = (pos: number) => TOP + (1 - pos) * PLOT_H;
const posOf = (y: number) => Math.max(0, Math.min(1, 1 - (y - TOP) / PLOT_H));

export function ParallelCoords({ entity, project, dims, trials, metric }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [brushes, setBrushes] = useState<Brushes>(new Map());
  const [drag, setDrag] = useState<{ axis: number; from: number; to: number } | null>(null);

  useLayoutEffect(() => {
    const el = box.current!;
    setWidth(Math.round(el.getBoundingClientRect().width));
    const ro = new ResizeObserver((e) => setWidth(Math.round(e[0]!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const pc = useMemo(() => buildParcoords(dims, trials, metric.name), [dims, trials, metric.name]);
  const n = pc.axes.length;
  const xOf = (a: number) => (n === 1 ? width / 2 : SIDE + (a * (width - 2 * SIDE)) / (n - 1));
  const lo = Math.min(...pc.values);
  const hi = Math.max(...pc.values);

  const paths_ = useMemo(() => {
    if (width === 0) return [];
    return pc.lines.map((line) => {
      let d = "";
      let pen = false;
      line.forEach((p, a) => {
        if (p === null) { pen = false; return; }
        d += `${pen ? "L" : "M"}${xOf(a).toFixed(1)},${yOf(p).toFixed(1)}`;
        pen = true;
      });
      return d;
    });
    // xOf depends only on width and n
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pc, width]);

  const selected = pc.lines.map((l) => passesBrushes(l, brushes));
  const selectedCount = selected.filter(Boolean).length;
  // Lines outside the brushes go underneath, greyed; the best lines are drawn last, on top.
  const order = pc.lines.map((_, i) => i).sort((i, j) => {
    if (selected[i] !== selected[j]) return selected[i] ? 1 : -1;
    const gi = metric.goal === "maximize" ? pc.values[i]! : -pc.values[i]!;
    const gj = metric.goal === "maximize" ? pc.values[j]! : -pc.values[j]!;
    return gi - gj;
  });

  const setBrush = (axis: number, range: readonly [number, number] | null) => {
    setBrushes((b) => {
      const next = new Map(b);
      if (range) next.set(axis, range);
      else next.delete(axis);
      return next;
    });
  };

  const svgY = (ev: React.PointerEvent<SVGRectElement>) => ev.clientY - (ev.currentTarget.ownerSVGElement ?? ev.currentTarget).getBoundingClientRect().top;

  return (
    <div
      ref={box} className="parcoords" data-testid="parallel-coords" data-lines={width > 0 ? pc.lines.length : 0}
      data-selected={selectedCount} data-axes={pc.axes.map((a) => a.name).join(",")}
    >
      <div className="parcoords-head">
        <span className="chart-title">Parameters against {metric.name}</span>
        <span className="muted">
          {brushes.size ? <>{selectedCount} of {pc.lines.length} trials in the brushed ranges <button type="button" className="link" onClick={() => setBrushes(new Map())}>clear</button></> : "drag along an axis to filter"}
        </span>
      </div>
      {width > 0 && n > 0 ? (
        <svg width={width} height={HEIGHT} role="img" aria-label={`parallel coordinates of ${pc.lines.length} trials`}>
          <g className="pc-lines">
            {order.map((i) => (
              <path
                key={trials[i]!.runId} d={paths_[i]} fill="none" className="pc-line"
                stroke={selected[i] ? lineColor(pc.values[i]!, lo, hi, metric.goal) : "#d5d9e2"} strokeOpacity={selected[i] ? 0.85 : 0.5}
                strokeWidth={selected[i] ? 1.5 : 1} data-run-id={trials[i]!.runId}
                onClick={() => navigate(paths.run(entity, project, trials[i]!.runId))}
              >
                <title>{`${trials[i]!.runId}: ${metric.name} = ${formatNumber(pc.values[i]!)}`}</title>
              </path>
            ))}
          </g>
          {pc.axes.map((axis, a) => {
            const x = xOf(a);
            const b = drag?.axis === a ? ([Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)] as const) : brushes.get(a);
            const isMetric = a === n - 1;
            return (
              <g key={axis.name} className={`pc-axis${isMetric ? " pc-metric" : ""}`} data-axis={axis.name} data-kind={axis.kind}>
                <text x={x} y={14} textAnchor="middle" className="pc-axis-title">{axis.name.length > 22 ? `…${axis.name.slice(-21)}` : axis.name}</text>
                {axis.kind === "log" ? <text x={x} y={27} textAnchor="middle" className="pc-axis-kind">log scale</text> : null}
                <line x1={x} x2={x} y1={TOP} y2={TOP + PLOT_H} className="pc-axis-line" />
                {axis.ticks.map((t) => (
                  <g key={`${t.pos}:${t.label}`}>
                    <line x1={x - 3} x2={x} y1={yOf(t.pos)} y2={yOf(t.pos)} className="pc-axis-line" />
                    <text x={x - 5} y={yOf(t.pos) + 3} textAnchor="end" className="pc-tick">{t.label.length > 12 ? `${t.label.slice(0, 11)}…` : t.label}</text>
                  </g>
                ))}
                {b ? <rect x={x - 8} width={16} y={yOf(b[1])} height={Math.max(1, yOf(b[0]) - yOf(b[1]))} className="pc-brush" /> : null}
                <rect
                  x={x - 12} width={24} y={TOP - 4} height={PLOT_H + 8} className="pc-brush-target" data-testid="pc-axis" data-axis={axis.name}
                  onPointerDown={(ev) => {
                    ev.currentTarget.setPointerCapture(ev.pointerId);
                    const p = posOf(svgY(ev));
                    setDrag({ axis: a, from: p, to: p });
                  }}
                  onPointerMove={(ev) => { if (drag?.axis === a) setDrag({ ...drag, to: posOf(svgY(ev)) }); }}
                  onPointerUp={() => {
                    if (drag?.axis !== a) return;
                    const range = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)] as const;
                    // A click (no real drag) clears the axis's brush.
                    setBrush(a, range[1] - range[0] < 0.01 ? null : range);
                    setDrag(null);
                  }}
                />
              </g>
            );
          })}
        </svg>
      ) : null}
      {pc.lines.length === 0 ? <div className="muted pad">No finished trials with a {metric.name} yet.</div> : null}
    </div>
  );
}
