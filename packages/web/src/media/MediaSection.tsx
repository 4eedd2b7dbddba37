// Owns the run page's "Media" section: the image keys the run logged (refetched as a live run logs
// more steps), one MediaPanel per key. Absent when the run logged no images.
import { useEffect, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { ErrorBox } from "../ui/common";
import { MediaPanel } from "./MediaPanel";
import type { MediaKey } from "./wire";

const REFRESH_MS = 5_000;

export function useMediaKeys(project: ProjectRef, runId: string, running: boolean): { keys: MediaKey[] | null; error: unknown; retry(): void } {
  const [keys, setKeys] = useState<MediaKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.mediaKeys(project, runId, ctl.signal).then(
        (r) => {
          setKeys(r.keys);
          setError(null);
          if (running) timer = setTimeout(load, REFRESH_MS);
        },
        (err: unknown) => !ctl.signal.aborted && setError(err),
      );
    };
    load();
    return () => {
      ctl.abort();
      clearTimeout(timer);
    };
  }, [project, runId, running, attempt]);
  return { keys, error, retry: () => setAttempt((a) => a + 1) };
}

export function MediaSection({ project, runId, running }: { project: ProjectRef; runId: string; running: boolean }) {
  const { keys, error, retry } = useMediaKeys(project, runId, running);
  if (!error && (!keys || keys.length === 0)) return null;
  return (
    <details id="media" className="run-section" data-testid="media-section" open>
      <summary className="section-title">Media {keys ? <span className="muted">({keys.length})</span> : null}</summary>
      {error ? <ErrorBox error={error} what="the run's images" retry={retry} /> : null}
      {(keys ?? []).map((k) => <MediaPanel key={k.key} project={project} runId={runId} mediaKey={k.key} lastStep={k.lastStep} />)}
    </details>
  );
}
