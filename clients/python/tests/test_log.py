# log(): step semantics as the TypeScript SDK's (and W&B users') expect, value checks, and how a
# row with histograms and tables is split into records.
import math
import unittest

import orrery
from orrery import OrreryValueError

from helpers import TempDir, only_run_dir, read_spool_dir


class LogTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()
        self.run = orrery.init(project="steps", dir=self.root, mode="offline", console=False, system_metrics_interval=0)

    def tearDown(self):
        if orrery.run is not None:
            orrery.finish(quiet=True)
        self._tmp.__exit__(None, None, None)

    def records(self, kind=None):
        self.run.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        return [r for r in recs if kind is None or r["type"] == kind]

    def rows(self):
        return [(int(r["step"]), r["values"]) for r in self.records("history")]


class StepTest(LogTestCase):
    def test_each_log_call_writes_the_current_step_and_moves_on(self):
        for i in range(3):
            orrery.log({"loss": i})
        self.assertEqual(self.run.step, 3)
        self.assertEqual(self.rows(), [(0, {"loss": 0}), (1, {"loss": 1}), (2, {"loss": 2})])

    def test_commit_false_adds_to_the_current_step_without_moving_on(self):
        orrery.log({"a": 1}, commit=False)
        orrery.log({"b": 2}, commit=False)
        self.assertEqual(self.run.step, 0)
        orrery.log({"c": 3})
        orrery.log({"d": 4})
        self.assertEqual(self.rows(), [(0, {"a": 1}), (0, {"b": 2}), (0, {"c": 3}), (1, {"d": 4})])

    def test_an_explicit_step_is_used_and_the_next_automatic_step_follows_it(self):
        orrery.log({"a": 1}, step=10)
        orrery.log({"a": 2})
        self.assertEqual(self.rows(), [(10, {"a": 1}), (11, {"a": 2})])

    def test_an_explicit_step_with_commit_false_stays_current(self):
        orrery.log({"a": 1}, step=4, commit=False)
        orrery.log({"b": 2})
        self.assertEqual(self.rows(), [(4, {"a": 1}), (4, {"b": 2})])

    def test_a_lower_step_is_stored_at_that_step_and_the_counter_keeps_the_highest(self):
        orrery.log({"a": 1}, step=5)
        orrery.log({"val": 0.5}, step=2)
        orrery.log({"a": 2})
        self.assertEqual(self.rows(), [(5, {"a": 1}), (2, {"val": 0.5}), (6, {"a": 2})])

    def test_an_empty_row_moves_the_step_but_writes_nothing(self):
        orrery.log({})
        orrery.log({"a": 1})
        self.assertEqual(self.rows(), [(1, {"a": 1})])

    def test_a_bad_step_is_refused_before_anything_changes(self):
        for bad in (-1, 1.5, "3", True, 2**53):
            with self.assertRaises(OrreryValueError, msg=repr(bad)):
                orrery.log({"a": 1}, step=bad)
        self.assertEqual(self.run.step, 0)
        self.assertEqual(self.rows(), [])

    def test_the_fast_path_and_the_general_path_write_identical_rows(self):
        for _ in range(3):
            orrery.log({"x": 1.5, "y": 2})
        orrery.log({"x": 1.5, "y": 2}, step=3)
        rows = self.rows()
        self.assertEqual([v for _, v in rows], [{"x": 1.5, "y": 2}] * 4)
        self.assertEqual([s for s, _ in rows], [0, 1, 2, 3])


