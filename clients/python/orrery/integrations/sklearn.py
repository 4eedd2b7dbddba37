"""scikit-learn integration: ``log_estimator`` records a fitted estimator's hyperparameters in
the run's config and its test-set metrics in the run's summary. Computing predictions and
metrics is scikit-learn's work; this module only names and stores the results."""

import math

from ._common import clean_prefix, json_value, metric_key, resolve_run, to_number

__all__ = ["log_estimator"]


def log_estimator(estimator, X_test, y_test, *, run=None, prefix="", class_names=None):
    """Log a fitted scikit-learn estimator (or Pipeline) to a run.

    Config: ``<prefix or "model">`` holds ``estimator.get_params()`` and
    ``<prefix or "model">_type`` the estimator's class name.
    Summary, for a classifier: ``accuracy``, ``precision/<class>``, ``recall/<class>`` and
    ``confusion_matrix`` (an ``orrery.Table``: one row per actual class, one column per
    predicted class). For a regressor: ``rmse``, ``mae`` and ``r2``. With a prefix, metric
    keys become ``<prefix>/accuracy`` and so on.

    ``class_names`` names the classes in the order of ``estimator.classes_``.
    Returns the metrics as a dict of the keys written to the summary.
    """
    run = resolve_run(run, "log_estimator")
    prefix = clean_prefix(prefix)
    try:
        from sklearn.base import is_classifier, is_regressor
    except ImportError as err:  # pragma: no cover - depends on the machine
        raise ImportError("orrery.integrations.sklearn needs scikit-learn: pip install scikit-learn") from err
    if not hasattr(estimator, "get_params") or not hasattr(estimator, "predict"):
        raise TypeError(f"log_estimator needs a fitted scikit-learn estimator, got {type(estimator).__name__}")

    config_key = prefix or "model"
    run.config.update({
        config_key: json_value(estimator.get_params()),
        f"{config_key}_type": type(estimator).__name__,
    })

    y_pred = estimator.predict(X_test)
    if is_classifier(estimator) or (not is_regressor(estimator) and hasattr(estimator, "classes_")):
        metrics = _classification(estimator, y_test, y_pred, prefix, class_names)
    else:
        metrics = _regression(y_test, y_pred, prefix)
    run.summary.update(metrics)
    return metrics


def _classification(estimator, y_true, y_pred, prefix, class_names):
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    from orrery import Table

    labels = getattr(estimator, "classes_", None)
    if labels is None:
        labels = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    labels = list(labels)
    if class_names is None:
        names = [str(json_value(label)) for label in labels]
    else:
        names = [str(n) for n in class_names]
        if len(names) != len(labels):
            raise ValueError(f"class_names has {len(names)} names but the estimator has {len(labels)} classes ({labels!r})")

    precision, recall, _, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    metrics = {metric_key(prefix, "accuracy"): to_number(accuracy_score(y_true, y_pred))}
    for i, name in enumerate(names):
        metrics[metric_key(prefix, f"precision/{name}")] = to_number(precision[i])
        metrics[metric_key(prefix, f"recall/{name}")] = to_number(recall[i])
    metrics[metric_key(prefix, "confusion_matrix")] = Table(
        columns=["actual"] + names,
        data=[[names[i]] + [int(c) for c in row] for i, row in enumerate(matrix.tolist())],
    )
    return metrics


def _regression(y_true, y_pred, prefix):
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    return {
        metric_key(prefix, "rmse"): math.sqrt(to_number(mean_squared_error(y_true, y_pred))),
        metric_key(prefix, "mae"): to_number(mean_absolute_error(y_true, y_pred)),
        metric_key(prefix, "r2"): to_number(r2_score(y_true, y_pred)),
    }
