// Owns the wire shapes of sweeps: the sweep as the API returns it, its trials, and the agent
// protocol (register, next, heartbeat, exit). The config's own grammar is @orrery/sweeps'
// parseSweepConfig; here a config is only "an object or YAML/JSON text".
import { Type, type Static } from "@sinclair/typebox";
import { NAME_PATTERN, RUN_ID_PATTERN } from "../limits.js";

/** Run ids one heartbeat may list: an agent runs one trial at a time, a few in-process at most. */
export const MAX_HEARTBEAT_RUNS = 256;
/** Characters of a sweep config sent as text. */
export const MAX_SWEEP_CONFIG_CHARS = 1_000_000;

export const SweepState = Type.Union(
  [Type.Literal("running"), Type.Literal("paused"), Type.Literal("stopped"), Type.Literal("finished")],
  { description: "finished: the grid is exhausted or run_cap reached, and no trial is still running" },
);
export type SweepState = Static<typeof SweepState>;

export const TrialState = Type.Union(
  [
    Type.Literal("assigned"), Type.Literal("running"), Type.Literal("finished"), Type.Literal("failed"),
    Type.Literal("crashed"), Type.Literal("stopped"), Type.Literal("lost"),
  ],
  { description: "lost: its agent went silent past the heartbeat timeout and its configuration is offered again" },
);
export type TrialState = Static<typeof TrialState>;

const Json = Type.Record(Type.String(), Type.Unknown());
const Metric = Type.Object({ name: Type.String(), goal: Type.Union([Type.Literal("minimize"), Type.Literal("maximize")]) });

export const Sweep = Type.Object(
  {
    id: Type.String(),
    entity: Type.String(),
    project: Type.String(),
    name: Type.String(),
    state: SweepState,
    method: Type.String(),
    config: Type.Record(Type.String(), Type.Unknown(), { description: "the parsed config" }),
    createdAt: Type.String({ format: "date-time" }),
    runCap: Type.Union([Type.Integer(), Type.Null()]),
    gridSize: Type.Union([Type.Integer(), Type.Null()], { description: "configurations of a grid sweep; null when not finite" }),
    counts: Type.Object({
      pending: Type.Integer({ description: "configurations waiting to be offered again (retries, lost trials)" }),
      running: Type.Integer({ description: "assigned or running" }),
      finished: Type.Integer(),
      failed: Type.Integer(),
      crashed: Type.Integer(),
      stopped: Type.Integer(),
      lost: Type.Integer(),
      total: Type.Integer({ description: "every trial, retries included" }),
    }),
    best: Type.Union([
      Type.Object({ runId: Type.String(), value: Type.Number(), params: Json }),
      Type.Null(),
    ], { description: "the finished trial with the best metric value" }),
    metric: Type.Union([Metric, Type.Null()]),
  },
  { $id: "Sweep" },
);
export type Sweep = Static<typeof Sweep>;

export const SweepList = Type.Object({ sweeps: Type.Array(Type.Ref("Sweep")) }, { $id: "SweepList" });
export type SweepList = { sweeps: Sweep[] };

export const SweepCreate = Type.Object(
  {
    config: Type.Union([Type.String({ maxLength: MAX_SWEEP_CONFIG_CHARS }), Json], {
      description: "the sweep config: an object, or YAML or JSON text (a W&B sweep.yaml works unchanged)",
    }),
  },
  { additionalProperties: false },
);
export type SweepCreate = Static<typeof SweepCreate>;

export const SweepPatch = Type.Object(
  { state: Type.Union([Type.Literal("running"), Type.Literal("paused"), Type.Literal("stopped")]) },
  { additionalProperties: false },
);
export type SweepPatch = Static<typeof SweepPatch>;

export const SweepTrial = Type.Object({
  runId: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown(), { description: "nested, as the run's config receives them" }),
  state: TrialState,
  value: Type.Union([Type.Number(), Type.Null()], { description: "the run's summary value of the sweep's metric" }),
  attempt: Type.Integer({ description: "1, or more for a retry or a reassignment of a lost trial" }),
  agentId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  endedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  earlyStopped: Type.Boolean(),
});
export type SweepTrial = Static<typeof SweepTrial>;

export const SweepTrials = Type.Object({ trials: Type.Array(SweepTrial) }, { $id: "SweepTrials" });
export type SweepTrials = Static<typeof SweepTrials>;

export const AgentRegister = Type.Object(
  {
    host: Type.Optional(Type.String({ maxLength: 255 })),
    pid: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    interpreter: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: "what ${interpreter} expands to (default python3)" })),
  },
  { additionalProperties: false },
);
export type AgentRegister = Static<typeof AgentRegister>;

export const AgentRegistered = Type.Object({ agentId: Type.String() });
export type AgentRegistered = Static<typeof AgentRegistered>;

export const NextAction = Type.Union(
  [
    Type.Object({
      action: Type.Literal("run"),
      runId: Type.String(),
      params: Type.Record(Type.String(), Type.Unknown(), { description: "nested parameters" }),
      command: Type.Object({
        argv: Type.Array(Type.String()),
        argsJson: Type.String(),
        error: Type.Optional(Type.String({ description: "why argv is empty: the command cannot be built (e.g. it uses ${program} and the config has none); in-process agents ignore argv" })),
      }),
    }),
    Type.Object({ action: Type.Literal("wait"), retryAfterMs: Type.Integer() }),
    Type.Object({ action: Type.Literal("stop"), reason: Type.String() }),
  ],
  { $id: "NextAction" },
);
export type NextAction = Static<typeof NextAction>;

export const AgentHeartbeat = Type.Object(
  { runIds: Type.Array(Type.String({ pattern: RUN_ID_PATTERN }), { maxItems: MAX_HEARTBEAT_RUNS }) },
  { additionalProperties: false },
);
export type AgentHeartbeat = Static<typeof AgentHeartbeat>;

export const AgentHeartbeatReply = Type.Object({
  stop: Type.Array(Type.String(), { description: "runIds the agent must stop: early-terminated, lost, or the sweep stopped" }),
  state: SweepState,
});
export type AgentHeartbeatReply = Static<typeof AgentHeartbeatReply>;

export const TrialExit = Type.Object(
  {
    exitCode: Type.Union([Type.Integer({ minimum: -(2 ** 31), maximum: 2 ** 32 }), Type.Null()]),
    signal: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
    startupFailure: Type.Optional(Type.Boolean({ description: "the command could not be started at all" })),
  },
  { additionalProperties: false },
);
export type TrialExit = Static<typeof TrialExit>;

export const SweepParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  sweepId: Type.String({ pattern: RUN_ID_PATTERN }),
});
export const SweepAgentParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  sweepId: Type.String({ pattern: RUN_ID_PATTERN }),
  agentId: Type.String({ pattern: RUN_ID_PATTERN }),
});
export const SweepTrialParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  sweepId: Type.String({ pattern: RUN_ID_PATTERN }),
  runId: Type.String({ pattern: RUN_ID_PATTERN }),
});
