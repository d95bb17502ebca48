"""The ``tanqiya`` command: parse arguments, build the config, call the core,
write the output, report. Nothing else.

Adding a command: define it with ``@app.command("name", epilog=...)``, take
the shared option types from :mod:`normalize._cli_common` (``FilesArg``,
``TextFieldOpt``, ``OutputOpt``, ``QuietOpt`` ...), wrap its body in
``with reporting_errors(output):`` and build its reader with
:func:`~normalize._cli_common.read_options`. Errors then come out as one line,
``tanqiya: error: FILE:LINE: message``, with exit code 2 (130 on Ctrl-C), never
as a traceback. Counts go to stderr through ``print_summary``; removals to an
:class:`~normalize.audit.AuditWriter`.
"""

from __future__ import annotations

import atexit
import contextlib
import enum
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import numpy as np
import numpy.typing as npt
import typer

from normalize import __version__
from normalize._cli_common import (
    PROG,
    AuditOpt,
    ErrorsChoice,
    ErrorsOpt,
    FilesArg,
    ForceOpt,
    FormatChoice,
    FormatOpt,
    IdFieldOpt,
    OutputOpt,
    ProfileOpt,
    QuietOpt,
    SkipBadOpt,
    Stages,
    TextFieldOpt,
    check_one_file,
    check_outputs,
    check_range,
    document_read_options,
    input_rows,
    output_names,
    print_summary,
    progress,
    read_options,
    reporting_errors,
    say,
    show_progress,
    stop_on_signals,
    warn_empty,
)
from normalize._workers import Workers
from normalize.audit import AuditWriter
from normalize.dedup import DocumentDeduper
from normalize.dedup_files import sign_inputs, write_kept_records
from normalize.folders import (
    atomic_directory,
    check_directory,
    directory_names,
    document_writer,
)
from normalize.io import (
    STDIN,
    InputSpec,
    ReadStats,
    RecordWriter,
    batched,
    open_output,
    output_format_for,
    read_inputs,
    replayable,
    resolve_inputs,
    total_bytes,
)
from normalize.options import resolve
from normalize.text import Normalizer

if TYPE_CHECKING:  # imported where used: each command loads only its own stages
    from normalize.clean import CleanConfig
    from normalize.lines import BoilerplateFilter, LineDedup
    from normalize.pipeline import CleanRun
    from normalize.report import ReportData

APP_HELP: Final = "Normalize Arabic text and deduplicate Arabic corpora."
APP_EPILOG: Final = """\b
Examples:
  tanqiya normalize page.txt                    # search profile, to standard output
  tanqiya normalize -p light page.txt -o clean.txt
  cat page.txt | tanqiya normalize -p dedup -
  tanqiya normalize news.jsonl.gz --text-field body -o news.norm.jsonl.gz
  tanqiya lines page.txt                        # drop the doubled headline
  tanqiya dedup news.jsonl -o unique.jsonl --audit removed.jsonl
  tanqiya clean seeds/ -o cleaned/              # the whole pass, with a summary
  tanqiya COMMAND --help                        # a command's options
"""

NORMALIZE_EPILOG: Final = """\b
Examples:
  tanqiya normalize page.txt                  # plain text, line by line, to stdout
  tanqiya normalize -p light a.txt b.txt -o out.txt
  cat page.txt | tanqiya normalize -p dedup - > keys.txt
  tanqiya normalize news.jsonl --text-field body -o news.norm.jsonl
  tanqiya normalize --format jsonl --skip-bad - < dump.jsonl > clean.jsonl
  tanqiya normalize --errors replace legacy.txt.gz -o fixed.txt.gz

\b
Inputs: .txt (or any other extension) line by line; .jsonl/.ndjson/.json
one JSON object per line; .parquet/.pq (needs tanqiya[parquet]); each may end
in .gz, or .zst (needs tanqiya[zstd]). -o OUT is written atomically: on error
OUT is left as it was.
Exit codes: 0 done, 2 bad input or options, 130 Ctrl-C, 143 kill (129 hangup).
"""

