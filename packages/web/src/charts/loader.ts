// Owns fetching chart data for a panel grid: one history request for all visible panels' keys and
// all runs (split only when too big), a cache of columns per run and key, and live growth: when a
// run's lastStep grows, only the new x range of that run is fetched and appended (at most once a
// second per run). No DOM here; panels subscribe per key.
import type { HistoryQuery, MultiSeriesResponse } from "../api/client";
import { appendColumn, decodeReply, EMPTY_COLUMN, lastX, planRequests, type Column } from "./columns";

export type FetchHistory = (q: HistoryQuery, signal: AbortSignal) => Promise<MultiSeriesResponse>;

export interface LoaderRun {
  id: string;
  lastStep: number | null;
  state: string;
}

interface RunEntry {
  cols: Map<string, Column>;
  /** Per key: every point with x up to this was in a reply (a snapshot of the whole run). */
  upTo: Map<string, number>;
  lastStep: number | null;
  state: string;
  /** lastStep when the last fetch for this run was sent. */
  stepAtFetch: number | null;
  lastFetchAt: number;
  timer: ReturnType<typeof setTimeout> | null;
  liveInFlight: boolean;
  /** Points appended since the last full load; a full reload re-buckets when it gets large. */
  appended: number;
}

/** Smallest step past x in x units: whole steps for _step, a hair for time and metrics. */
function after(x: number, xAxis: string): number {
  if (xAxis === "_step") return Math.floor(x) + 1;
  return x + Math.max(Math.abs(x) * 1e-12, 1e-9);
}

export const LIVE_INTERVAL_MS = 1000;

export class ChartLoader {
  private runs = new Map<string, RunEntry>();
  private order: string[] = [];
  private current = new Set<string>();
  private visible = new Set<string>();
  private inflight = new Map<string, Set<string>>(); // key -> runs being loaded
  private errors = new Map<string, unknown>();
  private versions = new Map<string, number>();
  private listeners = new Set<() => void>();
  private abort = new AbortController();
  private scheduled = false;
  private disposed = false;
  /** Chart plot width in px; requests ask for about one point per pixel. */
  width = 0;

