"""Runs Optuna's default TPESampler on the sweeps benchmark functions (same budgets and seeds as
bench/lib/sweeps.mjs) and prints the simple regrets as JSON. Run with /usr/bin/python3 (Debian's
python3-optuna). Input: one JSON argument {"tasks": [{"fn", "seed", "batch", "budget", "checkpoints"}]}.
Parallel workers are simulated like W&B agents: `batch` asks, then the `batch` tells."""
import json
import math
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

H6A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6P = [[v * 1e-4 for v in r] for r in [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                                        [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]]
H6ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x1, x2 = t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)
    b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - s) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i + 1}", 0, 1) for i in range(6)]
    return -sum(H6ALPHA[i] * math.exp(-sum(H6A[i][j] * (x[j] - H6P[i][j]) ** 2 for j in range(6))) for i in range(4))


def rosenbrock4(t):
    x = [t.suggest_float(f"x{i + 1}", -5, 10) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def mixed(t):
    opt = t.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    lr = t.suggest_float("lr", 1e-5, 1.0, log=True)
    layers = t.suggest_int("layers", 1, 8)
    batch = t.suggest_categorical("batch", [16, 32, 64, 128, 256])
    dropout = t.suggest_float("dropout", 0.0, 0.8)
    best_lr = 3e-3 if opt == "adam" else 1e-3 if opt == "rmsprop" else 1e-1
    penalty = 0 if opt == "adam" else 0.3 if opt == "rmsprop" else 0.6
    dl = math.log10(lr) - math.log10(best_lr)
    db = math.log2(batch) - 6
    dd = dropout - 0.2
    return penalty + 0.8 * dl * dl + 0.08 * (layers - 4) ** 2 + 0.1 * db * db + 2 * dd * dd + 0.2 * abs(dl * (layers - 4)) / 4


FUNCS = {"Branin": (branin, 0.397887357729739), "Hartmann-6": (hartmann6, -3.32237), "Rosenbrock-4": (rosenbrock4, 0.0), "Mixed (cat/int/log)": (mixed, 0.0)}


def run(task):
    f, opt = FUNCS[task["fn"]]
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=task["seed"]), direction="minimize")
    best, curve = math.inf, []
    while len(curve) < task["budget"]:
        k = min(task["batch"], task["budget"] - len(curve))
        trials = [study.ask() for _ in range(k)]
        values = [f(t) for t in trials]
        for t, v in zip(trials, values):
            study.tell(t, v)
            best = min(best, v)
            curve.append(best - opt)
    return {"fn": task["fn"], "seed": task["seed"], "batch": task["batch"], "regrets": {str(c): curve[c - 1] for c in task["checkpoints"]}}


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    print(json.dumps({"results": [run(t) for t in spec["tasks"]]}))
