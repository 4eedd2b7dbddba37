# Owns orrery.agent(sweep_id, function, count): the sweep agent in Python, like wandb.agent. With a
# function, each trial runs in this process with ORRERY_RUN_ID / ORRERY_SWEEP_* set so that
# orrery.init() picks them up; without one, it runs the sweep's command as a subprocess. HTTP
# reuses _sender.Transport; the server's side is packages/server (routes/sweeps.ts).
from __future__ import annotations

import json
import os
import signal as _signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import quote

from ._console import warn
from ._sender import Transport
from ._settings import resolve_settings
from ._values import OrreryError

RETRY_FOR = 60.0
ARGS_JSON_FILE = "${args_json_file}"


class _ApiError(OrreryError):
    """A 4xx answer; `status` and the server's `field` tell an unknown agent from an unknown sweep."""

    def __init__(self, message: str, status: int, field: Optional[str]):
        super().__init__(message, field)
        self.status = status


class _SweepClient:
    """The agent side of the sweep API: register, next, heartbeat, exit."""

    def __init__(self, url: str, api_key: Optional[str], entity: str, project: str, sweep_id: str):
        self.url = url
        self._transport = Transport(url, api_key, timeout=30.0)
        self._beat_transport = Transport(url, api_key, timeout=10.0)  # its own connection: it runs on a thread
        self._base = f"/api/v1/projects/{quote(entity, safe='')}/{quote(project, safe='')}/sweeps/{quote(sweep_id, safe='')}"

    def register(self) -> str:
        # ${interpreter} in the sweep's command becomes the Python running this agent.
        body = {"host": socket.gethostname(), "pid": os.getpid(), "interpreter": sys.executable or "python3"}
        return self._call("/agents", body)["agentId"]

    def next(self, agent_id: str) -> Dict[str, Any]:
        return self._call(f"/agents/{quote(agent_id, safe='')}/next", {})

    def exit(self, run_id: str, exit_code: Optional[int], sig: Optional[str] = None, startup_failure: bool = False) -> None:
        self._call(f"/trials/{quote(run_id, safe='')}/exit", {"exitCode": exit_code, "signal": sig, "startupFailure": startup_failure})

    def heartbeat(self, agent_id: str, run_ids: List[str]) -> Optional[Dict[str, Any]]:
        """One heartbeat; None when it did not get through (the next tick tries again)."""
        status, text = self._beat_transport.post(f"{self._base}/agents/{quote(agent_id, safe='')}/heartbeat", json.dumps({"runIds": run_ids}).encode())
        if status != 200:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def close(self) -> None:
        self._transport.close()
        self._beat_transport.close()

    def _call(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """POSTs JSON; retries an unreachable server or a 5xx for up to a minute, raises on 4xx."""
        delay = 0.25
        deadline = time.monotonic() + RETRY_FOR
        while True:
            status, text = self._transport.post(self._base + path, json.dumps(body).encode())
            if status is not None and status < 300:
                return json.loads(text) if text else {}
            if status is not None and status < 500:
                try:
                    parsed = json.loads(text)
                    message, field = parsed.get("message", text), parsed.get("field")
                except (ValueError, AttributeError):
                    message, field = text, None
                raise _ApiError(f"orrery.agent: {status}: {message}", status, field)
            if time.monotonic() + delay > deadline:
                what = f"answered {status}" if status is not None else f"cannot be reached ({text})"
                raise OrreryError(f"orrery.agent: the Orrery server at {self.url} {what}: start it with `orrery server` or set ORRERY_URL")
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def run_agent(sweep_id: str, function: Optional[Callable[[], Any]] = None, count: Optional[int] = None,
              project: Optional[str] = None, entity: Optional[str] = None, url: Optional[str] = None,
              api_key: Optional[str] = None, heartbeat_interval: float = 5.0, grace: float = 10.0,
              current_run: Callable[[], Any] = lambda: None) -> Dict[str, Any]:
    if not isinstance(sweep_id, str) or not sweep_id:
        raise OrreryError("orrery.agent: sweep_id must be a non-empty string", "sweep_id")
    if function is not None and not callable(function):
        raise OrreryError("orrery.agent: function must be callable (or None to run the sweep's command)", "function")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise OrreryError(f"orrery.agent: count must be a whole number >= 1, got {count!r}", "count")
    if isinstance(heartbeat_interval, bool) or not isinstance(heartbeat_interval, (int, float)) or heartbeat_interval <= 0:
        raise OrreryError(f"orrery.agent: heartbeat_interval must be a number of seconds > 0, got {heartbeat_interval!r}", "heartbeat_interval")
    # init's own rules resolve project, entity, URL and key (arguments, then ORRERY_* variables).
    s = resolve_settings(project=project, entity=entity, url=url, api_key=api_key, mode="online")
    client = _SweepClient(s.url, s.api_key, s.entity, s.project, sweep_id)
    try:
        agent_id = client.register()
    except BaseException:
        client.close()
        raise
    state = _Beat(client, agent_id, heartbeat_interval)
    report = {"runs": 0, "failed": 0, "reason": ""}
    try:
        while True:
            if count is not None and report["runs"] >= count:
                report["reason"] = "count reached"
                break
            try:
                nxt = client.next(agent_id)
            except _ApiError as err:
                if err.status != 404 or err.field != "agentId":
                    raise
                # The server declared this agent lost meanwhile (a long pause): register again and go on.
                agent_id = state.agent_id = client.register()
                nxt = client.next(agent_id)
            action = nxt.get("action")
            if action == "stop":
                report["reason"] = nxt.get("reason", "")
                break
            if action == "wait":
                time.sleep(max(0.05, float(nxt.get("retryAfterMs", 1000)) / 1000))
                continue
            run_id = nxt["runId"]
            report["runs"] += 1
            env = {
                "ORRERY_RUN_ID": run_id, "ORRERY_SWEEP_ID": sweep_id, "ORRERY_SWEEP_PARAMS": json.dumps(nxt["params"]),
                "ORRERY_URL": s.url, "ORRERY_ENTITY": s.entity, "ORRERY_PROJECT": f"{s.entity}/{s.project}",
            }
            if s.api_key:
                env["ORRERY_API_KEY"] = s.api_key
            state.running = run_id
            try:
                if function is not None:
                    exit_code, sig, not_started = _run_function(function, env, run_id, current_run)
                else:
                    exit_code, sig, not_started = _run_command(nxt["command"], env, state, grace)
            finally:
                state.running = None
            if exit_code != 0:
                report["failed"] += 1
            client.exit(run_id, exit_code, sig, not_started)
    finally:
        state.stop()
        client.close()
    return report


def _run_function(function: Callable[[], Any], env: Dict[str, str], run_id: str, current_run: Callable[[], Any]) -> Tuple[int, None, bool]:
    """Calls function() with the trial's environment in place; finishes a run it left open."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    exit_code = 0
    try:
        function()
    except KeyboardInterrupt:
        _finish_open(current_run, run_id, 130)
        raise
    except Exception:
        exit_code = 1
        warn(f"trial {run_id} failed:\n{traceback.format_exc().rstrip()}")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    # The trial's state is its run's state, so the run must be finished (and acknowledged) first.
    _finish_open(current_run, run_id, exit_code)
    return exit_code, None, False


def _finish_open(current_run: Callable[[], Any], run_id: str, exit_code: int) -> None:
    r = current_run()
    if r is not None and getattr(r, "id", None) == run_id:
        r.finish(exit_code=exit_code)


def _run_command(command: Dict[str, Any], env: Dict[str, str], state: "_Beat", grace: float) -> Tuple[Optional[int], Optional[str], bool]:
    """Runs the sweep's command as a subprocess; the heartbeat thread stops it when the controller asks."""
    argv: List[str] = list(command["argv"])
    tmp = None
    if any(ARGS_JSON_FILE in a for a in argv):
        fd, tmp = tempfile.mkstemp(prefix="orrery-args-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            f.write(command.get("argsJson", "{}"))
        argv = [a.replace(ARGS_JSON_FILE, tmp) for a in argv]
    try:
        try:
            proc = subprocess.Popen(argv, env={**os.environ, **env}, start_new_session=True)
        except OSError as err:
            warn(f"cannot start {argv[0]}: {err.strerror or err}")
            return 127, None, True
        state.process = proc
        state.grace = grace
        code = proc.wait()
        state.process = None
        if code < 0:
            return None, _signal.Signals(-code).name, False
        return code, None, False
    finally:
        if tmp is not None:
            os.unlink(tmp)


class _Beat:
    """Heartbeats on a daemon thread, naming the running trial; stops a subprocess trial on request."""

    def __init__(self, client: _SweepClient, agent_id: str, interval: float):
        self.client = client
        self.agent_id = agent_id
        self.running: Optional[str] = None
        self.process: Optional[subprocess.Popen] = None
        self.grace = 10.0
        self._warned: Optional[str] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(interval,), name="orrery-agent-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            run_id = self.running
            reply = self.client.heartbeat(self.agent_id, [run_id] if run_id else [])
            if not reply or run_id is None or run_id not in reply.get("stop", []):
                continue
            proc = self.process
            if proc is not None:
                self._terminate(proc)
            elif self._warned != run_id:
                self._warned = run_id
                warn(f"the sweep controller asked to stop run {run_id}, but an in-process trial cannot be stopped from outside; it runs to its end")

    def _terminate(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, _signal.SIGTERM)
        except OSError:
            return
        deadline = time.monotonic() + self.grace
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, _signal.SIGKILL)
            except OSError:
                pass
