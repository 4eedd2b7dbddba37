// Owns the sweep header's state badge and its pause, resume and stop buttons. Stopping asks for a
// confirmation in place (it also stops the runs in progress and cannot be undone); each button
// sends the PATCH and shows the state the server answers with, never an optimistic guess.
import { useState } from "react";
import { api, type ProjectRef } from "../api/client";
import { ErrorBox } from "../ui/common";
import type { Sweep, SweepState } from "./wire";

export function SweepStateBadge({ state }: { state: SweepState }) {
  return (
    <span className={`sweep-state sweep-state-${state}`} data-testid="sweep-state" data-state={state}>
      {state === "running" ? <span className="live-dot" aria-hidden /> : null}
      {state}
    </span>
  );
}

export function SweepControls({ project, sweep, onChange }: { project: ProjectRef; sweep: Sweep; onChange(s: Sweep): void }) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ended = sweep.state === "stopped" || sweep.state === "finished";

  const send = async (state: "paused" | "running" | "stopped") => {
    setBusy(true);
    setError(null);
    try {
      onChange(await api.patchSweep(project, sweep.id, state));
      setConfirming(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sweep-controls">
      <SweepStateBadge state={sweep.state} />
      {sweep.state === "running" ? (
        <button type="button" data-testid="sweep-pause" disabled={busy} onClick={() => void send("paused")}
          title="Agents get no new runs until resumed; runs in progress go on">Pause</button>
      ) : null}
      {sweep.state === "paused" ? (
        <button type="button" data-testid="sweep-resume" disabled={busy} onClick={() => void send("running")}>Resume</button>
      ) : null}
      {!ended && !confirming ? (
        <button type="button" data-testid="sweep-stop" disabled={busy} onClick={() => setConfirming(true)}>Stop…</button>
      ) : null}
      {!ended && confirming ? (
        <span className="sweep-confirm" role="alertdialog" aria-label="Stop the sweep?">
          Stop the sweep? Runs in progress are stopped and no new ones start.{" "}
          <button type="button" className="danger" data-testid="sweep-stop-confirm" disabled={busy} onClick={() => void send("stopped")}>Stop sweep</button>{" "}
          <button type="button" data-testid="sweep-stop-cancel" disabled={busy} onClick={() => setConfirming(false)}>Cancel</button>
        </span>
      ) : null}
      {error ? <ErrorBox error={error} what="the sweep's new state" /> : null}
    </div>
  );
}
