# Owns console capture and orrery's own stderr lines. Capture replaces sys.stdout and sys.stderr
# with pass-through wrappers while a run is active and hands the text on in chunks (at most 64 KiB,
# at most once a second per stream), like the TypeScript SDK's console-capture.ts. orrery's notices
# go to the original stderr, so they never end up in the run's console log. Output written by C
# code or child processes straight to file descriptors 1 and 2 is not seen.
from __future__ import annotations

import sys
import threading
from typing import Callable, Dict, List, Optional

MAX_CONSOLE_CHARS = 64 * 1024
FLUSH_INTERVAL = 1.0

_active: Optional["ConsoleCapture"] = None


def warn(line: str) -> None:
    """Prints `orrery: <line>` to the real stderr; never raises (a closed stderr must not stop training)."""
    stream = _active.original_stderr if _active is not None else sys.stderr
    try:
        stream.write(f"orrery: {line}\n")
        stream.flush()
    except Exception:
        pass


class _Tee:
    """Stands in for sys.stdout/sys.stderr: writes go through unchanged and are also captured."""

    def __init__(self, original, capture: "ConsoleCapture", name: str):
        self._orrery_original = original
        self._orrery_capture = capture
        self._orrery_name = name

    def write(self, text):
        n = self._orrery_original.write(text)
        try:
            self._orrery_capture.capture(self._orrery_name, text)
        except Exception:
            pass  # capture must never break the program's own output
        return n

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._orrery_original, name)


class ConsoleCapture:
    def __init__(self, sink: Callable[[str, str], None]):
        self._sink = sink
        self._buffers: Dict[str, List[str]] = {"stdout": [], "stderr": []}
        self._sizes = {"stdout": 0, "stderr": 0}
        # Reentrant: finishing from a signal handler flushes while the main thread may be mid-capture.
        self._lock = threading.RLock()
        self._stopped = False
        self._wake = threading.Event()
        self.original_stdout = sys.stdout
        self.original_stderr = sys.stderr
        self._stdout = _Tee(sys.stdout, self, "stdout")
        self._stderr = _Tee(sys.stderr, self, "stderr")
        sys.stdout = self._stdout
        sys.stderr = self._stderr
        self._thread = threading.Thread(target=self._loop, name="orrery-console", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, sink: Callable[[str, str], None]) -> Optional["ConsoleCapture"]:
        """Starts capturing, or returns None when another run already captures (the first keeps it)."""
        global _active
        if _active is not None or sys.stdout is None or sys.stderr is None:
            return None
        _active = cls(sink)
        return _active

    def capture(self, name: str, text) -> None:
        if self._stopped:
            return
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8", "replace")
        elif not isinstance(text, str):
            return
        if not text:
            return
        with self._lock:
            self._buffers[name].append(text)
            self._sizes[name] += len(text)
            if self._sizes[name] >= MAX_CONSOLE_CHARS:
                self._drain(name)

    def flush(self) -> None:
        with self._lock:
            self._drain("stdout")
            self._drain("stderr")

    def stop(self) -> None:
        """Flushes and puts the original streams back (unless someone replaced ours meanwhile)."""
        global _active
        if self._stopped:
            return
        self.flush()
        self._stopped = True
        self._wake.set()
        if sys.stdout is self._stdout:
            sys.stdout = self.original_stdout
        if sys.stderr is self._stderr:
            sys.stderr = self.original_stderr
        if _active is self:
            _active = None

    def _loop(self) -> None:
        while not self._stopped:
            self._wake.wait(FLUSH_INTERVAL)
            if self._stopped:
                return
            try:
                self.flush()
            except Exception:
                pass

    def _drain(self, name: str) -> None:
        parts = self._buffers[name]
        if not parts:
            return
        text = "".join(parts)
        self._buffers[name] = []
        self._sizes[name] = 0
        while text:
            cut = min(len(text), MAX_CONSOLE_CHARS)
            self._sink(name, text[:cut])
            text = text[cut:]
