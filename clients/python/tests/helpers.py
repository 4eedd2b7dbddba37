# Shared fixtures for the client's unit tests: temp spool folders, a spec-level spool decoder
# (written from docs/spool-format.md, independent of orrery._spool), subprocess runs of small
# scripts, and a scripted HTTP stub server for the sender's retry logic.
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(os.path.dirname(CLIENT_ROOT))


class TempDir:
    def __enter__(self) -> str:
        self.path = tempfile.mkdtemp(prefix="orrery-py-test-")
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def decode_frames(data: bytes):
    """Frames of a body or a spool tail, per docs/spool-format.md: (payload bytes, record dict)."""
    out = []
    at = 0
    while at < len(data):
        length, crc = struct.unpack_from("<II", data, at)
        payload = data[at + 8:at + 8 + length]
        assert len(payload) == length, "incomplete frame"
        assert zlib.crc32(payload) == crc, "CRC mismatch"
        out.append((payload, decode_record(payload)))
        at += 8 + length
    return out


def decode_record(payload: bytes) -> dict:
    if payload[0] == 0x7B:
        return json.loads(payload.decode("utf-8"))
    assert payload[0] == 0x01, f"unknown payload kind {payload[0]}"
    seq, ts, step = struct.unpack_from("<ddd", payload, 1)
    (count,) = struct.unpack_from("<H", payload, 25)
    at = 27
    values = {}
    for _ in range(count):
        (n,) = struct.unpack_from("<H", payload, at)
        key = payload[at + 2:at + 2 + n].decode("utf-8")
        (v,) = struct.unpack_from("<d", payload, at + 2 + n)
        values[key] = v
        at += 2 + n + 8
    assert at == len(payload), "trailing bytes in a binary history row"
    return {"seq": seq, "ts": ts, "type": "history", "step": step, "values": values}


def read_spool_dir(run_dir: str):
    """(header, records) of the spool in a run folder, by the spec decoder."""
    with open(os.path.join(run_dir, "records.spool"), "rb") as f:
        data = f.read()
    assert data[:8] == b"ORRSPL01", "bad magic"
    frames = decode_frames(data[8:])
    return frames[0][1], [r for _, r in frames[1:]]


def only_run_dir(spool_root: str) -> str:
    dirs = [d for d in os.listdir(spool_root) if d.startswith("run-")]
    assert len(dirs) == 1, f"expected one run folder in {spool_root}, got {dirs}"
    return os.path.join(spool_root, dirs[0])


def run_script(code: str, env: dict, timeout: float = 60.0, **kwargs) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env)
    full_env["PYTHONPATH"] = CLIENT_ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, text=True, **kwargs)


class StubServer:
    """An ingest endpoint that answers from a script of replies and records every request.

    `replies` is a list of (status, body or None); None means "accept everything in the request".
    When the script runs out, every request is accepted.
    """

    def __init__(self, replies=None):
        self.replies = list(replies or [])
        self.requests = []  # (path, headers dict, body bytes)
        self.held = set()
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with stub.lock:
                    stub.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    reply = stub.replies.pop(0) if stub.replies and self.path.endswith("/records") else None
                status, text = reply if reply is not None else (None, None)
                if self.path.endswith("/records") and status is None:
                    status, text = 200, stub.accept(body)
                elif status is None:
                    status, text = 200, "{}"
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def accept(self, body: bytes) -> str:
        accepted = duplicates = 0
        for _, rec in decode_frames(body):
            seq = int(rec["seq"])
            if seq in self.held:
                duplicates += 1
            else:
                self.held.add(seq)
                accepted += 1
        return json.dumps({"accepted": accepted, "duplicates": duplicates, "rejected": [], "lastSeq": max(self.held, default=0)})

    def record_requests(self):
        with self.lock:
            return [r for r in self.requests if r[0].endswith("/records")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
