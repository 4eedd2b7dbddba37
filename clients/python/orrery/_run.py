# Owns a live run: turns every call into a spool record (seq 1, 2, 3 ...) before returning, with
# the TypeScript SDK's step semantics (history.ts), and wires the background parts together
# (sender, heartbeat, system metrics, console capture, exit hooks). The file format lives in
# _spool.py, shipping in _sender.py. Nothing here waits on the network except finish().
#
# log() is the hot path (<= 5 us with 10 scalar metrics): a row whose keys were seen before and
# whose values are plain int/float is packed by a struct.Struct made for those keys, with the key
# bytes and the argument list kept between calls, framed, and written with one os.write.
from __future__ import annotations

import numbers
import os
import re
import struct
import threading
import time
import zlib
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from . import _exit
from ._console import ConsoleCapture, warn
from ._metadata import collect_metadata
from ._proxies import Config, Summary
from ._sender import Heartbeat, Sender
from ._settings import Settings
from ._spool import FRAME_HEADER, SPOOL_FILE, SpoolWriter, dumps
from ._system import SystemMetrics
from ._values import (
    Histogram, OrreryValueError, Table, check_key, describe, metric_json, option_error,
)
from ._image import image_entry, is_image_value

# Largest config or summary record we write; bigger objects are split by top-level key.
MAX_OBJECT_RECORD_CHARS = 1024 * 1024
MAX_RECORD_BYTES = 8 * 1024 * 1024
MAX_KEYS_PER_ROW = 10_000
MAX_STEP = 2**53 - 1
SUMMARY_MODES = ("last", "min", "max", "mean", "none")
_PLAN_CACHE_LIMIT = 10_000

_RUNNING, _FINISHING, _FINISHED = "running", "finishing", "finished"
_FAST_TYPES = frozenset((float, int))
_pack_header = FRAME_HEADER.pack
_crc32 = zlib.crc32
_time = time.time


class FinishResult(NamedTuple):
    sent: int  # records the server acknowledged during this process
    pending: int  # records written but not acknowledged: `orrery sync` uploads them
    spool_dir: str


class _RowPlan:
    """A binary history row layout for one tuple of keys: the struct and its reusable arguments."""

    __slots__ = ("pack", "args")

    def __init__(self, key_bytes: List[bytes]):
        fmt = "<BdddH" + "".join(f"H{len(k)}sd" for k in key_bytes)
        self.pack = struct.Struct(fmt).pack
        args: List[Any] = [1, 0.0, 0.0, 0.0, len(key_bytes)]
        for k in key_bytes:
            args += [len(k), k, 0.0]
        # Values sit at 7, 10, 13 ...: filled with one slice assignment per call.
        self.args = args


