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

/** Public paths: liveness and the API description reveal nothing about stored data. */
const OPEN = new Set(["/api/v1/health", "/api/v1/openapi.json"]);

export function registerAuth(app: FastifyInstance, keys: KeyStore): void {
  app.addHook("onRequest", async (req) => {
    const path = req.url.split("?")[0];
    if (!path.startsWith("/api/") || OPEN.has(path)) return;
    const key = presentedKey(req);
    if (key === undefined || !(await keys.verifyApiKey(key, Date.now()))) {
      throw new OrreryError(
        "unauthorized",
        "this server needs an API key: send 'Authorization: Bearer <key>' (create one with 'orrery keys create')",
      );
    }
  });
}
