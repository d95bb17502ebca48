"""MinHash signatures from raw text: tanqiya against rensa and datasketch, in one run, on one core.

    python benchmarks/bench_minhash.py [--docs 20000] [--repeat 5] [--pairs 2000]

Corpus: ``tests/neardup_data.plain_documents`` (fixed seed): ~700-character
Arabic documents built from the words pyarabic ships. Every contender starts
from the raw text and does its own tokenizing, shingling (word 5-grams) and
hashing into 128 permutations:

- tanqiya ``MinHasher().signatures(texts)`` (fast mode: numpy shingling and
  hashing over whole batches);
- rensa 0.5 ``RMinHash.digest_matrix_from_token_sets`` plus the Python
  shingling it needs (``str.split`` and joined 5-grams), with
  ``RAYON_NUM_THREADS=1``;
- datasketch ``MinHash.bulk`` plus the same shingling, UTF-8 encoded.

All contenders are single-threaded (``--pin`` also pins the process to one
CPU). The contenders run in turn, ``--repeat`` rounds (datasketch in the first
two only), and each one's best wall-clock and best CPU time count; the ratios
use CPU time, which a burst of load from other processes on a shared machine
distorts least. Then the estimation
error: pairs of shingle sets with exact Jaccard spread over [0.3, 0.95], mean
|estimate - J| for each MinHash and for the binomial theory. Results: a table
on stdout and ``benchmarks/results/minhash.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before rensa is imported

import argparse
import json
import math
import platform
import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import datasketch  # noqa: E402
import rensa  # noqa: E402
from _measure import pin_one_core, timed  # noqa: E402
from neardup_data import plain_documents  # noqa: E402

from normalize.minhash import MinHasher, signature_similarity  # noqa: E402

NUM_PERM = 128
NGRAM = 5


def interleaved_best(
    fns: dict[str, Callable[[], object]], repeat: int, slow: set[str]
) -> dict[str, tuple[float, float]]:
    """Best wall and CPU time of each function over ``repeat`` rounds that run
    every contender in turn (``slow`` ones in the first two rounds only), so a
    burst of load from other processes hits them all alike."""
    best = {name: (float("inf"), float("inf")) for name in fns}
    for round_ in range(repeat):
        for name, fn in fns.items():
            if name in slow and round_ >= 2:
                continue
            wall, cpu = timed(fn)
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def python_shingles(text: str) -> list[str]:
    """What a rensa or datasketch user writes: split, then joined word 5-grams."""
    words = text.split()
    if not words:
        return []
    return [" ".join(words[i : i + NGRAM]) for i in range(max(len(words) - NGRAM + 1, 1))]


def contenders(docs: list[str]) -> dict[str, Callable[[], object]]:
    hasher = MinHasher(num_perm=NUM_PERM, ngram=NGRAM)

    def tanqiya() -> object:
        return hasher.signatures(docs)

    def rensa_matrix() -> object:
        tokens = [python_shingles(t) for t in docs]
        return rensa.RMinHash.digest_matrix_from_token_sets(tokens, NUM_PERM, 1)

    def datasketch_bulk() -> object:
        shingles = [[s.encode() for s in python_shingles(t)] for t in docs]
        return datasketch.MinHash.bulk(shingles, num_perm=NUM_PERM)

    return {
        "tanqiya MinHasher (fast)": tanqiya,
        "rensa RMinHash digest matrix + Python shingling": rensa_matrix,
        "datasketch MinHash.bulk + Python shingling": datasketch_bulk,
    }


def known_jaccard_pairs(
    docs: list[str], count: int, seed: int
) -> list[tuple[list[str], list[str], float]]:
    """Pairs (A, B) of real shingle sets with exact Jaccard spread over [0.3, 0.95]:
    B keeps part of A's shingles and adds shingles of another document."""
    rng = random.Random(seed)
    pool = [sorted(set(python_shingles(t))) for t in docs]
    pairs = []
    while len(pairs) < count:
        a, other = rng.sample(pool, 2)
        target = rng.uniform(0.3, 0.95)
        size = len(a)
        keep = round(2 * size * target / (1 + target))
        if keep < 2 or size - keep > len(other):
            continue
        b = a[:keep] + other[: size - keep]
        sa, sb = set(a), set(b)
        exact = len(sa & sb) / len(sa | sb)
        if 0.3 <= exact <= 0.95:
            pairs.append((a, b, exact))
    return pairs


