// Owns moving tail rows into chunks, in the background of the process that holds the store. Each
// move is one transaction that deletes a prefix (oldest rows) of one key's tail and writes the
// chunks holding those points, so a crash at any moment loses and duplicates nothing: either the
// rows are still in the tail or their points are in chunks. Reads merge both, so they never wait.
//
// Work is bounded per transaction (pointsPerTransaction) and per tick (sliceMs), and the event loop
// gets a turn between transactions; timers are unref'd so they never keep a process alive. When the
// tail grows past backlogPoints anyway (ingest faster than the ticks, or a caller that never yields
// to the event loop), keepUp(), called after each ingest commit, moves about twice what was written
// since its last call, so the tail stays bounded: backpressure instead of an ever-growing log.
// New points go into the key's last chunk until it holds CHUNK_POINTS, then into new chunks. Points
// at or before the last chunk's end (out-of-order or repeated steps) are merged into only the
// chunk(s) whose x-span covers them (or the chunk just before a gap they fall into): decoded, laid
// over (the tail wins a repeated x), re-encoded, split when over CHUNK_POINTS. No write ever
// rewrites a whole series.
import type { Points64 } from "../series/codec.js";
import { concat, lowerBound, mergeLaterWins, upperBound } from "../series/merge.js";
import type { Engine } from "./engine.js";
import { CHUNK_POINTS, type Points, type SeriesId } from "./points.js";

export interface MaterializerOptions {
  /** Start working on construction (default true). */
  autoStart: boolean;
  /** Pause between looks at the tail when nothing is due (ms, default 500). */
  intervalMs: number;
  /** A key's tail is due once it holds this many points (default CHUNK_POINTS)... */
  minPoints: number;
  /** ...or this many rows (default 64; bounds what a read merges)... */
  maxRows: number;
  /**
   * ...or its oldest row is this old (ms, default 30,000). Reads merge the tail, so age only costs
   * read work, which maxRows bounds; waiting longer means fewer re-encodes of a key's last chunk.
   */
  maxAgeMs: number;
  /** Points moved by one transaction at most (default 50,000; always at least one tail row). */
  pointsPerTransaction: number;
  /** Work per tick before the event loop gets a longer turn (ms, default 50). */
  sliceMs: number;
  /** Tail size (points) beyond which keepUp() works synchronously after ingest (default 100,000). */
  backlogPoints: number;
}

export const MATERIALIZER_DEFAULTS: MaterializerOptions = {
  autoStart: true,
  intervalMs: 500,
  minPoints: CHUNK_POINTS,
  maxRows: 64,
  maxAgeMs: 30_000,
  pointsPerTransaction: 50_000,
  sliceMs: 50,
  backlogPoints: 100_000,
};

/** Tail rows looked at per plan: the oldest ones. */
const SCAN_ROWS = 4096;

interface Due { id: SeriesId; maxId: number }

export class Materializer {
  readonly options: MaterializerOptions;
  /** Transactions committed and points moved since start; the last error a tick hit, if any. */
  readonly progress = { transactions: 0, points: 0, lastError: undefined as unknown };
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private ticking = false;
  private readonly move: (id: SeriesId, maxId: number) => number;
  private seenTail = 0;

