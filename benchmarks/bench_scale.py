"""DocumentDeduper at corpus scale: time and peak memory (parent + workers).

    python benchmarks/bench_scale.py [--docs 1000000] [--doc-chars 3000] [--workers 2]
                                     [--batch 10000]

Streams ``--docs`` generated Arabic documents of about ``--doc-chars``
characters through ``DocumentDeduper(workers=N).add`` in batches of
``--batch``, then calls ``result()``. Documents are drawn from a pool of
sentences made of pyarabic's words (``tests/neardup_data``); every tenth one is
a copy of an earlier document with one sentence dropped (a near duplicate) and
every fiftieth an exact copy. A sampler thread adds up the RSS of this process
and its worker processes every 0.2 s. Results: stdout and
``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from neardup_data import plain_documents  # noqa: E402

from normalize.dedup import DocumentDeduper  # noqa: E402


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and all its descendants, from /proc, in MB."""
    total = 0.0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


class PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss_mb(self.pid))
            time.sleep(0.2)


def documents(n: int, doc_chars: int, seed: int = 0) -> Iterator[str]:
    rng = random.Random(seed)
    sentences = [s for d in plain_documents(2000, seed=seed, doc_chars=600) for s in d.split(".")]
    sentences = [s.strip() + "." for s in sentences if len(s) > 20]
    per_doc = max(1, doc_chars // (sum(map(len, sentences)) // len(sentences) + 1))
    recent: list[list[str]] = []
    for i in range(n):
        if i % 50 == 49 and recent:
            parts = rng.choice(recent)
        elif i % 10 == 9 and recent:
            parts = list(rng.choice(recent))
            del parts[rng.randrange(len(parts))]
        else:
            parts = rng.choices(sentences, k=per_doc)
            recent.append(parts)
            if len(recent) > 1000:
                recent.pop(0)
        yield " ".join(parts)


def batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--doc-chars", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    import os

    sampler = PeakSampler(os.getpid())
    sampler.start()
    start = time.perf_counter()
    chars = 0
    with DocumentDeduper(workers=args.workers) as deduper:
        for batch in batched(documents(args.docs, args.doc_chars), args.batch):
            chars += sum(map(len, batch))
            deduper.add(batch)
        added = time.perf_counter() - start
        result = deduper.result()
    total = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    removed = len(result.duplicate_of)
    out = {
        "benchmark": "scale",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "docs": args.docs,
        "mean_chars": chars / args.docs,
        "workers": args.workers,
        "add_s": added,
        "result_s": total - added,
        "total_s": total,
        "peak_rss_mb_all_processes": sampler.peak,
        "kept": len(result.keep),
        "removed": removed,
        "exact": sum(r == "exact" for r in result.reason.values()),
        "near": sum(r == "near" for r in result.reason.values()),
    }
    for key, value in out.items():
        print(f"{key:28} {value:.2f}" if isinstance(value, float) else f"{key:28} {value}")
    path = ROOT / "benchmarks" / "results" / "scale.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
