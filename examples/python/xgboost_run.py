"""Gradient-boosted trees on scikit-learn's bundled breast-cancer data set, tracked with Orrery:
OrreryCallback logs every boosting round's train and eval metrics (train/error, eval/error,
eval/auc, eval/logloss...) at step = round, and the best score and iteration of early stopping
(which watches the last metric, eval/logloss) to the summary.

    PYTHONPATH=clients/python python3 examples/python/xgboost_run.py --rounds 200
"""

import argparse

import numpy as np
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import orrery
from orrery.integrations.xgboost import OrreryCallback


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--early-stopping", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", default="xgboost-cancer")
    args = parser.parse_args()

    data = load_breast_cancer()
    X_train, X_val, y_train, y_val = train_test_split(
        data.data, data.target, test_size=0.25, random_state=args.seed, stratify=data.target)
    params = {
        "objective": "binary:logistic", "eval_metric": ["error", "auc", "logloss"], "max_depth": 3,
        "eta": 0.1, "subsample": 0.9, "colsample_bytree": 0.8, "seed": args.seed, "nthread": 2,
    }
    config = {"params": params, "num_boost_round": args.rounds, "early_stopping_rounds": args.early_stopping}

    with orrery.init(project=args.project, config=config, job_type="train", tags=["xgboost"]) as run:
        dtrain = xgb.DMatrix(X_train, label=y_train, feature_names=list(data.feature_names))
        dval = xgb.DMatrix(X_val, label=y_val, feature_names=list(data.feature_names))
        booster = xgb.train(
            params, dtrain, num_boost_round=args.rounds, evals=[(dtrain, "train"), (dval, "eval")],
            early_stopping_rounds=args.early_stopping, callbacks=[OrreryCallback()], verbose_eval=False)
        predictions = booster.predict(dval, iteration_range=(0, booster.best_iteration + 1)) > 0.5
        accuracy = float(np.mean(predictions == y_val))
        run.summary["accuracy"] = accuracy
        run.summary["rounds"] = booster.num_boosted_rounds()
        print(f"best iteration {booster.best_iteration}, best eval/logloss {booster.best_score:.4f}, accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
