# Owns shipping a spool to the server, as the TypeScript SDK's sender.ts does: read unacknowledged
# frames from the file (never an in-memory copy), POST them back to back as
# application/vnd.orrery.frames, advance ack.json only after the server's reply. One request in
# flight per spool keeps seq order. A training process runs it on a daemon thread ("live");
# `python -m orrery sync` runs it to the end ("sync"). Also owns HTTP and heartbeats.
#
#   200      batch consumed (accepted, duplicates or rejected): advance the ack; warn per rejection
#   409      seq gap: rewind to the server's lastSeq + 1 (or the start) and resend from there
#   413      halve the batch and resend
#   5xx 429 408, network error, timeout: exponential backoff from 250 ms to 30 s, with jitter
#   other 4xx: live: print the server's message once and retry every 30 s (data is never dropped)
#              sync: fail at once with the server's message
from __future__ import annotations

import http.client
import json
import os
import random
import re
import threading
import time
from typing import Callable, Optional, Tuple
from urllib.parse import quote, urlsplit

from ._console import warn
from ._spool import SPOOL_FILE, Ack, FrameBatch, SpoolReader, TailProblem, decode_payload, frame_seq, read_ack, write_ack

FRAMES_CONTENT_TYPE = "application/vnd.orrery.frames"
MAX_BATCH_RECORDS = 10_000
MAX_BATCH_BYTES = 4 * 1024 * 1024
BACKOFF_START = 0.25
BACKOFF_CAP = 30.0
DRAIN_BACKOFF_CAP = 1.0
SLOW_RETRY = 30.0
REQUEST_TIMEOUT = 60.0
UNREACHABLE_WARN_AFTER = 10.0
MAX_REJECTION_LINES = 20
# Live mode: how often the sender looks for new frames (the batching window of the TS sender).
POLL_INTERVAL = 0.1


