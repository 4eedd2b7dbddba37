# Owns the metadata captured once at init into the run record: git state, host, OS, Python,
# command line, working directory and installed packages. Git runs as child processes with a short
# timeout, in parallel with the package listing; any failure (no git, not a repository, a hung
# credential helper) just leaves the field out. Field names follow the TypeScript SDK's metadata.ts.
from __future__ import annotations

import datetime
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit, urlunsplit

from ._version import __version__

GIT_TIMEOUT = 3.0
# init() waits at most this long for git and the package list together.
DEADLINE = 5.0
MAX_DIFF_CHARS = 1024 * 1024


def collect_metadata(started_at: float, cwd: Optional[str] = None) -> Dict[str, Any]:
    cwd = cwd or os.getcwd()
    meta: Dict[str, Any] = {
        "startedAt": datetime.datetime.fromtimestamp(started_at, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "host": socket.gethostname(),
        "os": f"{platform.system()} {platform.release()}",
        "platform": sys.platform,
        "arch": platform.machine(),
        "runtime": "python",
        "runtimeVersion": platform.python_version(),
        "pythonImplementation": platform.python_implementation(),
        "executable": sys.executable,
        "argv": _argv(),
        "program": os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] not in ("", "-c", "-m") else (sys.argv[0] if sys.argv else ""),
        "args": list(sys.argv[1:]),
        "cwd": cwd,
        "pid": os.getpid(),
        "cpuCount": os.cpu_count() or 0,
        "sdk": {"name": "orrery-python", "version": __version__},
    }
    total = _memory_total_mb()
    if total is not None:
        meta["memoryTotalMb"] = total
    results: Dict[str, Any] = {}
    workers = [
        threading.Thread(target=lambda: results.__setitem__("git", collect_git(cwd)), daemon=True),
        threading.Thread(target=lambda: results.__setitem__("packages", installed_packages()), daemon=True),
    ]
    for w in workers:
        w.start()
    deadline = _now() + DEADLINE
    for w in workers:
        w.join(max(0.0, deadline - _now()))
    if results.get("git"):
        meta["git"] = results["git"]
    if results.get("packages"):
        meta["packages"] = results["packages"]
    return meta


def _now() -> float:
    return time.monotonic()


def _argv() -> List[str]:
    orig = getattr(sys, "orig_argv", None)  # Python 3.10+: the whole command, interpreter included
    if orig:
        return [sys.executable] + list(orig[1:])
    return [sys.executable] + list(sys.argv)


def _memory_total_mb() -> Optional[int]:
    try:
        with open("/proc/meminfo", "r", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1048576)
    except (ValueError, OSError, AttributeError):
        return None


def installed_packages() -> List[str]:
    """`pip freeze`'s answer (name==version, sorted), read in-process: pip itself may be absent or slow."""
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover
        return []
    seen = {}
    try:
        for dist in metadata.distributions():
            name = dist.metadata["Name"] if dist.metadata else None
            if name and name.lower() not in seen:
                seen[name.lower()] = f"{name}=={dist.version}"
    except Exception:
        return []
    return [seen[k] for k in sorted(seen)]


def collect_git(cwd: str) -> Optional[Dict[str, Any]]:
    commit = _git(cwd, ["rev-parse", "HEAD"])
    if commit is None:
        return None
    out: Dict[str, Any] = {"commit": commit.strip()}
    branch = _git(cwd, ["rev-parse", "--abbrev-ref", "HEAD"])
    remote = _git(cwd, ["config", "--get", "remote.origin.url"])
    root = _git(cwd, ["rev-parse", "--show-toplevel"])
    status = _git(cwd, ["status", "--porcelain", "--untracked-files=no"])
    if branch:
        out["branch"] = branch.strip()
    if remote:
        out["remote"] = strip_credentials(remote.strip())
    if root:
        out["root"] = root.strip()
    if status is not None:
        dirty = bool(status.strip())
        out["dirty"] = dirty
        if dirty:
            diff = _git(cwd, ["diff", "HEAD"])
            if diff is not None:
                out["diff"] = diff[:MAX_DIFF_CHARS]
                if len(diff) > MAX_DIFF_CHARS:
                    out["diffTruncated"] = True
    return out


def strip_credentials(remote: str) -> str:
    """https://user:token@host/repo -> https://host/repo: a remote URL must not leak a token."""
    try:
        parts = urlsplit(remote)
        if parts.scheme and (parts.username or parts.password):
            host = parts.hostname or ""
            if parts.port:
                host = f"{host}:{parts.port}"
            return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    except ValueError:
        pass
    return remote  # scp-style "git@host:repo" carries no secret


def _git(cwd: str, args: List[str]) -> Optional[str]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, timeout=GIT_TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")
