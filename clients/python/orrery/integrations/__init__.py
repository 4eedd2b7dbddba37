"""Integrations with training libraries: scikit-learn (``log_estimator``) and XGBoost
(``OrreryCallback``). Each lives in its own module and is imported only when asked for, so
``import orrery`` never imports scikit-learn or XGBoost."""

__all__ = ["log_estimator", "OrreryCallback"]


def __getattr__(name):
    if name == "log_estimator":
        from .sklearn import log_estimator
        return log_estimator
    if name == "OrreryCallback":
        from .xgboost import OrreryCallback
        return OrreryCallback
    raise AttributeError(f"module 'orrery.integrations' has no attribute {name!r}")
