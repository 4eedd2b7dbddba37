// Owns init options: their types, their defaults from the environment, and their validation.
// Everything downstream receives a resolved, checked Settings object and never reads process.env.
// Precedence: an explicit option wins over the environment, which wins over the default.
import { resolve } from "node:path";
import { NAME_PATTERN, RESERVED_RUN_IDS, RUN_ID_PATTERN } from "@orrery/protocol";
import { describe, optionError } from "./errors.js";
import { isPlainObject, toJsonObject, type JsonObject } from "./json-values.js";
import { defaultEntity, friendlyName, randomRunId } from "./names.js";

export type Mode = "online" | "offline" | "disabled";

/** Options of `orrery.init()`. Every field is optional. */
export interface InitOptions {
  /** "entity/project" or "project". Default: $ORRERY_PROJECT, else "uncategorized". */
  project?: string;
  /** Entity, when not given in `project`. Default: $ORRERY_ENTITY, else the OS user name. */
  entity?: string;
  /** Run id, /^[A-Za-z0-9_-]{1,64}$/, unique in the project. Default: 8 random base36 characters. */
  id?: string;
  /** Display name. Default: a generated "adjective-noun-N". */
  name?: string;
  group?: string;
  jobType?: string;
  tags?: readonly string[];
  notes?: string;
  /** Hyperparameters: any JSON-compatible plain object (nested objects are flattened with "." for search). */
  config?: Record<string, unknown>;
  /** "online" (default), "offline" (spool only; upload later with `orrery sync`) or "disabled" (no-op). Default: $ORRERY_MODE. */
  mode?: Mode;
  /** Folder that holds the run spools. Default: $ORRERY_DIR, else ./orrery. */
  dir?: string;
  /** Server URL. Default: $ORRERY_URL, else http://127.0.0.1:5170. */
  url?: string;
  /** API key, sent as `Authorization: Bearer <key>`. Default: $ORRERY_API_KEY. */
  apiKey?: string;
  /** Capture stdout and stderr into the run's console log. Default true. */
  console?: boolean;
  /** System metrics sampling period; 0 disables. Default 15000. */
  systemMetricsIntervalMs?: number;
  /** Heartbeat period in online mode. Default 10000. */
  heartbeatIntervalMs?: number;
  /** How long finish() waits for the server to acknowledge everything. Default 30000. */
  finishTimeoutMs?: number;
}

export interface Settings {
  mode: Mode;
  entity: string;
  project: string;
  runId: string;
  name: string;
  group: string | undefined;
  jobType: string | undefined;
  tags: string[] | undefined;
  notes: string | undefined;
  config: JsonObject;
  /** The sweep this run is a trial of ($ORRERY_SWEEP_ID, set by `orrery agent`); recorded as metadata.sweep. */
  sweepId: string | undefined;
  dir: string;
  url: string;
  apiKey: string | undefined;
  console: boolean;
  systemMetricsIntervalMs: number;
  heartbeatIntervalMs: number;
  finishTimeoutMs: number;
}

export const DEFAULT_URL = "http://127.0.0.1:5170";
const MODES: readonly Mode[] = ["online", "offline", "disabled"];
const KNOWN_OPTIONS = new Set([
  "project", "entity", "id", "name", "group", "jobType", "tags", "notes", "config", "mode", "dir", "url",
  "apiKey", "console", "systemMetricsIntervalMs", "heartbeatIntervalMs", "finishTimeoutMs",
]);
const nameRe = new RegExp(NAME_PATTERN);
const runIdRe = new RegExp(RUN_ID_PATTERN);

export function resolveSettings(options: InitOptions = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  if (!isPlainObject(options)) throw optionError("options", `must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw optionError(key, `is not an init option; known options: ${[...KNOWN_OPTIONS].join(", ")}`);
    }
  }
  const mode = pickMode(options.mode, env.ORRERY_MODE);
  const { entity, project } = pickProject(options, env);
  // A sweep agent names the run it was assigned through ORRERY_RUN_ID; an explicit id still wins.
  const runId = options.id ?? (env.ORRERY_RUN_ID || undefined) ?? randomRunId();
  if (typeof runId !== "string" || !runIdRe.test(runId)) {
    throw optionError(options.id === undefined ? "ORRERY_RUN_ID" : "id", `must match ${RUN_ID_PATTERN} (letters, digits, "_" and "-", up to 64), got ${describe(runId)}`);
  }
  if (RESERVED_RUN_IDS.includes(runId)) throw optionError("id", `'${runId}' is reserved (it names a route); choose another id`);
  return {
    mode,
    entity,
    project,
    runId,
    name: optionalText("name", options.name, 256) ?? friendlyName(),
    group: optionalText("group", options.group, 256),
    jobType: optionalText("jobType", options.jobType, 256),
    tags: pickTags(options.tags),
    notes: optionalText("notes", options.notes, 65536),
    config: withSweepParams(options.config === undefined ? {} : toJsonObject(options.config, "config"), env.ORRERY_SWEEP_PARAMS),
    sweepId: env.ORRERY_SWEEP_ID || undefined,
    dir: resolve(pickString("dir", options.dir, env.ORRERY_DIR) ?? "./orrery"),
    url: pickUrl(options.url, env.ORRERY_URL),
    apiKey: pickString("apiKey", options.apiKey, env.ORRERY_API_KEY),
    console: pickBoolean("console", options.console, true),
    systemMetricsIntervalMs: pickMs("systemMetricsIntervalMs", options.systemMetricsIntervalMs, 15_000, true),
    heartbeatIntervalMs: pickMs("heartbeatIntervalMs", options.heartbeatIntervalMs, 10_000, false),
    finishTimeoutMs: pickMs("finishTimeoutMs", options.finishTimeoutMs, 30_000, true),
  };
}

/**
 * Merges the sweep's parameters (JSON in $ORRERY_SWEEP_PARAMS) into the config: the sweep wins,
 * and nested objects merge key by key, so `{optimizer: {momentum}}` in code keeps its momentum
 * beside a swept `optimizer.lr`, as W&B does.
 */
function withSweepParams(config: JsonObject, raw: string | undefined): JsonObject {
  if (!raw) return config;
  let params: unknown;
  try {
    params = JSON.parse(raw);
  } catch {
    throw optionError("ORRERY_SWEEP_PARAMS", `must be a JSON object (it is set by 'orrery agent'), got ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (!isPlainObject(params)) throw optionError("ORRERY_SWEEP_PARAMS", `must be a JSON object (it is set by 'orrery agent'), got ${describe(params)}`);
  return deepMerge(config, toJsonObject(params as Record<string, unknown>, "ORRERY_SWEEP_PARAMS"));
}

function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b as JsonObject, v as JsonObject) : v;
  }
  return out;
}