class Run:
    """A run being recorded. Made by orrery.init(); see the README for the semantics."""

    def __init__(self, settings: Settings, on_finish=None):
        started = time.time()
        self._settings = settings
        self._on_finish = on_finish
        self.id = settings.run_id
        self.name = settings.name
        self.entity = settings.entity
        self.project = settings.project
        self.group = settings.group
        self.job_type = settings.job_type
        self.tags = tuple(settings.tags or ())
        self.notes = settings.notes
        self.mode = settings.mode
        self.url = f"{settings.url}/p/{settings.entity}/{settings.project}/runs/{settings.run_id}"
        self.server_url = settings.url
        self.start_time = started
        self.dir = os.path.join(settings.dir, f"run-{time.strftime('%Y%m%d_%H%M%S', time.localtime(started))}-{settings.run_id}")
        _refuse_reused_id(settings)
        metadata = collect_metadata(started)
        if settings.sweep_id is not None:
            metadata["sweep"] = settings.sweep_id  # links the run to its sweep
        try:
            os.makedirs(self.dir, exist_ok=True)
            self._writer = SpoolWriter.create(os.path.join(self.dir, SPOOL_FILE), {
                "spool": 1, "entity": settings.entity, "project": settings.project, "runId": settings.run_id,
                "createdAt": int(started * 1000),
            })
        except OSError as err:
            raise option_error("dir", f"names {settings.dir}, where the run spool cannot be created ({err.strerror or err}): set dir or ORRERY_DIR to a writable folder") from err

        self._lock = threading.RLock()
        self._seq = 0
        self._step = 0
        self._state = _RUNNING
        self._fast = True
        self._plans: Dict[Tuple[str, ...], _RowPlan] = {}
        self._key_bytes: Dict[str, bytes] = {}
        self._pending: Dict[str, Histogram] = {}
        self._pending_lock = threading.RLock()  # a signal handler may finish while the main thread holds it
        self._deferred_signal: Optional[int] = None
        self._warned_write = False
        self._warned_after_finish = False
        self._watches: List[Any] = []
        self._sender: Optional[Sender] = None
        self._heartbeat: Optional[Heartbeat] = None
        self._system: Optional[SystemMetrics] = None
        self._console: Optional[ConsoleCapture] = None
        self._finish_result: Optional[FinishResult] = None
        self._artifacts: Optional[Any] = None  # _artifact_io.ArtifactUploader, made by the first log_artifact

        # Config travels inside the run record unless it is too big for one record.
        parts = chunk_config(settings.config)
        inline = len(parts) == 1 and parts[0][1] is None
        head = {"type": "run", "name": settings.name}
        for key, value in (("group", settings.group), ("jobType", settings.job_type), ("tags", settings.tags), ("notes", settings.notes)):
            if value is not None:
                head[key] = value
        head["metadata"] = metadata
        record = self._record_json(head)
        self._append_json(record[:-1] + ',"config":' + parts[0][0] + "}" if inline else record)
        if not inline:
            for values_json, path in parts:
                self._append_values("config", values_json, path)

        self.config = Config(dict(settings.config), self._write_config)
        self.summary = Summary(self._write_summary)

        if settings.mode == "online":
            self._sender = Sender(self.dir, settings.url, settings.api_key, mode="live", end=lambda: self._writer.offset, fresh_run=True)
            self._sender.start()
            self._heartbeat = Heartbeat(settings.url, settings.api_key, self._sender.path, settings.heartbeat_interval)
        if settings.system_metrics_interval > 0:
            self._system = SystemMetrics(self._write_system, settings.system_metrics_interval)
        if settings.console:
            self._console = ConsoleCapture.start(self._write_console)
        _exit.register(self)

    # -- public API ------------------------------------------------------------------------------

    @property
    def step(self) -> int:
        """The step the next log() without `step` writes to."""
        return self._step

    @property
    def offline(self) -> bool:
        return self.mode == "offline"

    def log(self, data: Dict[str, Any], step: Optional[int] = None, commit: Optional[bool] = None, sync: Any = None) -> None:
        """Records a row of metrics (see the README: steps, values, histograms, tables)."""
        if step is not None or commit is not None or not self._fast or type(data) is not dict:
            return self._log_general(data, step, commit)
        keys = tuple(data)
        plan = self._plans.get(keys)
        values = data.values()
        if plan is None or not _FAST_TYPES.issuperset(map(type, values)):
            return self._log_general(data, step, commit)
        at = self._step
        with self._lock:
            self._write_row(plan, at, values)
        self._step = at + 1
        if self._deferred_signal is not None:
            _exit.deliver_deferred(self)

    def define_metric(self, name: str, step_metric: Any = None, step_sync: Any = None, hidden: Any = None,
                      summary: Optional[str] = None, goal: Optional[str] = None, overwrite: Any = None) -> None:
        """Chooses what the summary shows for `name`: "last" (default), "min", "max", "mean", "none",
        or "best" with goal="minimize"|"maximize". step_metric, step_sync and hidden are accepted and ignored."""
        if self._state is not _RUNNING:
            return self._ignored_after_finish("define_metric")
        check_key(name, "define_metric()")
        if summary is None:
            return  # W&B's define_metric("x", step_metric=...) alone changes nothing we store
        mode = _summary_mode(name, summary, goal)
        if "*" in name:
            warn(f"define_metric({name!r}): glob patterns are not supported; name each metric")
            return
        self._append_json(self._record_json({"type": "define_metric", "key": name, "summary": mode}))

    def watch(self, models: Any, criterion: Any = None, log: Optional[str] = "gradients", log_freq: int = 100,
              idx: Any = None, log_graph: bool = False) -> Any:
        from ._watch import watch as _watch

        return _watch(self, models, log=log, log_freq=log_freq)

    def unwatch(self, models: Any = None) -> None:
        from ._watch import unwatch as _unwatch

        _unwatch(self, models)

    def log_artifact(self, artifact_or_path: Any, name: Optional[str] = None, type: Optional[str] = None,
                     aliases: Any = None, tags: Any = None) -> Any:
        """Logs an orrery.Artifact (or a file, folder or reference URI, made into one named `name`)
        as an output of this run, with `aliases` besides latest. The upload runs on a background
        thread and never raises here; artifact.wait() blocks and raises if it failed, and finish()
        waits for it. Offline runs cannot log artifacts: a warning says so and wait() raises."""
        from ._artifact_io import ArtifactUploader, Remote, prepare_log, refuse_log

        artifact, alias_list = prepare_log(artifact_or_path, name, type, aliases, self.id)
        if alias_list is None:
            return artifact
        if self._state is not _RUNNING:
            self._ignored_after_finish("log_artifact")
            return refuse_log(artifact, f"run {self.id} has finished", loud=False)
        if self.mode != "online":
            return refuse_log(artifact, f"artifacts need a server, and run {self.id} is {self.mode}: log it from an online run")
        with self._lock:
            if self._artifacts is None:
                remote = Remote(self._settings.url, self._settings.api_key, self.entity, self.project)
                self._artifacts = ArtifactUploader(remote, self.id)
        self._artifacts.submit(artifact, alias_list)
        return artifact

    def use_artifact(self, artifact_or_name: Any, type: Optional[str] = None, aliases: Any = None, use_as: Any = None) -> Any:
        """Records that this run uses an artifact version ("name", "name:alias", "name:v3",
        "entity/project/name:alias", or an orrery.Artifact) and returns it; .download() fetches its
        files. Raises OrreryError when the server refuses or cannot be reached."""
        from ._artifact_io import Remote, use_now
        from ._values import OrreryError

        if self.mode != "online":
            raise OrreryError(f"orrery: use_artifact needs a server, and run {self.id} is {self.mode}: run online (ORRERY_MODE=online) to use artifacts")
        remote = Remote(self._settings.url, self._settings.api_key, self.entity, self.project)
        return use_now(remote, artifact_or_name, type, aliases, self.id)

    def finish(self, exit_code: Optional[int] = None, quiet: Any = None) -> FinishResult:
        """Ends the run: waits for artifacts being logged, writes a finish record (0 = finished,
        anything else = failed), stops the background parts, and waits up to finish_timeout seconds
        for the server to acknowledge everything. Calling it again returns the first result."""
        code = 0 if exit_code is None else exit_code
        if isinstance(code, bool) or not isinstance(code, int) or not -255 <= code <= 255:
            raise option_error("exit_code", f"must be an integer from -255 to 255, got {describe(exit_code)}")
        with self._lock:
            if self._state is not _RUNNING:
                return self._finish_result or self._result()
            self._state = _FINISHING
            self._fast = False
        if self._artifacts is not None:
            try:
                self._artifacts.wait_all()
            except KeyboardInterrupt:
                self._artifacts.abandon()
        self._close_locally(code)
        drained = True
        if self._sender is not None:
            drained = self._sender.drain(self._settings.finish_timeout)
            self._sender.stop()
        self._writer.close()
        self._state = _FINISHED
        result = self._finish_result = self._result()
        if self.mode == "offline":
            if quiet:
                return result
            warn(f"run {self.name} ({self.id}) was saved offline in {self.dir}")
            warn(f"upload it with: orrery sync {_shell_quote(self.dir)}")
        elif not drained or result.pending > 0:
            warn(f"{result.pending} records of run {self.id} were not acknowledged by {self.server_url} within {self._settings.finish_timeout:g} s; they are kept in {self.dir}")
            warn(f"upload them with: orrery sync {_shell_quote(self.dir)}")
        return result

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.finish()
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish(exit_code=130)
        elif issubclass(exc_type, SystemExit):
            self.finish(exit_code=_exit.exit_code_of(exc.code if exc is not None else None))
        else:
            self.finish(exit_code=1)
        return False

    def __repr__(self) -> str:
        return f"<orrery.Run {self.entity}/{self.project}/{self.id} ({self.name}) {self._state}>"

    # -- log(), general path ---------------------------------------------------------------------

    def _write_row(self, plan: _RowPlan, step: int, values: Any) -> None:
        """Appends one binary history row as the next seq (the caller holds self._lock)."""
        args = plan.args
        seq = self._seq + 1
        args[1] = seq
        args[2] = _time() * 1000.0
        args[3] = step
        args[7::3] = values
        payload = plan.pack(*args)
        if self._writer.write_frame(_pack_header(len(payload), _crc32(payload)) + payload):
            self._seq = seq
        else:
            self._write_failed()

    def _log_general(self, data: Any, step: Any, commit: Any) -> None:
        if self._state is not _RUNNING:
            return self._ignored_after_finish("log")
        if commit is None:
            commit = True
        elif not isinstance(commit, bool):
            raise OrreryValueError("commit", f"orrery: log() commit must be True or False, got {describe(commit)}")
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 0 <= step <= MAX_STEP:
                raise OrreryValueError("step", f"orrery: log() step must be an integer from 0 to {MAX_STEP}, got {describe(step)}")
            step = int(step)
        if not isinstance(data, dict):
            if hasattr(data, "items") and hasattr(data, "keys"):
                data = dict(data.items())
            else:
                raise OrreryValueError("", f"orrery: log() takes a dict of metrics like {{\"loss\": 0.3}}, got {describe(data)}")
        keys: List[str] = []
        values: List[float] = []
        hists: Dict[str, Histogram] = {}
        tables: Dict[str, Any] = {}
        images: Dict[str, Any] = {}
        self._flatten(data, "", keys, values, hists, tables, 0, images)
        if len(keys) > MAX_KEYS_PER_ROW:
            raise OrreryValueError("", f"orrery: log() row has {len(keys)} metrics; the limit is {MAX_KEYS_PER_ROW}: split them over several steps or log fewer keys")
        plan = self._plan_for(tuple(keys)) if keys else None
        at = self._step if step is None else step
        if self._pending:
            with self._pending_lock:
                pending, self._pending = self._pending, {}
            for k, h in pending.items():
                hists.setdefault(k, h)
        with self._lock:
            if self._state is not _RUNNING:
                return
            if plan is not None:
                self._write_row(plan, at, values)
            if hists:
                self._append_histograms(at, hists)
            if tables:
                self._append_tables(at, tables)
            if images:
                self._append_images(at, images)
            self._update_fast()
        # A late (lower) step leaves the counter alone; otherwise the counter moves to the row
        # written, and past it when the row is committed.
        if at >= self._step:
            self._step = at + 1 if commit else at
        if self._deferred_signal is not None:
            _exit.deliver_deferred(self)

    def _flatten(self, data: dict, prefix: str, keys: List[str], values: List[float],
                 hists: Dict[str, Histogram], tables: Dict[str, Any], depth: int,
                 images: Optional[Dict[str, Any]] = None) -> None:
        if depth > 64:
            raise OrreryValueError(prefix, f"orrery: log() value {prefix!r} is nested more than 64 levels deep")
        for k, v in data.items():
            if not isinstance(k, str):
                raise OrreryValueError(str(k), f"orrery: log() keys must be strings, got {describe(k)}")
            key = f"{prefix}.{k}" if prefix else k
            t = type(v)
            if t is float or t is int:
                keys.append(key)
                values.append(v)
            elif isinstance(v, dict):
                self._flatten(v, key, keys, values, hists, tables, depth + 1, images)
            elif isinstance(v, Histogram):
                _check_metric_key(key)
                hists[key] = v
            elif isinstance(v, Table):
                check_key(key, "log()")
                tables[key] = _table_json(key, v)
            elif images is not None and is_image_value(v):
                check_key(key, "log()")
                images[key] = _image_entry_sized(key, v)
            else:
                n = _as_metric(key, v)
                if isinstance(n, Histogram):
                    _check_metric_key(key)
                    hists[key] = n
                else:
                    keys.append(key)
                    values.append(n)

    def _plan_for(self, keys: Tuple[str, ...]) -> _RowPlan:
        plan = self._plans.get(keys)
        if plan is None:
            key_bytes = []
            for k in keys:
                b = self._key_bytes.get(k)
                if b is None:
                    _check_metric_key(k)
                    b = k.encode("utf-8")
                    if len(b) > 65535:
                        raise OrreryValueError(k, f"orrery: log() key \"{k[:40]}…\" is too long")
                    if len(self._key_bytes) < 100_000:
                        self._key_bytes[k] = b
                key_bytes.append(b)
            plan = _RowPlan(key_bytes)
            if len(self._plans) < _PLAN_CACHE_LIMIT:
                self._plans[keys] = plan
        return plan

    def _append_histograms(self, step: int, hists: Dict[str, Histogram]) -> None:
        body = dumps({k: h.to_json() for k, h in hists.items()})
        head = self._record_json({"type": "histogram", "step": step})
        self._append_json(head[:-1] + ',"values":' + body + "}")

    def _append_tables(self, step: int, tables: Dict[str, str]) -> None:
        """One table record per table: a table may take most of a record on its own."""
        for key, body in tables.items():
            head = self._record_json({"type": "table", "step": step})
            self._append_json(head[:-1] + ',"values":{' + dumps(key) + ":" + body + "}}")

    def _append_images(self, step: int, images: Dict[str, Any]) -> None:
        """One image record per group of keys that fits a record (each key's images fit one: see _image_entry_sized)."""
        group: Dict[str, Any] = {}
        size = 0
        for key, (entry, n) in images.items():
            if group and size + n > _IMAGE_RECORD_CHARS:
                self._append_json(self._record_json({"type": "image", "step": step, "values": group}))
                group, size = {}, 0
            group[key] = entry
            size += n
        self._append_json(self._record_json({"type": "image", "step": step, "values": group}))

    def _add_pending_histograms(self, hists: Dict[str, Histogram]) -> None:
        """From torch hooks (any thread): written with the next log() call, at its step."""
        with self._pending_lock:
            self._pending.update(hists)
        self._fast = False

    def _update_fast(self) -> None:
        self._fast = self._state is _RUNNING and not self._pending

    # -- other records ---------------------------------------------------------------------------

    def _write_config(self, values: Dict[str, Any]) -> None:
        if self._state is not _RUNNING:
            return self._ignored_after_finish("config.update")
        for values_json, path in chunk_config(values):
            self._append_values("config", values_json, path)

    def _write_summary(self, values: Dict[str, Any]) -> None:
        if self._state is not _RUNNING:
            return self._ignored_after_finish("summary")
        for chunk in chunk_json(values, "summary"):
            self._append_values("summary", chunk, None)

    def _write_system(self, sample: Dict[str, float]) -> None:
        if self._state is not _RUNNING:
            return
        self._append_json(self._record_json({"type": "system", "values": {k: metric_json(v) for k, v in sample.items()}}))

    def _write_console(self, stream: str, text: str) -> None:
        if self._state is _FINISHED:
            return
        self._append_json(self._record_json({"type": "console", "stream": stream, "text": text}))

    def _append_values(self, kind: str, values_json: str, path: Optional[List[str]]) -> None:
        head = self._record_json({"type": kind} if path is None else {"type": kind, "path": path})
        self._append_json(head[:-1] + ',"values":' + values_json + "}")

    def _record_json(self, fields: Dict[str, Any]) -> str:
        """Record JSON with a placeholder seq; _append_json puts the real one in under the lock."""
        return dumps({"seq": 0, "ts": int(_time() * 1000), **fields})

    def _append_json(self, json_text: str) -> None:
        """Appends a record built by _record_json, consuming a seq only when the write succeeded."""
        tail = json_text[len('{"seq":0'):]
        with self._lock:
            if self._writer.fd < 0:
                return
            seq = self._seq + 1
            payload = f'{{"seq":{seq}{tail}'.encode("utf-8")
            if len(payload) > MAX_RECORD_BYTES:
                warn(f"a record of {len(payload)} bytes is over the {MAX_RECORD_BYTES} byte limit of one record and was not written")
                return
            if self._writer.write_frame(_pack_header(len(payload), _crc32(payload)) + payload):
                self._seq = seq
            else:
                self._write_failed()
        if self._deferred_signal is not None and threading.current_thread() is threading.main_thread():
            _exit.deliver_deferred(self)

    # -- finishing -------------------------------------------------------------------------------

    def _close_locally(self, exit_code: int) -> None:
        """Everything finish does that needs no waiting."""
        _exit.unregister(self)
        if self._system is not None:
            self._system.stop()
        if self._heartbeat is not None:
            self._heartbeat.stop()
        for w in list(self._watches):
            w.remove()
        if self._pending:
            with self._pending_lock:
                pending, self._pending = self._pending, {}
            self._append_histograms(self._step, pending)
        # Console text first, so the finish record is the last one.
        if self._console is not None:
            self._console.stop()
        self._append_json(self._record_json({"type": "finish", "exitCode": exit_code}))
        if self._on_finish is not None:
            self._on_finish(self)

    def _finish_now(self, exit_code: int) -> None:
        """The process is dying at once: record how, without waiting for the upload."""
        with self._lock:
            if self._state is _RUNNING:
                self._state = _FINISHING
                self._fast = False
                self._close_locally(exit_code)
        if self._artifacts is not None:
            self._artifacts.abandon()
        if self._sender is not None:
            self._sender.stop()
        self._writer.close()
        self._state = _FINISHED
        pending = self._result().pending
        if pending > 0:
            warn(f"run {self.id} was stopped; {pending} records are not uploaded yet: upload them with: orrery sync {_shell_quote(self.dir)}")

    def _detach_after_fork(self) -> None:
        self._state = _FINISHED
        self._fast = False
        self._writer.fd = -1  # the parent owns the file; close nothing here

    def _appending_in_this_thread(self) -> bool:
        is_owned = getattr(self._lock, "_is_owned", None)
        return bool(is_owned()) if is_owned is not None else False

    def _result(self) -> FinishResult:
        acked = self._sender.acked_seq if self._sender is not None else 0
        sent = self._sender.totals["sent"] if self._sender is not None else 0
        return FinishResult(sent, max(0, self._seq - acked), self.dir)

    def _write_failed(self) -> None:
        if not self._warned_write:
            self._warned_write = True
            warn(f"cannot write to {self._writer.path} (disk full or removed?); records are being dropped until it works again")

    def _ignored_after_finish(self, call: str) -> None:
        if not self._warned_after_finish:
            self._warned_after_finish = True
            warn(f"{call}() was called after run {self.id} finished; it is ignored (start a new run with orrery.init())")


