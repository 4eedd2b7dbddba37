// Owns history semantics: the step counter, the pending row, value validation and flattening.
// It writes nothing itself: committed rows go to `emit` as parallel arrays of encoded keys and
// float64 values (run.ts writes them as binary spool frames). log() is the hot path, benchmarked
// at <= 5 us per call with 10 metrics, so the common case (no options, nothing pending) walks the
// caller's object once into reused arrays, with key bytes cached: no strings, no number formatting.
import { LIMITS } from "@orrery/protocol";
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

/** Receives one committed row; the arrays are reused after it returns. */
export type RowSink = (step: number, keys: readonly Buffer[], values: readonly number[], count: number) => void;

const KEY_CACHE_LIMIT = 100_000;

export class History {
  /** The step the next row without an explicit step goes to: the highest step so far + 1. */
  step = 0;
  private readonly pending = new Map<string, number>();
  private readonly heads = new Map<string, Buffer>();
  private readonly rowKeys: Buffer[] = [];
  private readonly rowValues: number[] = [];
  private count = 0;

  constructor(private readonly emit: RowSink) {}

  /** See Run.log for the semantics. Throws OrreryValueError before changing any state. */
  log(values: LogValues, options?: LogOptions): void {
    if (options === undefined && this.pending.size === 0) {
      this.count = 0;
      this.build(topLevel(values), "");
      if (this.count > 0) this.emit(this.step, this.rowKeys, this.rowValues, this.count);
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
    this.count = 0;
    this.build(topLevel(values), "");
    const n = this.count;
    if (step !== undefined && step < this.step) {
      if (n > 0) this.emit(step, this.rowKeys, this.rowValues, n);
      return;
    }
    // Slow path: copy the row out, since emitting the pending row reuses the row arrays.
    const keys: string[] = [];
    const vals: number[] = [];
    for (let i = 0; i < n; i++) { keys.push(this.rowKeys[i]!.toString("utf8")); vals.push(this.rowValues[i]!); }
    let newKeys = 0;
    for (const key of keys) if (!this.pending.has(key)) newKeys++;
    if (step === undefined || step === this.step) {
      this.checkRowSize(this.pending.size + newKeys);
    } else {
      this.checkRowSize(newKeys);
      if (this.pending.size > 0) this.emitPending();
      this.step = step;
    }
    for (let i = 0; i < n; i++) this.pending.set(keys[i]!, vals[i]!);
    if (commit) {
      if (this.pending.size > 0) this.emitPending();
      this.step++;
    }
  }

  private emitPending(): void {
    let n = 0;
    for (const [key, value] of this.pending) {
      this.rowKeys[n] = this.heads.get(key) ?? Buffer.from(key, "utf8");
      this.rowValues[n] = value;
      n++;
    }
    this.pending.clear();
    this.emit(this.step, this.rowKeys, this.rowValues, n);
  }

  /** Hot path: validates `values` and appends its keys and numbers to the row arrays. */
  private build(values: LogValues, prefix: string): void {
    for (const k in values) {
      const v = values[k];
      const key = prefix.length === 0 ? k : `${prefix}.${k}`;
      if (typeof v === "number") {
        const n = this.count++;
        if (n >= LIMITS.maxKeysPerRow) this.checkRowSize(n + 1);
        this.rowKeys[n] = this.heads.get(key) ?? this.learn(key);
        this.rowValues[n] = v;
      } else if (isPlainObject(v)) {
        this.build(v as LogValues, key);
      } else {
        throw badValue(key, v);
      }
    }
  }

  private learn(key: string): Buffer {
    if (key.length === 0) throw new OrreryValueError(key, `orrery: log() got an empty key; give every metric a name`);
    if (key.length > LIMITS.maxKeyLength) {
      throw new OrreryValueError(key, `orrery: log() key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`);
    }
    if (key.charCodeAt(0) === 95 /* _ */) {
      throw new OrreryValueError(key, `orrery: log() key "${key}" starts with "_", which is reserved for _step, _timestamp and _runtime: rename it, or pass the step as log(values, { step })`);
    }
    const head = Buffer.from(key, "utf8");
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
