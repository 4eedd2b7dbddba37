// Owns a live run: turns every SDK call into a spool record (seq 1, 2, 3 ...) before returning,
// and wires the background parts together (sender, heartbeat, system metrics, console capture,
// process-exit hooks). Step semantics live in history.ts, the file format in spool/, shipping in
// sender.ts. Nothing here waits on the network except finish().
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { encodeMetric, LIMITS, type ArtifactVersion, type SummaryMode } from "@orrery/protocol";
import type { Artifact } from "./artifacts/artifact.js";
import { artifactsNeedServer, RunArtifacts, type LogArtifactRunOptions, type UsedArtifact } from "./artifacts/run-artifacts.js";
import { ConsoleCapture, type StreamName } from "./console-capture.js";
import { describe, optionError, OrreryError, OrreryValueError } from "./errors.js";
import { Heartbeat } from "./heartbeat.js";
import type { HistogramValue } from "./histogram.js";
import type { Image } from "./media.js";
import { History, IMAGE_RECORD_BYTES, type LogOptions, type LogValues } from "./history.js";
import { checkKey, toJsonObject, type JsonObject, type JsonValue } from "./json-values.js";
import { collectMetadata } from "./metadata.js";
import { Sender } from "./sender.js";
import { checkExitCode, type Mode, type Settings } from "./settings.js";
import { SPOOL_FILE } from "./spool/ack.js";
import { SpoolWriter } from "./spool/writer.js";
import { SystemMetrics, type Sample } from "./system-metrics.js";
import { warn } from "./warn.js";

/** Largest config or summary record we write; bigger objects are split by top-level key. */
const MAX_OBJECT_RECORD_CHARS = 1024 * 1024;
const SUMMARY_MODES: readonly SummaryMode[] = ["last", "min", "max", "mean", "none"];

export interface FinishResult {
  /** Records the server acknowledged during this process. */
  sent: number;
  /** Records written but not acknowledged (all of them in offline mode): `orrery sync` uploads them. */
  pending: number;
  /** The run's spool folder ("" in disabled mode). */
  spoolDir: string;
}

export interface RunConfig {
  /** Sets top-level config keys (a nested value replaces the whole key). Any JSON-compatible values. */
  update(values: Record<string, unknown>): void;
  /** The current value of a top-level key. */
  get(key: string): JsonValue | undefined;
  /** A copy of the whole config. */
  toJSON(): JsonObject;
}

export interface RunSummary {
  /** Sets a summary key; it wins over the automatic summary of a metric with the same key. Any JSON value; null removes the override. */
  set(key: string, value: unknown): void;
  /** set() for several keys in one record. */
  update(values: Record<string, unknown>): void;
  /** Removes the override of `key`, so the automatic summary shows again. */
  delete(key: string): void;
}

