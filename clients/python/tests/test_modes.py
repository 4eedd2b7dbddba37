# Offline and disabled modes, console capture, system metrics and init metadata.
import io
import os
import subprocess
import time
import unittest
from contextlib import redirect_stderr
from unittest import mock

import orrery
from orrery._metadata import collect_git, installed_packages, strip_credentials
from orrery._system import SystemMetrics, parse_nvidia_smi

from helpers import TempDir, only_run_dir, read_spool_dir, run_script


class ModeTest(unittest.TestCase):
    def tearDown(self):
        orrery.finish(quiet=True)

    def test_offline_mode_writes_the_spool_and_opens_no_connection(self):
        with TempDir() as root, mock.patch("http.client.HTTPConnection.connect", side_effect=AssertionError("network used")):
            run = orrery.init(project="off", dir=root, mode="offline", console=False, system_metrics_interval=0, heartbeat_interval=0.01)
            run.log({"a": 1})
            err = io.StringIO()
            with redirect_stderr(err):
                result = run.finish()
            self.assertEqual(result.pending, 3)
            self.assertIn("saved offline", err.getvalue())
            self.assertIn(f"orrery sync {result.spool_dir}", err.getvalue())
            self.assertFalse(os.path.exists(os.path.join(result.spool_dir, "ack.json")))

    def test_orrery_mode_disabled_makes_every_call_a_no_op(self):
        with TempDir() as root:
            out = run_script(
                "import orrery\n"
                f"run = orrery.init(project='d', dir={root!r}, config={{'lr': 0.1}})\n"
                "orrery.log({'a': 'not even checked'})\n"
                "orrery.summary['x'] = 1\n"
                "orrery.config.update({'b': 2})\n"
                "print(run.mode, orrery.config.lr, orrery.config.b, orrery.summary['x'])\n"
                "orrery.finish()\n",
                {"ORRERY_MODE": "disabled"},
            )
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.strip(), "disabled 0.1 2 1")
            self.assertEqual(os.listdir(root), [])

    def test_console_output_is_captured_and_still_printed(self):
        with TempDir() as root:
            out = run_script(
                "import orrery, sys\n"
                f"run = orrery.init(project='c', dir={root!r}, mode='offline', system_metrics_interval=0)\n"
                "print('hello'); sys.stderr.write('warning!\\n')\n"
                "run.finish(quiet=True)\n"
                "print('after')\n",
                {},
            )
            self.assertEqual(out.stdout, "hello\nafter\n")
            self.assertEqual(out.stderr, "warning!\n")
            _, recs = read_spool_dir(only_run_dir(root))
            console = [(r["stream"], r["text"]) for r in recs if r["type"] == "console"]
            self.assertEqual(console, [("stdout", "hello\n"), ("stderr", "warning!\n")])

    def test_system_metrics_are_sampled_with_the_typescript_sdks_keys(self):
        with TempDir() as root:
            run = orrery.init(project="s", dir=root, mode="offline", console=False, system_metrics_interval=0.05)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and run._seq < 2:
                sum(i * i for i in range(10000))
                time.sleep(0.01)
            run.finish(quiet=True)
            _, recs = read_spool_dir(only_run_dir(root))
            system = [r for r in recs if r["type"] == "system"]
            self.assertTrue(system)
            self.assertTrue({"cpu.percent", "memory.rss_mb"} <= set(system[0]["values"]))

    def test_a_sample_reads_cpu_and_memory(self):
        m = SystemMetrics(lambda s: None, 3600)
        try:
            sample = m.sample()
        finally:
            m.stop()
        self.assertGreater(sample["memory.rss_mb"], 1)
        self.assertGreaterEqual(sample["cpu.percent"], 0)

    def test_nvidia_smi_output_is_parsed_per_gpu_without_na_cells(self):
        sample = parse_nvidia_smi("87, 1024, 81559, 55, 250.5\n3, [N/A], 81559, 40, [N/A]\n")
        self.assertEqual(sample, {
            "gpu.0.utilization": 87, "gpu.0.memory_used_mb": 1024, "gpu.0.memory_total_mb": 81559, "gpu.0.temperature": 55,
            "gpu.0.power_w": 250.5, "gpu.1.utilization": 3, "gpu.1.memory_total_mb": 81559, "gpu.1.temperature": 40,
        })


class MetadataTest(unittest.TestCase):
    def test_git_state_with_a_dirty_diff_is_captured(self):
        with TempDir() as repo:
            git = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
            try:
                git("init", "-q", "-b", "main")
            except (OSError, subprocess.CalledProcessError):
                self.skipTest("git is not installed")
            git("-c", "user.email=a@b", "-c", "user.name=a", "commit", "-q", "--allow-empty", "-m", "first")
            with open(os.path.join(repo, "f.txt"), "w") as f:
                f.write("x\n")
            git("add", "f.txt")
            git("remote", "add", "origin", "https://user:secret@example.com/repo.git")
            info = collect_git(repo)
            self.assertEqual(len(info["commit"]), 40)
            self.assertEqual(info["branch"], "main")
            self.assertEqual(info["remote"], "https://example.com/repo.git")
            self.assertTrue(info["dirty"])
            self.assertIn("+x", info["diff"])

    def test_no_repository_means_no_git_field(self):
        with TempDir() as d:
            self.assertIsNone(collect_git(d))

    def test_remote_credentials_are_stripped(self):
        self.assertEqual(strip_credentials("https://tok@github.com/a/b"), "https://github.com/a/b")
        self.assertEqual(strip_credentials("git@github.com:a/b.git"), "git@github.com:a/b.git")

    def test_installed_packages_are_listed_like_pip_freeze(self):
        pkgs = installed_packages()
        names = [p.split("==")[0].lower() for p in pkgs]
        self.assertEqual(names, sorted(names))
        self.assertTrue(all("==" in p for p in pkgs))


if __name__ == "__main__":
    unittest.main()
