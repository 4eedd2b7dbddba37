// Owns history semantics: the step counter, value validation and flattening. It writes nothing
// itself: every row goes to `emit` at once, as parallel arrays of encoded keys and float64 values
// (run.ts writes them as binary spool frames), so whatever log() accepted is on disk when it
// returns, `commit: false` included: the server merges writes to the same step, the later write
// winning per key, which gives exactly the row W&B would build in memory. log() is the hot path,
// benchmarked at <= 5 us per call with 10 metrics: it walks the caller's object once into reused
// arrays, with key bytes cached; no strings, no number formatting. Histogram values
// ({bins, counts}, see histogram.ts) leave the row and go to `emitHistograms` for the same step.
import { LIMITS } from "@orrery/protocol";
import { describe, OrreryValueError } from "./errors.js";
import { asHistogram, type HistogramValue } from "./histogram.js";
import { isPlainObject } from "./json-values.js";
import { asImages, type Image } from "./media.js";
import { Table } from "./table.js";

/**
 * A metric: a number (NaN and ±Infinity allowed), a histogram (histogram()), or a nested object of
 * metrics, flattened with ".".
 */
export type LogValue = number | HistogramValue | Image | readonly Image[] | Table | { readonly [key: string]: LogValue };
export type LogValues = { readonly [key: string]: LogValue };

export interface LogOptions {
  /** Write the row at this step (an integer >= 0) instead of the current one. */
  step?: number;
  /** false: add to the current step's row without moving to the next step. Default true. */
  commit?: boolean;
}

/** Receives one row; the arrays are reused after it returns. */
export type RowSink = (step: number, keys: readonly Buffer[], values: readonly number[], count: number) => void;
/** Receives the histograms of one log() call (written after its row); the array is reused after it returns. */
export type HistogramSink = (step: number, histograms: readonly (readonly [string, HistogramValue])[]) => void;
/** Receives the images of one log() call per key (written after its row); the array is reused after it returns. */
export type ImageSink = (step: number, images: readonly (readonly [string, Image | Image[]])[]) => void;

/** Receives the tables of one log() call as [key, wire JSON text] (written after its row). */
export type TableSink = (step: number, tables: readonly (readonly [string, string])[]) => void;

const KEY_CACHE_LIMIT = 100_000;
/** Room for one key's images in a record, leaving space for the record's other fields. */
export const IMAGE_RECORD_BYTES = LIMITS.maxRecordBytes - 64 * 1024;

export class History {
  /** The step the next log() without an explicit step writes to. */
  step = 0;
  private readonly heads = new Map<string, Buffer>();
  private readonly rowKeys: Buffer[] = [];
  private readonly rowValues: number[] = [];
  private count = 0;
  private readonly hists: [string, HistogramValue][] = [];
  private readonly images: [string, Image | Image[]][] = [];
  private readonly tables: [string, string][] = [];

  constructor(
    private readonly emit: RowSink,
    private readonly emitHistograms: HistogramSink = () => {},
    private readonly emitImages: ImageSink = () => {},
    private readonly emitTables: TableSink = () => {},
  ) {}

  /** See Run.log for the semantics. Throws OrreryValueError before changing any state. */
  log(values: LogValues, options?: LogOptions): void {
    if (options === undefined) {
      this.count = 0;
      this.hists.length = 0;
      this.images.length = 0;
      this.tables.length = 0;
      this.build(topLevel(values), "");
      if (this.count > 0) this.emit(this.step, this.rowKeys, this.rowValues, this.count);
      if (this.hists.length > 0) this.flushHistograms(this.step);
      if (this.images.length > 0) this.flushImages(this.step);
      if (this.tables.length > 0) this.flushTables(this.step);
      this.step++;
      return;
    }
    this.logWithOptions(values, options);
  }

  private logWithOptions(values: LogValues, options: LogOptions): void {
    if (!isPlainObject(options)) throw new OrreryValueError("options", `orrery: log() options must be an object like { step: 3, commit: false }, got ${describe(options)}`);
    const { step, commit = true } = options;
    if (typeof commit !== "boolean") throw new OrreryValueError("commit", `orrery: log() option commit must be true or false, got ${describe(commit)}`);
    if (step !== undefined && (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0)) {
      throw new OrreryValueError("step", `orrery: log() option step must be an integer from 0 to ${LIMITS.maxStep}, got ${describe(step)}`);
    }
    this.count = 0;
    this.hists.length = 0;
    this.images.length = 0;
    this.tables.length = 0;
    this.build(topLevel(values), "");
    const at = step ?? this.step;
    if (this.count > 0) this.emit(at, this.rowKeys, this.rowValues, this.count);
    if (this.hists.length > 0) this.flushHistograms(at);
    if (this.images.length > 0) this.flushImages(at);
    if (this.tables.length > 0) this.flushTables(at);
    // A late (lower) step leaves the counter alone; otherwise the counter moves to the row
    // written, and past it when the row is committed.
    if (at >= this.step) this.step = commit ? at + 1 : at;
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
        const h = asHistogram(key, v);
        if (h === undefined) this.build(v as LogValues, key);
        else this.addHistogram(key, h);
      } else {
        const images = asImages(key, v);
        if (v instanceof Table) this.addTable(key, v);
        else if (images === undefined) throw badValue(key, v);
        else this.addImages(key, images);
      }
    }
  }

  private addImages(key: string, images: Image | Image[]): void {
    if (key.length === 0) throw new OrreryValueError(key, `orrery: log() got an empty key; give every image a name`);
    if (key.length > LIMITS.maxKeyLength) {
      throw new OrreryValueError(key, `orrery: log() key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`);
    }
    // A key's images travel in one record (they replace the step's as a whole), so they must fit one.
    let size = 0;
    for (const img of Array.isArray(images) ? images : [images]) size += img.wireSize;
    if (size > IMAGE_RECORD_BYTES) {
      throw new OrreryValueError(key, `orrery: log() images under "${key}" take ${size} bytes as JSON; one key's images at one step may take ${IMAGE_RECORD_BYTES}: log fewer or smaller images`);
    }
    this.images.push([key, images]);
  }

  /** Encodes (and so checks) the table now, so a bad one throws before anything is written. */
  private addTable(key: string, t: Table): void {
    if (key.length === 0) throw new OrreryValueError(key, `orrery: log() got an empty key; give every table a name`);
    if (key.length > LIMITS.maxKeyLength) {
      throw new OrreryValueError(key, `orrery: log() key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`);
    }
    this.tables.push([key, t.encode(key)]);
  }

  private flushTables(step: number): void {
    this.emitTables(step, this.tables);
    this.tables.length = 0;
  }

  private flushImages(step: number): void {
    this.emitImages(step, this.images);
    this.images.length = 0;
  }

  private addHistogram(key: string, h: HistogramValue): void {
    if (key.length === 0) throw new OrreryValueError(key, `orrery: log() got an empty key; give every histogram a name`);
    if (key.length > LIMITS.maxKeyLength) {
      throw new OrreryValueError(key, `orrery: log() key "${key.slice(0, 40)}…" is ${key.length} characters; the limit is ${LIMITS.maxKeyLength}: use a shorter name`);
    }
    this.hists.push([key, h]);
  }

  private flushHistograms(step: number): void {
    this.emitHistograms(step, this.hists);
    this.hists.length = 0;
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