export interface Run {
  readonly id: string;
  readonly name: string;
  readonly entity: string;
  readonly project: string;
  readonly mode: Mode;
  /** Server URL in use (also in offline mode, for `orrery sync`). */
  readonly url: string;
  /** Spool folder of this run ("" in disabled mode). */
  readonly spoolDir: string;
  /** The step the next log() without `step` writes to. */
  readonly step: number;
  readonly config: RunConfig;
  readonly summary: RunSummary;
  /**
   * Records a row of metrics. Values are numbers (NaN and ±Infinity are kept) or nested plain
   * objects of numbers, flattened with "." ({ val: { acc: 1 } } is "val.acc"). Anything else
   * (strings, booleans, null, arrays, bigint) throws OrreryValueError naming the key; keys must be
   * 1 to 256 characters and must not start with "_" (reserved for _step, _timestamp, _runtime).
   * A histogram value (`histogram(values)`, or any `{ bins, counts }` of that shape) is written as a
   * histogram record for the same step instead of going into the row; so is an `Image` (or an array
   * of up to 32), as an image record, and a `Table` as a table record.
   *
   * Steps:
   * - `log(v)`: v is written at the current step, and the step increments.
   * - `log(v, { commit: false })`: v is written at the current step, which stays current, so
   *   later calls add to the same row (the later value wins per key).
   * - `log(v, { step: s })` with s >= current step: v is written at s, and the next automatic
   *   step is s + 1 (s with `commit: false`).
   * - `log(v, { step: s })` with s < current step (e.g. a late evaluation result): v is written
   *   at s and the server merges it into that step, the later write winning per key; the
   *   automatic step continues from the highest step so far.
   *
   * The row is appended to the local spool with a synchronous write before log() returns, so
   * it survives the process being killed; it is sent to the server in the background.
   */
  log(values: LogValues, options?: LogOptions): void;
  /** Chooses what the summary shows for `key`: last (default), min, max, mean or none. */
  defineMetric(key: string, options: { summary: SummaryMode }): void;
  /**
   * Logs an artifact this run produced: hashes its files, uploads what the server lacks and
   * commits a version (the same content again gives the same version). Resolves with the version;
   * rejects with an OrreryError when it fails, which is also warned about on stderr, so a promise
   * nobody awaits never crashes the process. finish() waits for uploads still running. Offline and
   * disabled runs reject: artifacts need a server.
   */
  logArtifact(artifact: Artifact, options?: LogArtifactRunOptions): Promise<ArtifactVersion>;
  /**
   * Records that this run used an artifact version ("name", "name:alias" or "name:vN") and resolves
   * with it and a download(to?) that writes its files through the local cache.
   */
  useArtifact(ref: string): Promise<UsedArtifact>;
  /**
   * Ends the run: writes a finish record (exit code 0 = finished, anything
   * else = failed), stops capture and timers, and waits up to finishTimeoutMs for the server to
   * acknowledge everything. Calling it again returns the same promise.
   */
  finish(exitCode?: number): Promise<FinishResult>;
}

type State = "running" | "finishing" | "finished";

export class ActiveRun implements Run {
  readonly id: string;
  readonly name: string;
  readonly entity: string;
  readonly project: string;
  readonly mode: Mode;
  readonly url: string;
  readonly spoolDir: string;
  readonly config: RunConfig;
  readonly summary: RunSummary;
  private readonly settings: Settings;
  private readonly writer: SpoolWriter;
  private readonly history: History;
  private seq = 0;
  private state: State = "running";
  private sender: Sender | undefined;
  private heartbeat: Heartbeat | undefined;
  private systemMetrics: SystemMetrics | undefined;
  private consoleCapture: ConsoleCapture | undefined;
  private finishing: Promise<FinishResult> | undefined;
  private configValues: JsonObject;
  private warnedWrite = false;
  private warnedAfterFinish = false;
  private readonly artifacts: RunArtifacts;

  /** Creates the spool, writes the run record and starts the background parts. */
  static async start(settings: Settings): Promise<ActiveRun> {
    const startedAt = Date.now();
    const spoolDir = join(settings.dir, `run-${stamp(startedAt)}-${settings.runId}`);
    refuseReusedId(settings);
    const metadata = await collectMetadata(startedAt);
    if (settings.sweepId !== undefined) metadata.sweep = settings.sweepId; // links the run to its sweep
    let writer: SpoolWriter;
    try {
      mkdirSync(spoolDir, { recursive: true });
      writer = SpoolWriter.create(join(spoolDir, SPOOL_FILE), {
        spool: 1, entity: settings.entity, project: settings.project, runId: settings.runId, createdAt: startedAt,
      });
    } catch (err) {
      const reason = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
      throw optionError("dir", `names ${settings.dir}, where the run spool cannot be created (${reason}): set dir or ORRERY_DIR to a writable folder`);
    }
    return new ActiveRun(settings, spoolDir, writer, metadata);
  }

