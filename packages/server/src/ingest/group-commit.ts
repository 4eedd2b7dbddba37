// Owns group commit: batches from concurrent requests are committed together, so one disk sync
// acknowledges many runs' data. A flush takes everything queued; batches that arrive while it runs
// wait for the next one. Each caller still gets its own batch's outcome.
import type { AppendResult, IngestBatchInput, IngestStore } from "@orrery/store";

interface Waiting { batch: IngestBatchInput; resolve(r: AppendResult): void; reject(e: unknown): void }

/** Runs a commit while holding whatever must not interleave with it (gc's deleting step). */
export type CommitGuard = <T>(commit: () => Promise<T>) => Promise<T>;

export class GroupCommitter {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(
    private readonly store: IngestStore,
    private readonly guard: CommitGuard = (commit) => commit(),
    private readonly maxBatches = 512,
  ) {}

  append(batch: IngestBatchInput): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let requests already read from their sockets join this commit.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxBatches);
      try {
        const outcomes = await this.guard(() => this.store.appendMany(group.map((w) => w.batch), Date.now()));
        group.forEach((w, i) => {
          const o = outcomes[i]!;
          if ("error" in o) w.reject(o.error);
          else w.resolve(o.result);
        });
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.flushing = false;
  }
}
