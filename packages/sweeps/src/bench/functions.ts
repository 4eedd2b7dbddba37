// Test functions for the sweeps benchmark and tests, each with its sweep parameters and known
// optimum (minimized). Pure: the benchmark harness (bench/lib/sweeps.mjs) does the timing.

export interface TestFunction {
  name: string;
  /** The `parameters` block of a sweep config searching this function. */
  parameters: Record<string, unknown>;
  /** Value at flat params. */
  f: (p: Record<string, unknown>) => number;
  /** Known global minimum. */
  optimum: number;
}

const num = (p: Record<string, unknown>, k: string): number => p[k] as number;

/** Branin on [-5,10] x [0,15]; minimum 0.397887 at three points. */
export const branin: TestFunction = {
  name: "Branin",
  parameters: { x1: { min: -5.0, max: 10.0, distribution: "uniform" }, x2: { min: 0.0, max: 15.0, distribution: "uniform" } },
  f: (p) => {
    const x1 = num(p, "x1"), x2 = num(p, "x2");
    const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  optimum: 0.397887357729739,
};

const H6A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const H6ALPHA = [1.0, 1.2, 3.0, 3.2];

/** Hartmann-6 on [0,1]^6; minimum -3.32237. */
export const hartmann6: TestFunction = {
  name: "Hartmann-6",
  parameters: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, { min: 0.0, max: 1.0, distribution: "uniform" }])),
  f: (p) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6A[i][j] * (num(p, `x${j + 1}`) - H6P[i][j]) ** 2;
      s -= H6ALPHA[i] * Math.exp(-inner);
    }
    return s;
  },
  optimum: -3.32237,
};

/** Rosenbrock in 4 dims on [-5,10]^4; minimum 0 at (1,1,1,1). */
export const rosenbrock4: TestFunction = {
  name: "Rosenbrock-4",
  parameters: Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`x${i + 1}`, { min: -5.0, max: 10.0, distribution: "uniform" }])),
  f: (p) => {
    let s = 0;
    for (let i = 1; i < 4; i++) {
      const a = num(p, `x${i}`), b = num(p, `x${i + 1}`);
      s += 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    }
    return s;
  },
  optimum: 0,
};

/**
 * A training-run lookalike with mixed types: optimizer (categorical), lr (log-scaled), layers
 * (integer), batch (categorical numbers), dropout (uniform). Minimum 0 at optimizer=adam,
 * lr=3e-3, layers=4, batch=64, dropout=0.2.
 */
export const mixed: TestFunction = {
  name: "Mixed (cat/int/log)",
  parameters: {
    optimizer: { values: ["sgd", "adam", "rmsprop"] },
    lr: { distribution: "log_uniform_values", min: 1e-5, max: 1.0 },
    layers: { distribution: "int_uniform", min: 1, max: 8 },
    batch: { values: [16, 32, 64, 128, 256] },
    dropout: { min: 0.0, max: 0.8, distribution: "uniform" },
  },
  f: (p) => {
    const opt = p.optimizer as string;
    const bestLr = opt === "adam" ? 3e-3 : opt === "rmsprop" ? 1e-3 : 1e-1;
    const penalty = opt === "adam" ? 0 : opt === "rmsprop" ? 0.3 : 0.6;
    const dl = Math.log10(num(p, "lr")) - Math.log10(bestLr);
    const layers = num(p, "layers");
    const batch = num(p, "batch");
    const db = Math.log2(batch) - 6;
    const dd = num(p, "dropout") - 0.2;
    return penalty + 0.8 * dl * dl + 0.08 * (layers - 4) ** 2 + 0.1 * db * db + 2 * dd * dd + 0.2 * Math.abs(dl * (layers - 4)) / 4;
  },
  optimum: 0,
};

export const FUNCTIONS: TestFunction[] = [branin, hartmann6, rosenbrock4, mixed];
