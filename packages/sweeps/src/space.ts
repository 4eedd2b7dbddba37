// Owns the search space: flattening nested parameters into dotted dims, sampling each W&B
// distribution, and the map between a value and the unit interval the models work in. The config
// format lives in config.ts; models live in gp.ts/bayes.ts/tpe.ts.
import { isNested, type Distribution, type LeafSpec, type ParamSpec, type SweepConfig } from "./config.js";
import { normCdf, normInv, randBeta, randNormal, type Rng } from "./rng.js";

/** How a model sees a dim: continuous in [0,1] (ints and quantized values rounded after) or categorical. */
export type DimKind = "constant" | "categorical" | "continuous";

export interface Dim {
  /** Dotted name, e.g. "optimizer.lr". */
  name: string;
  spec: LeafSpec;
  kind: DimKind;
}

export interface SearchSpace {
  dims: Dim[];
  /** The dims a model searches (everything but constants). */
  free: Dim[];
}

export function searchSpace(config: Pick<SweepConfig, "parameters">): SearchSpace {
  const dims: Dim[] = [];
  const walk = (params: Record<string, ParamSpec>, prefix: string) => {
    for (const [k, p] of Object.entries(params)) {
      const name = prefix + k;
      if (isNested(p)) walk(p.parameters, `${name}.`);
      else dims.push({ name, spec: p, kind: kindOf(p.distribution) });
    }
  };
  walk(config.parameters, "");
  return { dims, free: dims.filter((d) => d.kind !== "constant") };
}

function kindOf(d: Distribution): DimKind {
  if (d === "constant") return "constant";
  if (d === "categorical" || d === "categorical_w_probabilities") return "categorical";
  return "continuous";
}

/** {"optimizer.lr": 1} -> {optimizer: {lr: 1}} */
export function nestParams(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(flat)) {
    const parts = key.split(".");
    let o = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = o[parts[i]];
      if (typeof next !== "object" || next === null || Array.isArray(next)) o[parts[i]] = {};
      o = o[parts[i]] as Record<string, unknown>;
    }
    o[parts[parts.length - 1]] = v;
  }
  return out;
}

/** {optimizer: {lr: 1}} -> {"optimizer.lr": 1}; arrays and non-plain values are leaves. */
export function flattenParams(nested: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(nested)) {
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
      Object.assign(out, flattenParams(v as Record<string, unknown>, `${prefix}${k}.`));
    } else out[prefix + k] = v;
  }
  return out;
}

const quantize = (x: number, q: number): number => {
  const r = Math.round(x / q) * q;
  // Integer q gives integers (as W&B does); otherwise trim float noise like 0.30000000000000004.
  return Number.isInteger(q) ? Math.round(r) : Number(r.toPrecision(12));
};

/** Bounds of ln(x) for the log-uniform family (all four spellings are log-uniform in x). */
function logBounds(s: LeafSpec): [number, number] {
  switch (s.distribution) {
    case "log_uniform":
    case "q_log_uniform":
      return [s.min!, s.max!];
    case "inv_log_uniform":
      // x = exp(-y), y ~ U(min, max)  =>  ln x in [-max, -min]
      return [-s.max!, -s.min!];
    default:
      return [Math.log(s.min!), Math.log(s.max!)];
  }
}

/** A sample from the dim's own distribution (what `random` search draws). */
export function sampleDim(d: Dim, rng: Rng): unknown {
  const s = d.spec;
  switch (s.distribution) {
    case "constant":
      return s.value;
    case "categorical":
      return s.values![Math.min(s.values!.length - 1, Math.floor(rng() * s.values!.length))];
    case "categorical_w_probabilities": {
      let u = rng();
      for (let i = 0; i < s.values!.length; i++) {
        u -= s.probabilities![i];
        if (u < 0) return s.values![i];
      }
      return s.values![s.values!.length - 1];
    }
    case "normal":
      return s.mu! + s.sigma! * randNormal(rng);
    case "q_normal":
      return quantize(s.mu! + s.sigma! * randNormal(rng), s.q!);
    case "log_normal":
      return Math.exp(s.mu! + s.sigma! * randNormal(rng));
    case "q_log_normal":
      return quantize(Math.exp(s.mu! + s.sigma! * randNormal(rng)), s.q!);
    case "beta":
      return randBeta(rng, s.a!, s.b!);
    case "q_beta":
      return quantize(randBeta(rng, s.a!, s.b!), s.q!);
    default:
      return fromUnit(d, rng());
  }
}

/**
 * Unit coordinate -> value. Bounded dims map linearly (in log space for the log family); normal
 * and log-normal dims map through their inverse CDF, so uniform u is a prior sample. Beta dims use
 * u itself (their support is [0,1]).
 */
