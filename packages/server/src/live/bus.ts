// Owns the in-process bus of live updates: writers (ingest, run edits, heartbeats, crash
// detection) publish which runs of a project changed, and each open event stream subscribes to
// its project. Only ids travel here; a subscriber reads the runs' current rows itself, so a burst
// of writes costs one read per stream and interval, not one per write.
import type { ProjectRef } from "@orrery/store";

/** What a subscriber hears: these runs changed, or something changed that no run list covers. */
export type LiveChange = { kind: "runs"; runIds: readonly string[] } | { kind: "project" };
export type LiveListener = (change: LiveChange) => void;

const projectKey = (p: ProjectRef): string => `${p.entity}/${p.project}`;

export class LiveBus {
  private readonly byProject = new Map<string, Set<LiveListener>>();

  /** Listens to one project's changes (it need not exist yet); returns the unsubscribe function. */
  subscribe(p: ProjectRef, listener: LiveListener): () => void {
    const key = projectKey(p);
    let set = this.byProject.get(key);
    if (set === undefined) this.byProject.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byProject.get(key) === set) this.byProject.delete(key);
    };
  }

  /** Runs of a project changed (were written, edited, beat, or finished). */
  publishRuns(p: ProjectRef, runIds: readonly string[]): void {
    if (runIds.length === 0) return;
    this.emit(this.byProject.get(projectKey(p)), { kind: "runs", runIds });
  }

  /** Something changed in unknown runs of any project (crash detection): everyone reloads. */
  publishAll(): void {
    for (const set of [...this.byProject.values()]) this.emit(set, { kind: "project" });
  }

  /** Open subscriptions, for tests and diagnostics. */
  get size(): number {
    let n = 0;
    for (const set of this.byProject.values()) n += set.size;
    return n;
  }

  private emit(set: Set<LiveListener> | undefined, change: LiveChange): void {
    if (set === undefined) return;
    // A listener's failure is its own: the writer that published has already committed.
    for (const listener of [...set]) {
      try {
        listener(change);
      } catch {
        /* a stream that cannot take the change is closing; it unsubscribes itself */
      }
    }
  }
}