class DisabledRun:
    """mode="disabled" (ORRERY_MODE=disabled): every call does nothing, writes no file, opens no
    connection. Config and summary keep their values so a script can still read them back."""

    def __init__(self, settings: Settings, on_finish=None):
        self._on_finish = on_finish
        self.id = settings.run_id
        self.name = settings.name
        self.entity = settings.entity
        self.project = settings.project
        self.group = settings.group
        self.job_type = settings.job_type
        self.tags = tuple(settings.tags or ())
        self.notes = settings.notes
        self.mode = "disabled"
        self.url = ""
        self.dir = ""
        self.offline = False
        self.step = 0
        self.config = Config(dict(settings.config), lambda values: None)
        self.summary = Summary(lambda values: None)

    def log(self, *args: Any, **kwargs: Any) -> None:
        pass

    def define_metric(self, *args: Any, **kwargs: Any) -> None:
        pass

    def watch(self, *args: Any, **kwargs: Any) -> None:
        pass

    def unwatch(self, *args: Any, **kwargs: Any) -> None:
        pass

    def log_artifact(self, artifact_or_path: Any, name: Optional[str] = None, type: Optional[str] = None,
                     aliases: Any = None, tags: Any = None) -> Any:
        from ._artifact_io import prepare_log, refuse_log

        artifact, _ = prepare_log(artifact_or_path, name, type, aliases, self.id)
        return refuse_log(artifact, f"artifacts need a server, and run {self.id} is disabled")

    def use_artifact(self, artifact_or_name: Any, type: Optional[str] = None, aliases: Any = None, use_as: Any = None) -> Any:
        from ._values import OrreryError

        raise OrreryError(f"orrery: use_artifact needs a server, and run {self.id} is disabled: run online (ORRERY_MODE=online) to use artifacts")

    def finish(self, exit_code: Optional[int] = None, quiet: Any = None) -> FinishResult:
        if self._on_finish is not None:
            self._on_finish(self)
            self._on_finish = None
        return FinishResult(0, 0, "")

    def __enter__(self) -> "DisabledRun":
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.finish()
        return False


