// Owns assembling the SQLite engine into one Store: a directory holding orrery.db and blobs/.
// Each concern lives in its own file; this one only wires them and handles close.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TableStore } from "../interfaces.js";
import type {
  AppendOutcome, AppendResult, ArtifactStore, BlobStore, HistogramStore, IngestBatchInput, IngestItem, KeyStore, MetaStore, RunRef, SeriesStore,
  MediaStore, Store, SweepStore, ViewStore,
} from "../interfaces.js";
import { LocalBlobStore } from "../files/blob-store.js";
import { SqliteArtifacts } from "./artifacts.js";
import { Engine } from "./engine.js";
import { SqliteHistograms } from "./histograms.js";
import { SqliteMedia } from "./media.js";
import { Ids } from "./ids.js";
import { Ingest } from "./ingest.js";
import { Materializer, type MaterializerOptions } from "./materializer.js";
import { SqliteKeys } from "./keys.js";
import { SqliteMeta } from "./meta.js";
import { Points } from "./points.js";
import { SqliteSeries } from "./series.js";
import { SqliteSweeps } from "./sweeps.js";
import { SqliteTables } from "./tables.js";
import { SqliteViews } from "./views.js";

export const DB_FILE = "orrery.db";
export const BLOB_DIR = "blobs";

export interface SqliteStoreOptions {
  /** Background materializer settings; `{ autoStart: false }` leaves the tail alone (tests, read-only tools). */
  materializer?: Partial<MaterializerOptions>;
}

export class SqliteStore implements Store {
  readonly meta: MetaStore;
  readonly series: SeriesStore;
  readonly histograms: HistogramStore;
  readonly tables: TableStore;
  readonly blobs: BlobStore;
  readonly keys: KeyStore;
  readonly sweeps: SweepStore;
  readonly artifacts: ArtifactStore;
  readonly views: ViewStore;
  readonly media: MediaStore;
  /** Moves ingested points from the series tail into compressed chunks in the background. */
  readonly materializer: Materializer;
  private readonly engine: Engine;
  private readonly ingest: Ingest;

  /** Opens (creating if needed) the store in `dir`, applying pending schema migrations. */
  constructor(dir: string, options: SqliteStoreOptions = {}) {
    const root = resolve(dir);
    mkdirSync(root, { recursive: true });
    this.engine = new Engine(join(root, DB_FILE));
    const ids = new Ids(this.engine);
    const points = new Points(this.engine);
    this.blobs = new LocalBlobStore(join(root, BLOB_DIR));
    this.meta = new SqliteMeta(this.engine, ids);
    this.series = new SqliteSeries(this.engine, ids, points);
    this.keys = new SqliteKeys(this.engine);
    this.sweeps = new SqliteSweeps(this.engine);
    this.artifacts = new SqliteArtifacts(this.engine);
    this.views = new SqliteViews(this.engine);
    const histograms = new SqliteHistograms(this.engine, ids);
    this.histograms = histograms;
    this.tables = new SqliteTables(this.engine, ids);
    const media = new SqliteMedia(this.engine, ids);
    this.media = media;
    this.ingest = new Ingest(this.engine, ids, points, this.blobs, histograms, media);
    this.materializer = new Materializer(this.engine, points, options.materializer);
  }

  async appendBatch(run: RunRef, records: readonly IngestItem[], now: number): Promise<AppendResult> {
    const result = await this.ingest.appendBatch(run, records, now);
    this.materializer.keepUp();
    return result;
  }

  async appendMany(batches: readonly IngestBatchInput[], now: number): Promise<AppendOutcome[]> {
    const outcomes = await this.ingest.appendMany(batches, now);
    this.materializer.keepUp();
    return outcomes;
  }

  async materializeAll(): Promise<void> {
    this.engine.assertOpen();
    await this.materializer.materializeAll();
  }

  async close(): Promise<void> {
    // The tail is durable: stopping between two materializer transactions loses nothing.
    this.materializer.stop();
    this.engine.close();
  }
}

export async function openSqliteStore(dir: string): Promise<Store> {
  return new SqliteStore(dir);
}
