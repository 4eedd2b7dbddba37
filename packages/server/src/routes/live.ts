// Owns the live-update stream GET .../projects/{entity}/{project}/events (Server-Sent Events).
// Each connection subscribes to its project on the live bus and coalesces what it hears: at most
// one `runs` event per interval, carrying the current rows of every run that changed since the
// last one (read with one runs query), or one `project` event when a change names no runs. A
// `: ping` comment every 15 s keeps proxies from closing an idle stream. Open streams are ended
// when the server closes, so close() never waits on a browser tab.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyBaseLogger } from "fastify";
import type { ServerResponse } from "node:http";
import { LIVE_EVENTS, LiveQuery, ProjectParams, type FilterNode, type Literal } from "@orrery/protocol";
import type { MetaStore, ProjectRef } from "@orrery/store";
import type { LiveChange } from "../live/bus.js";

export interface LiveRouteOptions {
  /** Least time between two events of one stream, ms. */
  intervalMs: number;
  /** Time between keep-alive comments, ms. */
  pingMs?: number;
}

export const DEFAULT_LIVE_INTERVAL_MS = 500;
const PING_MS = 15_000;
/** More changed runs than this in one interval are sent as a `project` event (reload everything). */
const MAX_RUNS_PER_EVENT = 500;

const span = { start: 0, end: 0 };

/** The filter `id in (...)`, built as the parsed form the store takes. */
export function idsFilter(ids: readonly string[]): FilterNode {
  const values: Literal[] = ids.map((value) => ({ kind: "string", value, quoted: true, ...span }));
  return { type: "in", field: { kind: "attribute", name: "id", ...span }, values, ...span };
}

/** One subscriber's stream: what changed since the last event, and when the next may go. */
class LiveStream {
  private readonly pending = new Set<string>();
  private reload = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly ping: NodeJS.Timeout;
  private lastSent = 0;
  private busy = false;
  private stalled = false;
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly project: ProjectRef,
    private readonly meta: MetaStore,
    private readonly log: FastifyBaseLogger,
    private readonly intervalMs: number,
    pingMs: number,
    private readonly onEnd: () => void,
  ) {
    this.ping = setInterval(() => this.write(": ping\n\n"), pingMs);
    this.ping.unref();
    res.on("drain", () => { this.stalled = false; this.schedule(); });
    res.on("close", () => this.end());
  }

  hear(change: LiveChange): void {
    if (this.closed) return;
    if (change.kind === "project") this.reload = true;
    else for (const id of change.runIds) this.pending.add(id);
    this.schedule();
  }

  /** Ends the stream (server closing, client gone): timers and subscription go with it. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    this.onEnd();
    if (!this.res.writableEnded) this.res.end();
  }

  write(chunk: string): void {
    if (this.closed || this.res.writableEnded || this.res.destroyed) return;
    // A client that stops reading keeps its changes pending instead of growing our buffer.
    if (!this.res.write(chunk)) this.stalled = true;
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined || this.busy || this.stalled) return;
    if (!this.reload && this.pending.size === 0) return;
    this.timer = setTimeout(() => void this.flush(), Math.max(0, this.lastSent + this.intervalMs - Date.now()));
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.busy = true;
    this.lastSent = Date.now();
    try {
      if (this.reload || this.pending.size > MAX_RUNS_PER_EVENT) {
        this.reload = false;
        this.pending.clear();
        this.write(`event: ${LIVE_EVENTS.project}\ndata: {}\n\n`);
      } else {
        const ids = [...this.pending];
        this.pending.clear();
        const page = await this.meta.queryRuns(this.project, { filter: idsFilter(ids), columns: [], limit: ids.length });
        if (page.runs.length > 0) this.write(`event: ${LIVE_EVENTS.runs}\ndata: ${JSON.stringify({ runs: page.runs })}\n\n`);
      }
    } catch (err) {
      // The store closes while the server shuts down; anything else is worth a log line.
      if (!this.closed) this.log.warn({ err }, "live update failed");
    } finally {
      this.busy = false;
      this.schedule();
    }
  }
}

export const liveRoutes: FastifyPluginAsyncTypebox<LiveRouteOptions> = async (app, opts) => {
  const streams = new Set<LiveStream>();
  // Before the server waits for in-flight requests: an open stream would keep it waiting forever.
  app.addHook("preClose", async () => {
    for (const s of [...streams]) s.end();
  });

  app.get("/api/v1/projects/:entity/:project/events", {
    exposeHeadRoute: false,
    config: { keyInQuery: true },
    schema: {
      summary: "Live updates of a project's runs (Server-Sent Events)",
      description:
        "A text/event-stream that stays open. Event `runs` carries LiveRunsEvent `{runs: RunRow[]}`: the current rows " +
        `of the runs that changed (records logged, edited, heartbeat, finished), at most one such event per ${DEFAULT_LIVE_INTERVAL_MS} ms ` +
        "per connection. Event `project` carries `{}` and means reload everything (runs crashed, or too many changed at once). " +
        "A `: ping` comment arrives every 15 s. A project that does not exist yet streams nothing until its first run arrives. " +
        "Browsers' EventSource cannot send headers: where keys are required, pass the key as ?key= on this route.",
      params: ProjectParams,
      querystring: LiveQuery,
      response: {
        200: {
          description: "an event stream (events `runs` with LiveRunsEvent data, `project` with {})",
          content: { "text/event-stream": { schema: Type.String({ description: "SSE: `event: runs\\ndata: {...}\\n\\n`" }) } },
        },
        400: Type.Ref("ErrorBody"),
        401: Type.Ref("ErrorBody"),
      },
    },
  }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const project = { entity: req.params.entity, project: req.params.project };
    let unsubscribe = (): void => {};
    const stream = new LiveStream(res, project, app.store.meta, req.log, opts.intervalMs, opts.pingMs ?? PING_MS, () => {
      streams.delete(stream);
      unsubscribe();
    });
    streams.add(stream);
    unsubscribe = app.live.subscribe(project, (change) => stream.hear(change));
    // Tells EventSource how soon to reconnect, and gets the headers to the client now.
    stream.write("retry: 2000\n: connected\n\n");
  });
};