export function fromUnit(d: Dim, u: number): unknown {
  const s = d.spec;
  u = Math.min(1, Math.max(0, u));
  switch (s.distribution) {
    case "constant":
      return s.value;
    case "categorical":
    case "categorical_w_probabilities":
      return s.values![Math.min(s.values!.length - 1, Math.floor(u * s.values!.length))];
    case "int_uniform": {
      const n = s.max! - s.min! + 1;
      return Math.min(s.max!, s.min! + Math.floor(u * n));
    }
    case "uniform":
      return s.min! + u * (s.max! - s.min!);
    case "q_uniform":
      return quantize(s.min! + u * (s.max! - s.min!), s.q!);
    case "log_uniform":
    case "log_uniform_values":
    case "inv_log_uniform":
    case "inv_log_uniform_values":
    case "q_log_uniform":
    case "q_log_uniform_values": {
      const [lo, hi] = logBounds(s);
      // Clamp: exp(log(min)) can land a hair below min.
      const x = Math.min(Math.exp(hi), Math.max(Math.exp(lo), Math.exp(lo + u * (hi - lo))));
      const exact = s.distribution.endsWith("_values") ? Math.min(s.max!, Math.max(s.min!, x)) : x;
      return s.distribution.startsWith("q_") ? quantize(exact, s.q!) : exact;
    }
    case "normal":
    case "q_normal": {
      const x = s.mu! + s.sigma! * normInv(clampP(u));
      return s.distribution === "q_normal" ? quantize(x, s.q!) : x;
    }
    case "log_normal":
    case "q_log_normal": {
      const x = Math.exp(s.mu! + s.sigma! * normInv(clampP(u)));
      return s.distribution === "q_log_normal" ? quantize(x, s.q!) : x;
    }
    case "beta":
      return u;
    case "q_beta":
      return quantize(u, s.q!);
  }
}

const clampP = (u: number): number => Math.min(1 - 1e-6, Math.max(1e-6, u));

/** Value -> unit coordinate (categorical: the index's cell centre). null when the value does not fit the dim. */
export function toUnit(d: Dim, v: unknown): number | null {
  const s = d.spec;
  if (d.kind === "categorical") {
    const i = categoryIndex(d, v);
    return i < 0 ? null : (i + 0.5) / s.values!.length;
  }
  if (d.kind === "constant") return 0.5;
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  switch (s.distribution) {
    case "int_uniform":
      if (v < s.min! - 0.5 || v > s.max! + 0.5) return null;
      return (Math.round(v) - s.min! + 0.5) / (s.max! - s.min! + 1);
    case "uniform":
    case "q_uniform": {
      const u = (v - s.min!) / (s.max! - s.min!);
      return inRange(u);
    }
    case "normal":
    case "q_normal":
      return normCdf((v - s.mu!) / s.sigma!);
    case "log_normal":
    case "q_log_normal":
      return v > 0 ? normCdf((Math.log(v) - s.mu!) / s.sigma!) : null;
    case "beta":
    case "q_beta":
      return inRange(v);
    default: {
      if (!(v > 0)) return null;
      const [lo, hi] = logBounds(s);
      return inRange((Math.log(v) - lo) / (hi - lo));
    }
  }
}

// Quantized values may round slightly past the bounds; a small tolerance keeps them.
const inRange = (u: number): number | null => (u < -0.02 || u > 1.02 ? null : Math.min(1, Math.max(0, u)));

export function categoryIndex(d: Dim, v: unknown): number {
  const vals = d.spec.values!;
  const i = vals.indexOf(v);
  if (i >= 0) return i;
  const key = JSON.stringify(v);
  return vals.findIndex((x) => JSON.stringify(x) === key);
}

/** One random flat param set (each dim from its own distribution). */
export function sampleParams(space: SearchSpace, rng: Rng): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of space.dims) out[d.name] = sampleDim(d, rng);
  return out;
}

/** Values a grid dim takes, in order; null when the dim is not finite. */
export function gridValues(d: Dim): unknown[] | null {
  const s = d.spec;
  switch (s.distribution) {
    case "constant":
      return [s.value];
    case "categorical":
    case "categorical_w_probabilities":
      return s.values!;
    case "int_uniform": {
      const out: number[] = [];
      for (let v = s.min!; v <= s.max!; v++) out.push(v);
      return out;
    }
    case "q_uniform": {
      const out: number[] = [];
      const lo = Math.ceil(s.min! / s.q! - 1e-9);
      const hi = Math.floor(s.max! / s.q! + 1e-9);
      for (let k = lo; k <= hi; k++) out.push(quantize(k * s.q!, s.q!));
      return out;
    }
    default:
      return null;
  }
}
