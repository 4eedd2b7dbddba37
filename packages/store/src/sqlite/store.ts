// Owns assembling the SQLite engine into one Store: a directory holding orrery.db and blobs/.
// Each concern lives in its own file; this one only wires them and handles close.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type {
  AppendOutcome, AppendResult, BlobStore, IngestBatchInput, IngestItem, KeyStore, MetaStore, RunRef, SeriesStore, Store,
} from "../interfaces.js";
import { LocalBlobStore } from "../files/blob-store.js";
import { Engine } from "./engine.js";
import { Ids } from "./ids.js";
import { Ingest } from "./ingest.js";
import { SqliteKeys } from "./keys.js";
import { SqliteMeta } from "./meta.js";
import { Points } from "./points.js";
import { SqliteSeries } from "./series.js";

export const DB_FILE = "orrery.db";
export const BLOB_DIR = "blobs";

export class SqliteStore implements Store {
  readonly meta: MetaStore;
  readonly series: SeriesStore;
  readonly blobs: BlobStore;
  readonly keys: KeyStore;
  private readonly engine: Engine;
  private readonly ingest: Ingest;

  /** Opens (creating if needed) the store in `dir`, applying pending schema migrations. */
  constructor(dir: string) {
    const root = resolve(dir);
    mkdirSync(root, { recursive: true });
    this.engine = new Engine(join(root, DB_FILE));
    const ids = new Ids(this.engine);
    const points = new Points(this.engine);
    this.blobs = new LocalBlobStore(join(root, BLOB_DIR));
    this.meta = new SqliteMeta(this.engine, ids);
    this.series = new SqliteSeries(this.engine, ids, points);
    this.keys = new SqliteKeys(this.engine);
    this.ingest = new Ingest(this.engine, ids, points, this.blobs);
  }

  appendBatch(run: RunRef, records: readonly IngestItem[], now: number): Promise<AppendResult> {
    return this.ingest.appendBatch(run, records, now);
  }

  appendMany(batches: readonly IngestBatchInput[], now: number): Promise<AppendOutcome[]> {
    return this.ingest.appendMany(batches, now);
  }

  async close(): Promise<void> {
    this.engine.close();
  }
}

export async function openSqliteStore(dir: string): Promise<Store> {
  return new SqliteStore(dir);
}
