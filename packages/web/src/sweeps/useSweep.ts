// Owns keeping one sweep and its trials fresh: both load together, and while the sweep can still
// change (running or paused, or runs still going after a stop) they are polled every 2 s. A poll
// that fails keeps the last data on screen and shows the error beside it.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, type ProjectRef } from "../api/client";
import type { Sweep, SweepTrial } from "./wire";

export const POLL_MS = 2000;

export interface SweepData {
  sweep: Sweep | null;
  trials: SweepTrial[] | null;
  /** The last load's error; data from before it stays. */
  error: unknown;
  /** Replaces the sweep (e.g. with the PATCH reply) and refetches at once. */
  setSweep(s: Sweep): void;
  reload(): void;
}

/** Whether anything about the sweep can still change without a user action. */
export function isLive(s: Sweep): boolean {
  return s.state === "running" || s.state === "paused" || s.counts.running > 0 || s.counts.pending > 0;
}

export function useSweep(project: ProjectRef, sweepId: string): SweepData {
  const [sweep, setSweepState] = useState<Sweep | null>(null);
  const [trials, setTrials] = useState<SweepTrial[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    const ctrl = new AbortController();
    clearTimeout(timer.current);
    Promise.all([api.sweep(project, sweepId, ctrl.signal), api.sweepTrials(project, sweepId, ctrl.signal)]).then(
      ([s, t]) => {
        setSweepState(s);
        setTrials(t.trials);
        setError(null);
        if (isLive(s)) timer.current = setTimeout(() => setTick((x) => x + 1), POLL_MS);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        // Keep trying while the page is open: a restarting server comes back.
        timer.current = setTimeout(() => setTick((x) => x + 1), POLL_MS * 2);
      },
    );
    return () => {
      ctrl.abort();
      clearTimeout(timer.current);
    };
  }, [project, sweepId, tick]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  const setSweep = useCallback((s: Sweep) => {
    setSweepState(s);
    setTick((x) => x + 1);
  }, []);
  return { sweep, trials, error, setSweep, reload };
}
