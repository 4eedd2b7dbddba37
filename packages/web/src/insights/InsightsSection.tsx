// Owns the workspace's Insights section (between the runs table and the metric charts): the panel
// list kept in the URL (`ins=`, insights/url.ts), the "Add panel" menu, each panel's frame with its
// remove button, and the brush chips. Panels are code-split and mount only once their frame comes
// near the viewport, so a workspace that never scrolls to them never loads their data.
import { lazy, Suspense, useEffect, useRef, useState, type ComponentType } from "react";
import { brushLabel } from "./brush";
import type { InsightKind, InsightPanelProps, InsightPanelSpec, PanelContext } from "./context";
import { defaultParcoords, defaultScatter } from "./keys";
import { TIME_KEYS } from "./scale";
import { parsePanels, serializeParcoordsConfig, serializePanels, serializeScatterConfig } from "./url";

const named = <K extends string>(load: () => Promise<Record<K, ComponentType<InsightPanelProps>>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));

const KINDS: Record<InsightKind, { name: string; title: string; wide: boolean; component: ComponentType<InsightPanelProps> }> = {
  pc: { name: "parcoords", title: "Parallel coordinates", wide: true, component: named(() => import("./parcoords/ParcoordsPanel"), "ParcoordsPanel") },
  sc: { name: "scatter", title: "Scatter", wide: false, component: named(() => import("./scatter/ScatterPanel"), "ScatterPanel") },
  imp: { name: "importance", title: "Parameter importance", wide: false, component: named(() => import("./ImportancePanel"), "ImportancePanel") },
  sl: { name: "slices", title: "Slices", wide: false, component: named(() => import("./SlicesPanel"), "SlicesPanel") },
};
const BY_NAME = new Map(Object.entries(KINDS).map(([k, v]) => [v.name, k as InsightKind]));

/** The config a new panel of this kind starts with. */
export function initialConfig(kind: InsightKind, keys: PanelContext["keys"]): string {
  if (kind === "pc") return serializeParcoordsConfig(defaultParcoords(keys));
  if (kind === "sc") return serializeScatterConfig(defaultScatter(keys));
  return "";
}

interface Props {
  ctx: PanelContext;
  /** The raw `ins=` value. */
  value: string;
  onChange(next: string): void;
}

export function InsightsSection({ ctx, value, onChange }: Props) {
  const panels = parsePanels(value);
  const write = (next: InsightPanelSpec[]) => onChange(serializePanels(next) ?? "");
  const add = (kind: InsightKind) => write([...panels, { kind, config: initialConfig(kind, ctx.keys) }]);

  return (
    <section className="ins-section" data-testid="insights-section" aria-label="insights">
      <div className="ins-bar">
        <h3>Insights</h3>
        <select
          data-testid="insights-add" value="" aria-label="Add panel"
          onChange={(ev) => { const k = BY_NAME.get(ev.currentTarget.value); if (k) add(k); }}
        >
          <option value="">Add panel…</option>
          {Object.values(KINDS).map((k) => <option key={k.name} value={k.name}>{k.title}</option>)}
        </select>
        {ctx.brushes.map((b) => (
          <span key={b.key} className="brush-chip" data-testid="brush-chip" data-key={b.key}>
            {brushLabel(b, TIME_KEYS.has(b.key))}
            <button type="button" data-testid="brush-clear" data-key={b.key} aria-label={`clear the brush on ${b.key}`} onClick={() => ctx.setBrush(b.key, null)}>×</button>
          </span>
        ))}
        {ctx.brushes.length > 1 ? (
          <button type="button" className="link" onClick={() => ctx.brushes.forEach((b) => ctx.setBrush(b.key, null))}>clear all brushes</button>
        ) : null}
        {panels.length === 0 ? <span className="muted">Parallel coordinates, scatter plots, parameter importance and slices of the runs above.</span> : null}
      </div>
      {panels.length ? (
        <div className="ins-grid">
          {panels.map((p, i) => (
            <PanelFrame
              // Index and kind: removing a panel re-mounts those after it, which is cheap (answers are cached).
              key={`${i}:${p.kind}`} spec={p} ctx={ctx}
              onConfig={(config) => write(panels.map((q, j) => (j === i ? { ...q, config } : q)))}
              onRemove={() => write(panels.filter((_, j) => j !== i))}
            />
          ))}
        </div>
      ) : null}
    </section>
  );
}

function PanelFrame({ spec, ctx, onConfig, onRemove }: { spec: InsightPanelSpec; ctx: PanelContext; onConfig(c: string): void; onRemove(): void }) {
  const kind = KINDS[spec.kind];
  const box = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = box.current;
    if (!el || seen) return;
    if (typeof IntersectionObserver === "undefined") { setSeen(true); return; }
    const io = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) setSeen(true); }, { rootMargin: "300px" });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  const Panel = kind.component;
  return (
    <div ref={box} className={`ins-frame${kind.wide ? " wide" : ""}`} data-testid="insight-panel" data-kind={kind.name}>
      <div className="ins-frame-head">
        <span className="chart-title">{kind.title}</span>
        <button type="button" className="link" data-testid="insight-remove" onClick={onRemove} aria-label={`remove the ${kind.title} panel`}>remove</button>
      </div>
      {seen ? (
        <Suspense fallback={<div className="loading">Loading panel…</div>}>
          <Panel ctx={ctx} config={spec.config} onConfig={onConfig} />
        </Suspense>
      ) : <div className="ins-placeholder" />}
    </div>
  );
}