# -- helpers ---------------------------------------------------------------------------------------

def _check_metric_key(key: str) -> None:
    check_key(key, "log()")
    if key.startswith("_"):
        raise OrreryValueError(
            key, f"orrery: log() key \"{key}\" starts with \"_\", which is reserved for _step, _timestamp and _runtime: rename it, or pass the step as log(values, step=...)"
        )


# Room for one key's images in a record, leaving space for the record's other fields.
_IMAGE_RECORD_CHARS = MAX_RECORD_BYTES - 64 * 1024


def _image_entry_sized(key: str, v: Any) -> Tuple[Any, int]:
    """A key's images as wire JSON with their size; refused when they cannot fit one record (they replace the step's as a whole)."""
    entry = image_entry(key, v)
    size = sum(x.wire_size for x in ([v] if not isinstance(v, (list, tuple)) else v))
    if size > _IMAGE_RECORD_CHARS:
        raise OrreryValueError(key, f"orrery: log() images under \"{key}\" take {size} bytes as JSON; one key's images at one step may take {_IMAGE_RECORD_CHARS}: log fewer or smaller images")
    return entry, size


def _as_metric(key: str, v: Any):
    """A log() value other than int/float: a float, a Histogram (arrays, tensors, lists), or an error."""
    if v is None or isinstance(v, (str, bytes, bool)):
        raise _bad_value(key, v)
    if isinstance(v, numbers.Real):  # NumPy scalars, Fraction
        return float(v)
    numel = getattr(v, "numel", None)  # PyTorch tensors
    size = numel() if callable(numel) else getattr(v, "size", None)
    if isinstance(size, int) and hasattr(v, "item"):
        if size == 1:
            return _as_metric(key, v.item())
        if size > 1:
            return Histogram(v)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in v):
        return Histogram(v)  # W&B logs a list of numbers as a histogram
    raise _bad_value(key, v)


