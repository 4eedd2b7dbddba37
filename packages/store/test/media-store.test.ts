// The SQLite MediaStore through the ingest contract: image records become rows per (run, key,
// step, index) with their bytes as blobs, stored exactly once per seq, replaced per (key, step),
// refused whole with the field named; referencedDigests keeps image and mask blobs from gc; and
// the digest lookups use their index.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageRecord, WireRecord } from "@orrery/protocol";
import { DB_FILE, SqliteStore } from "../src/sqlite/store.js";
import { atOrBefore } from "../src/sqlite/media.js";

const root = mkdtempSync(join(tmpdir(), "orrery-media-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A PNG's signature and IHDR: all the store reads (it checks sizes, not pixels). */
function pngHeader(w: number, h: number, colorType = 2, tag = 0): string {
  const b = Buffer.alloc(33 + 4);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "latin1");
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b[24] = 8;
  b[25] = colorType;
  b.writeUInt32BE(tag, 33); // makes distinct test images distinct blobs
  return b.toString("base64");
}

const ref = { entity: "e", project: "p", runId: "r1" };
const t = Date.UTC(2026, 0, 1);

function image(step: number, values: ImageRecord["values"], seq: number): WireRecord {
  return { seq, ts: t + seq, type: "image", step, values };
}

describe("SQLite media store", () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(join(root, `s${++n}`), { materializer: { autoStart: false } });
  });
  afterEach(async () => store.close());

  it("stores images by key and step, reads them back at, before and after steps, and lists keys", async () => {
    const mask = { name: "truth", format: "png" as const, data: pngHeader(4, 2, 0, 9), classes: { "1": "road" } };
    await store.appendBatch(ref, [
      image(2, { cam: [{ format: "png", data: pngHeader(4, 2, 2, 1), width: 4, height: 2, caption: "a", masks: [mask] }, { format: "png", data: pngHeader(4, 2, 2, 2), width: 4, height: 2 }] }, 1),
      image(6, { cam: { format: "png", data: pngHeader(4, 2, 2, 3), width: 4, height: 2, boxes: [{ x: 1, y: 0, w: 2, h: 1, class: 3, score: 0.4 }] } }, 2),
    ], t);
    expect(await store.media.listKeys(ref)).toEqual([{ key: "cam", count: 2, firstStep: 2, lastStep: 6 }]);
    const at2 = await store.media.stepImages(ref, "cam", 4);
    expect(at2).toMatchObject({ key: "cam", steps: [2, 6], step: 2 });
    expect(at2!.images.map((m) => [m.index, m.caption, m.masks.map((k) => [k.name, k.classes])])).toEqual([
      [0, "a", [["truth", { "1": "road" }]]], [1, null, []],
    ]);
    expect((await store.media.stepImages(ref, "cam", undefined))!.images[0]!.boxes).toEqual([{ x: 1, y: 0, w: 2, h: 1, class: 3, score: 0.4 }]);
    expect(await store.media.stepImages(ref, "other", 1)).toBeUndefined();
    const digest = at2!.images[0]!.digest;
    expect(await store.media.fileFormat(ref, digest)).toBe("png");
    expect(await store.media.fileFormat({ ...ref, runId: "r2" }, digest)).toBeUndefined();
    expect(await store.blobs.has(at2!.images[0]!.masks[0]!.digest)).toBe(true);
  });

  it("drops a resent seq, replaces a (key, step) on a later write, and refuses a bad record whole", async () => {
    const a = image(1, { k: { format: "png", data: pngHeader(2, 2, 2, 1), width: 2, height: 2 } }, 1);
    await store.appendBatch(ref, [a], t);
    expect(await store.appendBatch(ref, [a], t)).toMatchObject({ accepted: 0, duplicates: 1 });
    await store.appendBatch(ref, [image(1, { k: [{ format: "png", data: pngHeader(2, 2, 2, 5), width: 2, height: 2, caption: "new" }] }, 2)], t);
    expect((await store.media.stepImages(ref, "k", 1))!.images.map((m) => m.caption)).toEqual(["new"]);
    const bad = await store.appendBatch(ref, [image(3, {
      ok: { format: "png", data: pngHeader(2, 2, 2, 6), width: 2, height: 2 },
      k: { format: "png", data: pngHeader(2, 2), width: 3, height: 2 },
    }, 3)], t);
    expect(bad.rejected).toEqual([expect.objectContaining({ seq: 3, field: "values.k.width" })]);
    expect(bad.lastSeq).toBe(3);
    expect((await store.media.listKeys(ref)).map((k) => k.key)).toEqual(["k"]);
  });

  it("counts image and mask blobs as referenced, so gc keeps them, and forgets those a replaced step no longer uses", async () => {
    const mask = { name: "m", format: "png" as const, data: pngHeader(2, 2, 0, 7) };
    await store.appendBatch(ref, [image(0, { k: { format: "png", data: pngHeader(2, 2, 2, 1), width: 2, height: 2, masks: [mask] } }, 1)], t);
    const old = (await store.media.stepImages(ref, "k", 0))!.images[0]!;
    const unrelated = await store.blobs.put(Buffer.from("nobody's"));
    const refd = await store.artifacts.referencedDigests([old.digest, old.masks[0]!.digest, unrelated]);
    expect([...refd].sort()).toEqual([old.digest, old.masks[0]!.digest].sort());
    await store.appendBatch(ref, [image(0, { k: { format: "png", data: pngHeader(2, 2, 2, 2), width: 2, height: 2 } }, 2)], t);
    expect((await store.artifacts.referencedDigests([old.digest, old.masks[0]!.digest])).size).toBe(0);
  });

  it("finds a digest's uses by index, never by scanning", async () => {
    await store.close();
    const dir = join(root, `s${n}`);
    const db = new Database(join(dir, DB_FILE), { readonly: true });
    try {
      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join("\n");
      expect(plan("SELECT 1 FROM media_files WHERE digest = 'x'")).toMatch(/USING (COVERING )?(PRIMARY KEY|INDEX)/);
      expect(plan("SELECT format FROM media_files WHERE digest = 'x' AND run = 1")).toMatch(/USING (COVERING )?(PRIMARY KEY|INDEX)/);
    } finally {
      db.close();
    }
    store = new SqliteStore(dir, { materializer: { autoStart: false } });
  });
});

describe("atOrBefore", () => {
  it("picks the step itself, else the last before it, else the first", () => {
    expect(atOrBefore([2, 5, 9], 5)).toBe(5);
    expect(atOrBefore([2, 5, 9], 8)).toBe(5);
    expect(atOrBefore([2, 5, 9], 100)).toBe(9);
    expect(atOrBefore([2, 5, 9], 0)).toBe(2);
    expect(atOrBefore([4], 4)).toBe(4);
  });
});