LINES_EPILOG: Final = """\b
Examples:
  tanqiya lines page.txt                      # the doubled headline goes
  tanqiya lines --scope document page.txt -o page.clean.txt
  tanqiya lines --fuzzy 90 page.txt           # also near-identical lines
  tanqiya lines --scope corpus --min-docs 3 pages/*.txt -o clean/
  tanqiya lines --scope corpus news.jsonl --text-field body --audit removed.jsonl

\b
Documents: a JSONL/Parquet record is one document (its --text-field); a
plain-text file is one document (the whole file; standard input too).

\b
Output: records as JSONL, the text field replaced by the kept lines, every
other field untouched (a record that loses no line is copied byte for byte).
Plain text: one input goes to standard output or -o FILE; several go to
standard output one after another (like cat), or with -o DIR each to DIR
under its path relative to the folder the inputs share (a/x.txt a/y.txt ->
DIR/x.txt DIR/y.txt). -o ending in / or naming a directory is a DIR for one
input too. DIR is filled beside it and renamed into place at the end; a
non-empty DIR is refused unless --force, which replaces DIR entirely.

\b
Lines compare by their key (the --profile normalization), so copies that
differ in diacritics, tatweel, spaces, NBSP or invisible marks are one line.
Blank lines (no letter or digit) are never removed. The first copy is kept;
--scope document with --min-chars N removes a line shorter than N only
next to its copy (a number or "نعم" further down may be content; clean
does this with N = 8); --scope corpus keeps no copy of a line found in
--min-docs documents.
Exit codes: 0 done, 2 bad input or options, 130 Ctrl-C, 143 kill (129 hangup).
"""

DEDUP_EPILOG: Final = """\b
Examples:
  tanqiya dedup news.jsonl -o unique.jsonl --audit removed.jsonl
  tanqiya dedup --threshold 0.7 --workers 2 a.jsonl.gz b.jsonl.gz -o unique.jsonl
  tanqiya dedup pages/*.txt                   # prints the kept files' paths
  tanqiya dedup pages/*.txt -o unique/        # copies the kept files there

\b
Documents: a JSONL/Parquet record is one document (its --text-field); a
plain-text file is one document (the whole file).

\b
Output: the kept records, unchanged (a JSONL line's own bytes, even where
--errors replace read invalid bytes as U+FFFD for the signatures; a Parquet row
as JSONL, same fields in the same order), in input order. Plain-text files:
without -o, the kept files' paths, one per line ('-' for standard input);
with -o DIR, the kept files copied byte for byte into DIR under their path
relative to the folder the inputs share. DIR is filled beside it and renamed
into place at the end; a non-empty DIR is refused unless --force, which
replaces DIR entirely.

\b
Two passes over the input (standard input is first copied to a temporary
file): signatures, then writing. Documents with the same key (the --profile
normalization) are exact duplicates; others whose MinHash similarity of word
--ngram shingles reaches --threshold are near duplicates. Clusters join
through chains of such pairs, so a removed document's similarity to the kept
one (in the audit) can be lower. Each cluster keeps one document (--keep). A
document without a letter or digit (empty, punctuation, emoji) is always
kept. The output does not depend on --workers.
Exit codes: 0 done, 2 bad input or options, 130 Ctrl-C, 143 kill (129 hangup).
"""

CLEAN_EPILOG: Final = """\b
Examples:
  tanqiya clean seeds/ -o cleaned/                # a folder of pages -> a folder
  tanqiya clean crawl.jsonl.gz -o clean.jsonl --audit removed.jsonl --report report.html
  tanqiya clean dump/ --text-field body --boilerplate-min-docs 50 -o clean.jsonl
  cat crawl.jsonl | tanqiya clean - --threshold 0.7 --workers 2 > clean.jsonl

\b
Per document: repair the text (--repair, default light: invisible and bidi
marks, odd spaces, presentation forms, tatweel; no letter changes), remove
its duplicate lines (adjacent copies such as a doubled headline, then copies
anywhere in it of lines of --lines-min-chars or more: --lines), optionally
remove boilerplate lines found in N documents or more
(--boilerplate-min-docs), then remove exact and near-duplicate documents
(MinHash LSH, --threshold), keeping one of each (--keep). Lines and
documents compare by their dedup-profile keys.
A folder means the files under it: plain-text files (one document each;
the output is a folder of cleaned files, -o DIR) or JSONL/Parquet files (one
document per record; the output is JSONL with the text field replaced).
Plain-text files named one by one go to -o DIR too, or without -o to
standard output one after another (like cat).
Memory holds hashes and signatures, not the corpus: cleaned texts wait in a
temporary file. Outputs, audit and report are written atomically.
Exit codes: 0 done, 2 bad input or options, 130 Ctrl-C, 143 kill (129 hangup).
"""


