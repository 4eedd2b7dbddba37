// Owns one image key of a run: the step slider, fetching the key's images at the chosen step (the
// last step until one is picked, following a live run), the overlay controls, and the images. The
// last reply stays on screen while the next one loads, so scrubbing does not flash.
import { useEffect, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { ErrorBox, Loading } from "../ui/common";
import { MediaImageView } from "./MediaImageView";
import { OverlayControls, StepSlider, useOverlays } from "./overlays";
import { pickStep, stepIndex } from "./steps";
import type { MediaImage, MediaStep } from "./wire";

export interface MediaPanelProps {
  project: ProjectRef;
  runId: string;
  mediaKey: string;
  /** The key's last step (from the keys listing): shown until a step is picked, and refetched when it grows. */
  lastStep: number;
}

const NO_IMAGES: MediaImage[] = [];

export function MediaPanel({ project, runId, mediaKey, lastStep }: MediaPanelProps) {
  const [asked, setAsked] = useState<number | null>(null);
  const [reply, setReply] = useState<MediaStep | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const overlays = useOverlays(reply?.images ?? NO_IMAGES);

  const want = asked ?? lastStep;
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    api.media(project, runId, { key: mediaKey, step: want }, ctl.signal).then(
      (r) => {
        setReply(r);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [project, runId, mediaKey, want, attempt]);

  if (!reply) {
    return (
      <div className="media-panel" data-testid="media-panel" data-key={mediaKey} data-loading="true">
        <h3 className="media-key">{mediaKey}</h3>
        {error ? <ErrorBox error={error} what={`images of ${mediaKey}`} retry={() => setAttempt((a) => a + 1)} /> : <Loading what={`images of ${mediaKey}`} />}
      </div>
    );
  }
  const steps = reply.steps;
  // The slider shows the step being fetched right away; the images follow when they arrive.
  const sliderAt = stepIndex(steps, pickStep(steps, asked ?? reply.step));
  return (
    <div className="media-panel" data-testid="media-panel" data-key={mediaKey} data-step={reply.step} data-loading={loading ? "true" : undefined}>
      <div className="media-head">
        <h3 className="media-key">{mediaKey}</h3>
        <StepSlider steps={steps} index={sliderAt} label={mediaKey} onStep={setAsked} />
        {error ? <span className="bad" role="alert">{error instanceof Error ? error.message : String(error)}</span> : null}
      </div>
      <OverlayControls o={overlays} />
      <div className="media-images">
        {reply.images.map((img) => <MediaImageView key={`${reply.step}:${img.index}`} image={img} step={reply.step} filters={overlays.filters} />)}
        {reply.images.length === 0 ? <p className="muted">No images at step {reply.step}.</p> : null}
      </div>
    </div>
  );
}