def binomial_mean_error(j: float, k: int) -> float:
    """E|X/k - j| for X ~ Binomial(k, j): the ideal k-permutation MinHash."""
    return sum(math.comb(k, x) * j**x * (1 - j) ** (k - x) * abs(x / k - j) for x in range(k + 1))


def estimation_errors(docs: list[str], count: int) -> dict[str, float]:
    pairs = known_jaccard_pairs(docs, count, seed=1)
    fast = MinHasher(num_perm=NUM_PERM)
    errors: dict[str, list[float]] = {
        "tanqiya fast": [],
        "datasketch": [],
        "rensa": [],
        "theory": [],
    }
    for a, b, exact in pairs:
        ea, eb = [s.encode() for s in a], [s.encode() for s in b]
        est = signature_similarity(fast.from_shingles(ea), fast.from_shingles(eb))[0]
        errors["tanqiya fast"].append(abs(float(est) - exact))
        ma, mb = datasketch.MinHash(num_perm=NUM_PERM), datasketch.MinHash(num_perm=NUM_PERM)
        ma.update_batch(ea)
        mb.update_batch(eb)
        errors["datasketch"].append(abs(ma.jaccard(mb) - exact))
        ra, rb = rensa.RMinHash(NUM_PERM, 1), rensa.RMinHash(NUM_PERM, 1)
        ra.update(a)
        rb.update(b)
        errors["rensa"].append(abs(ra.jaccard(rb) - exact))
        errors["theory"].append(binomial_mean_error(exact, NUM_PERM))
    return {name: float(np.mean(values)) for name, values in errors.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--doc-chars", type=int, default=620)
    parser.add_argument("--pin", action="store_true", help="pin the process to one CPU")
    args = parser.parse_args()
    pinned = pin_one_core(args.pin)
    docs = plain_documents(args.docs, seed=0, doc_chars=args.doc_chars)
    total_chars = sum(map(len, docs))
    print(
        f"{len(docs)} documents, mean {total_chars / len(docs):.0f} characters; "
        f"{NUM_PERM} permutations, word {NGRAM}-grams; {pinned}"
    )
    fns = contenders(docs)
    for fn in fns.values():
        fn()  # warm up
    best = interleaved_best(fns, args.repeat, {n for n in fns if "datasketch" in n})
    rows = [
        {"name": name, "seconds": wall, "cpu_seconds": cpu, "docs_per_s": len(docs) / cpu}
        for name, (wall, cpu) in best.items()
    ]
    ours, ours_cpu = rows[0]["seconds"], rows[0]["cpu_seconds"]
    print(
        f"\n{'contender':50} {'wall s':>7} {'CPU s':>7} {'docs/CPU s':>10} "
        f"{'tanqiya is (CPU)':>17} {'(wall)':>7}"
    )
    for row in rows:
        row["tanqiya_speedup"] = row["cpu_seconds"] / ours_cpu
        row["tanqiya_speedup_wall"] = row["seconds"] / ours
        print(
            f"{row['name']:50} {row['seconds']:7.3f} {row['cpu_seconds']:7.3f} "
            f"{row['docs_per_s']:10.0f} {row['tanqiya_speedup']:16.1f}x "
            f"{row['tanqiya_speedup_wall']:6.1f}x"
        )
    errors = estimation_errors(docs, args.pairs)
    print(f"\nmean |estimate - J| over {args.pairs} pairs with J in [0.3, 0.95], {NUM_PERM} perms")
    for name, value in errors.items():
        print(f"  {name:14} {value:.4f}")
    ratio = errors["tanqiya fast"] / errors["datasketch"]
    print(f"  tanqiya / datasketch: {ratio:.3f} (target <= 1.1)")
    out = {
        "benchmark": "minhash",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "numpy": np.__version__,
        "datasketch": datasketch.__version__ if hasattr(datasketch, "__version__") else "",
        "docs": len(docs),
        "mean_chars": total_chars / len(docs),
        "num_perm": NUM_PERM,
        "ngram": NGRAM,
        "pinned": pinned,
        "results": rows,
        "estimation_pairs": args.pairs,
        "mean_abs_error": errors,
        "error_ratio_vs_datasketch": ratio,
    }
    path = ROOT / "benchmarks" / "results" / "minhash.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