  private constructor(settings: Settings, spoolDir: string, writer: SpoolWriter, metadata: JsonObject) {
    this.settings = settings;
    this.id = settings.runId;
    this.name = settings.name;
    this.entity = settings.entity;
    this.project = settings.project;
    this.mode = settings.mode;
    this.url = settings.url;
    this.spoolDir = spoolDir;
    this.writer = writer;
    this.configValues = settings.config; // already a fresh copy made by resolveSettings
    this.history = new History(this.writeRow, this.writeHistograms, this.writeImages, this.writeTables);
    this.artifacts = new RunArtifacts(settings);

    // Config travels inside the run record unless it is too big for one record.
    const configParts = chunkConfig(settings.config);
    const inline = configParts.length === 1 && configParts[0]!.path === undefined;
    const runRecord = this.recordJson({
      type: "run",
      name: settings.name,
      group: settings.group,
      jobType: settings.jobType,
      tags: settings.tags,
      notes: settings.notes,
      metadata,
    });
    this.appendJson(inline ? `${runRecord.slice(0, -1)},"config":${configParts[0]!.values}}` : runRecord);
    if (!inline) for (const part of configParts) this.appendValues("config", part.values, part.path);

    this.config = {
      update: (values) => this.updateConfig(values),
      get: (key) => this.configValues[key],
      toJSON: () => structuredClone(this.configValues),
    };
    this.summary = {
      set: (key, value) => {
        if (typeof key !== "string") throw new OrreryValueError(String(key), `orrery: summary key must be a string, got ${describe(key)}`);
        this.updateSummary({ [key]: value });
      },
      update: (values) => this.updateSummary(values),
      delete: (key) => this.updateSummary({ [key]: null }),
    };

    if (settings.mode === "online") {
      this.sender = new Sender({
        dir: spoolDir, url: settings.url, apiKey: settings.apiKey, mode: "live", end: () => this.writer.offset, freshRun: true,
      });
      this.sender.notify();
      this.heartbeat = new Heartbeat(this.sender.endpoint, settings.heartbeatIntervalMs);
    }
    if (settings.systemMetricsIntervalMs > 0) {
      this.systemMetrics = new SystemMetrics(this.writeSystem, settings.systemMetricsIntervalMs);
    }
    if (settings.console) this.consoleCapture = ConsoleCapture.start(this.writeConsole);
    process.on("beforeExit", this.onBeforeExit);
    process.on("exit", this.onExit);
    process.on("uncaughtExceptionMonitor", this.onUncaught);
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  get step(): number {
    return this.history.step;
  }

  log(values: LogValues, options?: LogOptions): void {
    if (this.state !== "running") return this.ignoredAfterFinish("log");
    this.history.log(values, options);
  }

  defineMetric(key: string, options: { summary: SummaryMode }): void {
    if (this.state !== "running") return this.ignoredAfterFinish("defineMetric");
    if (typeof key !== "string") throw new OrreryValueError(String(key), `orrery: defineMetric() key must be a string, got ${describe(key)}`);
    checkKey(key, "defineMetric()");
    const summary = (options as { summary?: unknown } | undefined)?.summary;
    if (!SUMMARY_MODES.includes(summary as SummaryMode)) {
      throw new OrreryValueError(key, `orrery: defineMetric("${key}") needs { summary } set to one of ${SUMMARY_MODES.join(", ")}, got ${describe(summary)}`);
    }
    this.appendObject({ type: "define_metric", key, summary });
  }

  logArtifact(artifact: Artifact, options?: LogArtifactRunOptions): Promise<ArtifactVersion> {
    if (this.mode !== "online") return artifactsNeedServer("logArtifact", this.id, this.mode);
    if (this.state !== "running") return artifactsAfterFinish("logArtifact", this.id);
    return this.artifacts.log(artifact, options);
  }

  useArtifact(ref: string): Promise<UsedArtifact> {
    if (this.mode !== "online") return artifactsNeedServer("useArtifact", this.id, this.mode);
    if (this.state !== "running") return artifactsAfterFinish("useArtifact", this.id);
    return this.artifacts.use(ref);
  }

  finish(exitCode: number = 0): Promise<FinishResult> {
    if (this.finishing) return this.finishing;
    if (this.state !== "running") return Promise.resolve(this.result());
    const code = checkExitCode(exitCode);
    this.finishing = this.finishAsync(code);
    return this.finishing;
  }

  private async finishAsync(exitCode: number): Promise<FinishResult> {
    // Artifacts first: their uploads link this run as producer, and the run keeps logging meanwhile.
    if (this.artifacts.pending > 0) {
      warn(`waiting for ${this.artifacts.pending} artifact upload${this.artifacts.pending === 1 ? "" : "s"} of run ${this.id} to finish`);
      await this.artifacts.settle();
    }
    this.closeLocally(exitCode);
    let drained = true;
    if (this.sender) {
      drained = await this.sender.drain(this.settings.finishTimeoutMs);
      this.sender.stop();
    }
    this.writer.close();
    this.state = "finished";
    const result = this.result();
    if (this.mode === "offline") {
      warn(`run ${this.name} (${this.id}) was saved offline in ${this.spoolDir}`);
      warn(`upload it with: orrery sync ${shellQuote(this.spoolDir)}`);
    } else if (!drained || result.pending > 0) {
      warn(`${result.pending} records of run ${this.id} were not acknowledged by ${this.url} within ${this.settings.finishTimeoutMs / 1000} s; they are kept in ${this.spoolDir}`);
      warn(`upload them with: orrery sync ${shellQuote(this.spoolDir)}`);
    }
    return result;
  }

  /** Everything finish does that needs no waiting; also what runs when the process dies. */
  private closeLocally(exitCode: number): void {
    this.state = "finishing";
    process.off("beforeExit", this.onBeforeExit);
    process.off("exit", this.onExit);
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
    process.off("uncaughtExceptionMonitor", this.onUncaught);
    this.systemMetrics?.stop();
    this.heartbeat?.stop();
    // Console text first, so the finish record is the last one.
    this.consoleCapture?.flush();
    this.consoleCapture?.stop();
    this.appendObject({ type: "finish", exitCode });
  }

  /** The process is dying: record how, synchronously, and say how to upload the rest. */
  private finishSync(exitCode: number, how: string): void {
    if (this.state !== "running") return;
    this.closeLocally(exitCode);
    this.sender?.stop();
    this.writer.close();
    this.state = "finished";
    if (this.artifacts.pending > 0) {
      warn(`run ${this.id} ${how} with ${this.artifacts.pending} artifact upload(s) unfinished: log them again (uploads resume where they stopped)`);
    }
    const pending = this.result().pending;
    if (pending > 0) {
      warn(`run ${this.id} ${how}; ${pending} records are not uploaded yet: upload them with: orrery sync ${shellQuote(this.spoolDir)}`);
    }
  }

  private result(): FinishResult {
    const acked = this.sender?.ackedSeq ?? 0;
    return { sent: this.sender?.totals.sent ?? 0, pending: Math.max(0, this.seq - acked), spoolDir: this.spoolDir };
  }

  private readonly onBeforeExit = (): void => {
    // The script ended without finish(): finish now, keeping the process alive until acknowledged.
    void this.finish(exitCodeOf(process.exitCode));
  };

  private readonly onExit = (code: number): void => {
    this.finishSync(exitCodeOf(code), `ended by process.exit(${code})`);
  };

  /**
   * Ctrl-C or SIGTERM with no handler of the program's own: finish the run as failed (exit code
   * 130 or 143), uploading what is left, then die of the same signal as Node would have. A second
   * signal while uploading exits at once; the spool keeps what was not sent.
   */
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (process.listeners(signal).some((l) => l !== this.onSignal)) return; // the program decides; exit hooks finish the run
    const code = signal === "SIGINT" ? 130 : 143;
    const die = (): void => {
      process.off(signal, now);
      process.kill(process.pid, signal);
    };
    const now = (): void => {
      this.finishSync(code, `interrupted by ${signal}`);
      die();
    };
    process.on(signal, now);
    warn(`${signal}: finishing run ${this.id} (send ${signal} again to stop at once; the spool keeps anything unsent)`);
    this.finish(code).then(die, die);
  };

