# Owns sampling system metrics on a daemon thread, with the TypeScript SDK's keys: cpu.percent
# (this process; can exceed 100 with threads), system.cpu.percent, memory.rss_mb,
# system.memory.percent, and gpu.N.utilization, gpu.N.memory_used_mb, gpu.N.memory_total_mb,
# gpu.N.temperature, gpu.N.power_w through nvidia-smi when it is on PATH. CPU and memory come from
# /proc (Linux); elsewhere the process figures from os.times and resource still work.
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from typing import Callable, Dict, Optional, Tuple

NVIDIA_SMI_TIMEOUT = 5.0
GPU_QUERY = "utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"
GPU_FIELDS = ("utilization", "memory_used_mb", "memory_total_mb", "temperature", "power_w")
_NUMBER = re.compile(r"^-?[0-9.]+$")

Sample = Dict[str, float]


class SystemMetrics:
    def __init__(self, sink: Callable[[Sample], None], interval: float):
        self._sink = sink
        self._interval = interval
        self._stop = threading.Event()
        self._last_cpu = _process_cpu()
        self._last_wall = time.monotonic()
        self._last_system = _system_cpu_times()
        self._gpu = "unknown" if shutil.which("nvidia-smi") else "absent"
        self._thread = threading.Thread(target=self._loop, name="orrery-system-metrics", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                values = self.sample()
                if not self._stop.is_set():
                    self._sink(values)
            except Exception:
                pass  # a failed sample is skipped; the next one may work

    def sample(self) -> Sample:
        now = time.monotonic()
        cpu = _process_cpu()
        elapsed = now - self._last_wall
        used = cpu - self._last_cpu
        self._last_cpu, self._last_wall = cpu, now
        out: Sample = {"cpu.percent": _round(used / elapsed * 100 if elapsed > 0 else 0.0)}
        rss = _rss_mb()
        if rss is not None:
            out["memory.rss_mb"] = _round(rss)
        mem = _system_memory_percent()
        if mem is not None:
            out["system.memory.percent"] = _round(mem)
        sys_times = _system_cpu_times()
        if sys_times is not None and self._last_system is not None:
            total = sys_times[0] - self._last_system[0]
            idle = sys_times[1] - self._last_system[1]
            if total > 0:
                out["system.cpu.percent"] = _round((total - idle) / total * 100)
        self._last_system = sys_times
        if self._gpu != "absent":
            gpus = query_gpus()
            if gpus is None:
                if self._gpu == "unknown":
                    self._gpu = "absent"  # nvidia-smi fails here: stop asking
            else:
                self._gpu = "present"
                out.update(gpus)
        return out


def _process_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _rss_mb() -> Optional[float]:
    try:
        with open("/proc/self/statm", "r", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
        return peak / 1048576 if os.uname().sysname == "Darwin" else peak / 1024
    except Exception:
        return None


def _system_memory_percent() -> Optional[float]:
    try:
        fields = {}
        with open("/proc/meminfo", "r", encoding="ascii") as f:
            for line in f:
                name, _, rest = line.partition(":")
                fields[name] = int(rest.split()[0])
        total = fields["MemTotal"]
        free = fields.get("MemAvailable", fields.get("MemFree", 0))
        return (1 - free / total) * 100 if total > 0 else None
    except (OSError, ValueError, KeyError, IndexError):
        return None


def _system_cpu_times() -> Optional[Tuple[float, float]]:
    """(total, idle) jiffies of all CPUs from /proc/stat."""
    try:
        with open("/proc/stat", "r", encoding="ascii") as f:
            cells = f.readline().split()
        if cells[0] != "cpu":
            return None
        nums = [float(c) for c in cells[1:]]
        # user nice system idle iowait irq softirq steal (guest time is already in user)
        idle = nums[3] + (nums[4] if len(nums) > 4 else 0)
        return sum(nums[:8]), idle
    except (OSError, ValueError, IndexError):
        return None


def query_gpus() -> Optional[Sample]:
    """GPU metrics from nvidia-smi, or None when it is missing or fails."""
    try:
        done = subprocess.run(
            ["nvidia-smi", f"--query-gpu={GPU_QUERY}", "--format=csv,noheader,nounits"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            timeout=NVIDIA_SMI_TIMEOUT, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return parse_nvidia_smi(done.stdout.decode("utf-8", "replace"))


def parse_nvidia_smi(stdout: str) -> Sample:
    """Parses `nvidia-smi --query-gpu=<GPU_QUERY> --format=csv,noheader,nounits`; "[N/A]" cells are left out."""
    out: Sample = {}
    lines = [line for line in stdout.splitlines() if line.strip()]
    for gpu, line in enumerate(lines):
        cells = [c.strip() for c in line.split(",")]
        for i, name in enumerate(GPU_FIELDS):
            if i < len(cells) and _NUMBER.match(cells[i]):
                out[f"gpu.{gpu}.{name}"] = float(cells[i])
    return out


def _round(v: float) -> float:
    return round(v * 100) / 100
