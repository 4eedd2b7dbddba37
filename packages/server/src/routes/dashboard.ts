// Owns serving the dashboard: a built Vite app (index.html plus hashed files under assets/) from
// dashboardDir. Files under assets/ are cached for a year (their names change with their
// content); everything else, index.html first, is revalidated on every load. Any other GET outside
// /api/ and /assets/ gets index.html, so the app's own routes (/p/demo/shapes-mlp/runs/abc) load it. Dashboard
// files are public: the app asks for an API key itself. Without a built dashboard, `/` explains
// how to build one. Paths under /api/ are never the dashboard's: they keep the JSON 404.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { OrreryError } from "@orrery/protocol";
import { isApiPath } from "../auth.js";

export interface DashboardOptions {
  /** The built app: a folder holding index.html and assets/. Absent or unbuilt: `/` says how to build it. */
  dir?: string;
}

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orrery</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:44rem;color:#1d2330}code{background:#f5f6fa;padding:.1rem .3rem}</style>
</head><body>
<h1>Orrery</h1>
<p>The server is running, but the dashboard is not built.</p>
<p>Build it from the repository root with <code>npm run build</code> (the dashboard alone: <code>npm run build -w @orrery/web</code>),
then restart <code>orrery server</code>. To serve a dashboard built elsewhere, set <code>ORRERY_DASHBOARD_DIR</code> to its folder.</p>
<p>The API works without it: it is described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>`;

/** The dashboard's index.html, when dir holds a built app. */
export function dashboardIndex(dir: string | undefined): string | undefined {
  if (dir === undefined || dir === "") return undefined;
  const index = join(resolve(dir), "index.html");
  try {
    return statSync(index).isFile() ? index : undefined;
  } catch {
    return undefined;
  }
}

async function sendIndex(index: string, reply: FastifyReply): Promise<FastifyReply> {
  // Read per request: a rebuilt dashboard is picked up without a restart (index.html is small).
  const html = await readFile(index);
  return reply.status(200).type("text/html; charset=utf-8").header("cache-control", REVALIDATE).send(html);
}

/** A missing file under /assets/ is a 404: index.html in its place would only fail as a script. */
function isAssetPath(url: string): boolean {
  try {
    return decodeURIComponent(url.split(/[?#]/, 1)[0]!).startsWith("/assets/");
  } catch {
    return false;
  }
}

/**
 * The SPA fallback for the not-found handler: a GET or HEAD outside /api/ that found no file gets
 * index.html. Returns undefined without a built dashboard.
 */
export function dashboardFallback(dir: string | undefined): ((req: FastifyRequest, reply: FastifyReply) => Promise<boolean>) | undefined {
  const index = dashboardIndex(dir);
  if (index === undefined) return undefined;
  return async (req, reply) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || isApiPath(req.url) || isAssetPath(req.url) || !existsSync(index)) return false;
    await sendIndex(index, reply);
    return true;
  };
}

export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  // Every route here is the dashboard's: public outside /api/ (auth.ts), and not part of the API document.
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, dashboard: true };
    route.schema = { ...route.schema, hide: true };
  });
  const index = dashboardIndex(opts.dir);
  if (index === undefined) {
    app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").header("cache-control", REVALIDATE).send(NOT_BUILT));
    return;
  }
  const root = resolve(opts.dir!);
  const assets = join(root, "assets") + sep;
  await app.register(fastifyStatic, {
    root,
    serve: false,
    index: false,
    dotfiles: "ignore",
    cacheControl: false,
    setHeaders: (res, path) => res.setHeader("cache-control", path.startsWith(assets) ? IMMUTABLE : REVALIDATE),
  });

  app.get("/", async (_req, reply) => sendIndex(index, reply));
  app.get("/*", async (req, reply) => {
    if (isApiPath(req.url)) return reply.callNotFound();
    const rel = (req.params as { "*": string })["*"];
    // A folder is no file of the app: the not-found handler answers with index.html.
    if (rel === "" || rel.endsWith("/")) return reply.callNotFound();
    // The router has decoded the path: refuse any way out of the folder before touching the disk.
    if (rel.includes("\0") || rel.split(/[\\/]/).includes("..")) {
      throw new OrreryError("invalid_request", "the path leaves the dashboard's folder: ask for a file of the dashboard", "path");
    }
    // A missing file falls through to the not-found handler, which answers with index.html.
    return reply.sendFile(`/${rel}`);
  });
};
