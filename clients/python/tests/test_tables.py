# orrery.Table as a logged value: column types given or inferred, class columns with labels, image
# cells, DataFrames, the checks that name the row and column at fault, the table record log()
# writes, and summary tables staying as they were.
import base64
import importlib.util
import unittest

import orrery
from orrery import OrreryValueError, Table

from helpers import TempDir, only_run_dir, read_spool_dir

PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


class TableValueTest(unittest.TestCase):
    def test_column_types_are_inferred_from_the_first_non_empty_cell(self):
        t = Table(columns=["id", "name", "ok", "score"], data=[[None, "a", True, float("nan")], [2, None, False, 0.5]])
        t.add_data(3, "c", None, float("inf"))
        self.assertEqual(t.to_record_value(), {
            "columns": [{"name": "id", "type": "number"}, {"name": "name", "type": "string"},
                        {"name": "ok", "type": "bool"}, {"name": "score", "type": "number"}],
            "rows": [[None, "a", True, "NaN"], [2, None, False, 0.5], [3, "c", None, "Infinity"]],
        })

    def test_class_columns_take_ids_or_labels_with_a_classes_mapping(self):
        t = Table(columns=["id", "label", "pred"], data=[[0, 1, "dog"]], classes={0: "cat", 1: "dog"},
                  column_types={"label": "class", "pred": "class"})
        v = t.to_record_value()
        self.assertEqual([c["type"] for c in v["columns"]], ["number", "class", "class"])
        self.assertEqual(v["classes"], {"0": "cat", "1": "dog"})
        self.assertEqual(v["rows"], [[0, 1, "dog"]])

    def test_image_cells_are_dicts_or_image_objects(self):
        cell = {"format": "png", "data": PNG_1x1, "width": 1, "height": 1}
        v = Table(columns=["img"], data=[[cell], [None]]).to_record_value()
        self.assertEqual(v["columns"], [{"name": "img", "type": "image"}])
        self.assertEqual(v["rows"], [[cell], [None]])

    def test_a_bad_cell_is_refused_naming_its_row_and_column(self):
        t = Table(columns=["label"], data=[[1], [2.5]], column_types={"label": "class"})
        with self.assertRaisesRegex(OrreryValueError, r"row 1, column 'label' \(class\)"):
            t.to_record_value()
        with self.assertRaisesRegex(OrreryValueError, "cells are numbers, text"):
            Table(columns=["x"], data=[[[1, 2]]]).to_record_value()
        with self.assertRaisesRegex(OrreryValueError, "must be one of"):
            Table(columns=["x"], column_types={"x": "tensor"})
        with self.assertRaisesRegex(OrreryValueError, "not a column"):
            Table(columns=["x"], column_types={"y": "class"})

    def test_more_than_100000_rows_are_refused(self):
        t = Table(columns=["x"], data=[[i] for i in range(100_001)])
        with self.assertRaisesRegex(OrreryValueError, "the limit is 100,000"):
            t.to_record_value()

    @unittest.skipUnless(importlib.util.find_spec("numpy"), "needs numpy")
    def test_numpy_values_become_numbers_classes_and_booleans(self):
        import numpy as np

        t = Table(columns=["a", "b", "c"], data=[[np.float32(0.5), np.int64(3), np.bool_(True)]], column_types={"b": "class"})
        self.assertEqual(t.to_record_value()["rows"], [[0.5, 3, True]])

    @unittest.skipUnless(importlib.util.find_spec("pandas"), "needs pandas")
    def test_a_dataframe_gives_columns_and_rows(self):
        import pandas as pd

        t = Table(dataframe=pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}))
        self.assertEqual(t.to_record_value()["rows"], [[1, "a"], [2, "b"]])


class LogTableTest(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()
        self.run = orrery.init(project="tables", dir=self.root, mode="offline", console=False, system_metrics_interval=0)

    def tearDown(self):
        if orrery.run is not None:
            orrery.finish(quiet=True)
        self._tmp.__exit__(None, None, None)

    def records(self, kind):
        self.run.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        return [r for r in recs if r["type"] == kind]

    def test_log_writes_each_table_as_a_table_record_of_the_step(self):
        preds = Table(columns=["id", "pred"], data=[[0, "cat"]])
        orrery.log({"eval": {"preds": preds}, "acc": 0.5}, step=4)
        tables = self.records("table")
        self.assertEqual(len(tables), 1)
        self.assertEqual(tables[0]["step"], 4)
        self.assertEqual(tables[0]["values"], {"eval.preds": preds.to_record_value()})

    def test_a_bad_table_raises_before_anything_of_the_call_is_written(self):
        bad = Table(columns=["ok"], data=[[1]], column_types={"ok": "bool"})
        with self.assertRaises(OrreryValueError):
            orrery.log({"acc": 1.0, "bad": bad})
        self.assertEqual(self.records("history"), [])

    def test_summary_tables_stay_summary_values(self):
        self.run.summary["confusion"] = Table(columns=["a"], data=[[1]])
        self.assertEqual(self.records("summary")[0]["values"], {"confusion": {"_type": "table", "columns": ["a"], "data": [[1]]}})


if __name__ == "__main__":
    unittest.main()
