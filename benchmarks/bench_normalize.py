"""Normalization throughput: tanqiya against its peers, in one run, on one core.

    python benchmarks/bench_normalize.py [--lines 40000] [--repeat 5]

Corpus: ``arabic_corpus.lines`` (fixed seed): ~100-character lines, news prose
and fully vocalized Quranic/hadith-like text, with tatweel, presentation forms,
invisible marks, NBSP, Arabic-Indic digits, Latin and emoji. Each case runs
``--repeat`` rounds, the cases taking turns within a round, and its best CPU
time (``time.process_time``) counts: the machine is shared, and CPU time over
interleaved rounds keeps the ratios fair. Results: a table on stdout and
``benchmarks/results/normalize.json``.
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


def best_times(cases: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The best CPU time of each case over ``repeat`` rounds, the cases taking
    turns within a round, so load from other processes hits them alike."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, fn in cases.items():
            start = time.process_time()
            fn()
            best[name] = min(best[name], time.process_time() - start)
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
    cases: dict[str, Callable[[], object]] = {}
    kinds: dict[str, str] = {}
    for profile in ("search", "light", "dedup"):
        n = Normalizer(profile)
        cases[f"tanqiya {profile} normalize_many"] = lambda n=n: n.normalize_many(corpus)
        kinds[f"tanqiya {profile} normalize_many"] = "batch"
    engine = Normalizer("search").engine
    if engine == "native":  # the fallback engine too, for comparison
        os.environ["TANQIYA_IMPLEMENTATION"] = "numpy"
        n = Normalizer("search")
        del os.environ["TANQIYA_IMPLEMENTATION"]
        cases["tanqiya search (numpy engine)"] = lambda n=n: n.normalize_many(corpus)
        kinds["tanqiya search (numpy engine)"] = "batch"
    cases["tanqiya normalize(line) search"] = lambda: [normalize(t) for t in corpus]
    for name, fn in peers().items():
        cases[name] = lambda f=fn: [f(t) for t in corpus]
    seconds = best_times(cases, args.repeat)
    rows = [
        {"name": name, "kind": kinds.get(name, "per call"), "seconds": t, "mb_per_s": megabytes / t}
        for name, t in seconds.items()
    ]

    base = {r["name"]: r["mb_per_s"] for r in rows}
    print(
        f"corpus: {len(corpus)} lines, {megabytes:.1f} MB UTF-8;"
        f" best CPU time of {args.repeat} interleaved rounds; engine: {engine}"
    )
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
                "engine": engine,
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
