// Owns logged tables in SQLite: preparing a `table` record before its batch's transaction (checking
// it with protocol tableProblem, moving image cells to the blob store, storing the body blob), writing
// its rows inside the transaction (ingest.ts decides when), and reading tables back for the server.
// The body's layout is tables/body.ts's; decoding, sorting and filtering are the server's.
import {
  LIMITS, tableProblem, type RecordRejection, type TableColumn, type TableImageCell, type TableRecord,
} from "@orrery/protocol";
import type { BlobStore, IngestItem, RunRef, StoredTable, TableKeyInfo, TableStore } from "../interfaces.js";
import { encodeTableBody, imageSize, TABLE_BODY_VERSION, type StoredCell } from "../tables/body.js";
import type { Engine, Stmt } from "./engine.js";
import type { Ids } from "./ids.js";

/** One table of a record, ready to be written: everything but its (run, step) place. */
export interface PreparedTable { key: string; digest: string; rows: number; columns: TableColumn[]; blobs: string[] }

/** Prepared tables of the records prepareTables returned, by record object. */
const preparedByRecord = new WeakMap<object, PreparedTable[]>();

function rejected(rec: { seq: number }, field: string, message: string): IngestItem {
  const rejection: RecordRejection = { seq: rec.seq, error: "invalid_request", message: `${field} ${message}`, field };
  return { seq: rec.seq, type: "rejected", rejection };
}

/**
 * Checks every table record of a batch and stores its blobs (image cells, then the body), since blob
 * writes are async and the transaction cannot await. A refused record becomes a rejection that still
 * consumes its seq; an accepted one is replaced by a copy that TableWriter.write finds prepared. A batch
 * that later fails leaves at most unreferenced content-addressed blobs, which gc removes.
 */
export async function prepareTables(records: readonly IngestItem[], blobs: BlobStore): Promise<readonly IngestItem[]> {
  let out: IngestItem[] | undefined;
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.type !== "table") continue;
    out ??= records.slice();
    out[i] = await prepareRecord(rec, blobs);
  }
  return out ?? records;
}

async function prepareRecord(rec: TableRecord, blobs: BlobStore): Promise<IngestItem> {
  if (!Number.isSafeInteger(rec.step) || rec.step < 0) {
    return rejected(rec, "step", `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}; got ${String(rec.step)}`);
  }
  const values = rec.values as Readonly<Record<string, unknown>>;
  const keys = Object.keys(values);
  for (const key of keys) {
    if (key.length === 0 || key.length > LIMITS.maxKeyLength) {
      return rejected(rec, `values.${key.slice(0, 40)}`, `is not a valid table key: keys are 1 to ${LIMITS.maxKeyLength} characters`);
    }
    const problem = tableProblem(values[key]);
    if (problem !== undefined) return rejected(rec, problem.path === "" ? `values.${key}` : `values.${key}.${problem.path}`, problem.message);
  }
  const tables: PreparedTable[] = [];
  for (const key of keys) {
    const t = rec.values[key]!;
    const width = t.columns.length;
    const data: StoredCell[][] = t.columns.map(() => new Array<StoredCell>(t.rows.length));
    const imageDigests = new Set<string>();
    for (let r = 0; r < t.rows.length; r++) {
      const row = t.rows[r]!;
      for (let c = 0; c < width; c++) {
        const cell = row[c] as StoredCell | TableImageCell;
        if (t.columns[c]!.type !== "image" || cell === null) {
          data[c]![r] = cell as StoredCell;
          continue;
        }
        const img = cell as TableImageCell;
        const bytes = Buffer.from(img.data, "base64");
        const size = imageSize(bytes, img.format);
        const field = `values.${key}.rows[${r}][${c}]`;
        if (typeof size === "string") return rejected(rec, `${field}.data`, size);
        if (size.width !== img.width || size.height !== img.height) {
          return rejected(rec, `${field}.width`, `is ${img.width} x ${img.height} but the ${img.format.toUpperCase()} header says ${size.width} x ${size.height}: send the image's own size`);
        }
        const digest = await blobs.put(bytes);
        imageDigests.add(digest);
        data[c]![r] = { digest, format: img.format, width: img.width, height: img.height };
      }
    }
    const columns = t.columns.map((c) => ({ name: c.name, type: c.type }));
    const body = encodeTableBody({ v: TABLE_BODY_VERSION, columns, classes: { ...(t.classes ?? {}) }, rows: t.rows.length, data });
    const digest = await blobs.put(body);
    tables.push({ key, digest, rows: t.rows.length, columns, blobs: [digest, ...imageDigests] });
  }
  // A copy, so the caller's record is never changed and the WeakMap entry is this batch's own.
  const copy: TableRecord = { ...rec };
  preparedByRecord.set(copy, tables);
  return copy;
}

