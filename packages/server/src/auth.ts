// Owns access control. On a loopback address the server is single-user and open; bound to any
// other address every API call needs a key. The check runs before the handler, so a caller without
// a valid key learns nothing about which projects or runs exist. The dashboard's files are public
// (the app asks for a key itself); a route says so in its config, and so does the live stream,
// which alone may take the key as ?key= because browsers' EventSource cannot send headers.
import { posix } from "node:path";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { OrreryError } from "@orrery/protocol";
import type { KeyStore } from "@orrery/store";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A dashboard route: public for any path outside /api/. */
    dashboard?: boolean;
    /** The route also takes the API key as the query parameter `key`. */
    keyInQuery?: boolean;
  }
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7).trim();
  const header = req.headers["x-orrery-key"];
  if (typeof header === "string") return header;
  if (req.routeOptions.config?.keyInQuery === true) {
    const key = (req.query as Record<string, unknown> | undefined)?.key;
    if (typeof key === "string" && key !== "") return key;
  }
  return undefined;
}

/**
 * True when a URL's path is under /api/ however it is spelled (percent-escapes, dot segments,
 * doubled slashes, case, absolute form): such paths are never the dashboard's. Paths that cannot
 * be decoded, and request targets of any other form, count as API.
 */
export function isApiPath(url: string): boolean {
  // An absolute-form request line (GET http://host/path) is routed by its path.
  const absolute = /^https?:\/\/[^/?#]*/i.exec(url);
  if (absolute !== null) url = url.slice(absolute[0].length) || "/";
  else if (!url.startsWith("/")) return true;
  let path = url.split(/[?#]/, 1)[0]!;
  try {
    path = decodeURIComponent(path);
  } catch {
    return true;
  }
  path = posix.normalize(`/${path.replace(/\\/g, "/")}`).replace(/\/{2,}/g, "/").toLowerCase();
  return path === "/api" || path.startsWith("/api/");
}

/** The URL with the value of a `key` query parameter hidden, for logs. */
export function redactKey(url: string): string {
  return url.replace(/([?&]key=)[^&#]*/gi, "$1[redacted]");
}

/** Public routes: liveness, the API description and the dashboard reveal nothing about stored data. */
const OPEN = new Set(["/api/v1/health", "/api/v1/openapi.json", "/"]);

export function registerAuth(app: FastifyInstance, keys: KeyStore): void {
  // Decided on the route Fastify matched, not on the raw URL text, which can spell the same
  // route differently (percent-escapes, absolute-form request lines). Unmatched URLs need a key
  // too, so probing reveals nothing.
  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url;
    if (route !== undefined && OPEN.has(route)) return;
    if (req.routeOptions.config?.dashboard === true && !isApiPath(req.url)) return;
    const key = presentedKey(req);
    if (key === undefined || !(await keys.verifyApiKey(key, Date.now()))) {
      throw new OrreryError(
        "unauthorized",
        "this server needs an API key: send 'Authorization: Bearer <key>' (create one with 'orrery keys create')",
      );
    }
  });
}
