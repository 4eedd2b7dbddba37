"""Helpers shared by the integrations: finding the run to log to, and turning library values
(NumPy scalars, estimators, callables) into JSON-compatible config values."""

import math


def resolve_run(run, who):
    """The run an integration logs to: the one given, else the current one from orrery.init()."""
    if run is not None:
        return run
    import orrery

    current = getattr(orrery, "run", None)
    if current is None:
        raise RuntimeError(f"{who} needs a run: call orrery.init() first, or pass run=")
    return current


def metric_key(prefix, name):
    return f"{prefix}/{name}" if prefix else name


def clean_prefix(prefix):
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string, got {type(prefix).__name__}")
    return prefix.strip("/")


def to_number(value):
    """A Python float from a NumPy or Python number (history and summary hold plain floats)."""
    if hasattr(value, "item"):
        value = value.item()
    return float(value)


def json_value(value, depth=0):
    """A JSON-compatible copy of a hyperparameter: primitives stay, NumPy scalars become Python
    numbers, containers are copied, and anything else (an estimator inside a Pipeline, a
    callable, a random state) becomes its repr, so a config never fails to serialize."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # JSON has no NaN or Infinity; keep the information as text.
        return value if math.isfinite(value) else repr(value)
    if depth < 8:
        if isinstance(value, dict):
            return {str(k): json_value(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [json_value(v, depth + 1) for v in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        # NumPy scalars and (small, as hyperparameters are) arrays.
        return json_value(value.tolist(), depth + 1)
    if callable(value) and hasattr(value, "__name__"):
        return getattr(value, "__qualname__", value.__name__)
    return repr(value)
