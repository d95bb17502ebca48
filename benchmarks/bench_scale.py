"""``tanqiya dedup`` at corpus scale: time and peak memory against corpus size.

    python benchmarks/bench_scale.py [--sizes 10000,30000,100000,300000,1000000]
                                     [--doc-chars 3000] [--workers 2] [--data DIR]
                                     [--rounds 1] [--no-plot] [--keep-output]
    python benchmarks/bench_scale.py --library [--docs 1000000]

Corpus (fixed seed 0, never committed): JSONL records ``{"id", "text"}`` of
about ``--doc-chars`` characters, drawn from a pool of sentences made of
pyarabic's words (``tests/neardup_data``); every tenth document is a copy of a
recent one with one sentence dropped (a near duplicate) and every fiftieth an
exact copy. It is generated once into ``--data``, streaming, one file per size
in one pass (each file is a prefix of the largest), with its ground truth:
each document's label (fresh, exact, near) and the document it copies.

Each round runs the start-up case and then every size once; with
``--rounds R`` each size keeps its fastest round (this machine's speed drifts
by up to half within minutes, so one round can flatter or wrong a size).
Each size: the real CLI in a subprocess,
``tanqiya dedup FILE --workers N --audit A -o OUT --text-field text --id-field id``;
wall time, CPU time (user + sys of the CLI and its workers), peak RSS of the
process tree (a sampler adds up the RSS of the process and its descendants
every 0.2 s) and of the largest single process, time per document (of the
whole process, and of the command alone: the time its summary reports, from
the start of the command to its summary, without the interpreter's start,
the imports and the exit), and the
load average before and after. The summary the CLI prints and the audit are
checked against the truth. Then the flatness of the time per document: the
largest over the smallest across sizes, and the largest size against the
smallest. Results: a table on stdout, ``benchmarks/results/scale_cli.json``
and ``scale_cli.png`` (time per document and peak RSS against size).

``--library`` measures the library path instead: ``DocumentDeduper(workers=N).add``
in batches of ``--batch``, then ``result()``, in this process
(``benchmarks/results/scale.json``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT / "tests"))

from _measure import TreeSampler, commit, cpu_model, load_average  # noqa: E402
from neardup_data import plain_documents  # noqa: E402

import normalize  # noqa: E402
from normalize.dedup import DocumentDeduper  # noqa: E402

TANQIYA = Path(sys.executable).with_name("tanqiya")
GENERATOR = 1  # bump when the corpus changes: the data files carry it in their names
FRESH, EXACT, NEAR = 0, 1, 2
STARTUP_DOCS, STARTUP_RUNS = 100, 3
SUMMARY_ROW = re.compile(r"^  (\S.*?)\s{2,}([\d,]+)$")
SUMMARY_TIME = re.compile(r"^tanqiya: dedup: .*, ([\d.]+) s$", re.MULTILINE)


# --- the corpus -------------------------------------------------------------------------------


def documents(n: int, doc_chars: int, seed: int = 0) -> Iterator[tuple[str, int, int]]:
    """``(text, label, origin)`` of ``n`` documents: ``origin`` is the index of
    the fresh document a copy was made from (its own index for a fresh one)."""
    rng = random.Random(seed)
    sentences = [s for d in plain_documents(2000, seed=seed, doc_chars=600) for s in d.split(".")]
    sentences = [s.strip() + "." for s in sentences if len(s) > 20]
    per_doc = max(1, doc_chars // (sum(map(len, sentences)) // len(sentences) + 1))
    recent: list[tuple[int, list[str]]] = []
    for i in range(n):
        if i % 50 == 49 and recent:
            origin, parts = rng.choice(recent)
            label = EXACT
        elif i % 10 == 9 and recent:
            origin, base = rng.choice(recent)
            parts = list(base)
            del parts[rng.randrange(len(parts))]
            label = NEAR
        else:
            origin, parts, label = i, rng.choices(sentences, k=per_doc), FRESH
            recent.append((i, parts))
            if len(recent) > 1000:
                recent.pop(0)
        yield " ".join(parts), label, origin


def corpus(sizes: list[int], doc_chars: int, data: Path) -> tuple[dict[int, Path], Path]:
    """One JSONL file per size and the truth file, generated if missing (a
    smaller file is cut from a larger one when there is one)."""
    data.mkdir(parents=True, exist_ok=True)
    stem = f"scale-g{GENERATOR}-{doc_chars}c"
    paths = {n: data / f"{stem}-{n}.jsonl" for n in sizes}
    n = max(sizes)
    truth = data / f"{stem}-truth-{n}.npz"
    if not (truth.exists() and paths[n].exists()):
        generate(n, doc_chars, paths[n], truth)
    for size, path in paths.items():
        if not path.exists():
            temp = path.with_suffix(".tmp")
            with paths[n].open("rb") as src, temp.open("wb") as dst:
                dst.writelines(itertools.islice(src, size))
            temp.replace(path)
    return paths, truth


def generate(n: int, doc_chars: int, path: Path, truth: Path) -> None:
    """Write ``n`` documents to ``path`` (streaming) and their labels to ``truth``."""
    start = time.perf_counter()
    labels = np.zeros(n, dtype=np.int8)
    origins = np.zeros(n, dtype=np.int64)
    temp = path.with_suffix(".tmp")
    with temp.open("wb") as f:
        for i, (text, label, origin) in enumerate(documents(n, doc_chars)):
            labels[i], origins[i] = label, origin
            f.write((json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n").encode())
    temp.replace(path)
    np.savez(truth, labels=labels, origins=origins)
    seconds = time.perf_counter() - start
    print(f"generated {n:,} documents in {seconds:.0f} s ({path.stat().st_size / 1e9:.2f} GB)")


def expected(truth: Path, n: int) -> dict[str, int]:
    """The counts the CLI's summary should show for the first ``n`` documents."""
    with np.load(truth) as saved:
        labels, origins = saved["labels"][:n], saved["origins"][:n]
    copies = labels != FRESH
    return {
        "documents in": n,
        "exact duplicates": int((labels == EXACT).sum()),
        "near duplicates": int((labels == NEAR).sum()),
        "clusters": len(np.unique(origins[copies])),
        "kept": int((~copies).sum()),
    }