class SyncError(Exception):
    """`sync` could not upload: `code` is unavailable, unauthorized or invalid_request."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Transport:
    """One persistent HTTP connection; reports (status, body) or (None, error) and decides nothing."""

    def __init__(self, url: str, api_key: Optional[str], timeout: float = REQUEST_TIMEOUT):
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._base = parts.path.rstrip("/")
        self._api_key = api_key
        self._timeout = timeout
        self._conn: Optional[http.client.HTTPConnection] = None
        self._lock = threading.Lock()

    def post(self, path: str, body: Optional[bytes], content_type: str = "application/json") -> Tuple[Optional[int], str]:
        headers = {}
        if body is not None:
            headers["Content-Type"] = content_type
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        with self._lock:
            for attempt in (0, 1):
                fresh = self._conn is None
                try:
                    conn = self._connection()
                    conn.request("POST", self._base + path, body=body if body is not None else b"", headers=headers)
                    res = conn.getresponse()
                    text = res.read().decode("utf-8", "replace")
                    if res.getheader("connection", "").lower() == "close":
                        self.close_locked()
                    return res.status, text
                except (http.client.HTTPException, OSError) as err:
                    self.close_locked()
                    # A kept-alive connection the server closed meanwhile: one immediate retry.
                    if fresh or attempt == 1:
                        return None, _describe_network_error(err)
        return None, "request failed"

    def close(self) -> None:
        with self._lock:
            self.close_locked()

    def close_locked(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn


def _describe_network_error(err: BaseException) -> str:
    if isinstance(err, TimeoutError) or "timed out" in str(err):
        return "request timed out"
    if isinstance(err, ConnectionRefusedError):
        return "ECONNREFUSED"
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def run_path(entity: str, project: str, run_id: str) -> str:
    return f"/api/v1/projects/{quote(entity, safe='')}/{quote(project, safe='')}/runs/{quote(run_id, safe='')}"


class Sender:
    def __init__(self, run_dir: str, url: str, api_key: Optional[str], mode: str = "live",
                 end: Optional[Callable[[], int]] = None, fresh_run: bool = False,
                 on_ack: Optional[Callable[[int], None]] = None, give_up_after: float = 60.0,
                 warn_after: float = UNREACHABLE_WARN_AFTER):
        self.dir = run_dir
        self.url = url
        self.mode = mode
        self._end = end
        self._fresh_run = fresh_run
        self._on_ack = on_ack
        self._give_up_after = give_up_after
        self._warn_after = warn_after
        self._reader = SpoolReader.open(os.path.join(run_dir, SPOOL_FILE))
        h = self._reader.header
        self.entity, self.project, self.run_id = h["entity"], h["project"], h["runId"]
        self.path = run_path(self.entity, self.project, self.run_id)
        self.transport = Transport(url, api_key)
        ack = read_ack(run_dir)
        self.ack = Ack(self._reader.data_start, 0) if ack.offset < self._reader.data_start else ack
        self.totals = {"sent": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
        self.problem: Optional[TailProblem] = None
        self._batch_limit = MAX_BATCH_RECORDS
        self._byte_limit = MAX_BATCH_BYTES
        self._failures = 0
        self._failing_since = 0.0
        self._warned_down = False
        self._hard_message_shown = False
        self._conflicts = 0
        self._rejection_lines = 0
        self._first_request = True
        self._stopped = False
        self._draining = False
        self._stuck = False
        self._wake = threading.Event()
        self._progress = threading.Condition()
        self._thread: Optional[threading.Thread] = None

    @property
    def acked_seq(self) -> int:
        return self.ack.seq

    # -- live mode -----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._live_loop, name="orrery-sender", daemon=True)
        self._thread.start()

    def drain(self, timeout: float) -> bool:
        """True once everything written so far is acknowledged; False when `timeout` passes first."""
        deadline = time.monotonic() + timeout
        self._draining = True
        self._wake.set()
        with self._progress:
            while not self._caught_up():
                left = deadline - time.monotonic()
                if left <= 0 or self._stuck or self._stopped or self._thread is None or not self._thread.is_alive():
                    return self._caught_up()
                self._progress.wait(min(left, 0.5))
                self._wake.set()
        return True

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(1.0)
        self.transport.close()
        if t is None or not t.is_alive():
            self._reader.close()

    def _caught_up(self) -> bool:
        return self._end is not None and self.ack.offset >= self._end()

    def _live_loop(self) -> None:
        try:
            while not self._stopped:
                if self._caught_up():
                    self._notify_progress()
                    self._wake.wait(POLL_INTERVAL)
                    self._wake.clear()
                    continue
                if not self._pump_once():
                    self._stuck = True
                    self._notify_progress()
                    self._wake.wait(POLL_INTERVAL)
                    self._wake.clear()
        except Exception as err:  # never let background work disturb training
            warn(f"sender stopped: {err}")
            self._stuck = True
        finally:
            self._notify_progress()
            if self._stopped:
                self._reader.close()

    def _notify_progress(self) -> None:
        with self._progress:
            self._progress.notify_all()

    # -- sync mode -----------------------------------------------------------------------------

    def send_all(self) -> None:
        """Sends every readable frame, then returns; raises SyncError when refused or unreachable."""
        try:
            while self._pump_once():
                pass
        finally:
            self.transport.close()

    # -- shared --------------------------------------------------------------------------------

    def _pump_once(self) -> bool:
        """Ships one batch (or waits out one backoff); False when there is nothing readable to send."""
        batch = self._reader.read(self.ack.offset, self._batch_limit, self._byte_limit, verify=self.mode != "live")
        if batch.problem is not None and self.problem is None:
            self.problem = batch.problem
            if self.mode == "live":
                warn(f"spool {self._reader.path} has a damaged frame at byte {batch.problem.offset} ({batch.problem.reason}); records after it cannot be sent")
        if not len(batch):
            return False
        self._stuck = False
        outcome = self._ship(batch)
        if outcome == "backoff":
            self._sleep(self._backoff_delay())
        elif outcome == "slow":
            self._sleep(DRAIN_BACKOFF_CAP * 5 if self._draining else SLOW_RETRY)
        return True

    def _ship(self, batch: FrameBatch) -> str:
        count = len(batch)
        first_seq = frame_seq(batch.payload(0))
        last_seq = int(frame_seq(batch.payload(count - 1)))
        body = batch.raw()
        status, text = self.transport.post(f"{self.path}/records", body, FRAMES_CONTENT_TYPE)
        was_first = self._first_request and self._failures == 0
        self._first_request = False
        if status is None:
            return self._failed(f"cannot reach {self.url} ({text})")
        if 200 <= status < 300:
            parsed = _parse_json(text)
            if not isinstance(parsed, dict) or not isinstance(parsed.get("accepted"), int):
                return self._failed(f"unexpected reply from {self.url} ({status})")
            self.ack = Ack(batch.next, last_seq)
            try:
                write_ack(self.dir, self.ack)
            except OSError:
                pass  # a lost ack only means resending what the server drops as duplicates
            rejected = parsed.get("rejected") if isinstance(parsed.get("rejected"), list) else []
            duplicates = parsed.get("duplicates") or 0
            self.totals["sent"] += count
            self.totals["accepted"] += parsed["accepted"]
            self.totals["duplicates"] += duplicates
            self.totals["rejected"] += len(rejected)
            self._report_rejections(rejected, batch, int(first_seq))
            if was_first and first_seq == 1 and self._fresh_run and duplicates > 0:
                warn(f"the server already held records of run {self.run_id} (this run id was used before); {duplicates} records were dropped as duplicates: use a new id for a new run")
            self._succeeded()
            if self._on_ack is not None:
                self._on_ack(count)
            self._notify_progress()
            return "acked"
        if status == 409:
            self._conflicts += 1
            if self._conflicts > 3:
                return self._refused(status, text)
            self._rewind(_conflict_last_seq(text))
            return "again"
        if status == 413:
            if count == 1:
                return self._refused(status, text)
            self._batch_limit = max(1, (count + 1) // 2)
            self._byte_limit = max(64 * 1024, self._byte_limit // 2)
            return "again"
        if status >= 500 or status in (429, 408):
            return self._failed(f"{self.url} answered {status}{_server_message(text, ': ')}")
        return self._refused(status, text)

    def _failed(self, reason: str) -> str:
        now = time.monotonic()
        self._failures += 1
        if self._failing_since == 0:
            self._failing_since = now
        down_for = now - self._failing_since
        if self.mode == "sync" and down_for >= self._give_up_after:
            raise SyncError("unavailable", f"{reason} for {round(down_for)} s; nothing was lost: run orrery sync again when the server is up")
        if not self._warned_down and down_for >= self._warn_after:
            self._warned_down = True
            warn(f"{reason}; records are kept in {self.dir} and will be sent when it is back")
        return "backoff"

    def _refused(self, status: int, text: str) -> str:
        message = f"{self.url} refused records of run {self.run_id} ({status}{_server_message(text, ': ')})"
        if self.mode == "sync":
            raise SyncError("unauthorized" if status == 401 else "invalid_request", message)
        if not self._hard_message_shown:
            self._hard_message_shown = True
            warn(f"{message}; retrying every {int(SLOW_RETRY)} s, records are kept in {self.dir}")
        return "slow"

    def _succeeded(self) -> None:
        if self._warned_down:
            warn(f"reconnected to {self.url}; sending the kept records")
        self._failures = 0
        self._failing_since = 0.0
        self._warned_down = False
        self._conflicts = 0
        self._hard_message_shown = False

    def _rewind(self, server_last_seq: Optional[int]) -> None:
        start = Ack(self._reader.data_start, 0)
        if server_last_seq is None or server_last_seq <= 0:
            self.ack = start
            return
        offset = self._reader.find_seq(server_last_seq + 1)
        self.ack = start if offset is None else Ack(offset, server_last_seq)

    def _report_rejections(self, rejected: list, batch: FrameBatch, first_seq: int) -> None:
        for r in rejected:
            if not isinstance(r, dict):
                continue
            if self._rejection_lines >= MAX_REJECTION_LINES:
                if self._rejection_lines == MAX_REJECTION_LINES:
                    warn("more records were refused; further refusals are not shown")
                self._rejection_lines += 1
                continue
            self._rejection_lines += 1
            kind = "record"
            seq = r.get("seq")
            if isinstance(seq, int) and 0 <= seq - first_seq < len(batch):
                try:
                    kind = f"{decode_payload(batch.payload(seq - first_seq)).get('type', 'record')} record"
                except Exception:
                    pass
            field = f" field {r['field']}" if r.get("field") else ""
            warn(f"the server refused {kind} seq {seq}{field}: {r.get('message')} ({r.get('error')}); it will not be resent")

    def _backoff_delay(self) -> float:
        cap = DRAIN_BACKOFF_CAP if self._draining else BACKOFF_CAP
        base = min(cap, BACKOFF_START * 2 ** min(self._failures - 1, 20))
        return base * (0.5 + random.random() * 0.5)

    def _sleep(self, seconds: float) -> None:
        if self.mode == "sync":
            time.sleep(seconds)
            return
        self._wake.wait(seconds)
        self._wake.clear()


def _parse_json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def _server_message(body: str, prefix: str) -> str:
    parsed = _parse_json(body)
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return prefix + parsed["message"]
    text = body.strip()[:200]
    return prefix + text if text else ""


def _conflict_last_seq(body: str) -> Optional[int]:
    """The server's last held seq from a 409 body, under any of the names a server might use."""
    parsed = _parse_json(body)
    if not isinstance(parsed, dict):
        return None
    details = parsed.get("details") if isinstance(parsed.get("details"), dict) else {}
    for source in (parsed, details):
        if isinstance(source.get("lastSeq"), int):
            return source["lastSeq"]
        if isinstance(source.get("expectedSeq"), int):
            return source["expectedSeq"] - 1
    message = parsed.get("message")
    m = re.search(r"(?:resend from|expected) seq (\d+)", message) if isinstance(message, str) else None
    return int(m.group(1)) - 1 if m else None


class Heartbeat:
    """An empty POST every interval so the server can tell a live run from a crashed one."""

    def __init__(self, url: str, api_key: Optional[str], path: str, interval: float):
        self._transport = Transport(url, api_key, timeout=10.0)
        self._path = f"{path}/heartbeat"
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="orrery-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._transport.close()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                # Failures are ignored: 404 just means the run record has not arrived yet, and the
                # sender reports connectivity problems.
                self._transport.post(self._path, None)
            except Exception:
                pass