class ValueTest(LogTestCase):
    def test_nested_dicts_are_flattened_with_dots(self):
        orrery.log({"val": {"acc": 0.9, "loss": {"ce": 0.1}}, "lr": 0.01})
        self.assertEqual(self.rows(), [(0, {"val.acc": 0.9, "val.loss.ce": 0.1, "lr": 0.01})])

    def test_nan_and_infinities_are_kept(self):
        orrery.log({"a": math.nan, "b": math.inf, "c": -math.inf})
        values = self.rows()[0][1]
        self.assertTrue(math.isnan(values["a"]))
        self.assertEqual((values["b"], values["c"]), (math.inf, -math.inf))

    def test_strings_booleans_and_none_are_refused_naming_the_key(self):
        for bad in ("text", True, None, object()):
            with self.assertRaises(OrreryValueError) as ctx:
                orrery.log({"ok": 1, "bad/key": bad})
            self.assertEqual(ctx.exception.key, "bad/key")
            self.assertIn("bad/key", str(ctx.exception))
        self.assertEqual(self.rows(), [])

    def test_a_refused_value_after_a_known_row_shape_is_still_refused(self):
        orrery.log({"a": 1, "b": 2})
        with self.assertRaises(OrreryValueError):
            orrery.log({"a": 1, "b": "two"})
        self.assertEqual(self.rows(), [(0, {"a": 1, "b": 2})])

    def test_reserved_empty_and_long_keys_are_refused(self):
        for key in ("_step", "", "k" * 257):
            with self.assertRaises(OrreryValueError):
                orrery.log({key: 1})

    def test_non_dict_rows_are_refused(self):
        with self.assertRaises(OrreryValueError):
            orrery.log([1, 2])

    def test_a_list_of_numbers_becomes_a_histogram_as_in_wandb(self):
        orrery.log({"loss": 1.0, "dist": [1, 2, 3, 4]})
        recs = self.records()
        hist = [r for r in recs if r["type"] == "histogram"]
        self.assertEqual(len(hist), 1)
        self.assertEqual(int(hist[0]["step"]), 0)
        self.assertEqual(sum(hist[0]["values"]["dist"]["counts"]), 4)

    def test_histogram_values_go_to_a_histogram_record_at_the_rows_step(self):
        orrery.log({"loss": 0.3, "w": orrery.Histogram([0.0, 1.0, 1.0], num_bins=2)}, step=7)
        recs = self.records()
        rows = [r for r in recs if r["type"] == "history"]
        hists = [r for r in recs if r["type"] == "histogram"]
        self.assertEqual(rows[0]["values"], {"loss": 0.3})
        self.assertEqual(hists[0]["step"], 7)
        self.assertEqual(hists[0]["values"], {"w": {"bins": [0, 0.5, 1], "counts": [1, 2]}})
        self.assertEqual(int(rows[0]["seq"]) + 1, hists[0]["seq"])

    def test_a_table_in_log_goes_to_a_table_record_at_the_rows_step(self):
        orrery.log({"acc": 1.0, "preds": orrery.Table(columns=["y", "p"], data=[[1, 0.5]])})
        tables = self.records("table")
        self.assertEqual(tables[0]["step"], 0)
        self.assertEqual(tables[0]["values"], {"preds": {"columns": [{"name": "y", "type": "number"}, {"name": "p", "type": "number"}], "rows": [[1, 0.5]]}})
        self.assertEqual(self.records("summary"), [])

    @unittest.skipUnless(__import__("importlib").util.find_spec("numpy"), "needs numpy")
    def test_numpy_scalars_are_numbers_and_numpy_arrays_histograms(self):
        import numpy as np

        orrery.log({"a": np.float32(0.5), "b": np.int64(3), "c": np.array(2.0), "d": np.arange(10)})
        recs = self.records()
        self.assertEqual(recs[1]["values"], {"a": 0.5, "b": 3, "c": 2.0})
        self.assertEqual(sum(recs[2]["values"]["d"]["counts"]), 10)

    def test_calls_after_finish_are_ignored(self):
        self.run.finish(quiet=True)
        self.run.log({"a": 1})
        _, recs = read_spool_dir(only_run_dir(self.root))
        self.assertEqual(recs[-1]["type"], "finish")


class DefineMetricTest(LogTestCase):
    def test_define_metric_writes_the_summary_mode(self):
        orrery.define_metric("val/loss", summary="min")
        orrery.define_metric("val/acc", summary="best", goal="maximize")
        orrery.define_metric("epoch", step_metric="x")  # no summary: nothing to store
        recs = self.records("define_metric")
        self.assertEqual([(r["key"], r["summary"]) for r in recs], [("val/loss", "min"), ("val/acc", "max")])

    def test_an_unknown_summary_mode_is_refused(self):
        with self.assertRaises(OrreryValueError):
            orrery.define_metric("x", summary="median")
        with self.assertRaises(OrreryValueError):
            orrery.define_metric("x", summary="best")


if __name__ == "__main__":
    unittest.main()
