// Owns the compare page's media: each image key logged by two or more of the compared runs gets one
// panel with the runs side by side at the same step (a slider over every step any of them logged;
// a run without images at that step shows its last one before it), sharing one set of overlay
// controls. Absent when no key is shared.
import { useEffect, useMemo, useState } from "react";
import { api, type ProjectRef, type Run } from "../api/client";
import { runColor } from "../ui/colors";
import { ErrorBox } from "../ui/common";
import { MediaImageView } from "./MediaImageView";
import { OverlayControls, StepSlider, useOverlays } from "./overlays";
import { pickStep, stepIndex } from "./steps";
import { sharedKeys, unionSteps, type SharedKey } from "./compare";
import type { MediaKey, MediaStep } from "./wire";

export function MediaCompare({ project, runs }: { project: ProjectRef; runs: Run[] }) {
  const [byRun, setByRun] = useState<Map<string, MediaKey[]> | null>(null);
  const ids = runs.map((r) => r.id).join(",");
  useEffect(() => {
    const ctl = new AbortController();
    // A run whose keys cannot be listed simply has no media to compare.
    Promise.all(runs.map((r) => api.mediaKeys(project, r.id, ctl.signal).then((k) => [r.id, k.keys] as const, () => [r.id, []] as const)))
      .then((pairs) => !ctl.signal.aborted && setByRun(new Map(pairs.map(([id, keys]) => [id, [...keys]]))));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project, ids]);
  const shared = useMemo(() => (byRun ? sharedKeys(runs, byRun) : []), [runs, byRun]);
  if (shared.length === 0) return null;
  return (
    <section data-testid="media-compare">
      <h2 className="section-title">Media</h2>
      {shared.map((s) => <MediaComparePanel key={s.key} project={project} shared={s} />)}
    </section>
  );
}

function MediaComparePanel({ project, shared }: { project: ProjectRef; shared: SharedKey }) {
  const [asked, setAsked] = useState<number | null>(null);
  const [replies, setReplies] = useState<(MediaStep | { error: unknown })[] | null>(null);
  const want = asked ?? shared.lastStep;
  const runIds = shared.runs.map((r) => r.id).join(",");
  useEffect(() => {
    const ctl = new AbortController();
    Promise.all(shared.runs.map((r) => api.media(project, r.id, { key: shared.key, step: want }, ctl.signal).catch((error: unknown) => ({ error }))))
      .then((rs) => !ctl.signal.aborted && setReplies(rs));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [project, shared.key, runIds, want]);
  const { steps, images } = useMemo(() => {
    const ok = (replies ?? []).filter((r): r is MediaStep => !("error" in r));
    return { steps: unionSteps(ok.map((r) => r.steps)), images: ok.flatMap((r) => r.images) };
  }, [replies]);
  const overlays = useOverlays(images);
  const shownStep = pickStep(steps, want);
  return (
    <div className="media-panel" data-testid="media-compare-panel" data-key={shared.key} data-step={shownStep ?? undefined} data-loading={replies ? undefined : "true"}>
      <div className="media-head">
        <h3 className="media-key">{shared.key}</h3>
        <StepSlider steps={steps} index={stepIndex(steps, shownStep)} label={shared.key} onStep={setAsked} />
      </div>
      <OverlayControls o={overlays} />
      <div className="media-compare-runs">
        {shared.runs.map((run, i) => {
          const r = replies?.[i];
          return (
            <div key={run.id} className="media-compare-run" data-testid="media-compare-run" data-run-id={run.id} data-step={r && !("error" in r) ? r.step : undefined}>
              <div className="media-run-name">
                <span className="swatch" style={{ background: runColor(run.id) }} /> {run.name}
                {r && !("error" in r) && r.step !== shownStep ? <span className="muted"> (step {r.step})</span> : null}
              </div>
              {r && "error" in r ? <ErrorBox error={r.error} what={`images of ${run.name}`} /> : null}
              {r && !("error" in r) ? (
                <div className="media-images">
                  {r.images.map((img) => <MediaImageView key={`${r.step}:${img.index}`} image={img} step={r.step} filters={overlays.filters} />)}
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
    </div>
  );
}