MAX_NUM_PERM: Final = 4096
"""Beyond this, choosing the LSH bands costs seconds and gigabytes."""
_EXIT_FLUSH_FAILED: Final = 120  # Python's own exit status when its last flush fails
LINE_MIN_CHARS: Final = 8
"""normalize.clean.LINE_MIN_CHARS (a test keeps them equal): the CLI does
not import normalize.clean (nor rapidfuzz) for the other commands."""
CORPUS_ONLY: Final = "{option} applies to --scope corpus only"
NOT_ADJACENT: Final = "{option} applies to --scope document and corpus, not adjacent"
NO_FUZZY_CORPUS: Final = "--fuzzy applies to --scope adjacent and document, not corpus"


class ScopeChoice(enum.Enum):
    """``tanqiya lines --scope`` values."""

    adjacent = "adjacent"
    document = "document"
    corpus = "corpus"


class LinesChoice(enum.Enum):
    """``tanqiya clean --lines`` values (``CleanConfig.lines``)."""

    document = "document"
    adjacent = "adjacent"
    off = "off"


class KeepChoice(enum.Enum):
    """``tanqiya dedup --keep`` values."""

    first = "first"
    longest = "longest"


ThresholdOpt = Annotated[
    float,
    typer.Option(
        "--threshold",
        metavar="T",
        help="Near duplicates: estimated Jaccard similarity of the shingle sets, 0 < T <= 1.",
    ),
]
NumPermOpt = Annotated[
    int, typer.Option("--num-perm", metavar="N", help="MinHash signature length.")
]
NgramOpt = Annotated[int, typer.Option("--ngram", metavar="N", help="Words per shingle.")]
KeepOpt = Annotated[
    KeepChoice,
    typer.Option(
        "--keep",
        case_sensitive=False,
        help="Which document of a cluster stays: the first in input order, or the"
        " longest once normalized (dedup's --profile; clean's dedup profile: diacritics,"
        " tatweel and punctuation do not count; ties: the first).",
    ),
]
WorkersOpt = Annotated[
    int, typer.Option("--workers", "-j", metavar="N", help="Processes computing signatures.")
]
FuzzyOpt = Annotated[
    float | None,
    typer.Option(
        "--fuzzy",
        metavar="SCORE",
        help="Also remove lines whose key scores SCORE (1-100, rapidfuzz ratio)"
        " against a kept line; lines under 20 characters only match exactly.",
        show_default=False,
    ),
]


def check_fuzzy(fuzzy: float | None) -> None:
    """``--fuzzy``'s range, checked before any reading."""
    if fuzzy is not None:
        check_range("--fuzzy", fuzzy, low=1, high=100)


def check_document_options(threshold: float, num_perm: int, ngram: int, workers: int) -> None:
    """The document-stage options' ranges, checked before any reading."""
    check_range("--threshold", threshold, low=0, high=1, low_open=True)
    check_range("--num-perm", num_perm, low=1, high=MAX_NUM_PERM)
    check_range("--ngram", ngram, low=1)
    check_range("--workers", workers, low=1)


# --- the app -----------------------------------------------------------------


