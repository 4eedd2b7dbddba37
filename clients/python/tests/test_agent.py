# orrery.agent() against a scripted sweep server, and what init() takes from a sweep agent's
# environment (ORRERY_RUN_ID, ORRERY_SWEEP_PARAMS, ORRERY_SWEEP_ID).
import io
import json
import os
import sys
import threading
import time
import unittest
from contextlib import redirect_stderr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import orrery
from orrery._settings import resolve_settings

from helpers import TempDir, only_run_dir, read_spool_dir


class SweepStub:
    """The agent half of the sweep API: `nexts` is the script of /next replies (then stop);
    heartbeats answer `stop_runs`; every request is recorded as (path, body)."""

    def __init__(self, nexts, stop_runs=(), register_status=201, lose_agent_once=False):
        self.nexts = list(nexts)
        self.lose_agent_once = lose_agent_once
        self.stop_runs = list(stop_runs)
        self.requests = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with stub.lock:
                    stub.requests.append((self.path, body))
                    status, reply = 200, {}
                    if self.path.endswith("/agents"):
                        status = register_status
                        reply = {"agentId": "ag1"} if status < 300 else {"error": "not_found", "message": "sweep sw1 not found"}
                    elif self.path.endswith("/next") and stub.lose_agent_once:
                        stub.lose_agent_once = False
                        status, reply = 404, {"error": "not_found", "message": "agent 'ag1' is not registered", "field": "agentId"}
                    elif self.path.endswith("/next"):
                        reply = stub.nexts.pop(0) if stub.nexts else {"action": "stop", "reason": "grid exhausted"}
                    elif self.path.endswith("/heartbeat"):
                        reply = {"stop": stub.stop_runs, "state": "running"}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def exits(self):
        with self.lock:
            return [(p.split("/trials/")[1].split("/")[0], b) for p, b in self.requests if p.endswith("/exit")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_action(run_id, params, argv=None):
    return {"action": "run", "runId": run_id, "params": params, "command": {"argv": argv or ["true"], "argsJson": json.dumps(params)}}


class SweepSettingsTest(unittest.TestCase):
    def test_orrery_run_id_names_the_run_when_no_id_is_given(self):
        s = resolve_settings(env={"ORRERY_RUN_ID": "trial-7"})
        self.assertEqual(s.run_id, "trial-7")
        self.assertEqual(resolve_settings(id="mine", env={"ORRERY_RUN_ID": "trial-7"}).run_id, "mine")

    def test_a_malformed_orrery_run_id_is_refused_naming_the_variable(self):
        with self.assertRaises(orrery.OrreryError) as ctx:
            resolve_settings(env={"ORRERY_RUN_ID": "no spaces"})
        self.assertEqual(ctx.exception.field, "ORRERY_RUN_ID")

    def test_sweep_params_merge_into_config_and_win(self):
        env = {"ORRERY_SWEEP_PARAMS": json.dumps({"lr": 0.1, "optimizer": {"name": "adam"}})}
        s = resolve_settings(config={"lr": 1.0, "epochs": 3, "optimizer": {"name": "sgd", "momentum": 0.9}}, env=env)
        self.assertEqual(s.config, {"lr": 0.1, "epochs": 3, "optimizer": {"name": "adam", "momentum": 0.9}})

    def test_sweep_params_that_are_not_a_json_object_are_refused(self):
        for raw in ("{oops", "[1, 2]"):
            with self.assertRaises(orrery.OrreryError) as ctx:
                resolve_settings(env={"ORRERY_SWEEP_PARAMS": raw})
            self.assertEqual(ctx.exception.field, "ORRERY_SWEEP_PARAMS")

    def test_the_sweep_id_is_recorded_in_the_run_metadata(self):
        env = {"ORRERY_SWEEP_ID": "sw42", "ORRERY_RUN_ID": "t1", "ORRERY_SWEEP_PARAMS": '{"lr": 0.5}'}
        with TempDir() as root, mock.patch.dict(os.environ, env):
            run = orrery.init(project="p", dir=root, mode="offline", console=False, system_metrics_interval=0)
            self.assertEqual(run.id, "t1")
            self.assertEqual(orrery.config["lr"], 0.5)
            run.finish(quiet=True)
            _, records = read_spool_dir(only_run_dir(root))
        head = next(r for r in records if r["type"] == "run")
        self.assertEqual(head["metadata"]["sweep"], "sw42")
        self.assertEqual(head["config"], {"lr": 0.5})


class AgentTest(unittest.TestCase):
    def tearDown(self):
        orrery.finish(quiet=True)

    def test_each_trial_runs_the_function_with_its_run_id_and_params_and_reports_how_it_ended(self):
        stub = SweepStub([run_action("r1", {"lr": 0.1}), {"action": "wait", "retryAfterMs": 10}, run_action("r2", {"lr": 0.2})])
        seen = []
        with TempDir() as root:
            def train():
                run = orrery.init(dir=root, mode="offline", console=False, system_metrics_interval=0)
                seen.append((run.id, run.project, orrery.config["lr"]))
                if run.id == "r2":
                    raise RuntimeError("diverged")  # left open: the agent finishes it as failed
                run.finish(quiet=True)

            err = io.StringIO()
            try:
                with redirect_stderr(err):
                    report = orrery.agent("sw1", function=train, project="ent/proj", url=stub.url, heartbeat_interval=0.05)
            finally:
                stub.close()
            self.assertEqual(seen, [("r1", "proj", 0.1), ("r2", "proj", 0.2)])
            self.assertEqual(report, {"runs": 2, "failed": 1, "reason": "grid exhausted"})
            self.assertEqual([(r, b["exitCode"]) for r, b in stub.exits()], [("r1", 0), ("r2", 1)])
            self.assertIn("diverged", err.getvalue())
            finishes = {}
            for d in os.listdir(root):
                _, records = read_spool_dir(os.path.join(root, d))
                finishes[d.rsplit("-", 1)[1]] = [r["exitCode"] for r in records if r["type"] == "finish"]
            self.assertEqual(finishes, {"r1": [0], "r2": [1]})
        self.assertNotIn("ORRERY_RUN_ID", os.environ)
        path, body = stub.requests[0]
        self.assertTrue(path.endswith("/api/v1/projects/ent/proj/sweeps/sw1/agents"), path)
        self.assertEqual(body["interpreter"], sys.executable)

    def test_count_stops_the_agent_after_that_many_trials(self):
        stub = SweepStub([run_action("r1", {}), run_action("r2", {}), run_action("r3", {})])
        try:
            report = orrery.agent("sw1", function=lambda: None, count=2, project="p", url=stub.url)
        finally:
            stub.close()
        self.assertEqual(report["runs"], 2)
        self.assertEqual(report["reason"], "count reached")

    def test_an_agent_the_server_gave_up_for_lost_registers_again(self):
        stub = SweepStub([run_action("r1", {})], lose_agent_once=True)
        try:
            report = orrery.agent("sw1", function=lambda: None, project="p", url=stub.url)
        finally:
            stub.close()
        self.assertEqual(report["runs"], 1)
        self.assertEqual(len([p for p, _ in stub.requests if p.endswith("/agents")]), 2)

    def test_an_unknown_sweep_raises_with_the_servers_message(self):
        stub = SweepStub([], register_status=404)
        try:
            with self.assertRaises(orrery.OrreryError) as ctx:
                orrery.agent("sw1", function=lambda: None, project="p", url=stub.url)
        finally:
            stub.close()
        self.assertIn("404: sweep sw1 not found", str(ctx.exception))

    def test_bad_arguments_are_refused_before_contacting_the_server(self):
        for kwargs in ({"sweep_id": ""}, {"sweep_id": "s", "count": 0}, {"sweep_id": "s", "function": 3}):
            with self.assertRaises(orrery.OrreryError):
                orrery.agent(project="p", url="http://127.0.0.1:1", **kwargs)

    def test_without_a_function_the_command_runs_and_is_terminated_when_the_controller_says_stop(self):
        sleeper = [sys.executable, "-c", "import json,sys,time; assert json.load(open(sys.argv[1]))['lr'] == 0.3; time.sleep(30)", "${args_json_file}"]
        stub = SweepStub([run_action("r1", {"lr": 0.3}, sleeper)], stop_runs=["r1"])
        started = time.monotonic()
        try:
            report = orrery.agent("sw1", project="p", url=stub.url, heartbeat_interval=0.1)
        finally:
            stub.close()
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(report["runs"], 1)
        self.assertEqual(stub.exits(), [("r1", {"exitCode": None, "signal": "SIGTERM", "startupFailure": False})])


if __name__ == "__main__":
    unittest.main()