function pickMode(option: unknown, fromEnv: string | undefined): Mode {
  const raw = option ?? (fromEnv === "" ? undefined : fromEnv) ?? "online";
  if (!MODES.includes(raw as Mode)) {
    const source = option === undefined ? "ORRERY_MODE" : "mode";
    throw optionError(source, `must be one of ${MODES.join(", ")}, got ${describe(raw)}`);
  }
  return raw as Mode;
}

function pickProject(options: InitOptions, env: NodeJS.ProcessEnv): { entity: string; project: string } {
  const raw = options.project ?? (env.ORRERY_PROJECT || undefined) ?? "uncategorized";
  const source = options.project === undefined ? "ORRERY_PROJECT" : "project";
  if (typeof raw !== "string") throw optionError(source, `must be "entity/project" or "project", got ${describe(raw)}`);
  const parts = raw.split("/");
  if (parts.length > 2) throw optionError(source, `must be "entity/project" or "project", got ${JSON.stringify(raw)}`);
  const project = parts[parts.length - 1]!;
  let entity = parts.length === 2 ? parts[0]! : undefined;
  if (entity !== undefined && options.entity !== undefined && options.entity !== entity) {
    throw optionError("entity", `is ${JSON.stringify(options.entity)} but project names entity ${JSON.stringify(entity)}: give it once`);
  }
  entity ??= options.entity ?? (env.ORRERY_ENTITY || undefined) ?? defaultEntity(env);
  if (!nameRe.test(project)) {
    throw optionError(source, `project name must match ${NAME_PATTERN} (letters, digits, "_", "." and "-"), got ${JSON.stringify(project)}`);
  }
  if (typeof entity !== "string" || !nameRe.test(entity)) {
    throw optionError("entity", `must match ${NAME_PATTERN} (letters, digits, "_", "." and "-"), got ${describe(entity)}`);
  }
  return { entity, project };
}

function pickTags(tags: unknown): string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) throw optionError("tags", `must be an array of strings, got ${describe(tags)}`);
  if (tags.length > 256) throw optionError("tags", `has ${tags.length} tags; the limit is 256`);
  for (const t of tags) {
    if (typeof t !== "string" || t.length === 0 || t.length > 128) {
      throw optionError("tags", `must hold strings of 1 to 128 characters, got ${describe(t)}`);
    }
  }
  return [...(tags as string[])];
}

function optionalText(option: string, value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw optionError(option, `must be a string, got ${describe(value)}`);
  if (value.length > max) throw optionError(option, `is ${value.length} characters; the limit is ${max}`);
  return value;
}

function pickString(option: string, value: unknown, fromEnv: string | undefined): string | undefined {
  if (value !== undefined) {
    if (typeof value !== "string" || value.length === 0) throw optionError(option, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }
  return fromEnv === "" ? undefined : fromEnv;
}

function pickUrl(option: unknown, fromEnv: string | undefined): string {
  const raw = pickString("url", option, fromEnv) ?? DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw optionError(option === undefined ? "ORRERY_URL" : "url", `must be an http(s) URL such as ${DEFAULT_URL}, got ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw optionError(option === undefined ? "ORRERY_URL" : "url", `must use http or https, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, "");
}

function pickBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw optionError(option, `must be true or false, got ${describe(value)}`);
  return value;
}

function pickMs(option: string, value: unknown, fallback: number, zeroAllowed: boolean): number {
  if (value === undefined) return fallback;
  const min = zeroAllowed ? 0 : 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    throw optionError(option, `must be an integer number of milliseconds >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** Checks an exit code for finish(): an integer the FinishRecord accepts. */
export function checkExitCode(code: unknown): number {
  if (typeof code !== "number" || !Number.isInteger(code) || code < -255 || code > 255) {
    throw optionError("exitCode", `must be an integer from -255 to 255, got ${describe(code)}`);
  }
  return code;
}


/** Server URL and API key for tools that have no init options (orrery sync). */
export function resolveServer(url: string | undefined, apiKey: string | undefined, env: NodeJS.ProcessEnv = process.env): { url: string; apiKey: string | undefined } {
  return { url: pickUrl(url, env.ORRERY_URL), apiKey: pickString("apiKey", apiKey, env.ORRERY_API_KEY) };
}
