// Owns liveness: answers without touching any run data.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";

export const healthRoutes: FastifyPluginAsyncTypebox<{ version: string }> = async (app, opts) => {
  app.get("/api/v1/health", {
    schema: {
      summary: "Liveness check",
      response: { 200: Type.Object({ status: Type.Literal("ok"), version: Type.String() }) },
    },
  }, async () => ({ status: "ok" as const, version: opts.version }));
};
