// Owns the sweep config: parsing W&B-compatible YAML/JSON into a normalized SweepConfig, inferring
// distributions the way W&B does, and validating every field with an error that names it. Turning
// parameters into a search space lives in space.ts.
import { parse as parseYaml } from "yaml";

export type Method = "grid" | "random" | "bayes" | "tpe";
export const METHODS: readonly Method[] = ["grid", "random", "bayes", "tpe"];

export const DISTRIBUTIONS = [
  "constant", "categorical", "categorical_w_probabilities", "int_uniform", "uniform", "q_uniform",
  "log_uniform", "log_uniform_values", "q_log_uniform", "q_log_uniform_values", "inv_log_uniform",
  "inv_log_uniform_values", "normal", "q_normal", "log_normal", "q_log_normal", "beta", "q_beta",
] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** One leaf parameter with its distribution filled in (inferred when the config omits it). */
export interface LeafSpec {
  distribution: Distribution;
  value?: unknown;
  values?: unknown[];
  probabilities?: number[];
  min?: number;
  max?: number;
  q?: number;
  mu?: number;
  sigma?: number;
  a?: number;
  b?: number;
}
/** A nested group: its leaves end up as a nested dict in the run's config. */
export interface NestedSpec {
  parameters: Record<string, ParamSpec>;
}
export type ParamSpec = LeafSpec | NestedSpec;

export interface MetricSpec {
  name: string;
  goal: "minimize" | "maximize";
  target?: number;
}

export interface EarlyTerminateSpec {
  type: "hyperband" | "asha";
  min_iter?: number;
  max_iter?: number;
  s?: number;
  eta: number;
  strict?: boolean;
}

export interface SweepConfig {
  program?: string;
  method: Method;
  metric?: MetricSpec;
  parameters: Record<string, ParamSpec>;
  early_terminate?: EarlyTerminateSpec;
  run_cap?: number;
  command?: string[];
  retries?: number;
  prior_sweeps?: string[];
  name?: string;
  description?: string;
}

/** A config problem: `field` is the dotted path (e.g. `parameters.lr.distribution`). */
export class SweepConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "SweepConfigError";
    this.field = field;
  }
}

export const isNested = (p: ParamSpec): p is NestedSpec => "parameters" in p && !("distribution" in p);

// Keys W&B accepts that mean nothing to our controller; accepted so W&B files work unchanged.
const IGNORED_TOP = ["entity", "project", "controller", "apiVersion", "kind", "job", "image_uri", "scheduler"];
const TOP = ["program", "method", "metric", "parameters", "early_terminate", "run_cap", "command", "retries", "prior_sweeps", "name", "description", ...IGNORED_TOP];

