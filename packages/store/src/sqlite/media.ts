// Owns logged images in SQLite: writing a record's prepared images inside the ingest transaction
// (media-prepare.ts checked them and stored their bytes; ingest.ts decides when), and reading
// them back per key and step. Rows hold sizes, captions, boxes and masks; bytes are blobs.
import type { MediaImageRecord, MediaKeyInfo, MediaStepRecord, MediaStore, RunRef } from "../interfaces.js";
import type { Engine, Stmt } from "./engine.js";
import type { Ids } from "./ids.js";
import type { PreparedImage, PreparedImages } from "./media-prepare.js";

type Row = [idx: number, format: "png" | "jpeg", width: number, height: number, digest: string, caption: string | null, extra: string];

interface Extra {
  classes?: Record<string, string>;
  boxes?: MediaImageRecord["boxes"];
  masks?: { name: string; classes?: Record<string, string>; digest: string }[];
}

export class SqliteMedia implements MediaStore {
  /** Prepared images of records about to be applied, by record (see Ingest.appendMany). */
  readonly prepared = new WeakMap<object, PreparedImages>();
  private readonly s: Record<"delRows" | "delFiles" | "put" | "putFile" | "keys" | "steps" | "at" | "file", Stmt>;

  constructor(private readonly eng: Engine, private readonly ids: Ids) {
    this.s = {
      delRows: eng.stmt("DELETE FROM media WHERE run = ? AND key_id = ? AND step = ?"),
      delFiles: eng.stmt("DELETE FROM media_files WHERE run = ? AND key_id = ? AND step = ?"),
      put: eng.stmt(
        "INSERT INTO media (run, key_id, step, idx, format, width, height, digest, caption, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      putFile: eng.stmt(
        "INSERT OR IGNORE INTO media_files (digest, run, key_id, step, idx, part, format) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      keys: eng.stmt(
        `SELECT k.key, count(DISTINCT m.step), min(m.step), max(m.step) FROM media m
         JOIN metric_keys k ON k.id = m.key_id WHERE m.run = ? GROUP BY m.key_id`,
      ).raw(true),
      steps: eng.stmt("SELECT DISTINCT step FROM media WHERE run = ? AND key_id = ? ORDER BY step").pluck(),
      at: eng.stmt(
        "SELECT idx, format, width, height, digest, caption, extra FROM media WHERE run = ? AND key_id = ? AND step = ? ORDER BY idx",
      ).raw(true),
      file: eng.stmt("SELECT format FROM media_files WHERE digest = ? AND run = ? LIMIT 1").pluck(),
    };
  }

  /** Replaces the images of (run, key, step) with these. Call inside the ingest transaction. */
  write(run: number, keyId: number, step: number, images: readonly PreparedImage[]): void {
    this.s.delRows.run(run, keyId, step);
    this.s.delFiles.run(run, keyId, step);
    for (let i = 0; i < images.length; i++) {
      const m = images[i]!;
      this.s.put.run(run, keyId, step, i, m.format, m.width, m.height, m.digest, m.caption, m.extra);
      this.s.putFile.run(m.digest, run, keyId, step, i, -1, m.format);
      for (let j = 0; j < m.maskDigests.length; j++) this.s.putFile.run(m.maskDigests[j], run, keyId, step, i, j, "png");
    }
  }

  async listKeys(r: RunRef): Promise<MediaKeyInfo[]> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return [];
    const rows = this.s.keys.all(run) as [string, number, number, number][];
    return rows
      .map(([key, count, firstStep, lastStep]) => ({ key, count, firstStep, lastStep }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stepImages(r: RunRef, key: string, step: number | undefined): Promise<MediaStepRecord | undefined> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    const keyId = this.ids.keyId(key);
    if (run === undefined || keyId === undefined) return undefined;
    // One snapshot: the steps and the images agree even while a batch commits.
    return this.eng.db.transaction((): MediaStepRecord | undefined => {
      const steps = this.s.steps.all(run, keyId) as number[];
      if (steps.length === 0) return undefined;
      const at = step === undefined ? steps[steps.length - 1]! : atOrBefore(steps, step);
      const images = (this.s.at.all(run, keyId, at) as Row[]).map(toImage);
      return { key, steps, step: at, images };
    })();
  }

  async fileFormat(r: RunRef, digest: string): Promise<"png" | "jpeg" | undefined> {
    this.eng.assertOpen();
    const run = this.ids.runRowId(r);
    if (run === undefined) return undefined;
    return this.s.file.get(digest, run) as "png" | "jpeg" | undefined;
  }
}

/** The step itself when present, else the last before it, else the first (steps ascending, non-empty). */
export function atOrBefore(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  if (step < steps[0]!) return steps[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid]! <= step) lo = mid;
    else hi = mid - 1;
  }
  return steps[lo]!;
}

function toImage([index, format, width, height, digest, caption, extraText]: Row): MediaImageRecord {
  const extra = JSON.parse(extraText) as Extra;
  return {
    index, format, width, height, caption, digest,
    classes: extra.classes ?? {},
    boxes: extra.boxes ?? [],
    masks: (extra.masks ?? []).map((m) => ({ name: m.name, classes: m.classes ?? {}, digest: m.digest })),
  };
}
