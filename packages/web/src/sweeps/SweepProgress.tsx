// Owns the progress bar: the sweep's trials by state as one stacked bar against run_cap (or the
// grid's size), with a legend of the counts. Each count is also a data-* attribute for tests.
import { progressSegments } from "./trials";
import type { Sweep } from "./wire";

const LABEL: Record<string, string> = {
  finished: "finished", running: "running", failed: "failed", crashed: "crashed", stopped: "stopped", lost: "lost", remaining: "to go",
};

export function SweepProgress({ sweep }: { sweep: Sweep }) {
  const { segments, whole } = progressSegments(sweep);
  const c = sweep.counts;
  const limit = sweep.runCap !== null
    ? `run_cap ${sweep.runCap}`
    : sweep.gridSize !== null ? `grid of ${sweep.gridSize}` : "no run cap";
  return (
    <div
      className="sweep-progress" data-testid="sweep-progress"
      data-total={c.total} data-finished={c.finished} data-running={c.running} data-failed={c.failed}
      data-crashed={c.crashed} data-stopped={c.stopped} data-lost={c.lost} data-pending={c.pending}
      data-run-cap={sweep.runCap ?? undefined} data-grid-size={sweep.gridSize ?? undefined}
    >
      <div className="progress-bar" role="img" aria-label={segments.map((s) => `${s.count} ${LABEL[s.state]}`).join(", ")}>
        {segments.map((s) => (
          <span key={s.state} className={`seg seg-${s.state}`} style={{ flexGrow: s.count / Math.max(1, whole) }} title={`${s.count} ${LABEL[s.state]}`} />
        ))}
      </div>
      <div className="progress-legend">
        <span><strong>{c.total}</strong> trials · {limit}</span>
        {segments.filter((s) => s.state !== "remaining").map((s) => (
          <span key={s.state} className="legend-item" data-state={s.state}>
            <span className={`swatch seg-${s.state}`} /> {s.count} {LABEL[s.state]}
          </span>
        ))}
        {c.pending ? <span className="legend-item muted" data-state="pending">{c.pending} queued to run again</span> : null}
      </div>
    </div>
  );
}
