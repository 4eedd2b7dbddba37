# The sender against a scripted HTTP stub: what it sends, and how it reacts to each reply
# (200, 5xx, 409, 413, refusals, an unreachable server). Real-server round trips are e2e tests.
import io
import json
import os
import socket
import time
import unittest
from contextlib import redirect_stderr

import orrery
from orrery._sender import Sender
from orrery._sync import sync_dir

from helpers import StubServer, TempDir, decode_frames, only_run_dir, read_spool_dir


def offline_spool(root: str, rows: int = 10) -> str:
    run = orrery.init(project="p", entity="e", dir=root, mode="offline", console=False, system_metrics_interval=0)
    for i in range(rows):
        run.log({"loss": 1 / (i + 1)})
    run.finish(quiet=True)
    return only_run_dir(root)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SenderTest(unittest.TestCase):
    def setUp(self):
        self._tmp = TempDir()
        self.root = self._tmp.__enter__()
        self.stub = None

    def tearDown(self):
        orrery.finish(quiet=True)
        if self.stub is not None:
            self.stub.close()
        self._tmp.__exit__(None, None, None)

    def test_an_online_run_ships_its_spool_frames_as_they_are_with_the_api_key(self):
        self.stub = StubServer()
        run = orrery.init(project="p", entity="e", id="r1", dir=self.root, url=self.stub.url, api_key="k123",
                          console=False, system_metrics_interval=0)
        for i in range(50):
            run.log({"loss": i})
        result = run.finish()
        self.assertEqual(result.pending, 0)
        self.assertEqual(result.sent, 52)
        reqs = self.stub.record_requests()
        self.assertTrue(all(p == "/api/v1/projects/e/p/runs/r1/records" for p, _, _ in reqs))
        self.assertTrue(all(h["content-type"] == "application/vnd.orrery.frames" for _, h, _ in reqs))
        self.assertTrue(all(h["authorization"] == "Bearer k123" for _, h, _ in reqs))
        run_dir = only_run_dir(self.root)
        with open(os.path.join(run_dir, "records.spool"), "rb") as f:
            data = f.read()
        header_end = 8 + 8 + int.from_bytes(data[8:12], "little")
        self.assertEqual(b"".join(body for _, _, body in reqs), data[header_end:])
        with open(os.path.join(run_dir, "ack.json")) as f:
            self.assertEqual(json.load(f), {"offset": len(data), "seq": 52})

    def test_a_5xx_reply_is_retried_until_accepted(self):
        self.stub = StubServer([(503, '{"error":"unavailable","message":"busy"}'), (500, "oops")])
        run = orrery.init(project="p", dir=self.root, url=self.stub.url, console=False, system_metrics_interval=0)
        run.log({"a": 1})
        result = run.finish()
        self.assertEqual(result.pending, 0)
        self.assertGreaterEqual(len(self.stub.record_requests()), 3)
        self.assertEqual(self.stub.held, {1, 2, 3})

    def test_a_409_gap_rewinds_to_the_servers_next_seq(self):
        run_dir = offline_spool(self.root, rows=4)
        _, recs = read_spool_dir(run_dir)
        # ack.json claims seq 3 was acknowledged, but the server lost everything after seq 1.
        reader = Sender(run_dir, "http://127.0.0.1:1", None, mode="sync")
        offset_of_4 = reader._reader.find_seq(4)
        reader.stop()
        with open(os.path.join(run_dir, "ack.json"), "w") as f:
            json.dump({"offset": offset_of_4, "seq": 3}, f)
        self.stub = StubServer([(409, json.dumps({"error": "seq_gap", "message": "expected seq 2, got 4; resend from seq 2"}))])
        self.stub.held.add(1)
        reports = sync_dir(run_dir, url=self.stub.url)
        self.assertEqual(self.stub.held, set(range(1, len(recs) + 1)))
        first_resent = decode_frames(self.stub.record_requests()[1][2])[0][1]
        self.assertEqual(first_resent["seq"], 2)
        self.assertEqual(reports[0]["duplicates"], 0)

    def test_a_413_reply_halves_the_batch(self):
        run_dir = offline_spool(self.root, rows=8)
        self.stub = StubServer([(413, '{"error":"payload_too_large","message":"too big"}')])
        sync_dir(run_dir, url=self.stub.url)
        sizes = [len(decode_frames(body)) for _, _, body in self.stub.record_requests()]
        self.assertEqual(sizes[0], 10)
        self.assertEqual(sizes[1], 5)
        self.assertEqual(sum(sizes[1:]), 10)

    def test_rejected_records_are_consumed_and_reported(self):
        run_dir = offline_spool(self.root, rows=1)
        self.stub = StubServer([(200, json.dumps({"accepted": 2, "duplicates": 0, "lastSeq": 3,
                                                  "rejected": [{"seq": 2, "error": "invalid_value", "message": "bad", "field": "values"}]}))])
        err = io.StringIO()
        with redirect_stderr(err):
            reports = sync_dir(run_dir, url=self.stub.url)
        self.assertEqual(reports[0]["rejected"], 1)
        self.assertEqual(len(self.stub.record_requests()), 1)
        self.assertIn("refused history record seq 2 field values: bad", err.getvalue())

    def test_sync_reports_a_refusing_server_and_raises_for_a_bad_key(self):
        run_dir = offline_spool(self.root, rows=1)
        self.stub = StubServer([(400, '{"error":"invalid_request","message":"no"}'), (401, '{"error":"unauthorized","message":"bad key"}')])
        reports = sync_dir(run_dir, url=self.stub.url)
        self.assertIn("no", reports[0]["error"])
        with self.assertRaises(Exception) as ctx:
            sync_dir(run_dir, url=self.stub.url)
        self.assertEqual(getattr(ctx.exception, "code", None), "unauthorized")

    def test_an_unreachable_server_leaves_the_records_for_sync_and_says_so(self):
        url = f"http://127.0.0.1:{free_port()}"
        run = orrery.init(project="p", dir=self.root, url=url, console=False, system_metrics_interval=0, finish_timeout=1)
        run.log({"a": 1})
        err = io.StringIO()
        started = time.monotonic()
        with redirect_stderr(err):
            result = run.finish()
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(result.pending, 3)
        self.assertIn("orrery sync", err.getvalue())
        self.stub = StubServer()
        sync_dir(result.spool_dir, url=self.stub.url)
        self.assertEqual(self.stub.held, {1, 2, 3})

    def test_a_second_sync_sends_nothing_new(self):
        run_dir = offline_spool(self.root, rows=2)
        self.stub = StubServer()
        first = sync_dir(run_dir, url=self.stub.url)
        second = sync_dir(run_dir, url=self.stub.url)
        self.assertEqual((first[0]["sent"], second[0]["sent"]), (4, 0))

    def test_heartbeats_are_posted_while_the_run_is_active(self):
        self.stub = StubServer()
        run = orrery.init(project="p", entity="e", id="hb1", dir=self.root, url=self.stub.url, console=False,
                          system_metrics_interval=0, heartbeat_interval=0.05)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(p.endswith("/runs/hb1/heartbeat") for p, _, _ in self.stub.requests):
                break
            time.sleep(0.05)
        run.finish()
        self.assertTrue(any(p == "/api/v1/projects/e/p/runs/hb1/heartbeat" for p, _, _ in self.stub.requests))


if __name__ == "__main__":
    unittest.main()
