# Owns finishing runs when the interpreter ends without finish(): a normal end (atexit; the code
# given to sys.exit, else 0), an uncaught exception (sys.excepthook: exit code 1, 130 for
# KeyboardInterrupt), and SIGTERM (143; SIGINT too when it is not Python's KeyboardInterrupt):
# finish as failed, upload what is left, then die of the same signal, as the TypeScript SDK does.
# A signal that arrives while the main thread is appending a record is deferred to the end of that
# append, so the handler never writes between a frame and its seq. A signal handler the program
# installed before init is left alone (the program decides; atexit then finishes the run).
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
from typing import Any, List, Optional

from ._console import warn

_runs: List[Any] = []
_installed = False
_exit_code: Any = None
_signal_seen = False
_orig_exit = sys.exit
_orig_excepthook = sys.excepthook
_previous_handlers = {}


def register(run: Any) -> None:
    _install()
    _runs.append(run)
    _install_signals()


def unregister(run: Any) -> None:
    try:
        _runs.remove(run)
    except ValueError:
        pass


def exit_code_of(code: Any) -> int:
    """The exit code sys.exit(code) gives the process, as a finish record takes it."""
    if code is None:
        return 0
    if isinstance(code, bool) or not isinstance(code, int):
        return 1  # sys.exit("message") exits with 1
    return code if -255 <= code <= 255 else 1


def _install() -> None:
    global _installed, _orig_exit, _orig_excepthook
    if _installed:
        return
    _installed = True
    atexit.register(_at_exit)
    _orig_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    _orig_exit = sys.exit
    sys.exit = _sys_exit
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)


def _install_signals() -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    for sig in (signal.SIGTERM, signal.SIGINT):
        if sig in _previous_handlers:
            continue
        try:
            current = signal.getsignal(sig)
        except (ValueError, OSError):
            continue
        # SIGINT normally raises KeyboardInterrupt, which excepthook handles (and `try/finally` sees).
        if current is signal.SIG_DFL:
            try:
                signal.signal(sig, _on_signal)
                _previous_handlers[sig] = current
            except (ValueError, OSError):
                pass


def _sys_exit(code: Any = None) -> None:
    global _exit_code
    _exit_code = code
    _orig_exit(code)


def _at_exit() -> None:
    code = exit_code_of(_exit_code)
    for run in reversed(list(_runs)):
        try:
            run.finish(exit_code=code)
        except Exception as err:
            warn(f"could not finish run {getattr(run, 'id', '?')} at exit: {err}")


def _excepthook(exc_type, exc, tb) -> None:
    try:
        _orig_excepthook(exc_type, exc, tb)
    finally:
        code = 130 if issubclass(exc_type, KeyboardInterrupt) else 1
        for run in reversed(list(_runs)):
            try:
                run.finish(exit_code=code)
            except Exception:
                pass


def _after_fork() -> None:
    # A forked child (e.g. a DataLoader worker) must never append to its parent's spool.
    for run in list(_runs):
        try:
            run._detach_after_fork()
        except Exception:
            pass
    _runs.clear()


def deliver_deferred(run: Any) -> None:
    sig = run._deferred_signal
    run._deferred_signal = None
    if sig is not None:
        _on_signal(sig, None)


def _on_signal(signum: int, frame: Optional[Any]) -> None:
    global _signal_seen
    runs = list(_runs)
    for run in runs:
        if run._appending_in_this_thread():
            run._deferred_signal = signum
            return
    name = signal.Signals(signum).name
    code = 130 if signum == signal.SIGINT else 143
    if _signal_seen:
        # A second signal while uploading: stop at once; the spool keeps what was not sent.
        for run in runs:
            try:
                run._finish_now(code)
            except Exception:
                pass
        _die(signum)
        return
    _signal_seen = True
    if runs:
        ids = ", ".join(r.id for r in runs)
        warn(f"{name}: finishing run {ids} (send {name} again to stop at once; the spool keeps anything unsent)")
    for run in reversed(runs):
        try:
            run.finish(exit_code=code)
        except Exception:
            pass
    _die(signum)


def _die(signum: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    # Delivery to another thread of this process may take a moment.
    for _ in range(50):
        time.sleep(0.02)
    os._exit(128 + signum)
