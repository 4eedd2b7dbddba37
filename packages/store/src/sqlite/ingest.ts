// Owns appendBatch: seq bookkeeping (duplicates, gaps), the meaning of each record type, and the
// one transaction per call that makes a batch atomic and durable. Where points physically go is
// points.ts's business; running aggregates are stats.ts's.
import {
  LIMITS, histogramProblem,
  type ConsoleRecord, type HistogramRecord, type HistoryRecord, type ImageRecord, type RecordRejection, type RunRecord, type RunState, type SystemRecord, type WireRecord,
} from "@orrery/protocol";
import {
  SeqGapError, type AppendOutcome, type AppendResult, type BlobStore, type IngestBatchInput, type IngestItem, type RunRef,
} from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import { decodeWireMetric } from "./float.js";
import type { SqliteHistograms } from "./histograms.js";
import type { SqliteMedia } from "./media.js";
import { prepareImages } from "./media-prepare.js";
import { prepareTables, TableWriter } from "./tables.js";
import type { Ids } from "./ids.js";
import { isObject, parseObject, setOwn, type JsonObject } from "./json.js";
import type { Points } from "./points.js";
import { RunsIndexWriter } from "./runs-index.js";
import { HISTORY, StatsBatch, StatsStatements, SYSTEM, type StreamCode } from "./stats.js";

/** Git diffs larger than this (UTF-8 bytes) move to the blob store; the run keeps their digest. */
export const INLINE_DIFF_MAX_BYTES = 16 * 1024;

/** History keys that would collide with the columns every history row carries. */
const RESERVED_HISTORY_KEYS: ReadonlySet<string> = new Set(["_step", "_timestamp", "_runtime"]);

const JSON_COLUMNS = ["config", "metadata", "summary_overrides", "metric_modes"] as const;
type JsonColumn = (typeof JSON_COLUMNS)[number];

/** The mutable state of one run while its batch is applied; written back once at the end. */
interface RunTx {
  row: number;
  projectId: number;
  lastSeq: number;
  state: RunState;
  startedAt: number;
  endedAt: number | null;
  heartbeatAt: number | null;
  lastTs: number;
  lastStep: number | null;
  exitCode: number | null;
  consoleLines: number;
  opened: number;
  json: Partial<Record<JsonColumn, JsonObject>>;
  stats: StatsBatch;
}

type RunScalarRow = [number, number, number, RunState, number, number | null, number | null, number, number | null, number | null, number, number];

class Rejection extends Error {
  constructor(message: string, readonly field?: string) { super(message); }
}

export class Ingest {
  private readonly statsStmts: StatsStatements;
  /** Writes table records prepared (checked, blobs stored) by prepareTables before the transaction. */
  private readonly tables: TableWriter;
  /** Config (stored only there) and the summary copy that filters and sorts read; see runs-index.ts. */
  private readonly runsIndex: RunsIndexWriter;
  private readonly s: Record<
    "selRun" | "insProject" | "touchProject" | "insRun" | "countRun" | "saveRun" | "runFields" | "insConsole",
    Stmt
  >;
  private readonly selJson: Record<JsonColumn, Stmt>;
  private readonly saveJson: Record<JsonColumn, Stmt>;
  private readonly manyTxn: (batches: readonly IngestBatchInput[], now: number) => AppendResult[];
  // Scratch buffers reused across history records so the hot loop allocates nothing per point.
  private readonly keyBuf: string[] = [];
  private readonly valBuf: number[] = [];

