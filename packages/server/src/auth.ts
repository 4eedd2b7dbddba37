// Owns access control. On a loopback address the server is single-user and open; bound to any
// other address every API call needs a key. The check runs before routing, so a caller without a
// valid key learns nothing about which projects or runs exist.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { OrreryError } from "@orrery/protocol";
import type { KeyStore } from "@orrery/store";

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7).trim();
  const header = req.headers["x-orrery-key"];
  return typeof header === "string" ? header : undefined;
}

/** Public routes: liveness, the API description and the page reveal nothing about stored data. */
const OPEN = new Set(["/api/v1/health", "/api/v1/openapi.json", "/"]);

export function registerAuth(app: FastifyInstance, keys: KeyStore): void {
  // Decided on the route Fastify matched, not on the raw URL text, which can spell the same
  // route differently (percent-escapes, absolute-form request lines). Unmatched URLs need a key
  // too, so probing reveals nothing.
  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url;
    if (route !== undefined && OPEN.has(route)) return;
    const key = presentedKey(req);
    if (key === undefined || !(await keys.verifyApiKey(key, Date.now()))) {
      throw new OrreryError(
        "unauthorized",
        "this server needs an API key: send 'Authorization: Bearer <key>' (create one with 'orrery keys create')",
      );
    }
  });
}
