import { describe, expect, it } from "vitest";
import { parseSweepConfig, SweepConfigError, type LeafSpec, type NestedSpec } from "./index.js";

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SweepConfigError);
    return (err as SweepConfigError).field;
  }
  throw new Error("expected a SweepConfigError");
}

const leaf = (yaml: string, name = "p"): LeafSpec =>
  parseSweepConfig(`method: random\nparameters:\n  ${name}:\n${yaml.split("\n").map((l) => "    " + l).join("\n")}`).parameters[name] as LeafSpec;

describe("parseSweepConfig", () => {
  it("reads a typical W&B YAML file unchanged", () => {
    const c = parseSweepConfig(`
program: train.py
method: bayes
name: my-sweep
metric:
  name: val_loss
  goal: minimize
parameters:
  learning_rate:
    distribution: log_uniform_values
    min: 0.0001
    max: 0.1
  batch_size:
    values: [16, 32, 64]
  epochs:
    value: 10
early_terminate:
  type: hyperband
  min_iter: 3
run_cap: 20
command:
  - \${env}
  - \${interpreter}
  - \${program}
  - \${args}
`);
    expect(c.method).toBe("bayes");
    expect(c.metric).toEqual({ name: "val_loss", goal: "minimize" });
    expect(c.run_cap).toBe(20);
    expect(c.early_terminate).toEqual({ type: "hyperband", min_iter: 3, eta: 3 });
    expect(c.parameters.batch_size).toEqual({ distribution: "categorical", values: [16, 32, 64] });
    expect(c.parameters.epochs).toEqual({ distribution: "constant", value: 10 });
    expect(c.command).toEqual(["${env}", "${interpreter}", "${program}", "${args}"]);
  });

  it("accepts JSON text and plain objects", () => {
    const fromJson = parseSweepConfig('{"method": "grid", "parameters": {"a": {"values": [1, 2]}}}');
    const fromObj = parseSweepConfig({ method: "grid", parameters: { a: { values: [1, 2] } } });
    expect(fromJson).toEqual(fromObj);
  });

  it("infers distributions the way W&B does", () => {
    expect(leaf("value: 3").distribution).toBe("constant");
    expect(leaf("values: [a, b]").distribution).toBe("categorical");
    expect(leaf("values: [a, b]\nprobabilities: [0.2, 0.8]").distribution).toBe("categorical_w_probabilities");
    expect(leaf("min: 1\nmax: 10").distribution).toBe("int_uniform");
    expect(leaf("min: 1.0\nmax: 10.0").distribution).toBe("uniform");
    expect(leaf("min: 0\nmax: 0.5").distribution).toBe("uniform");
  });

  it("infers int_uniform from integer numbers in objects", () => {
    const c = parseSweepConfig({ method: "random", parameters: { n: { min: 1, max: 4 }, x: { min: 0, max: 0.5 } } });
    expect((c.parameters.n as LeafSpec).distribution).toBe("int_uniform");
    expect((c.parameters.x as LeafSpec).distribution).toBe("uniform");
  });

  it("accepts every W&B distribution and fills its defaults", () => {
    const cases: [string, Partial<LeafSpec>][] = [
      ["distribution: constant\nvalue: x", { value: "x" }],
      ["distribution: categorical\nvalues: [1, 2]", { values: [1, 2] }],
      ["distribution: categorical_w_probabilities\nvalues: [1, 2]\nprobabilities: [0.5, 0.5]", { probabilities: [0.5, 0.5] }],
      ["distribution: int_uniform\nmin: 0\nmax: 5", { min: 0, max: 5 }],
      ["distribution: uniform\nmin: 0\nmax: 5", { min: 0, max: 5 }],
      ["distribution: q_uniform\nmin: 0\nmax: 5", { q: 1 }],
      ["distribution: log_uniform\nmin: -5\nmax: 0", { min: -5, max: 0 }],
      ["distribution: log_uniform_values\nmin: 0.001\nmax: 1", { min: 0.001 }],
      ["distribution: q_log_uniform\nmin: 0\nmax: 5\nq: 2", { q: 2 }],
      ["distribution: q_log_uniform_values\nmin: 1\nmax: 1000", { q: 1 }],
      ["distribution: inv_log_uniform\nmin: 0\nmax: 5", { min: 0 }],
      ["distribution: inv_log_uniform_values\nmin: 0.1\nmax: 10", { max: 10 }],
      ["distribution: normal", { mu: 0, sigma: 1 }],
      ["distribution: q_normal\nmu: 5\nsigma: 2", { mu: 5, sigma: 2, q: 1 }],
      ["distribution: log_normal", { mu: 0, sigma: 1 }],
      ["distribution: q_log_normal\nq: 0.5", { q: 0.5 }],
      ["distribution: beta", { a: 1, b: 1 }],
      ["distribution: q_beta\na: 2\nb: 3\nq: 0.1", { a: 2, b: 3, q: 0.1 }],
    ];
    for (const [yaml, expected] of cases) expect(leaf(yaml)).toMatchObject(expected);
  });

  it("turns nested parameters into a nested spec", () => {
    const c = parseSweepConfig(`
method: random
parameters:
  optimizer:
    parameters:
      lr: {min: 0.001, max: 0.1}
      name: {values: [adam, sgd]}
`);
    const nested = c.parameters.optimizer as NestedSpec;
    expect((nested.parameters.lr as LeafSpec).distribution).toBe("uniform");
    expect((nested.parameters.name as LeafSpec).distribution).toBe("categorical");
  });

  it("accepts our own keys: tpe, asha, retries, prior_sweeps", () => {
    const c = parseSweepConfig({
      method: "tpe",
      metric: { name: "loss", goal: "minimize" },
      parameters: { x: { min: 0.0, max: 1.5 } },
      early_terminate: { type: "asha", min_iter: 2 },
      retries: 2,
      prior_sweeps: ["abc"],
    });
    expect(c.early_terminate).toEqual({ type: "asha", min_iter: 2, eta: 3 });
    expect(c.retries).toBe(2);
    expect(c.prior_sweeps).toEqual(["abc"]);
  });

  it("names the field of each bad input", () => {
    const p = (params: unknown, extra: Record<string, unknown> = {}) => () => parseSweepConfig({ method: "random", parameters: params, ...extra });
    expect(fieldOf(() => parseSweepConfig("method: [unclosed"))).toBe("config");
    expect(fieldOf(() => parseSweepConfig({ parameters: { a: { value: 1 } } }))).toBe("method");
    expect(fieldOf(() => parseSweepConfig({ method: "hill", parameters: { a: { value: 1 } } }))).toBe("method");
    expect(fieldOf(() => parseSweepConfig({ method: "random" }))).toBe("parameters");
    expect(fieldOf(() => parseSweepConfig({ method: "bayes", parameters: { a: { min: 0.0, max: 1.5 } } }))).toBe("metric");
    expect(fieldOf(() => parseSweepConfig({ method: "random", metric: { name: "l", goal: "up" }, parameters: { a: { value: 1 } } }))).toBe("metric.goal");
    expect(fieldOf(() => parseSweepConfig({ method: "random", bogus: 1, parameters: { a: { value: 1 } } }))).toBe("bogus");
    expect(fieldOf(p({ lr: { distribution: "gaussian" } }))).toBe("parameters.lr.distribution");
    expect(fieldOf(p({ lr: { distribution: "uniform", min: 0 } }))).toBe("parameters.lr.max");
    expect(fieldOf(p({ lr: { distribution: "uniform", min: 1, max: 0 } }))).toBe("parameters.lr.max");
    expect(fieldOf(p({ lr: { distribution: "uniform", min: "a", max: 1 } }))).toBe("parameters.lr.min");
    expect(fieldOf(p({ lr: { distribution: "int_uniform", min: 0.5, max: 3 } }))).toBe("parameters.lr.min");
    expect(fieldOf(p({ lr: { distribution: "log_uniform_values", min: 0, max: 1 } }))).toBe("parameters.lr.min");
    expect(fieldOf(p({ lr: { distribution: "q_uniform", min: 0, max: 1, q: 0 } }))).toBe("parameters.lr.q");
    expect(fieldOf(p({ lr: { distribution: "normal", sigma: -1 } }))).toBe("parameters.lr.sigma");
    expect(fieldOf(p({ lr: { distribution: "beta", a: 0 } }))).toBe("parameters.lr.a");
    expect(fieldOf(p({ lr: { distribution: "normal", min: 0 } }))).toBe("parameters.lr.min");
    expect(fieldOf(p({ lr: { values: [] } }))).toBe("parameters.lr.values");
    expect(fieldOf(p({ lr: { values: [1, 2], probabilities: [0.5] } }))).toBe("parameters.lr.probabilities");
    expect(fieldOf(p({ lr: { values: [1, 2], probabilities: [0.5, 0.6] } }))).toBe("parameters.lr.probabilities");
    expect(fieldOf(p({ lr: { foo: 1 } }))).toBe("parameters.lr");
    expect(fieldOf(p({ lr: 0.1 }))).toBe("parameters.lr");
    expect(fieldOf(p({ opt: { parameters: { lr: { distribution: "nope" } } } }))).toBe("parameters.opt.parameters.lr.distribution");
    expect(fieldOf(p({ a: { value: 1 } }, { run_cap: 0 }))).toBe("run_cap");
    expect(fieldOf(p({ a: { value: 1 } }, { retries: -1 }))).toBe("retries");
    expect(fieldOf(p({ a: { value: 1 } }, { command: "python train.py" }))).toBe("command");
  });

  it("explains what grid search allows when a parameter is continuous", () => {
    try {
      parseSweepConfig({ method: "grid", parameters: { lr: { min: 0.0, max: 1.5 } } });
      throw new Error("should have failed");
    } catch (err) {
      expect((err as SweepConfigError).field).toBe("parameters.lr.distribution");
      expect((err as Error).message).toMatch(/grid allows value, values, int_uniform and q_uniform/);
    }
  });

  it("validates early_terminate for hyperband and asha", () => {
    const base = { method: "random", metric: { name: "loss" }, parameters: { a: { value: 1 } } };
    expect(fieldOf(() => parseSweepConfig({ ...base, early_terminate: { type: "median" } }))).toBe("early_terminate.type");
    expect(fieldOf(() => parseSweepConfig({ ...base, early_terminate: { type: "hyperband" } }))).toBe("early_terminate");
    expect(fieldOf(() => parseSweepConfig({ ...base, early_terminate: { type: "hyperband", max_iter: 27 } }))).toBe("early_terminate");
    expect(fieldOf(() => parseSweepConfig({ ...base, early_terminate: { type: "hyperband", min_iter: 1, eta: 1 } }))).toBe("early_terminate.eta");
    expect(fieldOf(() => parseSweepConfig({ ...base, metric: undefined, early_terminate: { type: "hyperband", min_iter: 1 } }))).toBe("metric");
    expect(parseSweepConfig({ ...base, early_terminate: { type: "hyperband", max_iter: 27, s: 2 } }).early_terminate).toEqual({ type: "hyperband", max_iter: 27, s: 2, eta: 3 });
  });
});
