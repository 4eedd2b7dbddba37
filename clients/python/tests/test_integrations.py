"""Unit tests of orrery.integrations: log_estimator and OrreryCallback write what they promise
into an offline run's spool, read back frame by frame as the spool format describes."""

import glob
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import orrery  # noqa: E402
from orrery.integrations._common import json_value  # noqa: E402

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAS_XGBOOST = importlib.util.find_spec("xgboost") is not None


def read_spool(run_dir):
    """Every record of a run folder's spool, binary history rows decoded to their JSON form."""
    with open(os.path.join(run_dir, "records.spool"), "rb") as f:
        data = f.read()
    assert data[:8] == b"ORRSPL01", data[:8]
    pos, frames = 8, []
    while pos + 8 <= len(data):
        length, crc = struct.unpack_from("<II", data, pos)
        payload = data[pos + 8:pos + 8 + length]
        if length == 0 or len(payload) < length or zlib.crc32(payload) != crc:
            break
        frames.append(payload)
        pos += 8 + length
    records = []
    for payload in frames[1:]:
        if payload[0] == 0x01:
            seq, ts, step = struct.unpack_from("<ddd", payload, 1)
            (count,) = struct.unpack_from("<H", payload, 25)
            off, values = 27, {}
            for _ in range(count):
                (n,) = struct.unpack_from("<H", payload, off)
                key = payload[off + 2:off + 2 + n].decode()
                (values[key],) = struct.unpack_from("<d", payload, off + 2 + n)
                off += 2 + n + 8
            records.append({"seq": int(seq), "ts": ts, "type": "history", "step": int(step), "values": values})
        else:
            records.append(json.loads(payload))
    return records


def merged(records, kind):
    out = {}
    for r in records:
        if r["type"] == "run" and kind == "config":
            out.update(r.get("config") or {})
        if r["type"] == kind and "path" not in r:
            out.update(r["values"])
    return out


class OfflineRunCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def start(self, **kw):
        return orrery.init(project="tests/integrations", mode="offline", dir=self.tmp.name, **kw)

    def records(self):
        dirs = glob.glob(os.path.join(self.tmp.name, "run-*"))
        self.assertEqual(len(dirs), 1, dirs)
        return read_spool(dirs[0])


class TestImports(unittest.TestCase):
    def test_importing_orrery_and_its_integrations_imports_neither_sklearn_nor_xgboost(self):
        code = (
            "import sys, orrery, orrery.integrations, orrery.integrations.xgboost, orrery.integrations.sklearn\n"
            "assert 'xgboost' not in sys.modules and 'sklearn' not in sys.modules, sorted(sys.modules)\n"
        )
        env = {**os.environ, "PYTHONPATH": os.path.dirname(HERE)}
        subprocess.run([sys.executable, "-c", code], check=True, env=env)

    @unittest.skipUnless(importlib.util.find_spec("numpy"), "NumPy is not installed")
    def test_numpy_hyperparameters_become_plain_numbers_and_lists(self):
        import numpy as np

        self.assertEqual(json_value({"a": np.float32(0.5), "b": np.int64(3), "c": np.array([[1, 2]]), "d": np.bool_(True)}),
                         {"a": 0.5, "b": 3, "c": [[1, 2]], "d": True})

    def test_hyperparameters_become_json_values(self):
        class Est:
            def __repr__(self):
                return "Est()"

        self.assertEqual(
            json_value({"a": 1, "b": (1.5, None), "c": Est(), "d": len, "e": float("nan"), "f": {"g": True}}),
            {"a": 1, "b": [1.5, None], "c": "Est()", "d": "len", "e": "nan", "f": {"g": True}},
        )


