// Owns starting and stopping an Orrery server: open the store, build the app, watch heartbeats
// (runs whose heartbeats stop become `crashed`, and live streams hear of it), listen, and shut
// down gracefully so that in-flight batches finish, open event streams end, and the store is
// flushed before the process exits.
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { openStore, type Store } from "@orrery/store";
import { buildApp } from "./app.js";
import type { ControllerOptions } from "./sweeps/controller.js";
import { isLoopback } from "./auth.js";

export { buildApp } from "./app.js";
export { isLoopback } from "./auth.js";

export interface ServerOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** A running run with no heartbeat or record for this long is marked crashed. */
  heartbeatTimeoutMs?: number;
  logger?: boolean;
  /** A built dashboard (index.html and assets/) to serve at `/`. */
  dashboardDir?: string;
  /** Least time between two events of one live stream, ms (default 500). */
  liveIntervalMs?: number;
  /** Sweep controller settings (early-termination cadence, wait hint); agents go lost after heartbeatTimeoutMs too. */
  sweeps?: ControllerOptions;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  store: Store;
  close(): Promise<void>;
}

export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const store = await openStore(opts.dataDir);
  const app = await buildApp({
    store, requireKeys: !isLoopback(host), logger: opts.logger ?? false, version: VERSION,
    dashboardDir: opts.dashboardDir, liveIntervalMs: opts.liveIntervalMs,
    sweeps: { ...opts.sweeps, heartbeatTimeoutMs: opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS },
  });
  const timeout = opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  // While this server was down no heartbeat could arrive: give live runs one full timeout after
  // start to reach it again before calling them crashed.
  const startedAt = Date.now();
  const reaper = setInterval(() => {
    if (Date.now() - startedAt < timeout) return;
    store.meta.markCrashed(Date.now(), timeout).then(
      // Which runs crashed is not known here: live streams reload their project.
      (crashed) => { if (crashed > 0) app.live.publishAll(); },
      (err: unknown) => app.log.error({ err }, "crash detection failed"),
    );
    // Sweep agents that went silent: their trials become lost and are offered again.
    app.sweeps.reapLostAgents(Date.now(), timeout).then(
      (lost) => { if (lost > 0) app.live.publishAll(); },
      (err: unknown) => app.log.error({ err }, "sweep agent reaping failed"),
    );
  }, Math.max(100, Math.min(5_000, Math.floor(timeout / 4))));
  reaper.unref();
  try {
    await app.listen({ host, port: opts.port ?? 5170 });
  } catch (err) {
    clearInterval(reaper);
    await app.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 5170);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host, port, app, store,
    close() {
      closing ??= (async () => {
        clearInterval(reaper);
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
