// Owns history semantics: the step counter, the pending row, value validation and flattening,
// and building a row's JSON by hand. It writes nothing itself: committed rows go to `emit`
// (run.ts turns them into spool frames). log() is the hot path, benchmarked at <= 5 us per call
// with 10 metrics, so the common case (no options, nothing pending) builds one string straight
// from the caller's object, with escaped keys cached and no intermediate objects.
import { LIMITS, metricJson } from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";
import { isPlainObject } from "./json-values.js";

/** A metric: a number (NaN and ±Infinity allowed) or a nested object of metrics, flattened with ".". */
export type LogValue = number | { readonly [key: string]: LogValue };
export type LogValues = { readonly [key: string]: LogValue };

export interface LogOptions {
  /** Write the row at this step (an integer >= 0) instead of the current one. */
  step?: number;
  /** false: merge into the pending row without writing it yet. Default true. */
  commit?: boolean;
}

const KEY_CACHE_LIMIT = 100_000;

export class History {
  /** The step the next row without an explicit step goes to: the highest step so far + 1. */
  step = 0;
  // Pending row: `"key":` (escaped, with colon) -> value JSON. A Map so later values win per key.
  private readonly pending = new Map<string, string>();
  // Raw flattened key -> `"key":`, filled only after the key passed validation.
  private readonly heads = new Map<string, string>();
  private count = 0;

  constructor(private readonly emit: (step: number, body: string) => void) {}

  /** See Run.log for the semantics. Throws OrreryValueError before changing any state. */
  log(values: LogValues, options?: LogOptions): void {
    if (options === undefined && this.pending.size === 0) {
      this.count = 0;
      const body = this.build(topLevel(values), "", "");
      if (body.length > 0) this.emit(this.step, body);
      this.step++;
      return;
    }
    this.logWithOptions(values, options ?? {});
  }

  /** Writes the pending row, if any, at the current step (used by finish). */
  flush(): void {
    if (this.pending.size > 0) {
      this.emitPending();
      this.step++;
    }
  }

  private logWithOptions(values: LogValues, options: LogOptions): void {
    if (!isPlainObject(options)) throw new OrreryValueError("options", `orrery: log() options must be an object like { step: 3, commit: false }, got ${describe(options)}`);
    const { step, commit = true } = options;
    if (typeof commit !== "boolean") throw new OrreryValueError("commit", `orrery: log() option commit must be true or false, got ${describe(commit)}`);
    if (step !== undefined && (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0)) {
      throw new OrreryValueError("step", `orrery: log() option step must be an integer from 0 to ${LIMITS.maxStep}, got ${describe(step)}`);
    }
    const entries: string[] = [];
    this.collect(topLevel(values), "", entries);
    if (step !== undefined && step < this.step) {
      // A late row (e.g. evaluation of an earlier step): stored at its own step right away; the
      // server merges it into that step. The pending row and the auto step stay as they are.
      if (entries.length > 0) this.emit(step, joinEntries(entries, 0, entries.length));
      return;
    }
    let newKeys = 0;
    for (let i = 0; i < entries.length; i += 2) if (!this.pending.has(entries[i]!)) newKeys++;
    if (step === undefined || step === this.step) {
      this.checkRowSize(this.pending.size + newKeys);
    } else {
      this.checkRowSize(newKeys);
      if (this.pending.size > 0) this.emitPending();
      this.step = step;
    }
    for (let i = 0; i < entries.length; i += 2) this.pending.set(entries[i]!, entries[i + 1]!);
    if (commit) {
      if (this.pending.size > 0) this.emitPending();
      this.step++;
    }
  }

  private emitPending(): void {
    let body = "";
    for (const [head, value] of this.pending) body = body.length === 0 ? head + value : `${body},${head}${value}`;
    this.pending.clear();
    this.emit(this.step, body);
  }

  /** Hot path: validates and appends `"key":value` pairs of `values` to `body`. */
  private build(values: LogValues, prefix: string, body: string): string {
    for (const k in values) {
      const v = values[k];
      const key = prefix.length === 0 ? k : `${prefix}.${k}`;
      if (typeof v === "number") {
        const head = this.heads.get(key) ?? this.learn(key);
        body = body.length === 0 ? head + metricJson(v) : `${body},${head}${metricJson(v)}`;
        if (++this.count > LIMITS.maxKeysPerRow) this.checkRowSize(this.count);
      } else if (isPlainObject(v)) {
        body = this.build(v as LogValues, key, body);
      } else {
        throw badValue(key, v);
      }
    }
    return body;
  }

  /** Slow path: validates `values` into [head, json, head, json, ...]. */
  private collect(values: LogValues, prefix: string, out: string[]): void {
    for (const k in values) {
      const v = values[k];
      const key = prefix.length === 0 ? k : `${prefix}.${k}`;
      if (typeof v === "number") out.push(this.heads.get(key) ?? this.learn(key), metricJson(v));
      else if (isPlainObject(v)) this.collect(v as LogValues, key, out);
      else throw badValue(key, v);
    }
    this.checkRowSize(out.length / 2);
  }

  private learn(key: string): string {
    if (key.length === 0) throw new OrreryValueError(key, `orrery: log() got an empty key; give every metric a name`);
    if (key.length > LIMITS.maxKeyLength) {
      throw new OrreryValueError(key, `orrery: log() key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`);
    }
    if (key.charCodeAt(0) === 95 /* _ */) {
      throw new OrreryValueError(key, `orrery: log() key "${key}" starts with "_", which is reserved for _step, _timestamp and _runtime: rename it, or pass the step as log(values, { step })`);
    }
    const head = `${JSON.stringify(key)}:`;
    if (this.heads.size < KEY_CACHE_LIMIT) this.heads.set(key, head);
    return head;
  }

  private checkRowSize(n: number): void {
    if (n > LIMITS.maxKeysPerRow) {
      throw new OrreryValueError("", `orrery: log() row has ${n} metrics; the limit is ${LIMITS.maxKeysPerRow}: split them over several steps or log fewer keys`);
    }
  }
}

function topLevel(values: LogValues): LogValues {
  if (!isPlainObject(values)) {
    throw new OrreryValueError("", `orrery: log() takes an object of metrics like { loss: 0.3 }, got ${describe(values)}`);
  }
  return values;
}

function joinEntries(entries: string[], from: number, to: number): string {
  let body = "";
  for (let i = from; i < to; i += 2) body = body.length === 0 ? entries[i]! + entries[i + 1]! : `${body},${entries[i]!}${entries[i + 1]!}`;
  return body;
}

function badValue(key: string, value: unknown): OrreryValueError {
  let hint: string;
  switch (typeof value) {
    case "string":
      hint = "put text in run.summary or run.config instead";
      break;
    case "boolean":
      hint = "log Number(value) if you mean 0/1, or put it in run.summary";
      break;
    case "bigint":
      hint = "convert it with Number(value)";
      break;
    case "undefined":
      hint = "leave the key out when there is no value (use NaN to mark a missing point)";
      break;
    default:
      if (value === null) hint = "leave the key out when there is no value (use NaN to mark a missing point)";
      else if (Array.isArray(value)) hint = `log each element under its own key (e.g. "${key}.0"), or put the list in run.summary`;
      else hint = "convert it to a number or a plain object of numbers";
  }
  return new OrreryValueError(
    key,
    `orrery: log() value for "${key}" is ${describe(value)}; metrics must be numbers (NaN and ±Infinity allowed) or nested objects of numbers: ${hint}`,
  );
}