def _typer() -> typer.Typer:
    return typer.Typer(
        name=PROG,
        help=APP_HELP,
        epilog=APP_EPILOG,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


app = _typer()


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Normalize Arabic text and deduplicate Arabic corpora."""


@app.command("normalize", epilog=NORMALIZE_EPILOG)
def normalize_command(
    files: FilesArg = None,
    profile: ProfileOpt = "search",
    text_field: TextFieldOpt = "text",
    input_format: FormatOpt = FormatChoice.auto,
    output: OutputOpt = None,
    errors: ErrorsOpt = ErrorsChoice.strict,
    skip_bad: SkipBadOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Normalize text: plain text lines, or one field of JSON records.

    Plain text is normalized line by line, line endings kept. JSONL and
    Parquet records have their --text-field normalized and are written as
    JSONL with every other field untouched, in the input's key order.
    """
    with reporting_errors(output):
        started = time.perf_counter()
        normalizer = Normalizer(profile)
        options = read_options(
            input_format=input_format, text_field=text_field, errors=errors, skip_bad=skip_bad
        )
        inputs = resolve_inputs(files or [], options)
        out_format = output_format_for(inputs)
        check_one_file(output)
        stats = ReadStats()
        with (
            open_output(output) as stream,
            progress(inputs, stats, enabled=show_progress(quiet)) as tick,
        ):
            writer = RecordWriter(stream, out_format, text_field=text_field)
            for batch in batched(read_inputs(inputs, options, stats=stats)):
                good = [r.text for r in batch if r.error is None]
                normalized = iter(normalizer.normalize_many(good))
                writer.write_many(
                    batch, (None if r.error is not None else next(normalized) for r in batch)
                )
                tick()
    warn_empty(stats.empty)
    if not quiet:
        unit = "lines" if out_format == "text" else "records"
        say(
            f"normalize: {stats.records:,} {unit} in, {writer.count:,} out"
            f" ({stats.bad:,} bad passed through unchanged,"
            f" {stats.replaced_bytes:,} invalid bytes replaced);"
            f" profile {normalizer.options.name}; {time.perf_counter() - started:.2f} s"
        )


# --- tanqiya lines -------------------------------------------------------------


def _line_remover(
    scope: ScopeChoice, profile: str, fuzzy: float | None, min_docs: int, min_chars: int
) -> tuple[Callable[[str], LineDedup], BoilerplateFilter | None]:
    from normalize.lines import BoilerplateFilter, Scope, dedup_lines

    if scope is ScopeChoice.corpus:
        boilerplate = BoilerplateFilter(min_docs=min_docs, min_chars=min_chars, profile=profile)
        return boilerplate.filter, boilerplate
    Normalizer(profile)  # an unknown profile fails here, before any reading
    within: Scope = "adjacent" if scope is ScopeChoice.adjacent else "document"

    def remove(text: str) -> LineDedup:
        return dedup_lines(text, scope=within, profile=profile, min_chars=min_chars, fuzzy=fuzzy)

    return remove, None


@app.command("lines", epilog=LINES_EPILOG)
def lines_command(
    files: FilesArg = None,
    scope: Annotated[
        ScopeChoice,
        typer.Option(
            "--scope",
            case_sensitive=False,
            help="adjacent: a line repeating the last kept line (blank lines between"
            " don't count); document: anywhere before in the document; corpus: a line"
            " found in --min-docs documents or more.",
        ),
    ] = ScopeChoice.adjacent,
    min_docs: Annotated[
        int | None,
        typer.Option(
            "--min-docs",
            metavar="N",
            help="--scope corpus: remove lines found in N documents or more [default: 3].",
            show_default=False,
        ),
    ] = None,
    min_chars: Annotated[
        int | None,
        typer.Option(
            "--min-chars",
            metavar="N",
            help="--scope document: a line whose key is shorter goes only as an adjacent copy"
            " [default: 1, every line]; --scope corpus: only lines whose key has N"
            " characters or more count [default: 10].",
            show_default=False,
        ),
    ] = None,
    fuzzy: FuzzyOpt = None,
    profile: ProfileOpt = "dedup",
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = None,
    input_format: FormatOpt = FormatChoice.auto,
    audit: AuditOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    errors: ErrorsOpt = ErrorsChoice.strict,
    skip_bad: SkipBadOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Remove repeated lines: the doubled headline, repeats, boilerplate.

    Each document keeps its first copy of a line; later copies go, with
    their own line ending only, so paragraph breaks survive. The counts go
    to stderr; --audit writes one JSON line per removed line.
    """
    with reporting_errors(output, audit):
        started = time.perf_counter()
        corpus = scope is ScopeChoice.corpus
        if not corpus and min_docs is not None:
            raise ValueError(CORPUS_ONLY.format(option="--min-docs"))
        if scope is ScopeChoice.adjacent and min_chars is not None:
            raise ValueError(NOT_ADJACENT.format(option="--min-chars"))
        if corpus and fuzzy is not None:
            raise ValueError(NO_FUZZY_CORPUS)
        check_fuzzy(fuzzy)
        min_docs = 3 if min_docs is None else min_docs
        if min_chars is None:
            min_chars = 10 if corpus else 1
        check_range("--min-docs", min_docs, low=2)
        check_range("--min-chars", min_chars, low=1)
        remove, boilerplate = _line_remover(scope, profile, fuzzy, min_docs, min_chars)
        options = document_read_options(
            input_format=input_format,
            text_field=text_field,
            id_field=id_field,
            errors=errors,
            skip_bad=skip_bad,
        )
        inputs = resolve_inputs(files or [], options)
        out_format = output_format_for(inputs)
        check_outputs(inputs, output, ("--audit", audit))
        names = output_names(inputs, output, force=force)
        documents = lines_in = 0
        with contextlib.ExitStack() as stack:
            if corpus:
                inputs = stack.enter_context(replayable(inputs))
            stages = stack.enter_context(Stages(enabled=show_progress(quiet)))
            total = total_bytes(inputs)
            if boilerplate is not None:
                stats = ReadStats()
                update = stages.stage("counting", total)

                def texts() -> Iterator[str]:
                    for record in read_inputs(inputs, options, stats=stats):
                        update(stats.bytes_read)
                        if record.error is None:
                            yield record.text

                boilerplate.count(texts())
            write = stack.enter_context(
                document_writer(output, out_format, text_field, names, force=force)
            )
            auditor = stack.enter_context(AuditWriter.open(audit))
            stats = ReadStats()
            update = stages.stage("filtering" if corpus else "reading", total)
            for record in read_inputs(inputs, options, stats=stats):
                documents += 1
                if record.error is not None:
                    write(record, None)
                    continue
                result = remove(record.text)
                lines_in += result.lines
                auditor.lines(record.id, result.removed)
                write(record, result.text)
                update(stats.bytes_read)
    warn_empty(stats.empty)
    removed = auditor.count
    rows = [("documents", documents), *input_rows(stats)]
    if boilerplate is not None:
        rows.append(("boilerplate lines (distinct)", boilerplate.boilerplate_count))
    rows.append(("lines in", lines_in))
    reason = f"line-{scope.value}"
    rows += [(f"removed: {r}", n) for r, n in sorted(auditor.reasons.items()) if r != reason]
    rows.append((f"removed: {reason}", auditor.reasons[reason]))
    rows.append(("lines out", lines_in - removed))
    elapsed = time.perf_counter() - started
    print_summary(
        f"lines: scope {scope.value}, profile {profile}, {elapsed:.2f} s",
        rows,
        kept=lines_in - removed,
        removed=removed,
        total=lines_in,
        unit="lines",
        quiet=quiet,
    )


# --- tanqiya dedup -------------------------------------------------------------


def _deduper(
    threshold: float, num_perm: int, ngram: int, profile: str, keep: KeepChoice, workers: Workers
) -> DocumentDeduper:
    """The deduper for the options, checked before any reading (its
    ``workers`` are the caller's to stop)."""
    check_document_options(threshold, num_perm, ngram, workers.count)
    return DocumentDeduper(
        threshold=threshold,
        num_perm=num_perm,
        ngram=ngram,
        profile=profile,
        keep=keep.value,
        workers=workers,
    )


def _write_kept_files(
    inputs: Sequence[InputSpec],
    given: Sequence[InputSpec],
    keep: npt.NDArray[np.bool_],
    output: str | None,
    names: list[str] | None,
    *,
    force: bool,
    update: Callable[[int], None],
) -> None:
    """Plain-text documents: the kept files' paths to stdout, or the files
    copied into the output directory."""
    if names is None:
        with open_output(output) as stream:
            kept = [s.path for s, k in zip(given, keep.tolist(), strict=True) if k]
            stream.write("".join(f"{path}\n" for path in kept).encode("utf-8", "surrogateescape"))
        return
    assert output is not None
    done = 0
    with atomic_directory(output, force=force) as folder:
        for spec, name, k in zip(inputs, names, keep.tolist(), strict=True):
            if k:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(spec.path, target)
                done += spec.size or 0
                update(done)


@app.command("dedup", epilog=DEDUP_EPILOG)
def dedup_command(
    files: FilesArg = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = None,
    input_format: FormatOpt = FormatChoice.auto,
    threshold: ThresholdOpt = 0.8,
    num_perm: NumPermOpt = 128,
    ngram: NgramOpt = 5,
    profile: ProfileOpt = "dedup",
    keep: KeepOpt = KeepChoice.first,
    workers: WorkersOpt = 1,
    audit: AuditOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    errors: ErrorsOpt = ErrorsChoice.strict,
    skip_bad: SkipBadOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Remove duplicate and near-duplicate documents, keeping one of each.

    The counts go to stderr; --audit writes one JSON line per removed
    document, naming the document kept in its place.
    """
    with reporting_errors(output, audit):
        started = time.perf_counter()
        pool = Workers(workers)
        deduper = _deduper(threshold, num_perm, ngram, profile, keep, pool)
        options = document_read_options(
            input_format=input_format,
            text_field=text_field,
            id_field=id_field,
            errors=errors,
            skip_bad=skip_bad,
        )
        given = resolve_inputs(files or [], options)
        files_are_documents = output_format_for(given) == "text"
        check_outputs(given, output, ("--audit", audit))
        names = None
        if files_are_documents and output is not None and output != STDIN:
            names = directory_names(given)
            check_directory(output, force=force, inputs=given)
        elif not files_are_documents:
            check_one_file(output)
        deduper.start_workers()  # they start while the first batches are read
        with (
            pool,
            replayable(given) as inputs,
            Stages(enabled=show_progress(quiet)) as stages,
        ):
            total = total_bytes(inputs)
            stats = ReadStats()
            update = stages.stage("signatures", total)
            seen = sign_inputs(inputs, options, deduper, pool, stats, update)
            count = len(seen.ids)
            stages.stage("clustering")
            result = deduper.result()
            pool.terminate()
            keep_mask = np.zeros(count, dtype=bool)
            keep_mask[result.keep] = True
            update = stages.stage("writing", total)
            with AuditWriter.open(audit) as auditor:
                if files_are_documents:
                    _write_kept_files(
                        inputs, given, keep_mask, output, names, force=force, update=update
                    )
                else:
                    write_kept_records(inputs, options, keep_mask, seen, output, text_field, update)
                ids = seen.ids
                for i in sorted(result.duplicate_of):
                    auditor.document(
                        ids[i],
                        reason="exact" if result.reason[i] == "exact" else "near",
                        duplicate_of=ids[result.duplicate_of[i]],
                        similarity=result.similarity[i],
                        cluster=result.cluster_of[i],
                    )
    warn_empty(stats.empty)
    exact = auditor.reasons["exact"]
    near = auditor.reasons["near"]
    elapsed = time.perf_counter() - started
    print_summary(
        f"dedup: threshold {threshold:g}, num_perm {num_perm}, ngram {ngram},"
        f" profile {profile}, {elapsed:.2f} s",
        [
            ("documents in", count),
            *input_rows(stats),
            ("exact duplicates", exact),
            ("near duplicates", near),
            ("clusters", len(result.clusters)),
            ("kept", len(result.keep)),
        ],
        kept=len(result.keep),
        removed=exact + near,
        total=count,
        unit="documents",
        quiet=quiet,
    )


# --- tanqiya clean -------------------------------------------------------------


@app.command("clean", epilog=CLEAN_EPILOG)
def clean_command(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FILES|DIR",
            help="Input files or folders; '-' or none for standard input.",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = None,
    input_format: FormatOpt = FormatChoice.auto,
    threshold: ThresholdOpt = 0.8,
    num_perm: NumPermOpt = 128,
    ngram: NgramOpt = 5,
    keep: KeepOpt = KeepChoice.first,
    lines: Annotated[
        LinesChoice,
        typer.Option(
            "--lines",
            case_sensitive=False,
            help="Duplicate lines inside a document: anywhere in it, adjacent copies only, or off.",
        ),
    ] = LinesChoice.document,
    lines_min_chars: Annotated[
        int | None,
        typer.Option(
            "--lines-min-chars",
            metavar="N",
            help="--lines document: a line whose key is shorter (a number, a one-word"
            f" answer) goes only as an adjacent copy [default: {LINE_MIN_CHARS}].",
            show_default=False,
        ),
    ] = None,
    fuzzy: FuzzyOpt = None,
    boilerplate_min_docs: Annotated[
        int | None,
        typer.Option(
            "--boilerplate-min-docs",
            metavar="N",
            help="Remove lines found in N documents or more (a second pass; off by default).",
            show_default=False,
        ),
    ] = None,
    boilerplate_min_chars: Annotated[
        int,
        typer.Option(
            "--boilerplate-min-chars", metavar="N", help="Only boilerplate lines this long count."
        ),
    ] = 10,
    documents: Annotated[
        bool,
        typer.Option(
            "--documents/--no-documents", help="Remove exact and near-duplicate documents."
        ),
    ] = True,
    repair: Annotated[
        str,
        typer.Option(
            "--repair",
            metavar="PROFILE",
            help="The profile every document gets first (line by line: lines are kept).",
        ),
    ] = "light",
    normalize_output: Annotated[
        str | None,
        typer.Option(
            "--normalize-output",
            metavar="PROFILE",
            help="Write the text normalized by this profile instead of as repaired"
            " (line by line: lines are kept).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-j",
            metavar="N",
            help="Processes for every pass, a batch a task (the output does not depend on N).",
        ),
    ] = 1,
    audit: AuditOpt = None,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar="HTML",
            help="Write a self-contained HTML report of what was removed.",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
    errors: ErrorsOpt = ErrorsChoice.strict,
    skip_bad: SkipBadOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Clean a scraped corpus in one pass: repair, duplicate lines, boilerplate,
    duplicate documents. Counts per stage go to stderr."""
    from normalize.clean import CleanConfig
    from normalize.pipeline import expand_directories, run_clean
    from normalize.report import write_report

    with reporting_errors(output, audit, report):
        started = time.perf_counter()
        check_document_options(threshold, num_perm, ngram, workers)
        check_fuzzy(fuzzy)
        if boilerplate_min_docs is not None:
            check_range("--boilerplate-min-docs", boilerplate_min_docs, low=2)
        check_range("--boilerplate-min-chars", boilerplate_min_chars, low=1)
        if lines_min_chars is None:
            lines_min_chars = LINE_MIN_CHARS
        elif lines is not LinesChoice.document:
            msg = f"--lines-min-chars applies to --lines document, not {lines.value}"
            raise ValueError(msg)
        check_range("--lines-min-chars", lines_min_chars, low=1)
        for option, name in (("--repair", repair), ("--normalize-output", normalize_output)):
            if name is None:
                continue
            try:
                resolve(name)
            except ValueError as e:
                msg = f"{option}: {e}"
                raise ValueError(msg) from None
        config = CleanConfig(
            repair=repair,
            normalize_output=normalize_output,
            lines=lines.value,
            line_min_chars=lines_min_chars,
            fuzzy=fuzzy,
            boilerplate_min_docs=boilerplate_min_docs,
            boilerplate_min_chars=boilerplate_min_chars,
            documents=documents,
            threshold=threshold,
            num_perm=num_perm,
            ngram=ngram,
            keep=keep.value,
            workers=workers,
        )
        options = document_read_options(
            input_format=input_format,
            text_field=text_field,
            id_field=id_field,
            errors=errors,
            skip_bad=skip_bad,
        )
        given = files or []
        inputs = resolve_inputs(expand_directories(given), options)
        out_format = output_format_for(inputs)
        check_outputs(inputs, output, ("--audit", audit), ("--report", report))
        folder_in = any(p != STDIN and Path(p).is_dir() for p in given)
        names = output_names(inputs, output, force=force, folder_in=folder_in)
        with (
            Stages(enabled=show_progress(quiet)) as stages,
            document_writer(output, out_format, text_field, names, force=force) as write,
            AuditWriter.open(audit) as auditor,
        ):
            run = run_clean(
                inputs,
                options,
                config,
                write,
                auditor,
                stages.stage,
                write.formatting,
                write.stream,
            )
            if report is not None:
                write_report(report_data(run, config, inputs), report)
    _clean_summary(run, config, time.perf_counter() - started, quiet=quiet)


def report_data(run: CleanRun, config: CleanConfig, inputs: Sequence[InputSpec]) -> ReportData:
    """What the HTML report shows for a finished run."""
    from normalize.report import ReportData

    result = run.result
    assert result is not None
    return ReportData(
        title="tanqiya clean report",
        command=shlex.join([PROG, *sys.argv[1:]]),
        inputs=[s.name for s in inputs],
        threshold=config.threshold,
        options={
            "num_perm": config.num_perm,
            "ngram": config.ngram,
            "keep": config.keep,
            "lines": config.lines,
            "lines_min_chars": config.line_min_chars,
            "fuzzy": config.fuzzy,
            "boilerplate_min_docs": config.boilerplate_min_docs,
            "documents": config.documents,
            "repair": resolve(config.repair).version,
            "keys": resolve(config.key_profile).version,
            "tanqiya": __version__,
        },
        stage_counts=run.tally.stages(boilerplate=config.boilerplate_min_docs is not None),
        pair_similarities=result.pair_similarity,
        cluster_sizes=[len(c) for c in result.clusters],
        clusters=run.clusters,
        line_removals=run.examples.removals(run.tally),
        num_perm=config.num_perm,
        key_profile=config.key_profile,
    )


def _clean_summary(run: CleanRun, config: CleanConfig, elapsed: float, *, quiet: bool) -> None:
    warn_empty(run.stats.empty)
    t = run.tally
    result = run.result
    assert result is not None
    rows = [("documents in", t.documents + run.bad), *input_rows(run.stats)]
    rows += [
        ("lines in", t.lines),
        ("duplicate lines, adjacent", t.line_adjacent),
        ("duplicate lines, elsewhere in the document", t.line_document),
    ]
    if config.boilerplate_min_docs is not None:
        rows.append(("boilerplate lines", t.line_corpus))
    rows += [
        ("exact duplicate documents", t.exact_documents),
        ("near duplicate documents", t.near_documents),
        ("clusters", len(result.clusters)),
        ("documents kept", t.kept_documents + run.bad),
        ("lines kept", t.kept_lines),
    ]
    removed_lines = t.lines - t.kept_lines
    print_summary(
        f"clean: threshold {config.threshold:g}, lines {config.lines}, {elapsed:.2f} s",
        rows,
        kept=t.kept_documents + run.bad,
        removed=t.exact_documents + t.near_documents,
        total=t.documents + run.bad,
        unit="documents",
        quiet=quiet,
        also=[(t.kept_lines, removed_lines, t.lines, "lines")],
    )


def run() -> None:
    """The ``tanqiya`` command (started by :mod:`normalize.__main__`):
    :data:`app`, then a quick exit.

    The interpreter's own exit frees every object one at a time: after a
    run, a few hundred thousand (the normalization tables), some 0.05 s,
    longer than a small file's whole dedup stage. So once the command is done
    (its outputs renamed into place, its workers stopped), the exit handlers
    run, the standard streams are flushed and the process ends with
    ``os._exit``. An exception other than SystemExit still ends it the usual
    way.
    """
    stop_on_signals()
    try:
        _only_the_command(sys.argv[1:])(prog_name=PROG)
        code = 0
    except SystemExit as stop:
        if stop.code is not None and not isinstance(stop.code, int):
            raise  # a message to print: let the interpreter do it
        code = stop.code or 0
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what Python's own exit reports
            code = code or _EXIT_FLUSH_FAILED
    os._exit(code)


def _only_the_command(args: Sequence[str]) -> typer.Typer:
    """:data:`app` with just the command ``args`` start with, when they start
    with one: typer turns every command's signature into options on each run,
    and the others' are never used (their help is only in ``tanqiya --help``,
    which gets the whole app)."""
    named = [c for c in app.registered_commands if args and c.name == args[0]]
    if not named:
        return app
    one = _typer()
    one.registered_callback = app.registered_callback
    one.registered_commands = named
    return one


if __name__ == "__main__":
    run()
