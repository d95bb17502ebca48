"""Timing and memory helpers shared by the benchmark scripts (Linux /proc for RSS)."""

from __future__ import annotations

import os
import platform
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def commit(root: Path) -> str:
    """The short HEAD commit of the checkout at ``root``, noting changes in normalize/."""
    git = ["git", "-C", str(root)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "normalize"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" (normalize/ has changes)" if dirty.stdout.strip() else "")


def load_average() -> list[float]:
    """The 1, 5 and 15-minute load averages (what ``uptime`` prints)."""
    return [round(x, 2) for x in os.getloadavg()]


def pin_one_core(pin: bool) -> str:
    """Pin this process to one CPU if ``pin``; say what was done."""
    if pin and hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "single-threaded, not pinned"


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def tree_rss(pid: int) -> int:
    """RSS in bytes of ``pid`` and all its descendants, from /proc."""
    return sum(rss for rss, _ in tree_usage(pid).values())


def tree_usage(pid: int) -> dict[int, tuple[int, float]]:
    """``pid`` and all its descendants: pid -> (RSS in bytes, CPU seconds
    so far, user + system), from /proc."""
    out: dict[int, tuple[int, float]] = {}
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            stat = Path(f"/proc/{p}/stat").read_text()
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        rss = 0
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
        fields = stat[stat.rindex(")") + 2 :].split()  # after the command name
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS
        out[p] = (rss, cpu)
    return out


_TICKS = os.sysconf("SC_CLK_TCK")


class TreeSampler(threading.Thread):
    """The peak of :func:`tree_rss` of ``pid`` while it runs, sampled every
    ``interval`` seconds until ``done`` is set."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.cpu: dict[int, float] = {}  # the last CPU seconds seen of each process
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            usage = tree_usage(self.pid)
            self.peak = max(self.peak, sum(rss for rss, _ in usage.values()))
            self.cpu.update({p: cpu for p, (_, cpu) in usage.items()})
            if self.done.wait(self.interval):
                return

    @property
    def tree_cpu(self) -> float:
        """CPU seconds of the process and its descendants (workers a
        forkserver started included, which ``wait`` never reports), as last
        sampled: a lower bound, short by at most ``interval`` a process."""
        return sum(self.cpu.values())

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self.done.set()
        self.join()
        return self.peak
