"""Helpers for the end-to-end CLI tests: run ``tanqiya`` in a subprocess as a
user does, and read what it wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_c0df1516230a6e23.txt"


def run(
    *args: object, stdin: bytes = b"", env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m normalize.cli ARGS``; never a traceback on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "normalize.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )
    assert b"Traceback" not in result.stderr, result.stderr.decode()
    return result


def error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The one stderr line of a failed run (exit code 2)."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def jsonl(*objs: object, **dumps: object) -> bytes:
    return b"".join(
        json.dumps(o, ensure_ascii=False, **dumps).encode() + b"\n"  # type: ignore[arg-type]
        for o in objs
    )


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def summary(result: subprocess.CompletedProcess[bytes]) -> dict[str, int]:
    """The counts of the plain-text summary on stderr, by label."""
    counts = {}
    for line in result.stderr.decode().splitlines()[1:]:
        label, _, value = line.strip().rpartition("  ")
        if label and value.replace(",", "").isdigit():
            counts[label.strip()] = int(value.replace(",", ""))
    return counts


def interrupt(
    args: list[str],
    started: Callable[[], bool],
    *,
    env: Mapping[str, str] | None = None,
    signum: int = signal.SIGINT,
) -> tuple[int, str]:
    """Start ``tanqiya ARGS`` with standard input held open, wait until
    ``started()``, press Ctrl-C (SIGINT to its process group, as a terminal
    does; or send ``signum``, as ``kill -- -PGID`` does); its exit code and
    stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalize.cli", *args],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
        env=None if env is None else {**os.environ, **env},
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write("سطر\n".encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        while not started():
            assert time.monotonic() < deadline
            assert proc.poll() is None
            time.sleep(0.02)
        os.killpg(proc.pid, signum)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return proc.returncode, stderr.decode()
