// Owns the shapes of projects and runs as the API returns them, and the run patch a user may send.
import { Type, type Static } from "@sinclair/typebox";
import { NAME_PATTERN, RUN_ID_PATTERN, LIMITS } from "../limits.js";

export const RunState = Type.Union(
  [Type.Literal("running"), Type.Literal("finished"), Type.Literal("failed"), Type.Literal("crashed")],
  { description: "crashed means heartbeats stopped before the run finished" },
);
export type RunState = Static<typeof RunState>;

const Json = Type.Record(Type.String(), Type.Unknown());
const Time = Type.Union([Type.String({ format: "date-time" }), Type.Null()]);

export const Run = Type.Object(
  {
    id: Type.String(),
    entity: Type.String(),
    project: Type.String(),
    name: Type.String(),
    group: Type.Union([Type.String(), Type.Null()]),
    jobType: Type.Union([Type.String(), Type.Null()]),
    tags: Type.Array(Type.String()),
    notes: Type.String(),
    state: RunState,
    createdAt: Type.String({ format: "date-time" }),
    startedAt: Time,
    endedAt: Time,
    heartbeatAt: Time,
    runtime: Type.Number({ description: "seconds from start to end, or to the last record while running" }),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    lastStep: Type.Union([Type.Integer(), Type.Null()]),
    lastSeq: Type.Integer(),
    config: Json,
    summary: Type.Record(Type.String(), Type.Unknown(), {
      description: "last value of every metric (or its declared aggregate), overridden by keys the user set",
    }),
    metadata: Json,
  },
  { $id: "Run" },
);
export type Run = Static<typeof Run>;

export const RunPage = Type.Object(
  { runs: Type.Array(Type.Ref("Run")), nextCursor: Type.Union([Type.String(), Type.Null()]), total: Type.Integer() },
  { $id: "RunPage" },
);
export type RunPage = { runs: Run[]; nextCursor: string | null; total: number };

export const RunPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    notes: Type.Optional(Type.String({ maxLength: 65536 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 256 })),
  },
  { $id: "RunPatch", additionalProperties: false, minProperties: 1 },
);
export type RunPatch = Static<typeof RunPatch>;

export const Project = Type.Object(
  {
    entity: Type.String(),
    name: Type.String(),
    createdAt: Type.String({ format: "date-time" }),
    runCount: Type.Integer(),
    lastActivity: Time,
  },
  { $id: "Project" },
);
export type Project = Static<typeof Project>;

export const ProjectList = Type.Object({ projects: Type.Array(Type.Ref("Project")) }, { $id: "ProjectList" });

export const ProjectParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
});
export const RunParams = Type.Object({
  entity: Type.String({ pattern: NAME_PATTERN }),
  project: Type.String({ pattern: NAME_PATTERN }),
  runId: Type.String({ pattern: RUN_ID_PATTERN }),
});
export type RunParams = Static<typeof RunParams>;

export const RunListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxPageSize, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    state: Type.Optional(RunState),
  },
  { additionalProperties: false },
);
export type RunListQuery = Static<typeof RunListQuery>;
