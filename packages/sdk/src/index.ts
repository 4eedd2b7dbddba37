// The public API of the `orrery` package: init() returns a Run; syncDir() is what
// `orrery sync` calls; agent() runs sweep trials in-process, and SweepClient is what `orrery agent`
// talks to the server through; Artifact and ArtifactClient are what `orrery artifact` and `orrery gc`
// are built on. Everything else in src/ is internal.
import { DisabledRun } from "./disabled-run.js";
import { ActiveRun, type Run } from "./run.js";
import { resolveSettings, type InitOptions } from "./settings.js";
import { agentEnv, noteRun } from "./agent.js";

export type { FinishResult, Run, RunConfig, RunSummary } from "./run.js";
export type { LogOptions, LogValue, LogValues } from "./history.js";
export type { InitOptions, Mode } from "./settings.js";
export type { JsonObject, JsonValue } from "./json-values.js";
export type { SummaryMode } from "@orrery/protocol";
export { OrreryError, OrreryValueError } from "./errors.js";
export { syncDir, type SyncOptions, type SyncReport } from "./sync.js";
export { SDK_VERSION as version } from "./metadata.js";
export { histogram, type HistogramValue } from "./histogram.js";
export { Table, type TableColumnSpec, type TableOptions, type TableColumnType, type TableValue } from "./table.js";
export { Image, encodePng, type ImageOptions, type ImagePixels, type ImageMaskInput, type ImageBox, type ClassLabels } from "./media.js";
export { agent, type AgentOptions, type AgentReport, type Assignment } from "./agent.js";
/** The sweep agent HTTP client; `orrery agent` (the CLI) is built on it. */
export { SweepClient, SweepApiError, type SweepClientOptions, type NextAction, type HeartbeatReply, type TrialExit } from "./sweep-client.js";
/** Artifacts: build one with Artifact, log and fetch through run.logArtifact/useArtifact or ArtifactClient. */
export {
  Artifact, type ArtifactOptions, type AddFileOptions, type AddDirOptions, type AddReferenceOptions, type ArtifactPhase, type ProgressCallback, type BuiltManifest,
} from "./artifacts/artifact.js";
export {
  ArtifactClient, collectGarbage, parseRef as parseArtifactReference, checkAliases,
  type ArtifactClientOptions, type LogArtifactOptions, type LogResult, type DownloadOptions, type DownloadResult,
} from "./artifacts/client.js";
export { ArtifactCache, defaultCacheDir } from "./artifacts/cache.js";
export { hashFile, manifestDigest } from "./artifacts/hash.js";
export type { ServerTarget } from "./artifacts/http.js";
export type { UsedArtifact, LogArtifactRunOptions } from "./artifacts/run-artifacts.js";
export type { ArtifactVersion, ArtifactSummary, ArtifactDetail, ManifestEntry, GcReport, GcRequest } from "@orrery/protocol";

/**
 * Starts a run. Options fall back to ORRERY_* environment variables, then to defaults (see
 * InitOptions). Resolves once the run record is in the local spool; the server is contacted in
 * the background, so init() works the same whether or not the server is up.
 * Throws OrreryError (code invalid_request, `field` = the option) for a bad option.
 *
 * @example
 * const run = await orrery.init({ project: "digits", config: { lr: 1e-3 } });
 * run.log({ loss: 0.31 });
 * await run.finish();
 */
export async function init(options: InitOptions = {}): Promise<Run> {
  // Inside orrery.agent() the trial's run id and sweep params come from agentEnv().
  const settings = resolveSettings(options, agentEnv());
  if (settings.mode === "disabled") return new DisabledRun(settings);
  const run = await ActiveRun.start(settings);
  noteRun(run);
  return run;
}