  private readonly onUncaught = (): void => {
    // With a user handler the process lives on, and so does the run.
    if (process.listenerCount("uncaughtException") > 0) return;
    this.finishSync(1, "ended by an uncaught exception (exit code 1)");
  };

  // Hot path of log(): one binary frame, one synchronous write, one cheap notify.
  private readonly writeRow = (step: number, keys: readonly Buffer[], values: readonly number[], count: number): void => {
    const seq = this.seq + 1;
    if (this.writer.appendHistory(seq, Date.now(), step, keys, values, count)) {
      this.seq = seq;
      if (this.sender !== undefined) this.sender.notify();
    } else {
      this.writeFailed();
    }
  };

  // Histograms are few per step and large, so a JSON record costs little beside the row above.
  private readonly writeHistograms = (step: number, histograms: readonly (readonly [string, HistogramValue])[]): void => {
    const values: Record<string, HistogramValue> = {};
    for (const [key, h] of histograms) Object.defineProperty(values, key, { value: h, enumerable: true, writable: true, configurable: true });
    this.appendObject({ type: "histogram", step, values });
  };

  // Keys share an image record while they fit one (history.ts keeps each key's images within a record).
  private readonly writeImages = (step: number, images: readonly (readonly [string, Image | Image[]])[]): void => {
    let values: Record<string, Image | Image[]> = {};
    let size = 0;
    for (const [key, imgs] of images) {
      let n = 0;
      for (const img of Array.isArray(imgs) ? imgs : [imgs]) n += img.wireSize;
      if (size > 0 && size + n > IMAGE_RECORD_BYTES) {
        this.appendObject({ type: "image", step, values });
        values = {};
        size = 0;
      }
      Object.defineProperty(values, key, { value: imgs, enumerable: true, writable: true, configurable: true });
      size += n;
    }
    this.appendObject({ type: "image", step, values });
  };

