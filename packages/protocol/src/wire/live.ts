// Owns the live-update stream's wire shapes: GET .../projects/{entity}/{project}/events is a
// Server-Sent Events stream whose events are named here. `runs` carries the current table rows of
// runs that changed (coalesced: at most one such event per interval per connection); `project`
// means "something changed that cannot be pinned to runs: reload everything".
import { Type, type Static } from "@sinclair/typebox";
import type { RunRow } from "./runs.js";

/** SSE event names. A `: ping` comment line also arrives every 15 s to keep proxies from closing the stream. */
export const LIVE_EVENTS = { runs: "runs", project: "project" } as const;
export type LiveEventName = (typeof LIVE_EVENTS)[keyof typeof LIVE_EVENTS];

export const LiveQuery = Type.Object(
  {
    key: Type.Optional(Type.String({
      maxLength: 512,
      description:
        "API key, for browsers' EventSource, which cannot send an Authorization header. Accepted on this route only, " +
        "and only needed when the server requires keys; prefer the header where the client can send one",
    })),
  },
  { additionalProperties: false },
);
export type LiveQuery = Static<typeof LiveQuery>;

export const LiveRunsEvent = Type.Object(
  {
    runs: Type.Array(Type.Ref("RunRow"), {
      description: "the changed runs as they are now: their own fields (values is {}); a run deleted meanwhile is absent",
    }),
  },
  {
    $id: "LiveRunsEvent",
    description: "data of an SSE `runs` event",
    example: {
      runs: [{
        id: "k3x9a0bq", entity: "ada", project: "digits", name: "brisk-owl-7", group: "sweep-3", jobType: "train",
        tags: ["baseline"], notes: "", state: "running", createdAt: "2026-01-05T10:00:00.000Z",
        startedAt: "2026-01-05T10:00:00.120Z", endedAt: null, heartbeatAt: "2026-01-05T10:12:09.000Z",
        runtime: 729.3, exitCode: null, lastStep: 4100, lastSeq: 4312, values: {},
      }],
    },
  },
);
export type LiveRunsEvent = { runs: RunRow[] };

/** Data of an SSE `project` event: always `{}`. */
export const LiveProjectEvent = Type.Object({}, { $id: "LiveProjectEvent", description: "data of an SSE `project` event: reload everything" });
export type LiveProjectEvent = Record<string, never>;