def _bad_value(key: str, value: Any) -> OrreryValueError:
    if isinstance(value, str):
        hint = "put text in run.summary or run.config instead"
    elif isinstance(value, bool):
        hint = "log int(value) if you mean 0/1, or put it in run.summary"
    elif value is None:
        hint = "leave the key out when there is no value (use float('nan') to mark a missing point)"
    elif isinstance(value, (list, tuple)):
        hint = "log each element under its own key, wrap the numbers in orrery.Histogram(...), or put the list in run.summary"
    else:
        hint = "convert it to a number, a dict of numbers, orrery.Histogram, orrery.Image or orrery.Table"
    return OrreryValueError(
        key, f"orrery: log() value for \"{key}\" is {describe(value)}; metrics must be numbers (NaN and ±inf allowed), dicts of numbers, "
             f"Histogram or Table values: {hint}"
    )


def _table_json(key: str, table: Table) -> str:
    """The wire Table as JSON text, refused (before anything of the log() call is written) when it cannot fit a record."""
    body = dumps(table.to_record_value())
    size = len(body.encode("utf-8"))
    if size > MAX_RECORD_BYTES - 4096:
        raise OrreryValueError(key, f"orrery: Table {key!r} is {size / 2**20:.1f} MiB of JSON; one table may take {(MAX_RECORD_BYTES - 4096) / 2**20:.1f} MiB: log fewer rows or smaller images")
    return body


