// Owns the model-side view of trials: encoding flat params into continuous unit coordinates plus
// category indices, decoding back, and splitting trials into observations and pending points.
// Shared by bayes.ts and tpe.ts.
import type { SweepConfig } from "./config.js";
import { categoryIndex, fromUnit, toUnit, type Dim, type SearchSpace } from "./space.js";

export type TrialState = "finished" | "failed" | "crashed" | "stopped" | "running" | "pending";

/** A trial as the search methods see it. Params are flat (dotted names). */
export interface Trial {
  params: Record<string, unknown>;
  /** The metric (summary value of metric.name); null if none. */
  value: number | null;
  state: TrialState;
}

export interface Encoded {
  x: Float64Array;
  c: Int32Array;
}

export class Encoder {
  readonly cont: Dim[];
  readonly cats: Dim[];
  constructor(readonly space: SearchSpace) {
    this.cont = space.free.filter((d) => d.kind === "continuous");
    this.cats = space.free.filter((d) => d.kind === "categorical");
  }

  /** null when some value does not fit this space. Missing dims are taken at the centre. */
  encode(params: Record<string, unknown>): Encoded | null {
    const x = new Float64Array(this.cont.length);
    const c = new Int32Array(this.cats.length);
    for (let k = 0; k < this.cont.length; k++) {
      const d = this.cont[k];
      if (!(d.name in params)) {
        x[k] = 0.5;
        continue;
      }
      const u = toUnit(d, params[d.name]);
      if (u === null) return null;
      x[k] = u;
    }
    for (let k = 0; k < this.cats.length; k++) {
      const d = this.cats[k];
      const i = d.name in params ? categoryIndex(d, params[d.name]) : 0;
      if (i < 0) return null;
      c[k] = i;
    }
    return { x, c };
  }

  decode(e: Encoded): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const d of this.space.dims) {
      if (d.kind === "constant") out[d.name] = d.spec.value;
    }
    this.cont.forEach((d, k) => (out[d.name] = fromUnit(d, e.x[k])));
    this.cats.forEach((d, k) => (out[d.name] = d.spec.values![e.c[k]]));
    return Object.fromEntries(this.space.dims.map((d) => [d.name, out[d.name]]));
  }

  /** Snaps a point onto what it decodes to (ints, quantized values), so fantasies sit where the trial will run. */
  snap(e: Encoded): Encoded {
    return this.encode(this.decode(e)) ?? e;
  }

  nCats(k: number): number {
    return this.cats[k].spec.values!.length;
  }
}

/** Identity of a param set within a space (used to never hand out the same configuration twice). */
export function paramKey(space: SearchSpace, p: Record<string, unknown>): string {
  // Hand-rolled rather than JSON.stringify of an array: this runs once per trial per suggestion.
  let s = "";
  for (const d of space.dims) {
    const v = p[d.name];
    s += (typeof v === "number" ? String(v) : JSON.stringify(v ?? null)) + "\u0001";
  }
  return s;
}

/**
 * Splits trials into observations (a finite value; minimized: maximize negates) and pending
 * points (running/pending, and failed/crashed trials without a value: they are kept as pending so
 * the search neither resamples them at once nor learns a made-up value from them). Nothing is
 * encoded here: callers subsample by value first and encode only what they model.
 */
export function splitTrials(config: SweepConfig, trials: Trial[]): { obs: { params: Record<string, unknown>; y: number }[]; pending: Record<string, unknown>[] } {
  const sign = config.metric?.goal === "maximize" ? -1 : 1;
  const obs: { params: Record<string, unknown>; y: number }[] = [];
  const pending: Record<string, unknown>[] = [];
  for (const t of trials) {
    const hasValue = typeof t.value === "number" && Number.isFinite(t.value);
    if (t.state === "running" || t.state === "pending" || !hasValue) pending.push(t.params);
    else obs.push({ params: t.params, y: sign * t.value! });
  }
  return { obs, pending };
}

/** Encodes observations, dropping any whose params do not fit the space. */
export function encodeObs(enc: Encoder, obs: { params: Record<string, unknown>; y: number }[]): { e: Encoded; y: number }[] {
  const out: { e: Encoded; y: number }[] = [];
  for (const o of obs) {
    const e = enc.encode(o.params);
    if (e) out.push({ e, y: o.y });
  }
  return out;
}

export function encodeAll(enc: Encoder, params: Record<string, unknown>[]): Encoded[] {
  const out: Encoded[] = [];
  for (const p of params) {
    const e = enc.encode(p);
    if (e) out.push(e);
  }
  return out;
}

/**
 * The param sets already handed out, for "never the same configuration twice" checks. Indexed by
 * the raw value of one continuous dim so building it costs no string keys for 10,000 trials;
 * full keys are computed only for the few trials that share that value with a candidate.
 */
export class TakenSet {
  private readonly pivot: string | null;
  private readonly byPivot = new Map<unknown, Record<string, unknown>[]>();
  private readonly keys = new Set<string>();
  constructor(private readonly space: SearchSpace, params: Record<string, unknown>[]) {
    this.pivot = space.free.find((d) => d.kind === "continuous")?.name ?? null;
    for (const p of params) this.add(p);
  }
  add(p: Record<string, unknown>): void {
    if (this.pivot === null) {
      this.keys.add(paramKey(this.space, p));
      return;
    }
    const v = p[this.pivot];
    const list = this.byPivot.get(v);
    if (list) list.push(p);
    else this.byPivot.set(v, [p]);
  }
  has(p: Record<string, unknown>): boolean {
    if (this.pivot === null) return this.keys.has(paramKey(this.space, p));
    const list = this.byPivot.get(p[this.pivot]);
    if (!list) return false;
    const key = paramKey(this.space, p);
    return list.some((q) => paramKey(this.space, q) === key);
  }
}
