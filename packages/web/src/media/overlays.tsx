// Owns the overlay controls shared by every image of a media panel (the run page's and the compare
// page's): box class toggles, the score threshold, per-class mask toggles and mask opacity, their
// state (useOverlays), and the step slider over the steps that have images (arrow keys step).
import { useCallback, useMemo, useState } from "react";
import { boxClasses, maskGroups, type MaskGroup, type MediaClass } from "./classes";
import type { ImageFilters } from "./MediaImageView";
import type { MediaImage } from "./wire";

const maskId = (name: string, id: number) => `${name}\u0000${id}`;

function toggled<T>(set: ReadonlySet<T>, v: T): ReadonlySet<T> {
  const next = new Set(set);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
}

export interface Overlays {
  classes: MediaClass[];
  masks: MaskGroup[];
  filters: ImageFilters;
  hiddenBoxes: ReadonlySet<number>;
  hiddenMasks: ReadonlySet<string>;
  toggleBox(id: number): void;
  toggleMask(name: string, id: number): void;
  setMinScore(v: number): void;
  setOpacity(v: number): void;
}

/** The overlay state for a set of images (all those a panel shows); toggles survive step changes. */
export function useOverlays(images: readonly MediaImage[]): Overlays {
  const [hiddenBoxes, setHiddenBoxes] = useState<ReadonlySet<number>>(new Set());
  const [minScore, setMinScore] = useState(0);
  const [hiddenMasks, setHiddenMasks] = useState<ReadonlySet<string>>(new Set());
  const [opacity, setOpacity] = useState(0.5);
  const [present, setPresent] = useState<ReadonlyMap<string, ReadonlySet<number>>>(new Map());
  const onMaskClasses = useCallback((name: string, ids: number[]) => {
    setPresent((old) => {
      const had = old.get(name);
      if (had && ids.every((id) => had.has(id))) return old;
      return new Map(old).set(name, new Set([...(had ?? []), ...ids]));
    });
  }, []);
  const classes = useMemo(() => boxClasses(images), [images]);
  const masks = useMemo(() => maskGroups(images, present), [images, present]);
  const filters = useMemo<ImageFilters>(() => {
    const visible = new Map(masks.map((g) => [g.name, new Set(g.classes.filter((c) => !hiddenMasks.has(maskId(g.name, c.id))).map((c) => c.id))]));
    return { hiddenBoxes, minScore, opacity, onMaskClasses, maskVisible: (name) => visible.get(name) ?? new Set<number>() };
  }, [masks, hiddenBoxes, hiddenMasks, minScore, opacity, onMaskClasses]);
  return {
    classes, masks, filters, hiddenBoxes, hiddenMasks, setMinScore, setOpacity,
    toggleBox: (id) => setHiddenBoxes((h) => toggled(h, id)),
    toggleMask: (name, id) => setHiddenMasks((h) => toggled(h, maskId(name, id))),
  };
}

export function OverlayControls({ o }: { o: Overlays }) {
  const { classes, masks, filters } = o;
  return (
    <>
      {classes.length > 0 ? (
        <div className="media-controls">
          <span className="muted">boxes</span>
          {classes.map((c) => (
            <ClassToggle key={c.id} testId="media-class-toggle" cls={c} checked={!o.hiddenBoxes.has(c.id)} onChange={() => o.toggleBox(c.id)} />
          ))}
          <label className="media-control" title="Hide boxes scored below this (boxes logged without a score always show)">
            score ≥
            <input
              type="range" data-testid="media-score" min={0} max={1} step={0.01} value={filters.minScore}
              onChange={(e) => o.setMinScore(Number(e.target.value))}
            />
            <span className="media-num">{filters.minScore.toFixed(2)}</span>
          </label>
        </div>
      ) : null}
      {masks.map((g) => (
        <div className="media-controls" key={g.name}>
          <span className="muted">mask {g.name}</span>
          {g.classes.map((c) => (
            <ClassToggle
              key={c.id} testId="media-mask-toggle" cls={c} name={g.name} checked={!o.hiddenMasks.has(maskId(g.name, c.id))}
              onChange={() => o.toggleMask(g.name, c.id)}
            />
          ))}
        </div>
      ))}
      {masks.length > 0 ? (
        <div className="media-controls">
          <label className="media-control">
            mask opacity
            <input
              type="range" data-testid="media-mask-opacity" min={0} max={1} step={0.05} value={filters.opacity}
              onChange={(e) => o.setOpacity(Number(e.target.value))}
            />
            <span className="media-num">{filters.opacity.toFixed(2)}</span>
          </label>
        </div>
      ) : null}
    </>
  );
}

function ClassToggle({ testId, cls, name, checked, onChange }: { testId: string; cls: MediaClass; name?: string; checked: boolean; onChange(): void }) {
  return (
    <label className="media-class" title={`class ${cls.id}`}>
      <input type="checkbox" data-testid={testId} data-class={cls.label} data-class-id={cls.id} data-name={name} checked={checked} onChange={onChange} />
      <span className="swatch" style={{ background: cls.color }} /> {cls.label}
    </label>
  );
}

/** A range input over the positions of `steps` (so only steps with images), showing the step at `index`. */
export function StepSlider({ steps, index, label, onStep }: { steps: readonly number[]; index: number; label: string; onStep(step: number): void }) {
  return (
    <label className="media-control">
      step
      <input
        type="range" data-testid="media-step" min={0} max={Math.max(0, steps.length - 1)} step={1} value={index}
        disabled={steps.length < 2} aria-label={`step of ${label}`} aria-valuetext={`step ${steps[index] ?? ""}`}
        onChange={(e) => {
          const s = steps[Number(e.target.value)];
          if (s !== undefined) onStep(s);
        }}
      />
      <strong className="media-step-value">{steps[index]}</strong>
      <span className="muted">({index + 1} of {steps.length})</span>
    </label>
  );
}
