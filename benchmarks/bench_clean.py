"""``tanqiya clean`` throughput and memory: the whole pass against each stage alone.

    python benchmarks/bench_clean.py [--pages 100000] [--sizes 100000,1000000]
                                     [--workers 1,2] [--min-docs 20] [--data DIR]
                                     [--rounds N]

Corpus (fixed seed 0): ``benchmarks/scraped_corpus.py`` pages as JSONL
(site templates, doubled headlines, syndicated copies; about 3.9 KB each),
generated once into ``--data`` and reused. Every run is
``tanqiya clean --id-field id --boilerplate-min-docs 20`` with the default
threshold (0.8), num_perm (128), 5-word shingles and document line scope.

1. The whole pass on ``--pages`` pages: the CLI in a subprocess under
   ``/usr/bin/time -v`` (wall and CPU time, peak RSS of the main process) and
   a sampler adding up the RSS of the process tree (the workers too), for each
   ``--workers`` count; its summary rows are checked against the generator's
   ground truth. Also the library path: :func:`normalize.clean.clean` on the
   texts in memory, no I/O.
2. Each stage alone, one worker, on that stage's real input (the previous
   stage's output, made before the clock starts), batches as the CLI makes
   them, each through the library's standalone calls, **making its own
   keys** (a stage alone cannot borrow the keys the pass makes once and
   carries): repair (``Normalizer("light").normalize_many``), duplicate
   lines (document scope: ``dedup_lines_keyed`` per batch, or
   ``dedup_lines`` per document in versions without it), boilerplate
   (``BoilerplateFilter.count`` on every document, then ``filter_many`` per
   batch: two streaming passes, each normalizing the lines, as a filter run
   alone over a corpus that does not fit in memory must) and documents
   (``DocumentDeduper.add`` + ``result``). The whole pass's throughput (CPU
   time, workers=1) is then a percentage of the slowest stage's. Each stage
   alone normalizes its input itself, the pass makes the keys once, so the
   pass can beat the sum of its stages; the rest of the difference is what
   the pass adds (reading, JSON, the spill, the audit, the output). With
   ``--workers 2`` the pass's wall time is compared to the slowest stage's
   one-core CPU time too (on this shared 2-core machine: a rough figure).
3. Peak RSS and RSS per document of the CLI (workers=1) at each of
   ``--sizes`` (``--skip-stages --sizes 1000000`` runs only this; results are
   merged into the JSON by size), and the document stage's state: the bytes
   of its per-document arrays (key hashes, signatures, lengths) divided by
   the documents.

With ``--rounds N`` the CLI runs and the stages alone of sections 1-2 take
turns N times and the best time of each counts (the shared machine only ever
slows a run down); every round's time is kept in the JSON.

Times are CPU seconds (user + sys) unless marked wall: the 2-core machine is
shared, and one run's CPU time moves by 10-20% with what runs on the other
core. To measure a commit while the checkout changes, run it on a copy:
``git archive HEAD normalize | tar -x -C DIR`` and
``TANQIYA_COMMIT=$(git rev-parse --short HEAD) PYTHONPATH=DIR python benchmarks/bench_clean.py``.
Results: a table on stdout and ``benchmarks/results/clean.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import scraped_corpus  # noqa: E402
from _measure import TreeSampler, commit, cpu_model  # noqa: E402

import normalize  # noqa: E402
from normalize import Normalizer, __version__  # noqa: E402
from normalize import lines as lines_module  # noqa: E402
from normalize.clean import CleanConfig, clean  # noqa: E402
from normalize.dedup import DocumentDeduper  # noqa: E402
from normalize.lines import BoilerplateFilter, dedup_lines  # noqa: E402

RESULTS = HERE / "results" / "clean.json"
TANQIYA = Path(sys.executable).with_name("tanqiya")
BATCH_DOCS, BATCH_CHARS = 1024, 1 << 20  # normalize.io.batched defaults, as the CLI reads
TARGET = 0.70


def code_state() -> str:
    """The commit of the ``normalize`` being measured: this checkout's HEAD
    (and whether normalize/ has changes), or $TANQIYA_COMMIT for a copy
    elsewhere (``git archive HEAD normalize | tar -x -C DIR``, run with
    PYTHONPATH=DIR so that work in progress in the checkout does not leak in)."""
    where = Path(normalize.__file__).resolve().parent
    if where != ROOT / "normalize":
        return f"{os.environ.get('TANQIYA_COMMIT', 'unknown commit')} (copy at {where})"
    return commit(ROOT)


# --- the corpus -------------------------------------------------------------------------------


def corpus(pages: int, data: Path, min_docs: int) -> tuple[Path, dict[str, object]]:
    """The JSONL corpus of ``pages`` pages and its truth for ``min_docs``,
    generated if missing (or older than the generator)."""
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"scraped-{pages}.jsonl"
    truth_path = data / f"scraped-{pages}.truth-{min_docs}.json"
    made = Path(scraped_corpus.__file__).stat().st_mtime
    if not (truth_path.exists() and path.exists() and path.stat().st_mtime > made):
        start = time.perf_counter()
        truth = scraped_corpus.generate(pages, path)
        summary = truth.summary(min_docs)
        summary["generate_seconds"] = round(time.perf_counter() - start, 1)
        truth_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    out: dict[str, object] = json.loads(truth_path.read_text())
    return path, out


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def batches(texts: list[str]) -> Iterator[list[str]]:
    """Groups of texts as the CLI's reader makes them."""
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if len(batch) >= BATCH_DOCS or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# --- 1. the whole pass ------------------------------------------------------------------------