# --- one CLI run ------------------------------------------------------------------------------


def run_cli(path: Path, workers: int, work: Path) -> dict[str, object]:
    """``tanqiya dedup`` on ``path`` in a subprocess: times, peak RSS, summary."""
    out, audit = work / "kept.jsonl", work / "audit.jsonl"
    command = [
        str(TANQIYA),
        "dedup",
        str(path),
        "--workers",
        str(workers),
        "--audit",
        str(audit),
        "-o",
        str(out),
        "--text-field",
        "text",
        "--id-field",
        "id",
        "--force",
    ]
    load_before = load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    peak_tree = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = stderr.decode()
    if proc.returncode != 0:
        raise RuntimeError(text)
    rows = {
        m[1]: int(m[2].replace(",", "")) for m in map(SUMMARY_ROW.match, text.splitlines()) if m
    }
    elapsed = SUMMARY_TIME.search(text)
    with audit.open(encoding="utf-8") as f:
        reasons = Counter(json.loads(line)["reason"] for line in f)
    return {
        "command": " ".join(["tanqiya", *command[1:]]),
        "wall_seconds": wall,
        # the time the command reports: from its start (the interpreter up,
        # tanqiya imported, the arguments parsed) to its summary
        "command_seconds": float(elapsed[1]) if elapsed else float("nan"),
        # the pool's workers are the forkserver's children, never waited for
        # here: their CPU comes from the sampler
        "cpu_seconds": max(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            sampler.tree_cpu,
        ),
        "peak_tree_rss_bytes": peak_tree,
        "peak_process_rss_bytes": after.ru_maxrss * 1024,  # the largest process so far
        "load_before": load_before,
        "load_after": load_average(),
        "summary": rows,
        "audit_reasons": dict(reasons),
        "output_bytes": out.stat().st_size,
    }


def startup_cost(path: Path, workers: int, data: Path) -> dict[str, float]:
    """The fixed cost of a run: the best of a few runs on a tiny input."""
    work = data / "run-startup"
    work.mkdir(exist_ok=True)
    runs = [run_cli(path, workers, work) for _ in range(STARTUP_RUNS)]
    shutil.rmtree(work)
    return {
        "docs": STARTUP_DOCS,
        "wall_seconds": min(r["wall_seconds"] for r in runs),
        "cpu_seconds": min(r["cpu_seconds"] for r in runs),
        "command_seconds": min(r["command_seconds"] for r in runs),
    }


