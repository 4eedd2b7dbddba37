// Owns the one lock that makes garbage collection safe inside a server process: draft creation,
// commits and the start of an upload hold it shared (many at once); the deleting part of gc holds
// it exclusively, so it never sees a draft half made or a commit between "every blob is here" and
// "the version exists". Waiting gc goes first, so a stream of uploads cannot starve it.
export class SharedExclusiveLock {
  private readers = 0;
  private writer = false;
  private readonly waitingWriters: (() => void)[] = [];
  private readonly waitingReaders: (() => void)[] = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writer || this.waitingWriters.length > 0) await new Promise<void>((r) => this.waitingReaders.push(r));
    else this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      this.wake();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.writer || this.readers > 0) await new Promise<void>((r) => this.waitingWriters.push(r));
    else this.writer = true;
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.wake();
    }
  }

  /** Hands the lock on: to one waiting writer when it is free, else to every waiting reader. */
  private wake(): void {
    if (this.writer || this.readers > 0) return;
    const w = this.waitingWriters.shift();
    if (w) {
      this.writer = true;
      w();
      return;
    }
    const readers = this.waitingReaders.splice(0);
    this.readers += readers.length;
    for (const r of readers) r();
  }
}