// Which keys each distribution accepts (besides `distribution`), and which are required.
const SHAPE: Record<Distribution, { allowed: string[]; required: string[] }> = {
  constant: { allowed: ["value"], required: ["value"] },
  categorical: { allowed: ["values"], required: ["values"] },
  categorical_w_probabilities: { allowed: ["values", "probabilities"], required: ["values", "probabilities"] },
  int_uniform: { allowed: ["min", "max"], required: ["min", "max"] },
  uniform: { allowed: ["min", "max"], required: ["min", "max"] },
  q_uniform: { allowed: ["min", "max", "q"], required: ["min", "max"] },
  log_uniform: { allowed: ["min", "max"], required: ["min", "max"] },
  log_uniform_values: { allowed: ["min", "max"], required: ["min", "max"] },
  q_log_uniform: { allowed: ["min", "max", "q"], required: ["min", "max"] },
  q_log_uniform_values: { allowed: ["min", "max", "q"], required: ["min", "max"] },
  inv_log_uniform: { allowed: ["min", "max"], required: ["min", "max"] },
  inv_log_uniform_values: { allowed: ["min", "max"], required: ["min", "max"] },
  normal: { allowed: ["mu", "sigma"], required: [] },
  q_normal: { allowed: ["mu", "sigma", "q"], required: [] },
  log_normal: { allowed: ["mu", "sigma"], required: [] },
  q_log_normal: { allowed: ["mu", "sigma", "q"], required: [] },
  beta: { allowed: ["a", "b"], required: [] },
  q_beta: { allowed: ["a", "b", "q"], required: [] },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses a sweep config from YAML or JSON text, or from an already-parsed object, and returns it
 * normalized: every leaf parameter has its `distribution` and defaults (q=1, mu=0, sigma=1,
 * a=b=1, eta=3) filled in. Throws SweepConfigError naming the field and what is allowed.
 */
export function parseSweepConfig(src: string | object): SweepConfig {
  let raw: unknown;
  if (typeof src === "string") {
    try {
      // intAsBigInt keeps `1` (int) apart from `1.0` (float), which W&B uses to infer int_uniform.
      raw = parseYaml(src, { intAsBigInt: true });
    } catch (err) {
      throw new SweepConfigError("config", `is not valid YAML or JSON (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
    }
  } else raw = src;
  if (!isObj(raw)) throw new SweepConfigError("config", "must be a mapping with at least `method` and `parameters`");
  for (const k of Object.keys(raw)) {
    if (!TOP.includes(k)) throw new SweepConfigError(k, `unknown key; allowed: ${TOP.filter((t) => !IGNORED_TOP.includes(t)).join(", ")}`);
  }
  const method = raw.method;
  if (method === undefined) throw new SweepConfigError("method", `is required; allowed: ${METHODS.join(", ")}`);
  if (typeof method !== "string" || !(METHODS as readonly string[]).includes(method)) {
    throw new SweepConfigError("method", `must be one of ${METHODS.join(", ")}; got ${JSON.stringify(plain(method))}`);
  }
  const out: SweepConfig = { method: method as Method, parameters: {} };

  if (raw.program !== undefined) out.program = str(raw.program, "program");
  if (raw.name !== undefined) out.name = str(raw.name, "name");
  if (raw.description !== undefined) out.description = str(raw.description, "description");
  if (raw.metric !== undefined) out.metric = parseMetric(raw.metric);
  if ((out.method === "bayes" || out.method === "tpe") && !out.metric) {
    throw new SweepConfigError("metric", `is required for method ${out.method}: give {name, goal: minimize|maximize}`);
  }
  if (!isObj(raw.parameters) || Object.keys(raw.parameters).length === 0) {
    throw new SweepConfigError("parameters", "is required: a mapping of parameter name to {value} / {values} / {min, max} / {distribution, ...}");
  }
  out.parameters = parseParams(raw.parameters, "parameters", { textual: typeof src === "string" });
  if (out.method === "grid") checkGridable(out.parameters, "parameters");
  if (raw.early_terminate !== undefined) {
    out.early_terminate = parseEarlyTerminate(raw.early_terminate);
    if (!out.metric) throw new SweepConfigError("metric", "is required when early_terminate is set: the stopping rule compares runs on it");
  }
  if (raw.run_cap !== undefined) out.run_cap = posInt(raw.run_cap, "run_cap", 1);
  if (raw.retries !== undefined) out.retries = posInt(raw.retries, "retries", 0);
  if (raw.command !== undefined) {
    if (!Array.isArray(raw.command) || raw.command.length === 0) throw new SweepConfigError("command", "must be a non-empty list of strings, e.g. [${env}, ${interpreter}, ${program}, ${args}]");
    out.command = raw.command.map((c, i) => {
      const v = plain(c);
      if (typeof v !== "string" && typeof v !== "number") throw new SweepConfigError(`command.${i}`, "must be a string");
      return String(v);
    });
  }
  if (raw.prior_sweeps !== undefined) {
    if (!Array.isArray(raw.prior_sweeps)) throw new SweepConfigError("prior_sweeps", "must be a list of sweep ids");
    out.prior_sweeps = raw.prior_sweeps.map((s, i) => str(s, `prior_sweeps.${i}`));
  }
  return out;
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string" || v === "") throw new SweepConfigError(field, "must be a non-empty string");
  return v;
}

function num(v: unknown, field: string): number {
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new SweepConfigError(field, `must be a finite number; got ${JSON.stringify(plain(v))}`);
  return n;
}

function posInt(v: unknown, field: string, min: number): number {
  const n = num(v, field);
  if (!Number.isInteger(n) || n < min) throw new SweepConfigError(field, `must be an integer >= ${min}; got ${n}`);
  return n;
}

/** BigInt (from YAML ints) back to number, deeply, so values in configs are plain JSON. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** From YAML/JSON text only YAML ints (parsed as bigint) count, so `1.0` stays a float as in W&B; from objects any integral number does. */
interface Ctx {
  textual: boolean;
}
const isIntLiteral = (v: unknown, ctx: Ctx): boolean => typeof v === "bigint" || (!ctx.textual && typeof v === "number" && Number.isInteger(v));

function parseMetric(v: unknown): MetricSpec {
  if (!isObj(v)) throw new SweepConfigError("metric", "must be a mapping {name, goal, target?}");
  for (const k of Object.keys(v)) {
    if (!["name", "goal", "target", "impute", "impute_while_running"].includes(k)) throw new SweepConfigError(`metric.${k}`, "unknown key; allowed: name, goal, target");
  }
  const name = str(v.name, "metric.name");
  const goal = v.goal ?? "minimize";
  if (goal !== "minimize" && goal !== "maximize") throw new SweepConfigError("metric.goal", `must be minimize or maximize; got ${JSON.stringify(plain(goal))}`);
  const m: MetricSpec = { name, goal };
  if (v.target !== undefined) m.target = num(v.target, "metric.target");
  return m;
}

function parseParams(raw: Obj, path: string, ctx: Ctx): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries(raw)) {
    const field = `${path}.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new SweepConfigError(field, "parameter names must start with a letter or _ and hold only letters, digits, _ and - (nest with `parameters:` instead of dots)");
    out[name] = parseParam(spec, field, ctx);
  }
  return out;
}

function parseParam(spec: unknown, field: string, ctx: Ctx): ParamSpec {
  if (!isObj(spec)) throw new SweepConfigError(field, "must be a mapping such as {value: 1}, {values: [...]}, {min: 0, max: 1} or {distribution: normal, mu: 0, sigma: 1}");
  if ("parameters" in spec) {
    for (const k of Object.keys(spec)) if (k !== "parameters") throw new SweepConfigError(`${field}.${k}`, "a nested parameter group holds only `parameters`");
    if (!isObj(spec.parameters) || Object.keys(spec.parameters).length === 0) throw new SweepConfigError(`${field}.parameters`, "must be a non-empty mapping of parameters");
    return { parameters: parseParams(spec.parameters, `${field}.parameters`, ctx) };
  }
  let dist = spec.distribution;
  if (dist === undefined) {
    // W&B's inference: value -> constant, values (+ probabilities) -> categorical, int min/max -> int_uniform, else uniform.
    if ("value" in spec) dist = "constant";
    else if ("values" in spec) dist = "probabilities" in spec ? "categorical_w_probabilities" : "categorical";
    else if ("min" in spec && "max" in spec) dist = isIntLiteral(spec.min, ctx) && isIntLiteral(spec.max, ctx) ? "int_uniform" : "uniform";
    else throw new SweepConfigError(field, "needs `value`, `values`, `min` and `max`, or a `distribution`");
  }
  if (dist === "categorical" && "probabilities" in spec) dist = "categorical_w_probabilities";
  if (typeof dist !== "string" || !(DISTRIBUTIONS as readonly string[]).includes(dist)) {
    throw new SweepConfigError(`${field}.distribution`, `unknown distribution ${JSON.stringify(plain(dist))}; allowed: ${DISTRIBUTIONS.join(", ")}`);
  }
  const d = dist as Distribution;
  const shape = SHAPE[d];
  for (const k of Object.keys(spec)) {
    if (k !== "distribution" && !shape.allowed.includes(k)) throw new SweepConfigError(`${field}.${k}`, `not used by distribution ${d}; allowed: ${shape.allowed.join(", ")}`);
  }
  for (const k of shape.required) if (!(k in spec)) throw new SweepConfigError(`${field}.${k}`, `is required for distribution ${d}`);
  const leaf: LeafSpec = { distribution: d };
  if (d === "constant") {
    leaf.value = plain(spec.value);
    return leaf;
  }
  if (d === "categorical" || d === "categorical_w_probabilities") {
    if (!Array.isArray(spec.values) || spec.values.length === 0) throw new SweepConfigError(`${field}.values`, "must be a non-empty list");
    leaf.values = spec.values.map(plain);
    if (d === "categorical_w_probabilities") {
      if (!Array.isArray(spec.probabilities) || spec.probabilities.length !== spec.values.length) {
        throw new SweepConfigError(`${field}.probabilities`, `must be a list of ${spec.values.length} numbers, one per value`);
      }
      const p = spec.probabilities.map((x, i) => num(x, `${field}.probabilities.${i}`));
      if (p.some((x) => x < 0)) throw new SweepConfigError(`${field}.probabilities`, "must all be >= 0");
      const sum = p.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-6) throw new SweepConfigError(`${field}.probabilities`, `must sum to 1; they sum to ${sum}`);
      leaf.probabilities = p;
    }
    return leaf;
  }
  for (const k of ["min", "max", "q", "mu", "sigma", "a", "b"] as const) {
    if (k in spec) leaf[k] = num(spec[k], `${field}.${k}`);
  }
  if (d === "int_uniform") {
    if (!Number.isInteger(leaf.min)) throw new SweepConfigError(`${field}.min`, "must be an integer for int_uniform");
    if (!Number.isInteger(leaf.max)) throw new SweepConfigError(`${field}.max`, "must be an integer for int_uniform");
  }
  if (leaf.min !== undefined && leaf.max !== undefined && !(leaf.max > leaf.min) && !(d === "int_uniform" && leaf.max === leaf.min)) {
    throw new SweepConfigError(`${field}.max`, `must be greater than min (${leaf.min}); got ${leaf.max}`);
  }
  if ((d === "log_uniform_values" || d === "q_log_uniform_values" || d === "inv_log_uniform_values") && !(leaf.min! > 0)) {
    throw new SweepConfigError(`${field}.min`, `must be > 0 for ${d} (min and max are values, not exponents; use log_uniform for exponents)`);
  }
  if (d.startsWith("q_")) {
    leaf.q ??= 1;
    if (!(leaf.q > 0)) throw new SweepConfigError(`${field}.q`, "must be > 0");
  }
  if (d.endsWith("normal")) {
    leaf.mu ??= 0;
    leaf.sigma ??= 1;
    if (!(leaf.sigma > 0)) throw new SweepConfigError(`${field}.sigma`, "must be > 0");
  }
  if (d.endsWith("beta")) {
    leaf.a ??= 1;
    leaf.b ??= 1;
    if (!(leaf.a > 0)) throw new SweepConfigError(`${field}.a`, "must be > 0");
    if (!(leaf.b > 0)) throw new SweepConfigError(`${field}.b`, "must be > 0");
  }
  return leaf;
}

const GRIDABLE: Distribution[] = ["constant", "categorical", "categorical_w_probabilities", "int_uniform", "q_uniform"];

function checkGridable(params: Record<string, ParamSpec>, path: string): void {
  for (const [name, p] of Object.entries(params)) {
    if (isNested(p)) checkGridable(p.parameters, `${path}.${name}.parameters`);
    else if (!GRIDABLE.includes(p.distribution)) {
      throw new SweepConfigError(`${path}.${name}.distribution`, `${p.distribution} has infinitely many values, so grid search cannot enumerate it; grid allows value, values, int_uniform and q_uniform (or use method random, bayes or tpe)`);
    }
  }
}

function parseEarlyTerminate(v: unknown): EarlyTerminateSpec {
  const f = "early_terminate";
  if (!isObj(v)) throw new SweepConfigError(f, "must be a mapping {type: hyperband|asha, min_iter | max_iter + s, eta?, strict?}");
  const type = v.type;
  if (type !== "hyperband" && type !== "asha") throw new SweepConfigError(`${f}.type`, `must be hyperband or asha; got ${JSON.stringify(plain(type))}`);
  for (const k of Object.keys(v)) {
    if (!["type", "min_iter", "max_iter", "s", "eta", "strict"].includes(k)) throw new SweepConfigError(`${f}.${k}`, "unknown key; allowed: type, min_iter, max_iter, s, eta, strict");
  }
  const et: EarlyTerminateSpec = { type, eta: v.eta === undefined ? 3 : num(v.eta, `${f}.eta`) };
  if (!(et.eta > 1)) throw new SweepConfigError(`${f}.eta`, `must be > 1; got ${et.eta}`);
  if (v.min_iter !== undefined) et.min_iter = posInt(v.min_iter, `${f}.min_iter`, 1);
  if (v.max_iter !== undefined) et.max_iter = posInt(v.max_iter, `${f}.max_iter`, 1);
  if (v.s !== undefined) et.s = posInt(v.s, `${f}.s`, 1);
  if (v.strict !== undefined) {
    if (typeof v.strict !== "boolean") throw new SweepConfigError(`${f}.strict`, "must be true or false");
    et.strict = v.strict;
  }
  if (type === "hyperband") {
    if (et.min_iter === undefined && (et.max_iter === undefined || et.s === undefined)) {
      throw new SweepConfigError(f, "hyperband needs min_iter, or max_iter together with s");
    }
    if (et.min_iter === undefined && Math.floor(et.max_iter! / et.eta) < 1) {
      throw new SweepConfigError(`${f}.max_iter`, `gives no brackets: max_iter / eta must be >= 1 (increase max_iter or s, or decrease eta)`);
    }
  } else {
    et.min_iter ??= 1;
  }
  return et;
}
