// @orrery/sweeps: pure sweep logic (config, search space, grid/random/bayes/tpe suggestions, early
// termination, command macros). No I/O and no clock; randomness comes from a passed rng.
export { parseSweepConfig, SweepConfigError, DISTRIBUTIONS, METHODS } from "./config.js";
export type { SweepConfig, ParamSpec, LeafSpec, NestedSpec, MetricSpec, EarlyTerminateSpec, Distribution, Method } from "./config.js";
export { searchSpace, nestParams, flattenParams, sampleParams } from "./space.js";
export type { SearchSpace, Dim, DimKind } from "./space.js";
export { gridSize } from "./grid.js";
export { suggest } from "./suggest.js";
export type { Trial, TrialState } from "./encode.js";
export { earlyStop, brackets } from "./early-stop.js";
export type { RunHistory } from "./early-stop.js";
export { buildCommand, DEFAULT_COMMAND } from "./command.js";
export type { CommandContext } from "./command.js";
export { warmStartTrials } from "./warm-start.js";
export { mulberry32 } from "./rng.js";
export type { Rng } from "./rng.js";