def _summary_mode(name: str, summary: Any, goal: Any) -> str:
    if not isinstance(summary, str):
        raise OrreryValueError(name, f"orrery: define_metric({name!r}) summary must be one of {', '.join(SUMMARY_MODES)} or \"best\", got {describe(summary)}")
    modes = [m.strip() for m in summary.split(",") if m.strip()]
    if len(modes) > 1:
        warn(f"define_metric({name!r}, summary={summary!r}): one summary per metric is kept; using {modes[0]!r}")
    mode = modes[0] if modes else ""
    if mode == "best":
        if goal in ("minimize", "min"):
            return "min"
        if goal in ("maximize", "max"):
            return "max"
        raise OrreryValueError(name, f"orrery: define_metric({name!r}, summary=\"best\") needs goal=\"minimize\" or goal=\"maximize\"")
    if mode == "copy":
        return "last"
    if mode not in SUMMARY_MODES:
        raise OrreryValueError(name, f"orrery: define_metric({name!r}) summary must be one of {', '.join(SUMMARY_MODES)} or \"best\", got {summary!r}")
    return mode


def chunk_json(values: Dict[str, Any], what: str, max_chars: int = MAX_OBJECT_RECORD_CHARS) -> List[str]:
    """JSON text of `values`, split by top-level key into objects of at most `max_chars` characters."""
    whole = dumps(values)
    if len(whole) <= max_chars:
        return [whole]
    chunks: List[str] = []
    current = ""
    for key, value in values.items():
        entry = f"{dumps(key)}:{dumps(value)}"
        if len(entry) > MAX_RECORD_BYTES - 1024:
            raise OrreryValueError(key, f"orrery: {what} value \"{key}\" is {len(entry) / 2**20:.1f} MiB of JSON; one value is at most {MAX_RECORD_BYTES // 2**20} MiB: store large data as a file, and log a summary of it")
        if current and len(current) + len(entry) + 3 > max_chars:
            chunks.append("{" + current + "}")
            current = ""
        current = entry if not current else f"{current},{entry}"
    if current:
        chunks.append("{" + current + "}")
    return chunks