@unittest.skipUnless(HAS_SKLEARN, "scikit-learn is not installed (Debian: apt-get install python3-sklearn)")
class TestLogEstimator(OfflineRunCase):
    def test_a_fitted_classifier_logs_its_params_to_config_and_its_metrics_to_summary(self):
        from sklearn.linear_model import LogisticRegression
        from orrery.integrations.sklearn import log_estimator

        X = [[0.0], [0.1], [0.2], [0.9], [1.0], [1.1]]
        y = [0, 0, 0, 1, 1, 1]
        model = LogisticRegression(C=10.0).fit(X, y)
        run = self.start()
        metrics = log_estimator(model, [[0.05], [0.95], [0.5], [0.15]], [0, 1, 1, 0], class_names=["neg", "pos"])
        run.finish()

        config, summary = merged(self.records(), "config"), merged(self.records(), "summary")
        self.assertEqual(config["model"]["C"], 10.0)
        self.assertEqual(config["model"]["max_iter"], 100)
        self.assertEqual(config["model_type"], "LogisticRegression")
        # 0.5 sits just below the boundary at 0.55: predicted neg, actually pos.
        self.assertEqual(summary["accuracy"], 0.75)
        self.assertEqual(summary["precision/neg"], 2 / 3)
        self.assertEqual(summary["recall/neg"], 1.0)
        self.assertEqual(summary["precision/pos"], 1.0)
        self.assertEqual(summary["recall/pos"], 0.5)
        self.assertEqual(summary["confusion_matrix"], {
            "_type": "table", "columns": ["actual", "neg", "pos"], "data": [["neg", 2, 0], ["pos", 1, 1]],
        })
        self.assertEqual(metrics["accuracy"], 0.75)

    def test_a_regressor_logs_rmse_mae_and_r2_under_a_prefix(self):
        from sklearn.linear_model import LinearRegression
        from orrery.integrations.sklearn import log_estimator

        model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
        run = self.start()
        log_estimator(model, [[0.0], [1.0], [2.0]], [1.0, 1.0, 3.0], run=run, prefix="test/")
        run.finish()

        config, summary = merged(self.records(), "config"), merged(self.records(), "summary")
        self.assertIs(config["test"]["fit_intercept"], True)
        self.assertEqual(config["test_type"], "LinearRegression")
        # Predictions 0, 1, 2 against 1, 1, 3: errors 1, 0, 1.
        self.assertAlmostEqual(summary["test/rmse"], (2 / 3) ** 0.5)
        self.assertAlmostEqual(summary["test/mae"], 2 / 3)
        self.assertAlmostEqual(summary["test/r2"], 0.25)
        self.assertNotIn("accuracy", summary)

    def test_a_pipeline_logs_its_steps_as_text(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier
        from orrery.integrations.sklearn import log_estimator

        model = make_pipeline(StandardScaler(), DecisionTreeClassifier(max_depth=2, random_state=0))
        model.fit([[0], [1], [2], [3]], ["a", "a", "b", "b"])
        run = self.start()
        log_estimator(model, [[0], [3]], ["a", "b"])
        run.finish()

        config, summary = merged(self.records(), "config"), merged(self.records(), "summary")
        self.assertEqual(config["model"]["decisiontreeclassifier__max_depth"], 2)
        self.assertEqual(config["model"]["steps"][0], ["standardscaler", "StandardScaler()"])
        self.assertEqual(config["model_type"], "Pipeline")
        self.assertEqual(summary["accuracy"], 1.0)
        self.assertEqual(summary["recall/b"], 1.0)

    def test_without_a_run_it_says_to_call_init(self):
        from sklearn.dummy import DummyClassifier
        from orrery.integrations.sklearn import log_estimator

        if getattr(orrery, "run", None) is not None:
            orrery.finish()
        model = DummyClassifier().fit([[0], [1]], [0, 1])
        with self.assertRaisesRegex(RuntimeError, r"orrery\.init\(\)"):
            log_estimator(model, [[0]], [0])

    def test_class_names_of_the_wrong_length_are_refused(self):
        from sklearn.dummy import DummyClassifier
        from orrery.integrations.sklearn import log_estimator

        model = DummyClassifier().fit([[0], [1]], [0, 1])
        run = self.start()
        with self.assertRaisesRegex(ValueError, "class_names has 3 names"):
            log_estimator(model, [[0]], [0], class_names=["a", "b", "c"])
        run.finish()


@unittest.skipUnless(HAS_XGBOOST, "XGBoost is not installed (Debian: apt-get install python3-xgboost)")
class TestXGBoostCallback(OfflineRunCase):
    def data(self):
        import numpy as np
        import xgboost as xgb

        rng = np.random.default_rng(0)
        X = rng.normal(size=(200, 3))
        y = X[:, 0] * 2 + rng.normal(scale=0.1, size=200)
        return xgb.DMatrix(X[:150], label=y[:150]), xgb.DMatrix(X[150:], label=y[150:])

    def test_each_boosting_round_is_one_history_row_at_step_round(self):
        import xgboost as xgb
        from orrery.integrations.xgboost import OrreryCallback

        dtrain, dval = self.data()
        run = self.start()
        xgb.train({"max_depth": 2, "eval_metric": "rmse", "nthread": 1}, dtrain, num_boost_round=5,
                  evals=[(dtrain, "train"), (dval, "eval")], callbacks=[OrreryCallback()], verbose_eval=False)
        run.finish()

        records = self.records()
        history = [r for r in records if r["type"] == "history"]
        self.assertEqual([r["step"] for r in history], [0, 1, 2, 3, 4])
        for r in history:
            self.assertEqual(sorted(r["values"]), ["eval/rmse", "train/rmse"])
        evals = [r["values"]["eval/rmse"] for r in history]
        self.assertLess(evals[-1], evals[0])
        defined = {r["key"]: r["summary"] for r in records if r["type"] == "define_metric"}
        self.assertEqual(defined, {"train/rmse": "min", "eval/rmse": "min"})
        summary = merged(records, "summary")
        self.assertEqual(summary["best_score"], min(evals))
        self.assertEqual(summary["best_iteration"], evals.index(min(evals)))

    def test_early_stopping_reports_xgboost_s_best_iteration_and_auc_is_maximized(self):
        import numpy as np
        import xgboost as xgb
        from orrery.integrations.xgboost import OrreryCallback

        rng = np.random.default_rng(1)
        X = rng.normal(size=(300, 4))
        y = (X[:, 0] + rng.normal(scale=1.0, size=300) > 0).astype(int)
        dtrain, dval = xgb.DMatrix(X[:200], label=y[:200]), xgb.DMatrix(X[200:], label=y[200:])
        run = self.start()
        booster = xgb.train({"objective": "binary:logistic", "eval_metric": "auc", "nthread": 1, "eta": 0.3}, dtrain,
                            num_boost_round=200, evals=[(dval, "eval")], early_stopping_rounds=3,
                            callbacks=[OrreryCallback(prefix="xgb")], verbose_eval=False)
        run.finish()

        records = self.records()
        history = [r for r in records if r["type"] == "history"]
        self.assertEqual(len(history), booster.num_boosted_rounds())
        self.assertEqual(list(history[0]["values"]), ["xgb/eval/auc"])
        summary = merged(records, "summary")
        self.assertEqual(summary["xgb/best_iteration"], booster.best_iteration)
        self.assertAlmostEqual(summary["xgb/best_score"], booster.best_score)
        self.assertEqual({r["key"]: r["summary"] for r in records if r["type"] == "define_metric"}, {"xgb/eval/auc": "max"})

    def test_a_last_round_xgboost_did_not_report_to_the_callback_is_logged_at_the_end(self):
        # XGBoost 1.x stops calling callbacks in a round once early stopping (kept in a set, in any
        # order) asks to stop; training continued from a model numbers its rounds from there.
        from orrery.integrations.xgboost import OrreryCallback

        run = self.start()
        callback = OrreryCallback()
        evals = {"eval": {"rmse": []}}
        callback.before_training(None)
        for epoch, value in zip(range(10, 13), [0.5, 0.4, 0.45]):
            evals["eval"]["rmse"].append(value)
            callback.after_iteration(None, epoch, evals)
        evals["eval"]["rmse"].append(0.3)
        callback.after_training(None)
        run.finish()

        records = self.records()
        history = [(r["step"], r["values"]["eval/rmse"]) for r in records if r["type"] == "history"]
        self.assertEqual(history, [(10, 0.5), (11, 0.4), (12, 0.45), (13, 0.3)])
        summary = merged(records, "summary")
        self.assertEqual((summary["best_score"], summary["best_iteration"]), (0.3, 13))

    def test_xgboost_cv_logs_the_mean_across_folds_and_its_std(self):
        import xgboost as xgb
        from orrery.integrations.xgboost import OrreryCallback

        dtrain, _ = self.data()
        run = self.start()
        result = xgb.cv({"max_depth": 2, "nthread": 1}, dtrain, num_boost_round=3, nfold=3, callbacks=[OrreryCallback()])
        run.finish()
        history = [r for r in self.records() if r["type"] == "history"]
        self.assertEqual([r["step"] for r in history], [0, 1, 2])
        self.assertEqual([r["values"]["test/rmse"] for r in history], list(result["test-rmse-mean"]))
        self.assertEqual([r["values"]["test/rmse-std"] for r in history], list(result["test-rmse-std"]))

    def test_the_scikit_learn_api_copies_the_callback_without_copying_the_run(self):
        import copy
        import xgboost as xgb
        from orrery.integrations.xgboost import OrreryCallback

        run = self.start()
        callback = OrreryCallback(run=run)
        self.assertIs(copy.deepcopy(callback)._run, run)
        X, y = [[0.0], [1.0], [2.0], [3.0]] * 10, [0, 0, 1, 1] * 10
        model = xgb.XGBClassifier(n_estimators=3, max_depth=1, nthread=1, callbacks=[callback], eval_metric="logloss")
        model.fit(X, y, eval_set=[(X, y)], verbose=False)
        run.finish()
        history = [r for r in self.records() if r["type"] == "history"]
        self.assertEqual([sorted(r["values"]) for r in history], [["validation_0/logloss"]] * 3)


if __name__ == "__main__":
    unittest.main()