  // One record per table: a table may take most of a record on its own.
  private readonly writeTables = (step: number, tables: readonly (readonly [string, string])[]): void => {
    for (const [key, json] of tables) {
      const head = this.recordJson({ type: "table", step });
      this.appendJson(`${head.slice(0, -1)},"values":{${JSON.stringify(key)}:${json}}}`);
    }
  };

  private readonly writeSystem = (sample: Sample): void => {
    if (this.state !== "running") return;
    const values: Record<string, JsonValue> = {};
    for (const key of Object.keys(sample)) values[key] = encodeMetric(sample[key]!);
    this.appendObject({ type: "system", values });
  };

  private readonly writeConsole = (stream: StreamName, text: string): void => {
    if (this.state === "finished") return;
    this.appendObject({ type: "console", stream, text });
  };

  private updateConfig(values: Record<string, unknown>): void {
    if (this.state !== "running") return this.ignoredAfterFinish("config.update");
    const clean = toJsonObject(values, "config");
    if (Object.keys(clean).length === 0) return;
    const parts = chunkConfig(clean);
    Object.assign(this.configValues, clean);
    for (const part of parts) this.appendValues("config", part.values, part.path);
  }

  private updateSummary(values: Record<string, unknown>): void {
    if (this.state !== "running") return this.ignoredAfterFinish("summary");
    const clean = toJsonObject(values, "summary");
    if (Object.keys(clean).length === 0) return;
    for (const chunk of chunkJson(clean, "summary")) this.appendValues("summary", chunk);
  }

  /** Appends a record built from `fields`. */
  private appendObject(fields: { type: string } & Record<string, unknown>): void {
    this.appendJson(this.recordJson(fields));
  }

  /** Appends a config or summary record whose values are already JSON text (a config part may carry a path). */
  private appendValues(type: "config" | "summary", valuesJson: string, path?: readonly string[]): void {
    const head = this.recordJson(path === undefined ? { type } : { type, path });
    this.appendJson(`${head.slice(0, -1)},"values":${valuesJson}}`);
  }

  /** Record JSON for the next seq; seq and ts come first (the sender reads seq cheaply). */
  private recordJson(fields: { type: string } & Record<string, unknown>): string {
    return JSON.stringify({ seq: this.seq + 1, ts: Date.now(), ...fields });
  }

  /** Appends JSON built for seq this.seq + 1, consuming that seq only when the write succeeded. */
  private appendJson(json: string): void {
    if (this.writer.append(json)) {
      this.seq++;
      this.sender?.notify();
    } else {
      this.writeFailed();
    }
  }

  private writeFailed(): void {
    if (this.warnedWrite) return;
    this.warnedWrite = true;
    warn(`cannot write to ${this.writer.path} (disk full or removed?); records are being dropped until it works again`);
  }

  private ignoredAfterFinish(call: string): void {
    if (this.warnedAfterFinish) return;
    this.warnedAfterFinish = true;
    warn(`${call}() was called after run ${this.id} finished; it is ignored (start a new run with init())`);
  }
}

/**
 * JSON text of `values`, split by top-level key into objects of at most `maxChars` characters
 * (one key with a bigger value still gets a part of its own). Built as text so a config of a
 * million keys costs one pass.
 */
