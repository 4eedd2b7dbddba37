# Histogram binning, Table shape, and the JSON that config and summary values become.
import argparse
import enum
import math
import pathlib
import unittest

import orrery
from orrery import Histogram, OrreryValueError, Table
from orrery._values import to_json, to_json_object


class HistogramTest(unittest.TestCase):
    def test_a_sequence_gets_64_equal_bins_from_its_min_to_its_max(self):
        h = Histogram(list(range(128)))
        self.assertEqual(len(h.bins), 65)
        self.assertEqual(len(h.counts), 64)
        self.assertEqual((h.bins[0], h.bins[-1]), (0, 127))
        self.assertEqual(sum(h.counts), 128)
        self.assertEqual(h.counts, [2.0] * 64)

    def test_the_maximum_falls_in_the_last_bin(self):
        h = Histogram([0, 1, 2, 3, 4], num_bins=4)
        self.assertEqual(h.bins, [0, 1, 2, 3, 4])
        self.assertEqual(h.counts, [1, 1, 1, 2])

    def test_a_single_value_gets_a_unit_wide_range_around_it(self):
        h = Histogram([3.0, 3.0], num_bins=2)
        self.assertEqual(h.bins, [2.5, 3.0, 3.5])
        self.assertEqual(h.counts, [0, 2])

    def test_non_finite_values_are_left_out(self):
        h = Histogram([1.0, math.nan, 2.0, math.inf], num_bins=1)
        self.assertEqual(h.counts, [2])

    def test_np_histogram_pairs_are_taken_as_they_are(self):
        h = Histogram(np_histogram=([1, 2], [0.0, 0.5, 1.0]))
        self.assertEqual(h.to_json(), {"bins": [0, 0.5, 1], "counts": [1, 2]})

    def test_bad_histograms_are_refused(self):
        with self.assertRaises(OrreryValueError):
            Histogram([1, 2], num_bins=0)
        with self.assertRaises(OrreryValueError):
            Histogram([1, 2], num_bins=513)
        with self.assertRaises(OrreryValueError):
            Histogram(np_histogram=([1], [0.0, 0.5, 1.0]))  # one count short
        with self.assertRaises(OrreryValueError):
            Histogram(np_histogram=([1, 1], [0.0, 2.0, 1.0]))  # edges not ascending
        with self.assertRaises(OrreryValueError):
            Histogram(np_histogram=([-1], [0.0, 1.0]))
        with self.assertRaises(OrreryValueError):
            Histogram(["a"])
        with self.assertRaises(OrreryValueError):
            Histogram()

    @unittest.skipUnless(__import__("importlib").util.find_spec("numpy"), "needs numpy")
    def test_numpy_arrays_are_binned_like_numpy_histogram(self):
        import numpy as np

        data = np.random.default_rng(1).normal(size=1000)
        counts, edges = np.histogram(data, bins=64)
        h = Histogram(data)
        self.assertEqual(h.counts, counts.astype(float).tolist())
        for a, b in zip(h.bins, edges.tolist()):
            self.assertAlmostEqual(a, b)


class TableTest(unittest.TestCase):
    def test_a_table_is_stored_as_columns_and_rows(self):
        t = Table(columns=["a", "b"], data=[[1, "x"], [2, float("nan")]])
        t.add_data(3, None)
        self.assertEqual(t.to_json(), {"_type": "table", "columns": ["a", "b"], "data": [[1, "x"], [2, "NaN"], [3, None]]})

    def test_rows_must_match_the_columns(self):
        with self.assertRaises(OrreryValueError):
            Table(columns=["a"], data=[[1, 2]])
        with self.assertRaises(OrreryValueError):
            Table(columns=["a"]).add_data(1, 2)


class JsonTest(unittest.TestCase):
    def test_values_become_plain_json_with_non_finite_numbers_as_strings(self):
        class Color(enum.Enum):
            RED = "red"

        value = {"f": math.inf, "n": math.nan, "t": (1, 2), "s": {3}, "p": pathlib.Path("/x"), "e": Color.RED, 1: "int key"}
        self.assertEqual(to_json(value, "config"), {"f": "Infinity", "n": "NaN", "t": [1, 2], "s": [3], "p": "/x", "e": "red", "1": "int key"})

    def test_unknown_objects_keep_their_text_as_in_wandb(self):
        class Thing:
            __slots__ = ()

            def __str__(self):
                return "thing!"

        self.assertEqual(to_json(Thing(), "config"), "thing!")

    def test_argparse_namespaces_and_objects_are_mappings(self):
        ns = argparse.Namespace(lr=0.1, epochs=3)
        self.assertEqual(to_json_object(ns, "config"), {"lr": 0.1, "epochs": 3})

    def test_deep_or_cyclic_values_are_refused(self):
        cyc = []
        cyc.append(cyc)
        with self.assertRaises(OrreryValueError):
            to_json({"a": cyc}, "config")

    def test_module_level_names_match_wandb(self):
        for name in ("init", "log", "finish", "define_metric", "watch", "config", "summary", "run", "Histogram", "Table", "Error"):
            self.assertTrue(hasattr(orrery, name), name)


if __name__ == "__main__":
    unittest.main()