def chunk_config(values: Dict[str, Any], max_chars: int = MAX_OBJECT_RECORD_CHARS) -> List[Tuple[str, Optional[List[str]]]]:
    """chunk_json for config, splitting deeper where one value is too large: a top-level object
    value larger than max_chars is sent as {key: {}} and then its own keys under path [key]."""
    whole = dumps(values)
    if len(whole) <= max_chars:
        return [(whole, None)]
    parts: List[Tuple[str, Optional[List[str]]]] = []
    _split_config(values, None, max_chars, parts)
    return parts


def _split_config(values: Dict[str, Any], path: Optional[List[str]], max_chars: int, parts: list) -> None:
    current = [""]

    def flush() -> None:
        if current[0]:
            parts.append(("{" + current[0] + "}", path))
            current[0] = ""

    def add(entry: str) -> None:
        if current[0] and len(current[0]) + len(entry) + 3 > max_chars:
            flush()
        current[0] = entry if not current[0] else f"{current[0]},{entry}"

    for key, value in values.items():
        name = dumps(key)
        entry = f"{name}:{dumps(value)}"
        if len(entry) > max_chars and isinstance(value, dict) and value:
            # Clear the key first, in a record sent before its parts, then fill it in.
            add(f"{name}:{{}}")
            flush()
            _split_config(value, [key] if path is None else [*path, key], max_chars, parts)
            continue
        if len(entry) > MAX_RECORD_BYTES - 1024:
            where = key if path is None else ".".join([*path, key])
            raise OrreryValueError(where, f"orrery: config value \"{where}\" is {len(entry) / 2**20:.1f} MiB of JSON; one value is at most {MAX_RECORD_BYTES // 2**20} MiB: store large data as a file, and log a summary of it")
        add(entry)
    flush()


def _refuse_reused_id(settings: Settings) -> None:
    try:
        names = os.listdir(settings.dir)
    except OSError:
        return
    suffix = f"-{settings.run_id}"
    for n in names:
        if n.startswith("run-") and n.endswith(suffix):
            raise option_error(
                "id", f"\"{settings.run_id}\" was already used by {os.path.join(settings.dir, n)}; resuming a run is not supported: "
                      "choose a new id (or leave id out for a random one)"
            )


def _shell_quote(path: str) -> str:
    return path if re.match(r"^[A-Za-z0-9_./:=@+-]+$", path) else "'" + path.replace("'", "'\\''") + "'"