  constructor(
    private readonly eng: Engine,
    private readonly ids: Ids,
    private readonly points: Points,
    private readonly blobs: BlobStore,
    private readonly histograms: SqliteHistograms,
    private readonly media: SqliteMedia,
  ) {
    this.statsStmts = new StatsStatements(eng, points);
    this.tables = new TableWriter(eng, ids);
    this.runsIndex = new RunsIndexWriter(eng);
    this.s = {
      selRun: eng.stmt(
        `SELECT id, project_id, last_seq, state, started_at, ended_at, heartbeat_at, last_ts, last_step,
                exit_code, console_lines, opened FROM runs WHERE id = ?`,
      ).raw(true),
      insProject: eng.stmt("INSERT INTO projects (entity, name, created_at, last_activity) VALUES (?, ?, ?, ?)"),
      touchProject: eng.stmt("UPDATE projects SET last_activity = ? WHERE id = ?"),
      insRun: eng.stmt(
        `INSERT INTO runs (project_id, run_id, name, created_at, started_at, heartbeat_at, last_ts)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      countRun: eng.stmt("UPDATE projects SET run_count = run_count + 1 WHERE id = ?"),
      saveRun: eng.stmt(
        `UPDATE runs SET last_seq = ?, state = ?, started_at = ?, ended_at = ?, heartbeat_at = ?, last_ts = ?,
                last_step = ?, exit_code = ?, console_lines = ?, opened = ? WHERE id = ?`,
      ),
      runFields: eng.stmt(
        `UPDATE runs SET name = coalesce(?, name), grp = coalesce(?, grp), job_type = coalesce(?, job_type),
                tags = coalesce(?, tags), notes = coalesce(?, notes) WHERE id = ?`,
      ),
      insConsole: eng.stmt("INSERT INTO console_lines (run, n, ts, stream, text) VALUES (?, ?, ?, ?, ?)"),
    };
    const sel = {} as Record<JsonColumn, Stmt>;
    const save = {} as Record<JsonColumn, Stmt>;
    for (const c of JSON_COLUMNS) {
      sel[c] = eng.stmt(`SELECT ${c} FROM runs WHERE id = ?`).pluck();
      save[c] = eng.stmt(`UPDATE runs SET ${c} = ? WHERE id = ?`);
    }
    this.selJson = sel;
    this.saveJson = save;
    this.manyTxn = eng.db.transaction((batches: readonly IngestBatchInput[], now: number) =>
      batches.map((b) => this.applyBatch(b.run, b.records, now))).immediate;
  }

  async appendBatch(ref: RunRef, records: readonly IngestItem[], now: number): Promise<AppendResult> {
    const [outcome] = await this.appendMany([{ run: ref, records }], now);
    if ("error" in outcome!) throw outcome.error;
    return outcome!.result;
  }

  /**
   * Group commit: all batches in one transaction, so one disk sync acknowledges them all. When one
   * batch fails (a seq gap), the transaction is rolled back and each batch is applied on its own,
   * so the failure stays that batch's alone.
   */
  async appendMany(batches: readonly IngestBatchInput[], now: number): Promise<AppendOutcome[]> {
    this.eng.assertOpen();
    // Blobs are written (and synced) before the transaction, which cannot await; a batch that later
    // fails leaves at most an unreferenced, content-addressed blob behind.
    const prepared: IngestBatchInput[] = [];
    for (const b of batches) prepared.push({ run: b.run, records: await prepareTables(await this.prepareImages(await this.offloadDiffs(b.records)), this.blobs) });
    this.eng.assertOpen();
    try {
      const results = this.manyTxn(prepared, now);
      this.ids.commit();
      return results.map((result) => ({ result }));
    } catch (err) {
      this.ids.rollback();
      if (prepared.length === 1) return [{ error: err }];
    }
    const outcomes: AppendOutcome[] = [];
    for (const b of prepared) {
      try {
        const [result] = this.manyTxn([b], now);
        this.ids.commit();
        outcomes.push({ result: result! });
      } catch (err) {
        this.ids.rollback();
        outcomes.push({ error: err });
      }
    }
    return outcomes;
  }

  private applyBatch(ref: RunRef, records: readonly IngestItem[], now: number): AppendResult {
    const existing = this.ids.runRowId(ref);
    let tx = existing === undefined ? undefined : this.loadRun(existing);
    let lastSeq = tx?.lastSeq ?? 0;
    let accepted = 0;
    let duplicates = 0;
    const rejected: RecordRejection[] = [];
    for (const rec of records) {
      const seq = rec.seq;
      if (seq <= lastSeq) { duplicates++; continue; }
      if (seq !== lastSeq + 1) throw new SeqGapError(lastSeq + 1, seq);
      // A record the server already refused still occupies its seq (and creates its run).
      if (rec.type === "rejected") {
        tx ??= this.createRun(ref, now, now);
        tx.lastSeq = lastSeq = seq;
        rejected.push(rec.rejection);
        continue;
      }
      tx ??= this.createRun(ref, rec.ts, now);
      tx.lastSeq = lastSeq = seq;
      try {
        this.apply(tx, rec);
        accepted++;
        if (rec.ts > tx.lastTs) tx.lastTs = rec.ts;
      } catch (err) {
        if (!(err instanceof Rejection)) throw err;
        rejected.push(err.field === undefined
          ? { seq, error: "invalid_request", message: err.message }
          : { seq, error: "invalid_request", message: err.message, field: err.field });
      }
    }
    if (tx !== undefined && accepted + rejected.length > 0) this.saveRun(tx, now);
    return { accepted, duplicates, rejected, lastSeq };
  }

  private apply(tx: RunTx, rec: WireRecord): void {
    switch (rec.type) {
      case "history": return this.history(tx, rec);
      case "system": return this.system(tx, rec);
      case "run": return this.run(tx, rec);
      case "config": return this.runsIndex.setConfig(tx.row, tx.projectId, rec.values, rec.path);
      case "summary": {
        const o = this.json(tx, "summary_overrides");
        for (const key of Object.keys(rec.values)) {
          const v = rec.values[key];
          if (v === null) delete o[key];
          else setOwn(o, key, v);
        }
        return this.runsIndex.noteSummary(tx.row, Object.keys(rec.values));
      }
      case "define_metric":
        setOwn(this.json(tx, "metric_modes"), rec.key, rec.summary);
        return this.runsIndex.noteSummary(tx.row, [rec.key]);
      case "console": return this.console(tx, rec);
      case "histogram": return this.histogram(tx, rec);
      case "image": return this.image(tx, rec);
      case "table": return this.tables.write(tx.row, rec);
      case "finish":
        tx.state = rec.exitCode === 0 ? "finished" : "failed";
        tx.exitCode = rec.exitCode;
        tx.endedAt = rec.ts;
        return;
      default: {
        const type: unknown = (rec as { type?: unknown }).type;
        throw new Rejection(`unknown record type ${JSON.stringify(type)}: send one of run, history, config, summary, system, console, define_metric, finish, histogram, image, table`, "type");
      }
    }
  }

  private history(tx: RunTx, rec: HistoryRecord): void {
    const step = rec.step;
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Rejection(`step must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}; got ${String(step)}`, "step");
    }
    const n = this.decodeValues(rec.values, RESERVED_HISTORY_KEYS);
    tx.stats.writeStep(step, rec.ts, rec.ts - tx.startedAt);
    this.writePoints(tx, HISTORY, step, n);
    this.runsIndex.noteHistory(tx.row, rec.values);
    if (tx.lastStep === null || step > tx.lastStep) tx.lastStep = step;
  }

  /** Checks every histogram of the record before writing any, so a refused record leaves no trace. */
  private histogram(tx: RunTx, rec: HistogramRecord): void {
    const step = rec.step;
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Rejection(`step must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}; got ${String(step)}`, "step");
    }
    const values = rec.values as Readonly<Record<string, unknown>>;
    const keys = Object.keys(values);
    for (const key of keys) {
      if (key.length === 0 || key.length > LIMITS.maxKeyLength) {
        throw new Rejection(`histogram key "${key.slice(0, 40)}" must be 1 to ${LIMITS.maxKeyLength} characters: shorten it`, `values.${key.slice(0, 40)}`);
      }
      const problem = histogramProblem(values[key]);
      if (problem !== undefined) {
        const field = problem.path === "" ? `values.${key}` : `values.${key}.${problem.path}`;
        throw new Rejection(`${field} ${problem.message}`, field);
      }
    }
    for (const key of keys) this.histograms.write(tx.row, this.ids.ensureKeyId(key), step, rec.values[key]!);
  }

  /** Writes the images prepareImages checked and stored; each key's list replaces the step's. */
  private image(tx: RunTx, rec: ImageRecord): void {
    const step = rec.step;
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Rejection(`step must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}; got ${String(step)}`, "step");
    }
    const prepared = this.media.prepared.get(rec);
    if (prepared === undefined) throw new Error("image record applied without prepareImages: call appendMany");
    for (const [key, images] of prepared) this.media.write(tx.row, this.ids.ensureKeyId(key), step, images);
  }

  private system(tx: RunTx, rec: SystemRecord): void {
    const n = this.decodeValues(rec.values, undefined);
    this.writePoints(tx, SYSTEM, rec.ts, n);
  }

  /** Decodes every value into the scratch buffers first, so a refused record leaves no trace. */
  private decodeValues(values: Readonly<Record<string, unknown>>, reserved: ReadonlySet<string> | undefined): number {
    const keys = this.keyBuf;
    const vals = this.valBuf;
    let n = 0;
    for (const key in values) {
      if (reserved !== undefined && reserved.has(key)) {
        throw new Rejection(`history key "${key}" is reserved for the row's own column: rename the metric`, `values.${key}`);
      }
      if (key.length === 0 || key.length > LIMITS.maxKeyLength) {
        throw new Rejection(`metric key "${key.slice(0, 40)}" must be 1 to ${LIMITS.maxKeyLength} characters: shorten it`, `values.${key.slice(0, 40)}`);
      }
      const v = decodeWireMetric(values[key]);
      if (v === undefined) {
        throw new Rejection(`metric "${key}" must be a number or one of "NaN", "Infinity", "-Infinity"`, `values.${key}`);
      }
      keys[n] = key;
      vals[n] = v;
      n++;
    }
    return n;
  }

  private writePoints(tx: RunTx, stream: StreamCode, x: number, n: number): void {
    const { keyBuf, valBuf, ids } = this;
    for (let i = 0; i < n; i++) tx.stats.write(stream, ids.ensureKeyId(keyBuf[i]), x, valBuf[i]);
  }

  private run(tx: RunTx, rec: RunRecord): void {
    if (rec.name !== undefined || rec.group !== undefined || rec.jobType !== undefined || rec.tags !== undefined || rec.notes !== undefined) {
      this.s.runFields.run(
        rec.name ?? null, rec.group ?? null, rec.jobType ?? null,
        rec.tags === undefined ? null : JSON.stringify(rec.tags), rec.notes ?? null, tx.row,
      );
    }
    if (rec.config !== undefined) this.runsIndex.setConfig(tx.row, tx.projectId, rec.config);
    if (rec.metadata !== undefined) tx.json.metadata = { ...rec.metadata };
    if (tx.opened === 0) {
      tx.opened = 1;
      tx.startedAt = rec.ts;
    }
  }

  private console(tx: RunTx, rec: ConsoleRecord): void {
    const pieces = rec.text.split("\n");
    if (pieces[pieces.length - 1] === "") pieces.pop();
    for (const piece of pieces) {
      const text = piece.endsWith("\r") ? piece.slice(0, -1) : piece;
      this.s.insConsole.run(tx.row, ++tx.consoleLines, rec.ts, rec.stream, text);
    }
  }

  /** A JSON column of the run, loaded on first use in this batch and saved at its end. */
  private json(tx: RunTx, col: JsonColumn): JsonObject {
    let o = tx.json[col];
    if (o === undefined) {
      o = parseObject(this.selJson[col].get(tx.row) as string);
      tx.json[col] = o;
    }
    return o;
  }

  private loadRun(row: number): RunTx {
    const r = this.s.selRun.get(row) as RunScalarRow;
    return {
      row: r[0], projectId: r[1], lastSeq: r[2], state: r[3], startedAt: r[4], endedAt: r[5], heartbeatAt: r[6],
      lastTs: r[7], lastStep: r[8], exitCode: r[9], consoleLines: r[10], opened: r[11],
      json: {}, stats: new StatsBatch(this.statsStmts, row),
    };
  }

  private createRun(ref: RunRef, ts: number, now: number): RunTx {
    let projectId = this.ids.projectId(ref);
    if (projectId === undefined) {
      projectId = Number(this.s.insProject.run(ref.entity, ref.project, now, now).lastInsertRowid);
      this.ids.noteProject(ref, projectId);
    }
    const row = Number(this.s.insRun.run(projectId, ref.runId, ref.runId, now, ts, now, ts).lastInsertRowid);
    this.s.countRun.run(projectId);
    this.ids.noteRun(ref, row);
    return {
      row, projectId, lastSeq: 0, state: "running", startedAt: ts, endedAt: null, heartbeatAt: now, lastTs: ts,
      lastStep: null, exitCode: null, consoleLines: 0, opened: 0, json: {}, stats: new StatsBatch(this.statsStmts, row),
    };
  }

  private saveRun(tx: RunTx, now: number): void {
    tx.stats.flush();
    this.runsIndex.flush(tx.row, tx.projectId, tx.json);
    if (tx.state === "running") tx.heartbeatAt = now;
    this.s.saveRun.run(
      tx.lastSeq, tx.state, tx.startedAt, tx.endedAt, tx.heartbeatAt, tx.lastTs, tx.lastStep, tx.exitCode,
      tx.consoleLines, tx.opened, tx.row,
    );
    for (const c of JSON_COLUMNS) {
      const o = tx.json[c];
      if (o !== undefined) this.saveJson[c].run(JSON.stringify(o), tx.row);
    }
    this.s.touchProject.run(now, tx.projectId);
  }

  /**
   * Checks the images of image records and stores their bytes (media-prepare.ts), noting the rows
   * to write for the transaction; a bad one becomes a rejection naming the field, which consumes
   * its seq like any refused record. The caller's objects are not touched.
   */
  private async prepareImages(records: readonly IngestItem[]): Promise<readonly IngestItem[]> {
    let out: IngestItem[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      if (rec.type !== "image") continue;
      const prepared = await prepareImages(rec, this.blobs);
      if (!Array.isArray(prepared)) {
        const { field, message } = prepared as { field: string; message: string };
        out ??= records.slice();
        out[i] = { seq: rec.seq, type: "rejected", rejection: { seq: rec.seq, error: "invalid_request", message, field } };
      } else {
        this.media.prepared.set(rec, prepared);
      }
    }
    return out ?? records;
  }

  /** Moves large git diffs of run records into the blob store, without touching the caller's objects. */
  private async offloadDiffs(records: readonly IngestItem[]): Promise<readonly IngestItem[]> {
    let out: IngestItem[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i];
      if (rec.type !== "run" || rec.metadata === undefined) continue;
      const git = rec.metadata.git;
      if (!isObject(git) || typeof git.diff !== "string") continue;
      const bytes = Buffer.byteLength(git.diff, "utf8");
      if (bytes <= INLINE_DIFF_MAX_BYTES) continue;
      const digest = await this.blobs.put(Buffer.from(git.diff, "utf8"));
      const { diff: _diff, ...rest } = git;
      out ??= records.slice();
      out[i] = { ...rec, metadata: { ...rec.metadata, git: { ...rest, diffBlob: digest, diffBytes: bytes } } };
    }
    return out ?? records;
  }
}