/** Writes prepared tables inside the ingest transaction. */
export class TableWriter {
  private readonly s: Record<"put" | "dropBlobs" | "addBlob", Stmt>;

  constructor(eng: Engine, private readonly ids: Ids) {
    this.s = {
      put: eng.stmt("INSERT OR REPLACE INTO tables (run, key_id, step, digest, rows, columns) VALUES (?, ?, ?, ?, ?, ?)"),
      dropBlobs: eng.stmt("DELETE FROM table_blobs WHERE run = ? AND key_id = ? AND step = ?"),
      addBlob: eng.stmt("INSERT OR IGNORE INTO table_blobs (digest, run, key_id, step) VALUES (?, ?, ?, ?)"),
    };
  }

  /** Stores the record's tables at its step, each replacing the (key, step) one already there. */
  write(run: number, rec: TableRecord): void {
    const tables = preparedByRecord.get(rec);
    if (tables === undefined) throw new Error("table record was not prepared: appendMany prepares every batch (prepareTables)");
    for (const t of tables) {
      const keyId = this.ids.ensureKeyId(t.key);
      this.s.put.run(run, keyId, rec.step, t.digest, t.rows, JSON.stringify(t.columns));
      this.s.dropBlobs.run(run, keyId, rec.step);
      for (const d of t.blobs) this.s.addBlob.run(d, run, keyId, rec.step);
    }
  }
}

interface TableRow { key: string; step: number; digest: string; rows: number; columns: string }

export class SqliteTables implements TableStore {
  private readonly s: Record<"list" | "steps" | "at" | "hasDigest", Stmt>;

  constructor(private readonly eng: Engine, private readonly ids: Ids) {
    this.s = {
      list: eng.stmt(
        `SELECT k.key, t.step, t.digest, t.rows, t.columns FROM tables t JOIN metric_keys k ON k.id = t.key_id
         WHERE t.run = ? ORDER BY t.key_id, t.step`,
      ),
      steps: eng.stmt("SELECT step FROM tables WHERE run = ? AND key_id = ? ORDER BY step").pluck(),
      at: eng.stmt("SELECT digest, rows, columns FROM tables WHERE run = ? AND key_id = ? AND step = ?"),
      hasDigest: eng.stmt("SELECT 1 FROM table_blobs WHERE run = ? AND digest = ? LIMIT 1").pluck(),
    };
  }

  async listKeys(r: RunRef): Promise<TableKeyInfo[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    const byKey = new Map<string, TableKeyInfo>();
    for (const row of this.s.list.all(run) as TableRow[]) {
      const k = byKey.get(row.key);
      const columns = JSON.parse(row.columns) as TableColumn[];
      // Rows come in step order, so the last one seen is the key's latest table.
      if (k === undefined) byKey.set(row.key, { key: row.key, steps: [row.step], rows: row.rows, columns });
      else { k.steps.push(row.step); k.rows = row.rows; k.columns = columns; }
    }
    return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async get(r: RunRef, key: string, step?: number): Promise<StoredTable | undefined> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    const keyId = this.ids.keyId(key);
    if (run === undefined || keyId === undefined) return undefined;
    const read = this.eng.db.transaction((): StoredTable | undefined => {
      const steps = this.s.steps.all(run, keyId) as number[];
      if (steps.length === 0) return undefined;
      let at = steps[steps.length - 1]!;
      if (step !== undefined) {
        // The step asked, else the last at or before it, else the first.
        at = steps[0]!;
        for (const s of steps) if (s <= step) at = s;
      }
      const row = this.s.at.get(run, keyId, at) as { digest: string; rows: number; columns: string };
      return { key, step: at, steps, digest: row.digest, rows: row.rows, columns: JSON.parse(row.columns) as TableColumn[] };
    });
    return read.deferred();
  }

  async hasDigest(r: RunRef, digest: string): Promise<boolean> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    return run !== undefined && this.s.hasDigest.get(run, digest) !== undefined;
  }
}
