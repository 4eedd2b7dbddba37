// Owns assembling the HTTP server: Fastify with TypeBox schemas, the error catalogue, access
// control, the OpenAPI document, and one plugin per route group. It knows nothing of SQL: every
// route talks to the Store interfaces decorated here once.
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ConsoleLines, ErrorBody, HistoryRows, IngestBatch, IngestReply, KeyList, LIMITS, MetricValue,
  Project, ProjectList, RECORD_SCHEMAS, Run, RunPage, RunPatch, SeriesResponse,
  ConfigTreePage, RunGroupsPage, RunKeyPage, RunRow,
} from "@orrery/protocol";
import type { Store } from "@orrery/store";
import { registerErrorHandling } from "./errors.js";
import { registerAuth } from "./auth.js";
import { registerValidation } from "./validation.js";
import { healthRoutes } from "./routes/health.js";
import { projectRoutes } from "./routes/projects.js";
import { runRoutes } from "./routes/runs.js";
import { ingestRoutes } from "./routes/ingest.js";
import { seriesRoutes } from "./routes/series.js";
import { pageRoutes } from "./routes/page.js";

declare module "fastify" {
  interface FastifyInstance { store: Store }
}

export interface AppOptions {
  store: Store;
  /** Require API keys on every API call (set when bound to a non-loopback address). */
  requireKeys: boolean;
  logger?: boolean;
  version: string;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: "info" } : false,
    bodyLimit: LIMITS.maxBodyBytes,
    return503OnClosing: true,
    // Keys such as "__proto__" are stored as the data they are (the store never merges through
    // the prototype chain), instead of failing a whole batch as "invalid JSON".
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("store", opts.store);
  registerErrorHandling(app);
  if (opts.requireKeys) registerAuth(app, opts.store.keys);
  // The API speaks JSON only; anything else gets 415 instead of being parsed as text.
  app.removeContentTypeParser("text/plain");

  const shared = [
    MetricValue, ErrorBody, ...Object.values(RECORD_SCHEMAS), IngestBatch, IngestReply, Run, RunPage, RunPatch,
    Project, ProjectList, SeriesResponse, HistoryRows, KeyList, ConsoleLines, RunRow, RunGroupsPage, RunKeyPage, ConfigTreePage,
  ];
  for (const schema of shared) app.addSchema(schema);
  registerValidation(app, shared);

  await app.register(swagger, {
    // Components keep the schemas' own names (Run, SeriesResponse, ...) instead of def-N.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Orrery API",
        version: opts.version,
        description:
          "Track, compare and reproduce training runs. Errors are JSON `{error, message, field}`. " +
          "Metric values are float64; NaN and infinities travel as the strings \"NaN\", \"Infinity\", \"-Infinity\".",
      },
      components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
      security: opts.requireKeys ? [{ apiKey: [] }] : [],
    },
  });

  await app.register(healthRoutes, { version: opts.version });
  await app.register(projectRoutes);
  await app.register(runRoutes);
  await app.register(ingestRoutes);
  await app.register(seriesRoutes);
  await app.register(pageRoutes);
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
