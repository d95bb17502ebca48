"""Duplicate-line removal throughput and memory: normalize.lines against its floor and peers.

    python benchmarks/bench_lines.py [--docs 3000] [--repeat 3] [--distinct 5000000]
                                     [--big-fuzzy 100000]

Corpus (fixed seed): scraped-like Arabic news pages built from the words of the
bundled seed page: a doubled headline per article (the caption copy sometimes
with harakat, tatweel, NBSP, ZWNJ or one extra word), paragraphs of 8-60
words, blank and NBSP-only lines, short lines, and boilerplate lines shared
across pages ("اقرأ أيضا", "المصدر: رويترز" ...). ~45 lines per page.

Sections:
1. lines/s and MB/s of each scope, one ``dedup_lines`` call per page, against
   the floor (``dict.fromkeys`` on the raw lines: exact, no normalization) and
   ``Normalizer("dedup").normalize_many`` on the same lines (the key cost the
   exact scopes must stay within 80% of), plus the whole corpus as one document.
2. Fuzzy document scope on a 500-line page against a Python double loop over
   ``rapidfuzz.fuzz.ratio`` (the same result is checked), and the time for a
   ``--big-fuzzy``-line document.
3. Peak memory per distinct key of ``BoilerplateFilter.count`` on ``--distinct``
   distinct lines (tracemalloc peak, which numpy reports to, and the RSS rise).

Each timing is the best of ``--repeat`` runs on one core. Results: a table on
stdout and ``benchmarks/results/lines.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import timeit
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import rapidfuzz
from _measure import cpu_model
from rapidfuzz import fuzz

from normalize import Normalizer
from normalize.lines import BoilerplateFilter, dedup_lines

HERE = Path(__file__).resolve().parent
SEED_FILE = HERE.parent / "seeds" / "000_c0df1516230a6e23.txt"
RESULTS = HERE / "results" / "lines.json"

BOILERPLATE = [
    "اقرأ أيضا",
    "المصدر: رويترز\u00a0",
    "شارك هذا المقال على فيسبوك وتويتر",
    "جميع الحقوق محفوظة لموقع الأخبار © 2017",
    "تابعونا على قناتنا في يوتيوب",
    "اشترك في النشرة البريدية لتصلك آخر الأخبار",
]
HARAKAT = "\u064e\u064f\u0650\u0652"


def seed_words() -> list[str]:
    return SEED_FILE.read_text(encoding="utf-8").split()


def variant(line: str, rng: random.Random, words: list[str]) -> str:
    """The caption copy of a headline: the same, or changed the way scraped copies are."""
    kind = rng.randrange(6)
    if kind == 1:
        return "".join(c + rng.choice(HARAKAT) if rng.random() < 0.3 else c for c in line)
    if kind == 2:
        return line.replace("ل", "لـــ", 1)
    if kind == 3:
        return line.replace(" ", "\u00a0", 1) + "\u00a0"
    if kind == 4:
        return line.replace(" ", "\u200c ", 1)
    if kind == 5:
        return f"{line} {rng.choice(words)}"
    return line


def page(rng: random.Random, words: list[str], number: int) -> str:
    out: list[str] = []
    for _ in range(2):
        title = " ".join(rng.choices(words, k=rng.randint(5, 12)))
        out += [title, variant(title, rng, words), ""]
        for _ in range(rng.randint(5, 9)):
            out += [" ".join(rng.choices(words, k=rng.randint(8, 60))), ""]
            if rng.random() < 0.2:
                out += ["", "\u00a0", ""]
            if rng.random() < 0.15:
                out += [" ".join(rng.choices(words, k=2)), ""]
        out += [rng.choice(BOILERPLATE), "", f"رقم الصفحة {number}", ""]
        out += rng.sample(BOILERPLATE, 2)
    return "\n".join(out) + "\n"


def pages(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words = seed_words()
    return [page(rng, words, n) for n in range(count)]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """CPU seconds of the best run: other jobs on a shared machine move wall time more."""
    return min(timeit.repeat(fn, number=1, repeat=repeat, timer=time.process_time))


# --- 1. throughput ------------------------------------------------------------------------


def interleaved(
    cases: dict[str, Callable[[list[str]], object]], docs: list[str], rounds: int, chunk: int
) -> dict[str, list[float]]:
    """Total CPU seconds of each case over ``docs`` in each round, the cases
    taking turns on each chunk of ``chunk`` documents (in a rotating order,
    after an untimed round), so a change in the machine's load or memory state
    hits them alike."""
    names = list(cases)
    totals = {name: [0.0] * rounds for name in names}
    for r in range(-1, rounds):
        for k, start in enumerate(range(0, len(docs), chunk)):
            part = docs[start : start + chunk]
            shift = (r + k) % len(names)
            for name in names[shift:] + names[:shift]:
                cpu = time.process_time()
                cases[name](part)
                if r >= 0:
                    totals[name][r] += time.process_time() - cpu
    return totals


def throughput(docs: list[str], repeat: int) -> list[dict[str, object]]:
    n_lines = sum(len(d.split("\n")) - 1 for d in docs)
    megabytes = sum(len(d.encode()) for d in docs) / 1e6
    normalizer = Normalizer("dedup")

    def each(fn: Callable[[str], object]) -> Callable[[list[str]], object]:
        return lambda part: [fn(d) for d in part]

    def boilerplate(part: list[str]) -> None:
        f = BoilerplateFilter(min_docs=50, min_chars=5)
        f.count(part)
        for d in part:
            f.filter(d)

    per_page = {
        "floor: dict.fromkeys(raw lines)": each(lambda d: dict.fromkeys(d.split("\n"))),
        "normalize_many (dedup)": each(lambda d: normalizer.normalize_many(d.split("\n"))),
        "adjacent": each(dedup_lines),
        "document": each(lambda d: dedup_lines(d, scope="document")),
        "adjacent fuzzy=90": each(lambda d: dedup_lines(d, fuzzy=90)),
        "document fuzzy=90": each(lambda d: dedup_lines(d, scope="document", fuzzy=90)),
    }
    whole = {  # the whole corpus as one document, one call
        "one call: normalize_many": lambda part: normalizer.normalize_many(
            "".join(part).split("\n")
        ),
        "one call: adjacent": lambda part: dedup_lines("".join(part)),
        "one call: document": lambda part: dedup_lines("".join(part), scope="document"),
        "corpus: count + filter (2 passes)": boilerplate,
    }
    rounds = interleaved(per_page, docs, repeat, chunk=50)
    rounds |= interleaved(whole, docs, max(repeat, 7), chunk=len(docs))
    rows: list[dict[str, object]] = []
    for name, times in rounds.items():
        peer = "one call: normalize_many" if name in whole else "normalize_many (dedup)"
        sec = min(times)
        rows.append(
            {
                "case": name,
                "seconds": sec,
                "lines_per_s": n_lines / sec,
                "mb_per_s": megabytes / sec,
                # the median of the ratios within a round: pairs share the load
                "vs_normalize_many": statistics.median(
                    p / t for p, t in zip(rounds[peer], times, strict=True)
                ),
            }
        )
    removed = sum(len(dedup_lines(d).removed) for d in docs)
    print(
        f"\n1. {len(docs)} pages, {n_lines} lines, {megabytes:.1f} MB; adjacent removes {removed}"
    )
    print(
        f"{'case (one call per page unless said)':42} {'lines/s':>12} {'MB/s':>8} "
        f"{'vs normalize_many':>18}"
    )
    for r in rows:
        print(
            f"{r['case']:42} {r['lines_per_s']:12,.0f} {r['mb_per_s']:8.2f} "
            f"{r['vs_normalize_many']:17.0%}"
        )
    return rows


# --- 2. fuzzy -----------------------------------------------------------------------------


def naive_fuzzy(
    text: str, cutoff: float, lo: int, hi: int, *, use_cutoff: bool
) -> list[tuple[int, int]]:
    """Each non-blank line against every kept line, with fuzz.ratio (and its
    score_cutoff, which lets rapidfuzz stop early, if ``use_cutoff``)."""
    score_cutoff = cutoff if use_cutoff else 0
    normalizer = Normalizer("dedup")
    keys = normalizer.normalize_many(text.split("\n"))
    kept: list[int] = []
    removed = []
    for j, key in enumerate(keys):
        if not any(c.isalnum() for c in key):
            continue
        best, best_score = -1, -1.0
        for i in kept:
            a = keys[i]
            if a == key:
                s = 100.0
            elif lo <= len(a) <= hi and lo <= len(key) <= hi:
                s = fuzz.ratio(a, key, score_cutoff=score_cutoff)
            else:
                s = 0.0
            if s >= cutoff and s > best_score:
                best, best_score = i, s
        if best >= 0:
            removed.append((j + 1, best + 1))
        else:
            kept.append(j)
    return removed


def fuzzy_section(repeat: int, big: int) -> dict[str, object]:
    docs = pages(40, seed=1)
    lines = "".join(docs).split("\n")[:500]
    text = "\n".join(lines)

    def fast() -> list[tuple[int, int]]:
        r = dedup_lines(text, scope="document", fuzzy=90)
        return [(x.line, x.duplicate_of or 0) for x in r.removed]

    expected = fast()
    for use_cutoff in (False, True):
        same = naive_fuzzy(text, 90, 20, 2000, use_cutoff=use_cutoff) == expected
        assert same, "fuzzy result differs from the double loop"
    t_fast = best_time(fast, repeat)
    t_plain = best_time(lambda: naive_fuzzy(text, 90, 20, 2000, use_cutoff=False), 2)
    t_cutoff = best_time(lambda: naive_fuzzy(text, 90, 20, 2000, use_cutoff=True), 2)
    out: dict[str, object] = {
        "lines": 500,
        "removed": len(expected),
        "seconds": t_fast,
        "double_loop_seconds": t_plain,
        "double_loop_score_cutoff_seconds": t_cutoff,
        "speedup": t_plain / t_fast,
        "speedup_vs_score_cutoff": t_cutoff / t_fast,
    }
    print(f"\n2. fuzzy=90 document scope, 500 lines ({len(expected)} removed, same as the loops)")
    print(f"   normalize.lines                          {t_fast * 1e3:8.1f} ms")
    plain = f"{t_plain * 1e3:8.1f} ms {t_plain / t_fast:5.1f}x"
    print(f"   double loop, fuzz.ratio                  {plain}")
    print(
        f"   double loop, fuzz.ratio(score_cutoff=90) {t_cutoff * 1e3:8.1f} ms "
        f"{t_cutoff / t_fast:5.1f}x"
    )
    if big:
        lines = []
        for d in pages(big // 40 + 1, seed=3):
            lines += d.split("\n")
        big_text = "\n".join(lines[:big])
        cpu = time.process_time()
        r = dedup_lines(big_text, scope="document", fuzzy=90)
        seconds = time.process_time() - cpu
        out["big"] = {"lines": big, "cpu_seconds": seconds, "removed": len(r.removed)}
        print(f"   {big} lines (one document): {seconds:.1f} s, {len(r.removed)} removed")
    return out


# --- 3. corpus memory ----------------------------------------------------------------------


def distinct_documents(distinct: int, per_doc: int = 50) -> Iterator[str]:
    """``distinct`` different lines (plus a shared boilerplate line) in pages of ``per_doc``."""
    words = seed_words()[:200]
    rng = random.Random(4)
    made = 0
    while made < distinct:
        body = []
        for _ in range(min(per_doc, distinct - made)):
            body.append(f"{rng.choice(words)} {rng.choice(words)} {made}")
            made += 1
        body.append(BOILERPLATE[2])
        yield "\n".join(body)


def proc_status(field: str) -> int:
    """A memory figure of this process from /proc/self/status, in bytes. (Not
    ru_maxrss: Linux carries it over from the parent across fork and exec.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def memory_child(distinct: int) -> dict[str, object]:
    """Run in a fresh process: count ``distinct`` keys, measure the peak."""
    f = BoilerplateFilter(min_docs=3, min_chars=5)
    f.count(distinct_documents(1000))  # warm up: imports and caches
    f = BoilerplateFilter(min_docs=3, min_chars=5)
    rss_before = proc_status("VmRSS")
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    start = time.perf_counter()
    f.count(distinct_documents(distinct))
    keys = f.distinct_keys
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seconds = time.perf_counter() - start
    rss_rise = proc_status("VmHWM") - rss_before  # peak resident size of this process
    removed = len(f.filter(next(distinct_documents(10))).removed)
    return {
        "distinct_keys": keys,
        "peak_bytes": peak - base,
        "bytes_per_key": (peak - base) / keys,
        "rss_rise_bytes_per_key": rss_rise / keys,
        "count_seconds": seconds,
        "boilerplate": f.boilerplate_count,
        "removed_from_a_page": removed,
    }


def memory_section(distinct: int) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(distinct)],
        check=True,
        capture_output=True,
        text=True,
    )
    out: dict[str, object] = json.loads(child.stdout)
    print(
        f"\n3. BoilerplateFilter.count on {out['distinct_keys']:,} distinct keys "
        f"({out['count_seconds']:.0f} s with tracemalloc on, fresh process)"
    )
    print(
        f"   tracemalloc peak {out['peak_bytes'] / 2**20:.0f} MiB = "
        f"{out['bytes_per_key']:.1f} bytes/key; peak RSS rise "
        f"{out['rss_rise_bytes_per_key']:.1f} bytes/key; {out['boilerplate']} boilerplate "
        f"key, {out['removed_from_a_page']} line removed from a page"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--distinct", type=int, default=5_000_000)
    parser.add_argument("--big-fuzzy", type=int, default=100_000)
    parser.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_child)))
        return
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "rapidfuzz": rapidfuzz.__version__,
    }
    print(info)
    results = {
        "machine": info,
        "args": vars(args),
        "throughput": throughput(pages(args.docs), args.repeat),
        "fuzzy": fuzzy_section(args.repeat, args.big_fuzzy),
        "corpus_memory": memory_section(args.distinct) if args.distinct else None,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
