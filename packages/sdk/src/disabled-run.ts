// Owns disabled mode (ORRERY_MODE=disabled): a Run whose every call does nothing, writes no file
// and opens no connection, so a script can keep its tracking calls in CI or tests. Values are not
// validated either: disabled means no work at all.
import type { ArtifactVersion } from "@orrery/protocol";
import type { FinishResult, Run, RunConfig, RunSummary } from "./run.js";
import { artifactsNeedServer, type UsedArtifact } from "./artifacts/run-artifacts.js";
import type { JsonObject, JsonValue } from "./json-values.js";
import type { Settings } from "./settings.js";

export class DisabledRun implements Run {
  readonly id: string;
  readonly name: string;
  readonly entity: string;
  readonly project: string;
  readonly mode = "disabled" as const;
  readonly url: string;
  readonly spoolDir = "";
  readonly step = 0;
  readonly config: RunConfig;
  readonly summary: RunSummary = { set() {}, update() {}, delete() {} };

  constructor(settings: Settings) {
    this.id = settings.runId;
    this.name = settings.name;
    this.entity = settings.entity;
    this.project = settings.project;
    this.url = settings.url;
    const values: JsonObject = { ...settings.config };
    this.config = {
      update(): void {},
      get: (key: string): JsonValue | undefined => values[key],
      toJSON: (): JsonObject => structuredClone(values),
    };
  }

  log(): void {}
  defineMetric(): void {}
  /** Rejects (handled, so it cannot crash anything): artifacts need a server. */
  logArtifact(): Promise<ArtifactVersion> {
    return artifactsNeedServer("logArtifact", this.id, "disabled");
  }
  useArtifact(): Promise<UsedArtifact> {
    return artifactsNeedServer("useArtifact", this.id, "disabled");
  }
  finish(): Promise<FinishResult> {
    return Promise.resolve({ sent: 0, pending: 0, spoolDir: "" });
  }
}