  constructor(
    private readonly fetchHistory: FetchHistory,
    readonly xAxis: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get maxPoints(): number {
    return Math.max(100, Math.round(this.width || 600));
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  version(key: string): number {
    return this.versions.get(key) ?? 0;
  }

  column(runId: string, key: string): Column | undefined {
    return this.runs.get(runId)?.cols.get(key);
  }

  error(key: string): unknown {
    return this.errors.get(key);
  }

  /** True while some current run's data for the key is missing (panels not yet scrolled to included). */
  loading(key: string): boolean {
    if (this.errors.has(key)) return false;
    if (this.inflight.get(key)?.size) return true;
    for (const id of this.order) if (!this.runs.get(id)?.cols.has(key)) return true;
    return false;
  }

  setVisible(key: string, visible: boolean): void {
    if (visible === this.visible.has(key)) return;
    if (visible) this.visible.add(key);
    else this.visible.delete(key);
    if (visible) this.schedule();
  }

  retry(key: string): void {
    this.errors.delete(key);
    this.bump([key]);
    this.schedule();
  }

  /** The runs charts draw; new ones get loaded, grown ones get their new points fetched. */
  setRuns(runs: readonly LoaderRun[]): void {
    this.order = runs.map((r) => r.id);
    this.current = new Set(this.order);
    let added = false;
    for (const r of runs) {
      let e = this.runs.get(r.id);
      if (!e) {
        e = {
          cols: new Map(), upTo: new Map(), lastStep: r.lastStep, state: r.state, stepAtFetch: null,
          lastFetchAt: 0, timer: null, liveInFlight: false, appended: 0,
        };
        this.runs.set(r.id, e);
        added = true;
        continue;
      }
      const grew = r.lastStep !== null && (e.stepAtFetch === null || r.lastStep > e.stepAtFetch);
      const ended = e.state !== r.state && r.state !== "running";
      e.lastStep = r.lastStep;
      e.state = r.state;
      if ((grew || ended) && e.cols.size > 0) this.scheduleLive(r.id, e);
    }
    if (added) {
      for (const k of this.visible) this.bump([k]);
      this.schedule();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    for (const e of this.runs.values()) if (e.timer) clearTimeout(e.timer);
    this.listeners.clear();
  }

  private bump(keys: Iterable<string>): void {
    for (const k of keys) this.versions.set(k, this.version(k) + 1);
    for (const fn of [...this.listeners]) fn();
  }

  private schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    // A macrotask, not a microtask: IntersectionObserver callbacks of many panels arrive one after
    // another with microtask checkpoints between them, and should still make one request.
    setTimeout(() => {
      this.scheduled = false;
      void this.loadMissing();
    }, 0);
  }

  /** One request (or a few, when too big) for every visible key some current run lacks. */
  private async loadMissing(): Promise<void> {
    if (this.disposed) return;
    const keys = new Set<string>();
    const runs = new Set<string>();
    for (const key of this.visible) {
      if (this.errors.has(key)) continue;
      const busy = this.inflight.get(key);
      for (const id of this.order) {
        if (this.runs.get(id)!.cols.has(key) || busy?.has(id)) continue;
        keys.add(key);
        runs.add(id);
      }
    }
    if (keys.size === 0) return;
    await this.load([...runs], [...keys], false);
  }

  private async load(runIds: string[], keys: string[], reload: boolean): Promise<void> {
    const maxPoints = this.maxPoints;
    for (const key of keys) {
      let s = this.inflight.get(key);
      if (!s) this.inflight.set(key, (s = new Set()));
      for (const id of runIds) s.add(id);
    }
    this.bump(keys);
    await Promise.all(planRequests(runIds, keys, maxPoints).map(async (req) => {
      const sentAt = new Map(req.runs.map((id) => [id, this.runs.get(id)?.lastStep ?? null]));
      try {
        const reply = await this.fetchHistory({ runs: req.runs, keys: req.keys, x: this.xAxis, maxPoints }, this.abort.signal);
        if (this.disposed) return;
        const decoded = decodeReply(reply, req.keys);
        for (const id of req.runs) {
          const e = this.runs.get(id);
          if (!e) continue;
          const byKey = decoded.get(id);
          let snapshot = -Infinity;
          if (byKey) for (const c of byKey.values()) snapshot = Math.max(snapshot, lastX(c));
          for (const key of req.keys) {
            e.cols.set(key, byKey?.get(key) ?? EMPTY_COLUMN);
            e.upTo.set(key, snapshot);
          }
          if (reload) e.appended = 0;
          const step = sentAt.get(id) ?? null;
          if (e.stepAtFetch === null || (step !== null && step > e.stepAtFetch)) e.stepAtFetch = step;
          // The run may have grown while this request was out.
          if (e.lastStep !== null && (e.stepAtFetch === null || e.lastStep > e.stepAtFetch)) this.scheduleLive(id, e);
        }
        for (const key of req.keys) this.errors.delete(key);
      } catch (err) {
        if (this.disposed || (err as Error).name === "AbortError") return;
        for (const key of req.keys) this.errors.set(key, err);
      } finally {
        for (const key of req.keys) {
          const s = this.inflight.get(key);
          if (s) for (const id of req.runs) s.delete(id);
        }
      }
      this.bump(req.keys);
    }));
    // Panels that became visible meanwhile.
    this.schedule();
  }

  private scheduleLive(id: string, e: RunEntry): void {
    if (e.timer || this.disposed) return;
    const wait = Math.max(0, e.lastFetchAt + LIVE_INTERVAL_MS - this.now());
    e.timer = setTimeout(() => {
      e.timer = null;
      void this.fetchNew(id, e);
    }, wait);
  }

  /** Fetches x past what each loaded key already has, for one run, and appends it. */
  private async fetchNew(id: string, e: RunEntry): Promise<void> {
    if (this.disposed || this.runs.get(id) !== e || !this.current.has(id)) return;
    if (e.liveInFlight) {
      this.scheduleLive(id, e);
      return;
    }
    const keys = [...e.cols.keys()];
    if (keys.length === 0) return;
    if (e.appended > 4 * this.maxPoints) {
      // Appended raw points outgrew the chart's resolution: re-bucket the whole run.
      e.lastFetchAt = this.now();
      await this.load([id], keys, true);
      return;
    }
    let from = Infinity;
    for (const k of keys) from = Math.min(from, e.upTo.get(k) ?? -Infinity);
    const min = Number.isFinite(from) ? after(from, this.xAxis) : undefined;
    const sentStep = e.lastStep;
    e.lastFetchAt = this.now();
    e.liveInFlight = true;
    const changed: string[] = [];
    try {
      const reply = await this.fetchHistory({ runs: [id], keys, x: this.xAxis, min, maxPoints: this.maxPoints }, this.abort.signal);
      if (this.disposed) return;
      const byKey = decodeReply(reply, keys).get(id);
      if (byKey) {
        let snapshot = -Infinity;
        for (const c of byKey.values()) snapshot = Math.max(snapshot, lastX(c));
        for (const k of keys) {
          const more = byKey.get(k);
          const base = e.cols.get(k) ?? EMPTY_COLUMN;
          const upTo = e.upTo.get(k) ?? -Infinity;
          if (more && more.x.length) {
            const next = appendColumn(base, more, upTo);
            if (next !== base) {
              e.appended += next.x.length - base.x.length;
              e.cols.set(k, next);
              changed.push(k);
            }
          }
          if (snapshot > upTo) e.upTo.set(k, snapshot);
        }
      }
      if (sentStep !== null && (e.stepAtFetch === null || sentStep > e.stepAtFetch)) e.stepAtFetch = sentStep;
    } catch {
      // A failed live fetch is retried when the run next grows, not in a loop.
      return;
    } finally {
      e.liveInFlight = false;
    }
    if (changed.length) this.bump(changed);
    if (e.lastStep !== null && (e.stepAtFetch === null || e.lastStep > e.stepAtFetch)) this.scheduleLive(id, e);
  }
}
