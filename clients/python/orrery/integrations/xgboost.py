"""XGBoost integration: ``OrreryCallback`` logs each boosting round's evaluation metrics as
``<data>/<metric>`` at step = round, and the best score and iteration to the summary.

The class subclasses ``xgboost.callback.TrainingCallback``, so it is built on first use:
importing this module (or orrery) never imports XGBoost."""

import math

from ._common import clean_prefix, metric_key, resolve_run, to_number

__all__ = ["OrreryCallback"]

# XGBoost's own early-stopping rule for which metrics grow when they improve.
_MAXIMIZE = ("auc", "aucpr", "map", "ndcg", "pre")

_cls = None


def _maximize(metric):
    return metric.split("@")[0] in _MAXIMIZE


def _rounds(evals_log):
    for metrics in evals_log.values():
        for history in metrics.values():
            return len(history)
    return 0


def _build():
    try:
        from xgboost.callback import TrainingCallback
    except ImportError as err:
        raise ImportError("orrery.integrations.xgboost needs XGBoost: pip install xgboost") from err

    class OrreryCallback(TrainingCallback):
        """Log XGBoost training to an Orrery run.

        Works with ``xgboost.train(..., callbacks=[OrreryCallback()])``, ``xgboost.cv`` (the
        mean across folds is logged) and the scikit-learn API
        (``XGBClassifier(callbacks=[OrreryCallback()])``, whose eval sets are named
        ``validation_0``, ``validation_1``...). ``run`` defaults to the current run;
        ``prefix`` is put before every key (``prefix/validation_0/logloss``).
        """

        def __init__(self, run=None, prefix=""):
            super().__init__()
            self._run = run
            self.prefix = clean_prefix(prefix)
            self._reset()

        def __deepcopy__(self, memo):
            # XGBoost and sklearn.clone deep-copy callbacks; a run (threads, open files) is shared, not copied.
            return type(self)(run=self._run, prefix=self.prefix)

        @property
        def run(self):
            return resolve_run(self._run, "OrreryCallback")

        def _reset(self):
            self._defined = set()  # keys given a define_metric
            self._last = None  # (score, metric) of the last metric reported: what early stopping watches
            self._best = None  # (score, step)
            self._evals = None  # XGBoost's evaluation history: {data: {metric: [one value per round]}}
            self._logged = 0  # rounds of it logged so far
            self._offset = 0  # step of its round 0 (training continued from a model starts later)

        def before_training(self, model):
            self._reset()
            return model

        def after_iteration(self, model, epoch, evals_log):
            self._evals = evals_log
            rounds = _rounds(evals_log)
            self._offset = int(epoch) - (rounds - 1)
            self._log_rounds(rounds)
            return False

        def after_training(self, model):
            # XGBoost 1.x keeps callbacks in a set and stops calling them once one asks to stop,
            # so early stopping can skip this callback on the last round: log what it missed.
            if self._evals is not None:
                self._log_rounds(_rounds(self._evals))
            best = self._reported_best(model) or self._best
            if best is not None:
                self.run.summary.update({
                    metric_key(self.prefix, "best_score"): best[0],
                    metric_key(self.prefix, "best_iteration"): best[1],
                })
            return model

        def _log_rounds(self, rounds):
            while self._logged < rounds:
                self._log_round(self._logged, self._offset + self._logged)
                self._logged += 1

        def _log_round(self, index, step):
            run = self.run
            values = {}
            for data, metrics in self._evals.items():
                for metric, history in metrics.items():
                    if len(history) <= index:
                        continue
                    value = history[index]
                    key = metric_key(self.prefix, f"{data}/{metric}")
                    # xgboost.cv reports (mean, std) per round.
                    if isinstance(value, tuple):
                        values[key + "-std"] = to_number(value[1])
                        value = value[0]
                    values[key] = to_number(value)
                    self._define(run, key, metric)
                    self._last = (values[key], metric)
            if values:
                run.log(values, step=step)
            if self._last is not None:
                score, metric = self._last
                better = self._best is None or (score > self._best[0] if _maximize(metric) else score < self._best[0])
                if better and not math.isnan(score):
                    self._best = (score, step)

        def _define(self, run, key, metric):
            if key in self._defined:
                return
            self._defined.add(key)
            goal = "maximize" if _maximize(metric) else "minimize"
            define = getattr(run, "define_metric", None)
            if define is None:
                import orrery

                define = orrery.define_metric
            define(key, summary="max" if goal == "maximize" else "min", goal=goal)

        @staticmethod
        def _reported_best(model):
            # Set by XGBoost's early stopping; absent otherwise (and for xgboost.cv's packed boosters).
            attr = getattr(model, "attr", None)
            if attr is None:
                return None
            score, iteration = attr("best_score"), attr("best_iteration")
            if score is None or iteration is None:
                return None
            return float(score), int(iteration)

    return OrreryCallback


def __getattr__(name):
    global _cls
    if name == "OrreryCallback":
        if _cls is None:
            _cls = _build()
        return _cls
    raise AttributeError(f"module 'orrery.integrations.xgboost' has no attribute {name!r}")
