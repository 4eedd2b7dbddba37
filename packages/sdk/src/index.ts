// The public API of the `orrery` package: init() returns a Run; syncDir() is what
// `orrery sync` calls. Everything else in src/ is internal.
import { DisabledRun } from "./disabled-run.js";
import { ActiveRun, type Run } from "./run.js";
import { resolveSettings, type InitOptions } from "./settings.js";

export type { FinishResult, Run, RunConfig, RunSummary } from "./run.js";
export type { LogOptions, LogValue, LogValues } from "./history.js";
export type { InitOptions, Mode } from "./settings.js";
export type { JsonObject, JsonValue } from "./json-values.js";
export type { SummaryMode } from "@orrery/protocol";
export { OrreryError, OrreryValueError } from "./errors.js";
export { syncDir, type SyncOptions, type SyncReport } from "./sync.js";
export { SDK_VERSION as version } from "./metadata.js";
export { histogram, type HistogramValue } from "./histogram.js";

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
  const settings = resolveSettings(options);
  if (settings.mode === "disabled") return new DisabledRun(settings);
  return ActiveRun.start(settings);
}
