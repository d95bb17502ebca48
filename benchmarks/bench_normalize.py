"""Normalization throughput: tanqiya against its peers, in one run, on one core.

    python benchmarks/bench_normalize.py [--lines 40000] [--repeat 5]

Corpus: ``arabic_corpus.lines`` (fixed seed): ~100-character lines, news prose
and fully vocalized Quranic/hadith-like text, with tatweel, presentation forms,
invisible marks, NBSP, Arabic-Indic digits, Latin and emoji. Each function
runs ``--repeat`` times and the best time counts. Results: a table on stdout
and ``benchmarks/results/normalize.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from arabic_corpus import lines  # noqa: E402

from normalize import Normalizer, normalize  # noqa: E402


def best_time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peers() -> dict[str, Callable[[str], str]]:
    found: dict[str, Callable[[str], str]] = {}
    try:
        import pyarabic.araby as araby

        def pyarabic_chain(text: str) -> str:
            text = araby.strip_tashkeel(text)
            text = araby.strip_tatweel(text)
            text = araby.normalize_hamza(text)
            return araby.normalize_ligature(text)

        found["pyarabic chain"] = pyarabic_chain
    except ImportError:
        print("pyarabic not installed: skipped", file=sys.stderr)
    try:
        import arabic_normalize

        rust = arabic_normalize.Normalizer(
            diacritics=True,
            tatweel=True,
            alef=True,
            alef_maqsura=True,
            ta_marbuta=True,
            hamza=True,
            persian=True,
            bidi_marks=True,
            digits="western",
        )
        found["arabic-normalize (Rust)"] = rust.normalize
    except ImportError:
        print("arabic-normalize not installed: skipped", file=sys.stderr)
    try:
        from camel_tools.utils.dediac import dediac_ar
        from camel_tools.utils.normalize import (
            normalize_alef_ar,
            normalize_alef_maksura_ar,
            normalize_teh_marbuta_ar,
        )

        def camel_chain(text: str) -> str:
            text = dediac_ar(text)
            text = normalize_alef_ar(text)
            text = normalize_alef_maksura_ar(text)
            return normalize_teh_marbuta_ar(text)

        found["CAMeL Tools chain"] = camel_chain
    except ImportError:
        print("camel-tools not installed: skipped", file=sys.stderr)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "normalize.json")
    args = parser.parse_args()

    corpus = lines(args.lines, seed=0)
    megabytes = sum(len(t.encode()) for t in corpus) / 1e6
    search = Normalizer("search")
    rows: list[dict[str, object]] = []

    def measure(name: str, kind: str, fn: Callable[[], object]) -> None:
        seconds = best_time(fn, args.repeat)
        rows.append(
            {"name": name, "kind": kind, "seconds": seconds, "mb_per_s": megabytes / seconds}
        )

    measure("tanqiya search normalize_many", "batch", lambda: search.normalize_many(corpus))
    for profile in ("light", "dedup"):
        other = Normalizer(profile)
        measure(
            f"tanqiya {profile} normalize_many", "batch", lambda n=other: n.normalize_many(corpus)
        )
    measure("tanqiya normalize(line) search", "per call", lambda: [normalize(t) for t in corpus])
    for name, fn in peers().items():
        measure(name, "per call", lambda f=fn: [f(t) for t in corpus])

    base = {r["name"]: r["mb_per_s"] for r in rows}
    print(f"corpus: {len(corpus)} lines, {megabytes:.1f} MB UTF-8; best of {args.repeat}")
    print(f"{'implementation':34} {'kind':9} {'MB/s':>8}")
    for row in rows:
        print(f"{row['name']:34} {row['kind']:9} {row['mb_per_s']:8.1f}")
    ratios = {}
    batch = base["tanqiya search normalize_many"]
    call = base["tanqiya normalize(line) search"]
    for name in base:
        if not name.startswith("tanqiya"):
            ratios[f"search batch / {name}"] = batch / base[name]
            ratios[f"normalize(line) / {name}"] = call / base[name]
    for name, ratio in ratios.items():
        print(f"{name:60} {ratio:6.2f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpu": platform.processor() or platform.machine(),
                "cores": os.cpu_count(),
                "lines": len(corpus),
                "megabytes": megabytes,
                "rows": rows,
                "ratios": ratios,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
