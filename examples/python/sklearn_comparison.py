"""A scikit-learn model comparison tracked with Orrery: four classifiers on the bundled wine
data set, one run each in the group "model-comparison", plus a ridge regressor on the bundled
diabetes data set. orrery.integrations.sklearn.log_estimator records each model's parameters
(config) and test metrics (summary: accuracy, per-class precision and recall, a confusion
matrix table; for the regressor rmse, mae and r2).

    PYTHONPATH=clients/python python3 examples/python/sklearn_comparison.py
"""

import argparse

from sklearn.datasets import load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import orrery
from orrery.integrations.sklearn import log_estimator

CLASSIFIERS = {
    "logistic-regression": lambda seed: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, C=1.0)),
    "random-forest": lambda seed: RandomForestClassifier(n_estimators=100, max_depth=5, random_state=seed),
    "svm-rbf": lambda seed: make_pipeline(StandardScaler(), SVC(C=1.0, kernel="rbf")),
    "k-nearest-neighbors": lambda seed: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--project", default="sklearn-comparison")
    args = parser.parse_args()

    wine = load_wine()
    X_train, X_test, y_train, y_test = train_test_split(
        wine.data, wine.target, test_size=args.test_size, random_state=args.seed, stratify=wine.target)
    for name, build in CLASSIFIERS.items():
        config = {"dataset": "wine", "test_size": args.test_size, "seed": args.seed}
        with orrery.init(project=args.project, name=name, group="model-comparison", job_type="classifier", config=config):
            model = build(args.seed).fit(X_train, y_train)
            metrics = log_estimator(model, X_test, y_test, class_names=list(wine.target_names))
            print(f"{name}: accuracy {metrics['accuracy']:.3f}")

    diabetes = load_diabetes()
    X_train, X_test, y_train, y_test = train_test_split(
        diabetes.data, diabetes.target, test_size=args.test_size, random_state=args.seed)
    config = {"dataset": "diabetes", "test_size": args.test_size, "seed": args.seed}
    with orrery.init(project=args.project, name="ridge-regressor", group="model-comparison", job_type="regressor", config=config):
        model = Ridge(alpha=0.1).fit(X_train, y_train)
        metrics = log_estimator(model, X_test, y_test)
        print(f"ridge-regressor: rmse {metrics['rmse']:.2f} mae {metrics['mae']:.2f} r2 {metrics['r2']:.3f}")


if __name__ == "__main__":
    main()