def check(run: dict[str, object], truth: dict[str, int]) -> dict[str, object]:
    """Found against planted, within 0.1% for exact copies (a near copy can
    normalize to its original's key) and 1% for near copies (dropping a long
    sentence can take a copy's Jaccard under the threshold, and a
    128-permutation estimate can fall under it)."""
    summary: dict[str, int] = run["summary"]
    audit: dict[str, int] = run["audit_reasons"]
    diff = {k: summary.get(k, -1) - v for k, v in truth.items()}
    audit_ok = audit.get("exact", 0) == summary.get("exact duplicates") and audit.get(
        "near", 0
    ) == summary.get("near duplicates")
    near = truth["near duplicates"]
    recall = (near + min(0, diff["near duplicates"])) / near if near else 1.0
    return {
        "truth": truth,
        "found_minus_truth": diff,
        "audit_matches_summary": audit_ok,
        "near_recall": recall,
        "ok": audit_ok
        and abs(diff["exact duplicates"]) <= max(1, truth["exact duplicates"] // 1000)
        and abs(diff["near duplicates"]) <= near // 100,
    }


def sweep(args: argparse.Namespace) -> None:
    """Every size once per round, rounds interleaved (this machine's speed
    drifts by up to half within minutes); each size's best round counts, and
    the start-up is the best over all rounds."""
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    paths, truth = corpus([STARTUP_DOCS, *sizes], args.doc_chars, args.data)
    startups: list[dict[str, float]] = []
    tried: dict[int, list[dict[str, object]]] = {n: [] for n in sizes}
    for round_ in range(1, args.rounds + 1):
        startups.append(startup_cost(paths[STARTUP_DOCS], args.workers, args.data))
        print(
            f"round {round_}: startup ({STARTUP_DOCS} documents, best of {STARTUP_RUNS}): wall "
            f"{startups[-1]['wall_seconds']:.2f} s, CPU {startups[-1]['cpu_seconds']:.2f} s",
            flush=True,
        )
        for n in sizes:
            work = args.data / f"run-{n}"
            work.mkdir(exist_ok=True)
            run = {"docs": n, "input_bytes": paths[n].stat().st_size, "round": round_}
            run |= run_cli(paths[n], args.workers, work)
            run["check"] = check(run, expected(truth, n))
            if not args.keep_output:
                shutil.rmtree(work)
            tried[n].append(run)
            print(f"round {round_}: {row(run)}", flush=True)
    startup = {key: min(s[key] for s in startups) for key in startups[0]}
    runs: list[dict[str, object]] = []
    for n in sizes:
        run = min(tried[n], key=lambda r: r["wall_seconds"])
        run["wall_seconds_by_round"] = [r["wall_seconds"] for r in tried[n]]
        run["command_seconds_by_round"] = [r["command_seconds"] for r in tried[n]]
        run["seconds_per_doc"] = run["wall_seconds"] / n
        run["command_seconds_per_doc"] = run["command_seconds"] / n
        run["cpu_seconds_per_doc"] = run["cpu_seconds"] / n
        run["marginal_seconds_per_doc"] = (run["wall_seconds"] - startup["wall_seconds"]) / n
        run["marginal_cpu_seconds_per_doc"] = (run["cpu_seconds"] - startup["cpu_seconds"]) / n
        runs.append(run)
    print(
        f"best of {args.rounds} round(s): startup wall {startup['wall_seconds']:.2f} s "
        f"(in the command {startup['command_seconds']:.2f} s)"
    )
    for run in runs:
        print(row(run))
    flat = {}
    for name, key in (
        ("wall", "seconds_per_doc"),
        ("command", "command_seconds_per_doc"),
        ("cpu", "cpu_seconds_per_doc"),
        ("marginal_wall", "marginal_seconds_per_doc"),
        ("marginal_cpu", "marginal_cpu_seconds_per_doc"),
    ):
        values: list[float] = [r[key] for r in runs]
        flat[f"{name}_max_over_min"] = max(values) / min(values)
        flat[f"{name}_largest_over_smallest"] = values[-1] / values[0]
    out = {
        "benchmark": "scale_cli",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "tanqiya": normalize.__version__,
        "commit": commit(ROOT),
        "normalize_from": str(Path(normalize.__file__).parent),
        "startup": startup,
        "doc_chars": args.doc_chars,
        "workers": args.workers,
        "rounds": args.rounds,
        "runs": runs,
        "flatness": flat,
    }
    for name in ("wall", "command", "cpu", "marginal_wall", "marginal_cpu"):
        print(
            f"time per document ({name}): max/min over sizes "
            f"{flat[f'{name}_max_over_min']:.2f}, {sizes[-1]:,} vs {sizes[0]:,} "
            f"{flat[f'{name}_largest_over_smallest']:.2f}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "scale_cli.json"
    target.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    if not args.no_plot:
        plot(runs, args.workers, RESULTS / "scale_cli.png")
        print(f"wrote {(RESULTS / 'scale_cli.png').relative_to(ROOT)}")


def row(run: dict[str, object]) -> str:
    c: dict[str, object] = run["check"]
    s: dict[str, int] = run["summary"]
    return (
        f"{run['docs']:>9,} docs  wall {run['wall_seconds']:7.1f} s  "
        f"(command {run['command_seconds']:7.1f} s)  "
        f"CPU {run['cpu_seconds']:7.1f} s  "
        f"tree peak {run['peak_tree_rss_bytes'] / 2**20:6,.0f} MiB  "
        f"{run['wall_seconds'] / run['docs'] * 1e6:6.0f} us/doc  load {run['load_before'][0]:.2f}->"
        f"{run['load_after'][0]:.2f}  exact {s.get('exact duplicates')} near "
        f"{s.get('near duplicates')} clusters {s.get('clusters')}  "
        f"truth {'ok' if c['ok'] else 'DIFFERS'} {c['found_minus_truth']}"
    )


def plot(runs: list[dict[str, object]], workers: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docs = [r["docs"] for r in runs]
    fig, (ax_time, ax_mem) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, style, label in (
        ("seconds_per_doc", "o-", "wall"),
        ("command_seconds_per_doc", "d-", "wall, in the command"),
        ("cpu_seconds_per_doc", "s--", "CPU (all processes)"),
        ("marginal_cpu_seconds_per_doc", "^:", "CPU minus the startup run's"),
    ):
        ax_time.plot(docs, [r[key] * 1e6 for r in runs], style, label=label)
    ax_time.set_ylim(bottom=0)
    ax_time.set(
        xscale="log",
        xlabel="documents (~3 KB each)",
        ylabel="microseconds per document",
        title="time per document",
    )
    for key, style, label in (
        ("peak_tree_rss_bytes", "o-", "process tree"),
        ("peak_process_rss_bytes", "s--", "largest process"),
    ):
        ax_mem.plot(docs, [r[key] / 2**20 for r in runs], style, label=label)
    ax_mem.set(
        xscale="log", yscale="log", xlabel="documents (~3 KB each)", ylabel="MiB", title="peak RSS"
    )
    for ax in (ax_time, ax_mem):
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    fig.suptitle(f"tanqiya dedup --workers {workers}, JSONL in and out, with audit")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# --- the library path -------------------------------------------------------------------------


def batched(items: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def library(args: argparse.Namespace) -> None:
    sampler = TreeSampler(os.getpid())
    sampler.start()
    start = time.perf_counter()
    chars = 0
    texts = (text for text, _, _ in documents(args.docs, args.doc_chars))
    with DocumentDeduper(workers=args.workers) as deduper:
        for batch in batched(texts, args.batch):
            chars += sum(map(len, batch))
            deduper.add(batch)
        added = time.perf_counter() - start
        result = deduper.result()
    total = time.perf_counter() - start
    peak = sampler.stop()
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
        "peak_rss_mb_all_processes": peak / 2**20,
        "kept": len(result.keep),
        "removed": len(result.duplicate_of),
        "exact": sum(r == "exact" for r in result.reason.values()),
        "near": sum(r == "near" for r in result.reason.values()),
    }
    for key, value in out.items():
        print(f"{key:28} {value:.2f}" if isinstance(value, float) else f"{key:28} {value}")
    path = RESULTS / "scale.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000,300000,1000000")
    parser.add_argument("--doc-chars", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved; best round counts")
    parser.add_argument("--data", type=Path, default=Path("/tmp/tanqiya-scale"))
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--keep-output", action="store_true", help="keep each run's output")
    parser.add_argument("--library", action="store_true", help="the library path instead")
    parser.add_argument("--docs", type=int, default=1_000_000, help="with --library")
    parser.add_argument("--batch", type=int, default=10_000, help="with --library")
    args = parser.parse_args()
    if args.library:
        library(args)
    else:
        sweep(args)


if __name__ == "__main__":
    main()
