// Owns assembling the HTTP server: Fastify with TypeBox schemas, the error catalogue, access
// control, the OpenAPI document, the live-update bus, the dashboard, and one plugin per route
// group. It knows nothing of SQL: every route talks to the Store interfaces decorated here once.
import Fastify, { type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  ConsoleLines, ErrorBody, HistoryRows, IngestBatch, IngestReply, KeyList, LIMITS, MetricValue,
  Project, ProjectList, RECORD_SCHEMAS, Run, RunPage, RunPatch, SeriesResponse, MultiSeriesResponse,
  ConfigTreePage, RunGroupsPage, RunKeyPage, RunRow, LiveRunsEvent, LiveProjectEvent, HistogramSeriesResponse,
  Sweep, SweepList, SweepTrials, NextAction,
  ManifestEntry, ArtifactVersion, ArtifactDraft, ArtifactSummary, ArtifactList, ArtifactDetail, ManifestPage, AliasHistory,
  VersionRuns, RunArtifacts, LineageGraph, BlobUploadStatus, GcReport,
  RunValues, Importance,
  View, ViewList,
  MediaKeys, MediaStep,
  TableKeys, TablePage, TableCompare, ConfusionMatrix,
} from "@orrery/protocol";
import type { Store } from "@orrery/store";
import { registerErrorHandling, replyWithError } from "./errors.js";
import { redactKey, registerAuth } from "./auth.js";
import { registerValidation } from "./validation.js";
import { LiveBus } from "./live/bus.js";
import { healthRoutes } from "./routes/health.js";
import { projectRoutes } from "./routes/projects.js";
import { runRoutes } from "./routes/runs.js";
import { ingestRoutes } from "./routes/ingest.js";
import { seriesRoutes } from "./routes/series.js";
import { histogramRoutes } from "./routes/histograms.js";
import { projectSeriesRoutes } from "./routes/project-series.js";
import { DEFAULT_LIVE_INTERVAL_MS, liveRoutes } from "./routes/live.js";
import { dashboardFallback, dashboardRoutes } from "./routes/dashboard.js";
import { sweepRoutes } from "./routes/sweeps.js";
import { SweepController, type ControllerOptions } from "./sweeps/controller.js";
import { artifactRoutes } from "./routes/artifacts.js";
import { blobRoutes } from "./routes/blobs.js";
import { insightRoutes } from "./routes/insights.js";
import { ArtifactService } from "./artifacts/service.js";
import { viewRoutes } from "./routes/views.js";
import { mediaRoutes } from "./routes/media.js";
import { tableRoutes } from "./routes/tables.js";

declare module "fastify" {
  interface FastifyInstance { store: Store; live: LiveBus; sweeps: SweepController; artifacts: ArtifactService }
}

export interface AppOptions {
  store: Store;
  /** Require API keys on every API call (set when bound to a non-loopback address). */
  requireKeys: boolean;
  logger?: boolean;
  version: string;
  /** A built dashboard (index.html and assets/) to serve at `/`; absent or unbuilt, `/` says how to build it. */
  dashboardDir?: string;
  /** Least time between two events of one live stream, ms (default 500). */
  liveIntervalMs?: number;
  /** Sweep controller settings (early-termination cadence, wait hint). */
  sweeps?: ControllerOptions;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger
      ? {
          level: "info",
          // The live stream may carry an API key as ?key=: keep it out of the logs.
          serializers: { req: (req) => ({ method: req.method, url: redactKey(req.url), host: req.host, remoteAddress: req.ip }) },
        }
      : false,
    bodyLimit: LIMITS.maxBodyBytes,
    return503OnClosing: true,
    // Keys such as "__proto__" are stored as the data they are (the store never merges through
    // the prototype chain), instead of failing a whole batch as "invalid JSON".
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
    // A URL that cannot be decoded (/a%ZZ) gets the JSON error body too, not Fastify's own.
    frameworkErrors: replyWithError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate("store", opts.store);
  app.decorate("live", new LiveBus());
  app.decorate("sweeps", new SweepController(opts.store, opts.sweeps));
  app.decorate("artifacts", new ArtifactService(opts.store));
  registerErrorHandling(app, { notFoundFallback: dashboardFallback(opts.dashboardDir) });
  if (opts.requireKeys) registerAuth(app, opts.store.keys);
  // The API speaks JSON only; anything else gets 415 instead of being parsed as text.
  app.removeContentTypeParser("text/plain");

  const shared = [
    MetricValue, ErrorBody, ...Object.values(RECORD_SCHEMAS), IngestBatch, IngestReply, Run, RunPage, RunPatch,
    Project, ProjectList, SeriesResponse, HistoryRows, KeyList, ConsoleLines, RunRow, RunGroupsPage, RunKeyPage, ConfigTreePage,
    MultiSeriesResponse, LiveRunsEvent, LiveProjectEvent, HistogramSeriesResponse, Sweep, SweepList, SweepTrials, NextAction,
    ManifestEntry, ArtifactVersion, ArtifactDraft, ArtifactSummary, ArtifactList, ArtifactDetail, ManifestPage, AliasHistory,
    VersionRuns, RunArtifacts, LineageGraph, BlobUploadStatus, GcReport,
    RunValues, Importance,
    View, ViewList,
    MediaKeys, MediaStep,
    TableKeys, TablePage, TableCompare, ConfusionMatrix,
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
  await app.register(histogramRoutes);
  await app.register(projectSeriesRoutes);
  await app.register(sweepRoutes);
  await app.register(artifactRoutes);
  await app.register(blobRoutes);
  await app.register(insightRoutes);
  await app.register(viewRoutes);
  await app.register(mediaRoutes);
  await app.register(tableRoutes);
  await app.register(liveRoutes, { intervalMs: opts.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS });
  await app.register(dashboardRoutes, { dir: opts.dashboardDir });
  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
