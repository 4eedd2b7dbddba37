// Owns the dashboard's names for the sweep wire shapes. They are the protocol's schemas (contract B),
// re-exported so the sweep pages import them from one place; Goal is the metric's direction.
import type { Sweep } from "@orrery/protocol";

export type { Sweep, SweepState, SweepTrial, TrialState } from "@orrery/protocol";
export type Goal = NonNullable<Sweep["metric"]>["goal"];
