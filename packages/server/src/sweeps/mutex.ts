// Owns serializing work per key inside one server process: concurrent `next` calls of one sweep
// run one after another, so each suggestion sees the trials the previous one created. Across
// processes the store's claim transaction is the guard; this only saves wasted recomputation.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs fn after every earlier fn of the same key has settled; fn's failure is the caller's alone. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn, fn);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    // Forget the key once its queue drains, so idle sweeps hold no memory.
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }
}
