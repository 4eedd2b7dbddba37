# run.config and run.summary as W&B users use them, the module-level proxies, init options, and
# configs too large for one record.
import argparse
import os
import unittest

import orrery
from orrery import OrreryError
from orrery._run import chunk_config

from helpers import TempDir, only_run_dir, read_spool_dir


class ConfigSummaryTest(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()

    def tearDown(self):
        orrery.finish(quiet=True)
        self._tmp.__exit__(None, None, None)

    def start(self, **kwargs):
        options = {"project": "cfg", "dir": self.root, "mode": "offline", "console": False, "system_metrics_interval": 0}
        return orrery.init(**{**options, **kwargs})

    def records(self, kind):
        orrery.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        return [r for r in recs if r["type"] == kind]

    def test_config_has_attribute_and_item_access_and_update(self):
        run = self.start(config=argparse.Namespace(lr=0.1, opt={"name": "adam"}))
        self.assertEqual(orrery.config.lr, 0.1)
        self.assertEqual(run.config["opt"], {"name": "adam"})
        orrery.config.epochs = 3
        orrery.config["batch"] = 64
        orrery.config.update({"lr": 0.2}, allow_val_change=True)
        orrery.config.setdefaults({"lr": 9, "seed": 1})
        self.assertEqual(dict(orrery.config), {"lr": 0.2, "opt": {"name": "adam"}, "epochs": 3, "batch": 64, "seed": 1})
        self.assertIn("seed", orrery.config)
        with self.assertRaises(AttributeError):
            orrery.config.missing
        self.assertEqual([r["values"] for r in self.records("config")], [{"epochs": 3}, {"batch": 64}, {"lr": 0.2}, {"seed": 1}])

    def test_config_include_and_exclude_keys_filter_the_initial_config(self):
        self.start(config={"a": 1, "b": 2, "c": 3}, config_exclude_keys=["b"])
        self.assertEqual(dict(orrery.config), {"a": 1, "c": 3})

    def test_summary_writes_records_and_reads_back_what_was_set(self):
        run = self.start()
        run.summary["best/acc"] = 0.97
        orrery.summary.update({"epochs": 3, "note": "ok"})
        self.assertEqual(orrery.summary["best/acc"], 0.97)
        del run.summary["note"]
        self.assertNotIn("note", run.summary)
        self.assertEqual([r["values"] for r in self.records("summary")], [{"best/acc": 0.97}, {"epochs": 3, "note": "ok"}, {"note": None}])

    def test_the_run_record_carries_init_options_like_the_typescript_sdk(self):
        run = self.start(name="n1", group="g", job_type="train", tags=("a", "b"), notes="why", id="myrun1", entity="team")
        self.assertEqual((run.id, run.entity, run.project), ("myrun1", "team", "cfg"))
        self.assertEqual(run.url, "http://127.0.0.1:5170/p/team/cfg/runs/myrun1")
        rec = self.records("run")[0]
        self.assertEqual({k: rec[k] for k in ("name", "group", "jobType", "tags", "notes", "config")},
                         {"name": "n1", "group": "g", "jobType": "train", "tags": ["a", "b"], "notes": "why", "config": {}})
        meta = rec["metadata"]
        for key in ("host", "os", "runtime", "runtimeVersion", "executable", "argv", "cwd", "pid", "sdk", "startedAt"):
            self.assertIn(key, meta)

    def test_a_config_larger_than_one_record_follows_in_config_records(self):
        big = {f"k{i}": "x" * 1000 for i in range(3000)}
        self.start(config=big)
        orrery.finish(quiet=True)
        _, recs = read_spool_dir(only_run_dir(self.root))
        self.assertNotIn("config", recs[0])
        merged = {}
        for r in recs:
            if r["type"] == "config":
                self.assertNotIn("path", r)
                merged.update(r["values"])
        self.assertEqual(merged, big)

    def test_a_nested_value_too_large_for_one_record_is_sent_in_parts_under_a_path(self):
        parts = chunk_config({"model": {f"w{i}": "y" * 100 for i in range(50)}, "lr": 1}, max_chars=1000)
        self.assertEqual(parts[0], ('{"model":{}}', None))
        self.assertTrue(all(p[1] == ["model"] for p in parts[1:-1]))
        self.assertEqual(parts[-1], ('{"lr":1}', None))

    def test_a_reused_run_id_is_refused(self):
        self.start(id="same1")
        orrery.finish(quiet=True)
        with self.assertRaises(OrreryError) as ctx:
            self.start(id="same1")
        self.assertEqual(ctx.exception.field, "id")

    def test_resume_must_is_refused_and_the_other_values_start_a_new_run(self):
        with self.assertRaises(OrreryError) as ctx:
            self.start(resume="must")
        self.assertEqual(ctx.exception.field, "resume")
        self.assertIn("not supported", str(ctx.exception))
        run = self.start(resume="allow")
        self.assertIs(orrery.run, run)

    def test_bad_options_name_the_option(self):
        for kwargs, field in (({"project": "a/b/c"}, "project"), ({"mode": "fast"}, "mode"), ({"tags": "x"}, "tags"), ({"id": "no spaces"}, "id")):
            with self.assertRaises(OrreryError, msg=str(kwargs)) as ctx:
                self.start(**kwargs)
            self.assertEqual(ctx.exception.field, field)
        with self.assertRaises(TypeError):
            self.start(not_an_option=1)

    def test_environment_variables_give_the_defaults(self):
        old = dict(os.environ)
        try:
            os.environ.update({"ORRERY_PROJECT": "envproj", "ORRERY_ENTITY": "envent", "ORRERY_URL": "http://example.invalid:1/"})
            run = orrery.init(dir=self.root, mode="offline", console=False, system_metrics_interval=0)
            self.assertEqual((run.entity, run.project, run.server_url), ("envent", "envproj", "http://example.invalid:1"))
        finally:
            os.environ.clear()
            os.environ.update(old)

    def test_init_finishes_the_previous_run_unless_told_to_return_it(self):
        first = self.start()
        self.assertIs(self.start(reinit="return_previous"), first)
        second = self.start()
        self.assertIsNot(second, first)
        self.assertEqual(first._state, "finished")

    def test_the_context_manager_finishes_the_run(self):
        with self.start() as run:
            run.log({"a": 1})
        self.assertIsNone(orrery.run)
        _, recs = read_spool_dir(only_run_dir(self.root))
        self.assertEqual(recs[-1]["exitCode"], 0)

    def test_an_exception_in_the_context_manager_fails_the_run(self):
        with self.assertRaises(ZeroDivisionError):
            with self.start():
                1 / 0
        _, recs = read_spool_dir(only_run_dir(self.root))
        self.assertEqual(recs[-1]["exitCode"], 1)

    def test_module_calls_before_init_say_to_call_init(self):
        with self.assertRaises(OrreryError):
            orrery.log({"a": 1})
        with self.assertRaises(OrreryError):
            orrery.config.update({"a": 1})
        self.assertEqual(len(orrery.config), 0)
        self.assertIsNone(orrery.finish())


if __name__ == "__main__":
    unittest.main()