SUMMARY_ROW = re.compile(r"^  (\S.*?)\s{2,}([\d,]+)$")


def run_cli(path: Path, workers: int, min_docs: int, out: Path) -> dict[str, object]:
    """``tanqiya clean`` in a subprocess under ``/usr/bin/time -v``."""
    command = [
        str(TANQIYA),
        "clean",
        str(path),
        "--id-field",
        "id",
        "-o",
        str(out / "clean.jsonl"),
        "--audit",
        str(out / "removed.jsonl"),
        "--boilerplate-min-docs",
        str(min_docs),
        "--workers",
        str(workers),
        "--force",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(
        ["/usr/bin/time", "-v", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    text = stderr.decode()
    if proc.returncode != 0:
        raise RuntimeError(text)

    def field(name: str) -> str:
        return re.search(rf"^\s*{re.escape(name)}: (.*)$", text, re.M).group(1)  # type: ignore[union-attr]

    rows = {
        m[1]: int(m[2].replace(",", "")) for m in map(SUMMARY_ROW.match, text.splitlines()) if m
    }
    return {
        "command": " ".join(["tanqiya", *command[1:]]),
        "workers": workers,
        "wall_seconds": wall,
        # user + sys of the command and the children it waited for; the pool's
        # workers are the forkserver's children, so the sampled tree CPU when more
        "cpu_seconds": max(
            float(field("User time (seconds)")) + float(field("System time (seconds)")),
            sampler.tree_cpu,
        ),
        "peak_rss_bytes": int(field("Maximum resident set size (kbytes)")) * 1024,
        "peak_tree_rss_bytes": sampler.peak,
        "summary": rows,
    }


def library_pass(texts: list[str], config: CleanConfig) -> dict[str, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = clean(texts, config)
    out = {"cpu_seconds": time.process_time() - cpu, "wall_seconds": time.perf_counter() - wall}
    out["kept"] = len(result.keep)
    return out


# --- 2. each stage alone ----------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    return value, time.process_time() - cpu, time.perf_counter() - wall


def stages_alone(texts: list[str], min_docs: int) -> tuple[list[dict[str, object]], float]:
    """Each stage on its real input through the library's standalone calls,
    each making its own keys (the pass makes them once and carries them,
    which is part of what it is measured on); also the document stage's
    state bytes per document."""
    rows: list[dict[str, object]] = []
    light = Normalizer("light")
    keyed = getattr(lines_module, "dedup_lines_keyed", None)
    many = getattr(lines_module, "dedup_lines_many", None)
    filter_many = getattr(BoilerplateFilter, "filter_many", None)

    def repair(docs: list[str]) -> list[str]:
        out: list[str] = []
        for batch in batches(docs):
            out += light.normalize_many(batch)
        return out

    def lines(docs: list[str]) -> list[str]:
        out: list[str] = []
        for batch in batches(docs):
            if keyed is not None:
                out += [result.text for result, _ in keyed(batch, scope="document")]
            elif many is not None:
                out += [r.text for r in many(batch, scope="document", profile="dedup")]
            else:
                out += [dedup_lines(t, scope="document", profile="dedup").text for t in batch]
        return out

    def boilerplate(docs: list[str]) -> list[str]:
        f = BoilerplateFilter(min_docs=min_docs, min_chars=10, profile="dedup")
        for batch in batches(docs):
            f.count(batch)
        out: list[str] = []
        for batch in batches(docs):
            if filter_many is not None:
                out += [r.text for r in f.filter_many(batch)]
            else:
                out += [f.filter(t).text for t in batch]
        return out

    state = 0.0

    def documents(docs: list[str]) -> int:
        nonlocal state
        dd = DocumentDeduper(threshold=0.8, num_perm=128, ngram=5, profile="dedup", workers=1)
        dd.add(docs)
        dd._drain()
        arrays = [a for part in dd._parts for a in (part.keys, part.signatures, part.lengths)]
        arrays += [part.empty for part in dd._parts]
        state = sum(a.nbytes for a in arrays) / len(docs)
        return len(dd.result().duplicate_of)

    line_api = (
        "dedup_lines_keyed per batch"
        if keyed
        else "dedup_lines_many per batch"
        if many
        else "dedup_lines per document"
    )
    filter_api = "filter_many per batch" if filter_many else "filter per document"
    docs = texts
    for name, fn in [
        ("repair: Normalizer('light').normalize_many per batch", repair),
        (f"duplicate lines: {line_api}", lines),
        (f"boilerplate: BoilerplateFilter.count + {filter_api}", boilerplate),
        ("documents: DocumentDeduper.add + result", documents),
    ]:
        value, cpu, wall = timed(lambda fn=fn, docs=docs: fn(docs))
        rows.append({"stage": name, "cpu_seconds": cpu, "wall_seconds": wall})
        print(f"   {name}: {cpu:.1f} s CPU ({wall:.1f} s wall)", flush=True)
        if isinstance(value, list):
            docs = value
    return rows, state


# --- main -------------------------------------------------------------------------------------


def rate(docs: int, megabytes: float, seconds: float) -> dict[str, float]:
    return {"docs_per_s": docs / seconds, "mb_per_s": megabytes / seconds}


def check_truth(summary: dict[str, int], expected: dict[str, int]) -> dict[str, list[int]]:
    """Rows where the CLI's count differs from the ground truth: {row: [cli, truth]}."""
    return {k: [summary.get(k, -1), v] for k, v in expected.items() if summary.get(k) != v}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000, help="corpus of sections 1-2")
    parser.add_argument("--sizes", default="", help="corpus sizes for section 3 (CLI only)")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--min-docs", type=int, default=20)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "tanqiya-bench")
    parser.add_argument("--skip-stages", action="store_true", help="section 3 only")
    parser.add_argument(
        "--rounds", type=int, default=1, help="interleaved rounds of 1-2; the best of each counts"
    )
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "tanqiya": __version__,
        "commit": code_state(),
        "load_average_at_start": os.getloadavg(),
    }
    print(info, flush=True)
    results: dict[str, object] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["machine"] = info
    invocation = {
        "argv": sys.argv[1:],
        "commit": info["commit"],
        "load": info["load_average_at_start"],
    }
    out = args.data / "out"
    out.mkdir(parents=True, exist_ok=True)

    if not args.skip_stages:
        path, truth = corpus(args.pages, args.data, args.min_docs)
        megabytes = path.stat().st_size / 1e6
        n = args.pages
        print(f"\ncorpus: {n:,} pages, {megabytes:.0f} MB JSONL ({path})", flush=True)
        texts = read_texts(path)
        runs: dict[int, list[dict[str, object]]] = {w: [] for w in workers}
        stage_rounds = []
        for round_ in range(1, args.rounds + 1):
            print(f"round {round_} of {args.rounds}", flush=True)
            for w in workers:
                run = run_cli(path, w, args.min_docs, out)
                run["mismatches"] = check_truth(run["summary"], truth["expected"])  # type: ignore[arg-type]
                runs[w].append(run)
                print(
                    f"1. tanqiya clean --workers {w}: {run['cpu_seconds']:.1f} s CPU, "
                    f"{run['wall_seconds']:.1f} s wall, peak RSS "
                    f"{run['peak_rss_bytes'] / 2**20:.0f} MiB "  # type: ignore[operator]
                    f"(tree {run['peak_tree_rss_bytes'] / 2**20:.0f} MiB), "  # type: ignore[operator]
                    f"truth {'matches' if not run['mismatches'] else run['mismatches']}",
                    flush=True,
                )
            print("2. stages alone (one worker):", flush=True)
            stages, state = stages_alone(texts, args.min_docs)
            stage_rounds.append(stages)
        # best of the interleaved rounds: the shared machine only ever slows a run down
        passes = [min(runs[w], key=lambda r: r["wall_seconds"]) for w in workers]  # type: ignore[arg-type, return-value]
        for run in passes:
            run |= {
                "cpu": rate(n, megabytes, run["cpu_seconds"]),  # type: ignore[arg-type]
                "wall": rate(n, megabytes, run["wall_seconds"]),  # type: ignore[arg-type]
                "wall_seconds_by_round": [r["wall_seconds"] for r in runs[run["workers"]]],  # type: ignore[index]
            }
        stages = [
            min(rows, key=lambda r: r["cpu_seconds"])
            | {"cpu_seconds_by_round": [r["cpu_seconds"] for r in rows]}  # type: ignore[arg-type, return-value]
            for rows in zip(*stage_rounds, strict=True)
        ]
        lib = library_pass(texts, CleanConfig(boilerplate_min_docs=args.min_docs))
        lib |= rate(n, megabytes, lib["cpu_seconds"])
        print(f"   library clean(): {lib['cpu_seconds']:.1f} s CPU", flush=True)
        del texts
        for row in stages:
            row |= rate(n, megabytes, row["cpu_seconds"])  # type: ignore[arg-type]
        slowest = max(stages, key=lambda r: r["cpu_seconds"])  # type: ignore[arg-type, return-value]
        one = next(p for p in passes if p["workers"] == 1)
        stage_sum = sum(r["cpu_seconds"] for r in stages)  # type: ignore[misc]
        comparison = {
            "slowest_stage": slowest["stage"],
            "pass_vs_slowest_cpu": slowest["cpu_seconds"] / one["cpu_seconds"],
            "pass_wall_by_workers_vs_slowest_cpu": {
                str(p["workers"]): slowest["cpu_seconds"] / p["wall_seconds"] for p in passes
            },
            "library_vs_slowest_cpu": slowest["cpu_seconds"] / lib["cpu_seconds"],
            "ceiling_sum_of_stages": slowest["cpu_seconds"] / stage_sum,
            "sum_of_stages_cpu_seconds": stage_sum,
            "pass_overhead_cpu_seconds": one["cpu_seconds"] - stage_sum,
            "target": TARGET,
        }
        results |= {
            "invocation": invocation,
            "corpus": {"pages": n, "megabytes": megabytes, "truth": truth},
            "whole_pass": passes,
            "library_pass": lib,
            "stages": stages,
            "comparison": comparison,
            "document_state_bytes_per_doc": state,
        }
        print_table(n, megabytes, passes, lib, stages, comparison, state)

    scaling: dict[str, object] = results.setdefault("scaling", {})  # type: ignore[assignment]
    for size in sizes:
        path, truth = corpus(size, args.data, args.min_docs)
        if size == args.pages and not args.skip_stages:
            run = dict(next(p for p in passes if p["workers"] == 1))  # the run of section 1
        else:
            run = run_cli(path, 1, args.min_docs, out)
            run["mismatches"] = check_truth(run["summary"], truth["expected"])  # type: ignore[arg-type]
        run["rss_bytes_per_doc"] = run["peak_rss_bytes"] / size  # type: ignore[operator]
        run["megabytes"] = path.stat().st_size / 1e6
        run["invocation"] = invocation
        scaling[str(size)] = run
        print(
            f"3. {size:,} pages: {run['wall_seconds']:.0f} s wall, peak RSS "
            f"{run['peak_rss_bytes'] / 2**20:.0f} MiB = "
            f"{run['rss_bytes_per_doc']:,.0f} bytes/document",
            flush=True,
        )
    if len(scaling) >= 2:
        small, large = sorted(scaling, key=int)[0], sorted(scaling, key=int)[-1]
        a, b = scaling[small], scaling[large]
        marginal = (b["peak_rss_bytes"] - a["peak_rss_bytes"]) / (int(large) - int(small))  # type: ignore[index]
        results["marginal_rss_bytes_per_doc"] = {f"{small}->{large}": marginal}
        print(f"   marginal RSS {small} -> {large}: {marginal:,.0f} bytes/document")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


def print_table(
    n: int,
    megabytes: float,
    passes: list[dict[str, object]],
    lib: dict[str, float],
    stages: list[dict[str, object]],
    comparison: dict[str, object],
    state: float,
) -> None:
    print(f"\n{n:,} pages, {megabytes:.0f} MB")
    print("case | docs/s (CPU) | MB/s (CPU) | docs/s (wall) | CPU s | wall s | peak RSS (tree)")

    def row(name: str, cpu: float, wall: float, rss: str = "-") -> None:
        print(
            f"{name} | {n / cpu:,.0f} | {megabytes / cpu:.2f} | {n / wall:,.0f} | "
            f"{cpu:.1f} | {wall:.1f} | {rss}"
        )

    for p in passes:
        rss = f"{p['peak_rss_bytes'] / 2**20:,.0f} MiB ({p['peak_tree_rss_bytes'] / 2**20:,.0f})"  # type: ignore[operator]
        row(f"tanqiya clean --workers {p['workers']}", p["cpu_seconds"], p["wall_seconds"], rss)  # type: ignore[arg-type]
    row("library clean(), 1 worker", lib["cpu_seconds"], lib["wall_seconds"])
    for s in stages:
        row(f"alone: {s['stage']}", s["cpu_seconds"], s["wall_seconds"])  # type: ignore[arg-type]
    print(
        f"\nwhole pass (CLI, 1 worker) = {comparison['pass_vs_slowest_cpu']:.0%} of the slowest "
        f"stage alone ({comparison['slowest_stage']}); library clean() "
        f"{comparison['library_vs_slowest_cpu']:.0%}; the stages in sequence (each alone, "
        f"making its own keys) {comparison['ceiling_sum_of_stages']:.0%}; target {TARGET:.0%}"
    )
    for w, ratio in comparison["pass_wall_by_workers_vs_slowest_cpu"].items():  # type: ignore[attr-defined]
        print(f"   --workers {w}: slowest stage (1 core, CPU) / pass wall time = {ratio:.0%}")
    print(f"document stage state: {state:.0f} bytes/document")


if __name__ == "__main__":
    main()