  constructor(private readonly eng: Engine, private readonly points: Points, options: Partial<MaterializerOptions> = {}) {
    this.options = { ...MATERIALIZER_DEFAULTS, ...options };
    const tx = eng.db.transaction((id: SeriesId, maxId: number) => this.moveTx(id, maxId)).immediate;
    // A move need not be synced on commit: if a crash loses it, its tail rows are still there (WAL
    // commits are atomic and ordered at any sync level), and the next ingest commit, synced in
    // full, syncs the WAL frames before it, moves included.
    this.move = (id, maxId) => {
      const sync = eng.db.pragma("synchronous", { simple: true }) as number;
      if (sync <= 1) return tx(id, maxId);
      eng.db.pragma("synchronous = NORMAL");
      try {
        return tx(id, maxId);
      } finally {
        eng.db.pragma(`synchronous = ${sync}`);
      }
    };
    if (this.options.autoStart) this.start();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops ticking. Nothing is lost: the tail is durable and the next open carries on. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * One transaction's worth of work on the oldest due key (every key when `all`); returns the
   * points moved, 0 when nothing is due.
   */
  step(all = false): number {
    for (const d of this.plan(all)) {
      const n = this.move(d.id, d.maxId);
      if (n > 0) return n;
    }
    return 0;
  }

  /**
   * Called after an ingest commit. While the tail is within backlogPoints it does nothing (the
   * ticks handle it); beyond, it moves about twice the points written since the last call, oldest
   * keys first, before returning.
   */
  keepUp(): void {
    const tail = this.points.tail;
    const written = Math.max(0, tail.points - this.seenTail);
    if (this.stopped || tail.points <= this.options.backlogPoints) { this.seenTail = tail.points; return; }
    let budget = 2 * written;
    try {
      for (const d of this.plan(true)) {
        while (budget > 0) {
          const n = this.move(d.id, d.maxId);
          if (n === 0) break;
          budget -= n;
        }
        if (budget <= 0) break;
      }
    } catch (err) {
      this.progress.lastError = err;
    }
    this.seenTail = tail.points;
  }

  /** Moves the whole tail into chunks, yielding to the event loop between transactions. Returns points moved. */
  async materializeAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const due = this.plan(true);
      if (due.length === 0) return total;
      for (const d of due) {
        let n: number;
        while ((n = this.move(d.id, d.maxId)) > 0) {
          total += n;
          await new Promise<void>((r) => setImmediate(r));
        }
      }
    }
  }

  /** Moves the whole tail into chunks now, transaction by transaction, without yielding. Returns points moved. */
  drain(): number {
    let total = 0;
    for (;;) {
      const due = this.plan(true);
      if (due.length === 0) return total;
      for (const d of due) {
        let n: number;
        while ((n = this.move(d.id, d.maxId)) > 0) total += n;
      }
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.tick(); }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    let next = this.options.intervalMs;
    try {
      const due = this.plan(false);
      const deadline = Date.now() + this.options.sliceMs;
      work: for (const d of due) {
        for (;;) {
          if (this.stopped) return;
          const n = this.move(d.id, d.maxId);
          if (n === 0) break;
          // Let requests in between transactions.
          await new Promise<void>((r) => setImmediate(r));
          if (this.stopped) return;
          if (Date.now() > deadline) { next = 10; break work; }
        }
      }
    } catch (err) {
      // Busy database (another process writing), or a closed one: try again later.
      this.progress.lastError = err;
    } finally {
      this.ticking = false;
    }
    this.schedule(next);
  }

  /** Keys whose tail is due, oldest first, each with the newest row id the plan saw for it. */
  private plan(all: boolean): Due[] {
    this.eng.assertOpen();
    const tail = this.points.tail;
    const heads = tail.head(SCAN_ROWS);
    if (heads.length < SCAN_ROWS) tail.points = heads.reduce((a, h) => a + h.n, 0);
    // Past the backlog size everything in the window is due, oldest first, whatever its size or age.
    const backlog = all || tail.points > this.options.backlogPoints;
    const now = Date.now();
    const groups = new Map<string, { id: SeriesId; maxId: number; rows: number; points: number; oldest: number }>();
    for (const h of heads) {
      const k = `${h.run}:${h.stream}:${h.keyId}`;
      const g = groups.get(k);
      if (g === undefined) {
        groups.set(k, { id: { run: h.run, stream: h.stream, keyId: h.keyId }, maxId: h.id, rows: 1, points: h.n, oldest: h.createdAt });
      } else {
        g.maxId = h.id;
        g.rows++;
        g.points += h.n;
      }
    }
    const o = this.options;
    const due: Due[] = [];
    for (const g of groups.values()) {
      if (backlog || g.points >= o.minPoints || g.rows >= o.maxRows || now - g.oldest >= o.maxAgeMs) {
        due.push({ id: g.id, maxId: g.maxId });
      }
    }
    return due;
  }

  /** Inside a write transaction: moves the oldest tail rows of one key (ids <= maxId) into chunks. */
  private moveTx(id: SeriesId, maxId: number): number {
    const taken = this.points.tail.takePrefix(id, maxId, this.options.pointsPerTransaction);
    if (taken === undefined) return 0;
    this.mergeIntoChunks(id, taken.points);
    this.points.tail.dropPrefix(id, taken.lastId, taken.rowPoints);
    this.progress.transactions++;
    this.progress.points += taken.points.x.length;
    return taken.points.x.length;
  }

  private mergeIntoChunks(id: SeriesId, t: Points64): void {
    const chunks = this.points.chunks;
    const last = chunks.last(id);
    if (last === undefined) { this.writeSequential(id, t); return; }
    const split = upperBound(t.x, last.xMax);
    const older: Points64 = { x: t.x.subarray(0, split), y: t.y.subarray(0, split) };
    let newer: Points64 | undefined = split < t.x.length ? { x: t.x.subarray(split), y: t.y.subarray(split) } : undefined;
    let lastDone = false;

    if (split > 0) {
      // Chunks from the one holding (or, before the first chunk, following) the oldest point to the last.
      const list = chunks.inRange(id, older.x[0], last.xMax);
      let i = 0;
      let k = 0;
      while (i < split) {
        // The chunk for older.x[i]: the last one starting at or before it (the first one if none).
        while (k + 1 < list.length && list[k + 1].xMin <= older.x[i]) k++;
        const c = list[k];
        const end = k + 1 < list.length ? lowerBound(older.x, list[k + 1].xMin, i, split) : split;
        let merged = mergeLaterWins(chunks.data(c), { x: older.x.subarray(i, end), y: older.y.subarray(i, end) });
        chunks.remove(id, c);
        if (c.xMin === last.xMin) {
          if (newer !== undefined && c.count < CHUNK_POINTS) { merged = concat([merged, newer]); newer = undefined; }
          this.writeSequential(id, merged);
          lastDone = true;
        } else {
          this.writeEven(id, merged);
        }
        i = end;
      }
    }
    if (newer === undefined) return;
    if (!lastDone && last.count < CHUNK_POINTS) {
      const merged = concat([chunks.data(last), newer]);
      chunks.remove(id, last);
      this.writeSequential(id, merged);
    } else {
      this.writeSequential(id, newer);
    }
  }

  /** Full chunks from the start; only the last may be partial (it is the one later points fill). */
  private writeSequential(id: SeriesId, p: Points64): void {
    for (let from = 0; from < p.x.length; from += CHUNK_POINTS) {
      this.points.chunks.write(id, p, from, Math.min(from + CHUNK_POINTS, p.x.length));
    }
  }

  /** One chunk, or equal pieces when the merge made it too big (a chunk in the middle of a series). */
  private writeEven(id: SeriesId, p: Points64): void {
    const n = p.x.length;
    const pieces = Math.ceil(n / CHUNK_POINTS);
    for (let k = 0; k < pieces; k++) {
      this.points.chunks.write(id, p, Math.floor((k * n) / pieces), Math.floor(((k + 1) * n) / pieces));
    }
  }
}
