// Owns `orrery server`: start the API and dashboard on the embedded store, optionally fill the demo
// project, and shut down gracefully on SIGINT/SIGTERM (in-flight batches finish, store flushed).
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, isLoopback } from "@orrery/server";
import { parseDuration, parsePort } from "../args.js";
import { runDemo } from "../demo/demo.js";

/**
 * The built dashboard to serve: ORRERY_DASHBOARD_DIR when set, else the dist folder of the
 * @orrery/web package beside this one. From dist/commands/server.js, ../../../web/dist is
 * packages/web/dist in the repository, and node_modules/@orrery/web/dist once installed.
 */
export function dashboardDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.ORRERY_DASHBOARD_DIR;
  if (override !== undefined && override.trim() !== "") return resolve(override);
  return fileURLToPath(new URL("../../../web/dist", import.meta.url));
}

export function serverCommand(): Command {
  return new Command("server")
    .description("run the Orrery API and dashboard on the embedded store")
    .option("--host <host>", "address to listen on (anything but loopback requires API keys)", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 picks a free one)", parsePort, 5170)
    .option("--data <dir>", "directory of the embedded store", "./orrery-data")
    .option("--demo", "fill a demo project on start if it is empty")
    .addOption(new Option("--heartbeat-timeout <duration>", "mark a running run crashed after this long without a heartbeat").argParser(parseDuration).default(60_000, "60s"))
    .option("--quiet", "do not log requests")
    .action(async (opts: { host: string; port: number; data: string; demo?: boolean; heartbeatTimeout: number; quiet?: boolean }) => {
      const dataDir = resolve(opts.data);
      const dashboard = dashboardDir();
      let server;
      try {
        server = await startServer({ dataDir, host: opts.host, port: opts.port, heartbeatTimeoutMs: opts.heartbeatTimeout, logger: false, dashboardDir: dashboard });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === "EADDRINUSE") throw new Error(`port ${opts.port} on ${opts.host} is already in use: stop the other server or pass --port`);
        if (e.code === "EADDRNOTAVAIL") throw new Error(`cannot listen on ${opts.host}: it is not an address of this machine`);
        if (e.code === "ENOTFOUND") throw new Error(`cannot listen on ${opts.host}: no such host name; pass an IP address such as 127.0.0.1`);
        if (e.code === "EACCES" && e.syscall === "listen") throw new Error(`not allowed to listen on port ${opts.port}: use a port above 1023 or run with the needed rights`);
        if (typeof e.code === "string" && ["ENOTDIR", "EACCES", "EROFS", "EEXIST", "ENOSPC", "SQLITE_CANTOPEN", "SQLITE_NOTADB"].includes(e.code)) {
          throw new Error(`cannot use ${dataDir} as the data directory (${e.message}): pass a writable directory with --data`);
        }
        throw err;
      }
      process.stdout.write(`Orrery is serving ${server.url}  (data in ${dataDir})\n`);
      if (!existsSync(join(dashboard, "index.html"))) {
        process.stdout.write(`The dashboard is not built (no index.html in ${dashboard}): run 'npm run build', or set ORRERY_DASHBOARD_DIR\n`);
      }
      if (!isLoopback(opts.host)) process.stdout.write("API keys are required on this address: create one with 'orrery keys create --data " + opts.data + "'\n");
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`\n${signal}: finishing in-flight requests and closing the store...\n`);
        server.close().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
      if (opts.demo) {
        const existing = await server.store.meta.getProject({ entity: "demo", project: "shapes-mlp" });
        if (existing && existing.runCount > 0) {
          process.stdout.write("The demo project demo/shapes-mlp is already filled.\n");
        } else {
          process.stdout.write("Filling the demo project demo/shapes-mlp; watch it at " + server.url + "\n");
          await runDemo({ url: server.url, runs: 20, sweepRuns: 8, spoolDir: join(dataDir, "demo-spool"), quiet: opts.quiet ?? false });
          process.stdout.write("Demo ready: " + server.url + "\n");
        }
      }
    });
}
