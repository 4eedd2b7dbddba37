# How a run ends when the script ends without finish(): run in a child Python process, then the
# spool is read. Normal end -> 0, sys.exit(n) -> n, uncaught exception -> 1, KeyboardInterrupt
# -> 130, SIGTERM -> 143 and the process dies of SIGTERM.
import os
import signal
import subprocess
import sys
import time
import unittest

from helpers import CLIENT_ROOT, TempDir, only_run_dir, read_spool_dir, run_script

PRELUDE = """
import orrery, os, sys, time
run = orrery.init(project="exit", mode="offline", system_metrics_interval=0)
run.log({"loss": 1.0})
print("training")
"""


class ExitTest(unittest.TestCase):
    def run_child(self, body: str, root: str):
        return run_script(PRELUDE + body, {"ORRERY_DIR": root})

    def last_record(self, root: str):
        _, recs = read_spool_dir(only_run_dir(root))
        return recs[-1]

    def test_a_script_that_ends_without_finish_is_finished_with_exit_code_0(self):
        with TempDir() as root:
            out = self.run_child("", root)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(self.last_record(root)["type"], "finish")
            self.assertEqual(self.last_record(root)["exitCode"], 0)

    def test_sys_exit_gives_its_code_to_the_finish_record(self):
        with TempDir() as root:
            out = self.run_child("sys.exit(3)", root)
            self.assertEqual(out.returncode, 3)
            self.assertEqual(self.last_record(root)["exitCode"], 3)

    def test_an_uncaught_exception_fails_the_run_and_its_traceback_is_in_the_console_log(self):
        with TempDir() as root:
            out = self.run_child("raise RuntimeError('diverged')", root)
            self.assertEqual(out.returncode, 1)
            self.assertIn("RuntimeError: diverged", out.stderr)
            _, recs = read_spool_dir(only_run_dir(root))
            self.assertEqual(recs[-1]["exitCode"], 1)
            console = "".join(r["text"] for r in recs if r["type"] == "console" and r["stream"] == "stderr")
            self.assertIn("RuntimeError: diverged", console)
            stdout = "".join(r["text"] for r in recs if r["type"] == "console" and r["stream"] == "stdout")
            self.assertEqual(stdout, "training\n")

    def test_keyboard_interrupt_fails_the_run_with_exit_code_130(self):
        with TempDir() as root:
            self.run_child("raise KeyboardInterrupt", root)
            self.assertEqual(self.last_record(root)["exitCode"], 130)

    def test_sigterm_finishes_the_run_as_failed_and_the_process_dies_of_sigterm(self):
        with TempDir() as root:
            env = dict(os.environ, ORRERY_DIR=root, PYTHONPATH=CLIENT_ROOT)
            code = PRELUDE + "sys.stdout.flush()\nwhile True:\n    run.log({'loss': 0.5})\n    time.sleep(0.001)\n"
            child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                self.assertEqual(child.stdout.readline(), "training\n")
                time.sleep(0.3)
                child.send_signal(signal.SIGTERM)
                _, err = child.communicate(timeout=30)
            finally:
                if child.poll() is None:
                    child.kill()
            self.assertEqual(child.returncode, -signal.SIGTERM, err)
            self.assertIn("SIGTERM: finishing run", err)
            _, recs = read_spool_dir(only_run_dir(root))
            self.assertEqual(recs[-1], {**recs[-1], "type": "finish", "exitCode": 143})
            self.assertEqual([int(r["seq"]) for r in recs], list(range(1, len(recs) + 1)))
            self.assertGreater(sum(1 for r in recs if r["type"] == "history"), 10)

    def test_a_program_with_its_own_sigterm_handler_keeps_it(self):
        with TempDir() as root:
            code = ("import orrery, os, sys, time, signal\n"
                    "signal.signal(signal.SIGTERM, lambda s, f: sys.exit(7))\n"
                    "run = orrery.init(project='exit', mode='offline', system_metrics_interval=0)\n"
                    "os.kill(os.getpid(), signal.SIGTERM)\n"
                    "time.sleep(5)\n")
            out = run_script(code, {"ORRERY_DIR": root})
            self.assertEqual(out.returncode, 7, out.stderr)
            self.assertEqual(self.last_record(root)["exitCode"], 7)

    def test_a_killed_process_leaves_a_readable_spool(self):
        with TempDir() as root:
            env = dict(os.environ, ORRERY_DIR=root, PYTHONPATH=CLIENT_ROOT)
            code = PRELUDE + "sys.stdout.flush()\nfor i in range(10**9):\n    run.log({'i': i})\n"
            child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                child.stdout.readline()
                time.sleep(0.3)
                child.kill()
                child.communicate(timeout=10)
            finally:
                if child.poll() is None:
                    child.kill()
            _, recs = read_spool_dir(only_run_dir(root))
            rows = [r for r in recs if r["type"] == "history"]
            self.assertGreater(len(rows), 100)
            self.assertEqual([int(r["values"]["i"]) for r in rows[1:]], list(range(len(rows) - 1)))


if __name__ == "__main__":
    unittest.main()
