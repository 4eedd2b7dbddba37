// Owns the agent side of the sweep HTTP API (register, next, heartbeat, exit): paths, the auth
// header, and turning error bodies into one sentence. Deciding what to do with a reply is the
// caller's job: the in-process agent (agent.ts) and `orrery agent` both use this client.

/** What `POST .../agents/:agentId/next` answers. */
export type NextAction =
  | {
    action: "run"; runId: string; params: Record<string, unknown>;
    /** argv is empty, with `error` saying why, when the sweep's command cannot be built (in-process agents ignore it). */
    command: { argv: string[]; argsJson: string; error?: string };
  }
  | { action: "wait"; retryAfterMs: number }
  | { action: "stop"; reason: string };

/** What `POST .../agents/:agentId/heartbeat` answers: runs the agent must stop, and the sweep's state. */
export interface HeartbeatReply { stop: string[]; state: string }

/** How a trial's process ended, as `POST .../trials/:runId/exit` takes it. */
export interface TrialExit {
  exitCode: number | null;
  signal?: string | null;
  /** The command could not be started at all (not found, not executable). */
  startupFailure?: boolean;
}

/** A failed call: `status` is the HTTP status, or undefined when the server could not be reached. */
export class SweepApiError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly field?: string) {
    super(message);
    this.name = "SweepApiError";
  }

  /** The server no longer knows this agent (it was declared lost): register again to go on. */
  get agentUnknown(): boolean {
    return this.status === 404 && this.field === "agentId";
  }
}

export interface SweepClientOptions {
  url: string;
  apiKey?: string;
  entity: string;
  project: string;
  sweepId: string;
  /** Per-request limit; a hung server must not hang the agent. Default 30000. */
  timeoutMs?: number;
  /** How long next and exit keep retrying an unreachable server or a 5xx. Default 60000. */
  retryForMs?: number;
}

export class SweepClient {
  readonly base: string;

  constructor(private readonly opts: SweepClientOptions) {
    const enc = encodeURIComponent;
    this.base = `${opts.url.replace(/\/+$/, "")}/api/v1/projects/${enc(opts.entity)}/${enc(opts.project)}/sweeps/${enc(opts.sweepId)}`;
  }

  /**
   * Registers this agent; returns its id. `interpreter` is what the command's ${interpreter} becomes.
   * Not retried: an agent that cannot reach the server at start says so at once.
   */
  async register(host: string, pid: number, interpreter?: string): Promise<string> {
    const body = interpreter === undefined ? { host, pid } : { host, pid, interpreter };
    const reply = await this.post<{ agentId: string }>("/agents", body);
    return reply.agentId;
  }

  next(agentId: string): Promise<NextAction> {
    return this.retrying(() => this.post<NextAction>(`/agents/${encodeURIComponent(agentId)}/next`, {}));
  }

  /** Not retried: a missed heartbeat is simply sent again at the next tick. */
  heartbeat(agentId: string, runIds: string[]): Promise<HeartbeatReply> {
    return this.post<HeartbeatReply>(`/agents/${encodeURIComponent(agentId)}/heartbeat`, { runIds });
  }

  async exit(runId: string, exit: TrialExit): Promise<void> {
    await this.retrying(() => this.post<unknown>(`/trials/${encodeURIComponent(runId)}/exit`, exit));
  }

  /** Retries while the server is unreachable or answers 5xx (a restart, say), with backoff up to 5 s. */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    let delay = 250;
    const deadline = Date.now() + (this.opts.retryForMs ?? 60_000);
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const transient = err instanceof SweepApiError && (err.status === undefined || err.status >= 500);
        if (!transient || Date.now() + delay > deadline) throw err;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch {
      throw new SweepApiError(`cannot reach the Orrery server at ${this.opts.url}: start it with 'orrery server' or set ORRERY_URL`, undefined);
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      let field: string | undefined;
      try {
        const body = JSON.parse(text) as { message?: string; field?: string };
        message = body.message ?? text;
        field = body.field;
      } catch { /* keep the raw text */ }
      throw new SweepApiError(`${res.status}: ${message}`, res.status, field);
    }
    return JSON.parse(text) as T;
  }
}