export function chunkJson(values: JsonObject, what: "config" | "summary", maxChars = MAX_OBJECT_RECORD_CHARS): string[] {
  const whole = JSON.stringify(values);
  if (whole.length <= maxChars) return [whole];
  const chunks: string[] = [];
  let current = "";
  for (const key of Object.keys(values)) {
    const entry = `${JSON.stringify(key)}:${JSON.stringify(values[key])}`;
    // Characters, not bytes, but a value this close to the limit is a mistake either way.
    if (entry.length > LIMITS.maxRecordBytes - 1024) {
      throw new OrreryValueError(key, `orrery: ${what} value "${key}" is ${(entry.length / 2 ** 20).toFixed(1)} MiB of JSON; one value is at most ${LIMITS.maxRecordBytes / 2 ** 20} MiB: store large data as a file or artifact, and log a summary of it`);
    }
    if (current.length > 0 && current.length + entry.length + 3 > maxChars) {
      chunks.push(`{${current}}`);
      current = "";
    }
    current = current.length === 0 ? entry : `${current},${entry}`;
  }
  if (current.length > 0) chunks.push(`{${current}}`);
  return chunks;
}

/** One config record's worth: values as JSON text, set at the top level or under `path` (ConfigRecord.path). */
export interface ConfigPart { values: string; path?: string[] }

/**
 * chunkJson for config, which may also split deeper: a top-level key whose object value is larger
 * than `maxChars` is sent as `{key: {}}` (replacing the old value whole) and then its own keys under
 * path [key], recursively, so no record grows past maxChars however the config is nested. Values
 * that are not objects (text, arrays) get a part of their own, up to the record limit.
 */
export function chunkConfig(values: JsonObject, maxChars = MAX_OBJECT_RECORD_CHARS): ConfigPart[] {
  const whole = JSON.stringify(values);
  if (whole.length <= maxChars) return [{ values: whole }];
  const parts: ConfigPart[] = [];
  splitConfig(values, undefined, maxChars, parts);
  return parts;
}

function splitConfig(values: JsonObject, path: string[] | undefined, maxChars: number, parts: ConfigPart[]): void {
  let current = "";
  const flush = (): void => {
    if (current.length === 0) return;
    parts.push(path === undefined ? { values: `{${current}}` } : { values: `{${current}}`, path });
    current = "";
  };
  const add = (entry: string): void => {
    if (current.length > 0 && current.length + entry.length + 3 > maxChars) flush();
    current = current.length === 0 ? entry : `${current},${entry}`;
  };
  for (const key of Object.keys(values)) {
    const value = values[key]!;
    const name = JSON.stringify(key);
    const entry = `${name}:${JSON.stringify(value)}`;
    if (entry.length > maxChars && value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      // Clear the key first, in a record sent before its parts, then fill it in.
      add(`${name}:{}`);
      flush();
      splitConfig(value, path === undefined ? [key] : [...path, key], maxChars, parts);
      continue;
    }
    if (entry.length > LIMITS.maxRecordBytes - 1024) {
      const where = path === undefined ? key : `${path.join(".")}.${key}`;
      throw new OrreryValueError(where, `orrery: config value "${where}" is ${(entry.length / 2 ** 20).toFixed(1)} MiB of JSON; one value is at most ${LIMITS.maxRecordBytes / 2 ** 20} MiB: store large data as a file or artifact, and log a summary of it`);
    }
    add(entry);
  }
  flush();
}

function refuseReusedId(settings: Settings): void {
  let names: string[];
  try {
    names = readdirSync(settings.dir);
  } catch {
    return; // no spool folder yet
  }
  const suffix = `-${settings.runId}`;
  const previous = names.find((n) => n.startsWith("run-") && n.endsWith(suffix));
  if (previous !== undefined) {
    throw optionError(
      "id",
      `"${settings.runId}" was already used by ${join(settings.dir, previous)}; resuming a run is not supported: choose a new id (or leave id out for a random one)`,
    );
  }
}

/** Local time as YYYYMMDD_HHMMSS, like W&B's run folders. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function artifactsAfterFinish(call: string, runId: string): Promise<never> {
  const p = Promise.reject(new OrreryError("invalid_request", `orrery: run.${call}() was called after run ${runId} finished: call it before finish()`));
  p.catch(() => {});
  return p;
}

function exitCodeOf(code: unknown): number {
  const n = typeof code === "number" ? code : typeof code === "string" ? Number(code) : 0;
  return Number.isInteger(n) && n >= -255 && n <= 255 ? n : 1;
}

function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
