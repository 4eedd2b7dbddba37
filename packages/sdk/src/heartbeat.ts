// Owns heartbeats: an empty POST every interval so the server can tell a live run from a crashed
// one. Failures are ignored (404 just means the run record has not arrived yet); connectivity
// problems are reported by the sender, which carries the data.
import { post, runPath, type Endpoint } from "./transport.js";

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private inflight: AbortController | undefined;

  constructor(private readonly endpoint: Endpoint, intervalMs: number) {
    this.timer = setInterval(() => void this.beat(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.inflight?.abort();
  }

  private async beat(): Promise<void> {
    if (this.busy) return; // a slow server must not pile up requests
    this.busy = true;
    this.inflight = new AbortController();
    try {
      const signal = AbortSignal.any([this.inflight.signal, AbortSignal.timeout(10_000)]);
      await post(`${runPath(this.endpoint)}/heartbeat`, this.endpoint.apiKey, undefined, signal);
    } finally {
      this.busy = false;
      this.inflight = undefined;
    }
  }
}
