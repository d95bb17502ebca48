"""What every ``tanqiya`` command shares: option types, error reporting,
progress bars, the summary table and directory outputs.

A command (in :mod:`normalize.cli`) takes the option types below
(``FilesArg``, ``TextFieldOpt``, ``OutputOpt``, ``QuietOpt`` ...), wraps its
body in ``with reporting_errors(output):`` and builds its reader with
:func:`read_options`. Errors then come out as one line,
``tanqiya: error: FILE:LINE: message``, with exit code 2 (130 on Ctrl-C),
never as a traceback.
"""

from __future__ import annotations

import contextlib
import enum
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Final, NoReturn

import typer

from normalize.folders import check_directory, directory_names, wants_directory
from normalize.io import (
    STDIN,
    DecodeError,
    InputError,
    InputSpec,
    MissingFieldError,
    OutputError,
    ReadOptions,
    ReadStats,
    RecordError,
    TextUnit,
    detect_format,
    output_format_for,
    total_bytes,
)
from normalize.options import PROFILES

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

PROG: Final = "tanqiya"
EXIT_ERROR: Final = 2
"""Bad input, bad options or an unwritable output (typer's usage errors use 2 too)."""
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 141
"""The reader of standard output went away (``tanqiya ... | head``): quiet exit."""
EXIT_SOFTWARE: Final = 70
"""A count that does not add up: a bug in tanqiya (``EX_SOFTWARE``)."""

DECODE_HINT: Final = (
    "use --errors replace to read invalid bytes as U+FFFD,"
    " or --skip-bad to pass the record through unchanged"
)
RECORD_HINT: Final = "use --skip-bad to pass malformed records through unchanged"
INTERRUPTED: Final = "interrupted"
TERMINATED: Final = "terminated"
NOT_WRITTEN: Final = "{paths} {verb} not written"
FOLDER_NEEDS_OUTPUT: Final = (
    "plain-text documents from a folder need -o DIR (they keep their paths under it)"
)
MISMATCH: Final = "internal error: {kept:,} kept + {removed:,} removed != {total:,} {unit} in"


class FormatChoice(enum.Enum):
    """``--format`` values (``ReadOptions.format``)."""

    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    parquet = "parquet"


class ErrorsChoice(enum.Enum):
    """``--errors`` values (``ReadOptions.errors``)."""

    strict = "strict"
    replace = "replace"


# --- options shared by every command -----------------------------------------

FilesArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="FILES",
        help="Input files; '-' or none for standard input.",
        show_default=False,
    ),
]
ProfileOpt = Annotated[
    str,
    typer.Option(
        "--profile", "-p", metavar="PROFILE", help=f"Profile: {', '.join(sorted(PROFILES))}."
    ),
]
TextFieldOpt = Annotated[
    str,
    typer.Option("--text-field", metavar="FIELD", help="The JSONL/Parquet field holding the text."),
]
IdFieldOpt = Annotated[
    str | None,
    typer.Option(
        "--id-field",
        metavar="FIELD",
        help="The JSONL/Parquet field holding the record id [default: FILE:LINE].",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    FormatChoice,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="Input format; auto: from the file extension (standard input: JSONL when it"
        " starts with '{', else text).",
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="OUT",
        help="Write here (atomically; .gz/.zst compressed) instead of standard output.",
        show_default=False,
    ),
]
ErrorsOpt = Annotated[
    ErrorsChoice,
    typer.Option(
        "--errors",
        case_sensitive=False,
        help="Invalid UTF-8: stop (strict) or write U+FFFD and count the bytes (replace).",
    ),
]
SkipBadOpt = Annotated[
    bool,
    typer.Option(
        "--skip-bad", help="Pass malformed records through unchanged and count them; don't stop."
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
]
AuditOpt = Annotated[
    str | None,
    typer.Option(
        "--audit",
        metavar="FILE",
        help="Write one JSON line per removal here (atomically; '-' for standard output"
        " when -o is a file).",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Replace a non-empty output directory (and all it holds)."),
]


def read_options(
    *,
    input_format: FormatChoice = FormatChoice.auto,
    text_field: str = "text",
    id_field: str | None = None,
    errors: ErrorsChoice = ErrorsChoice.strict,
    skip_bad: bool = False,
    text_unit: TextUnit = "line",
    keep_raw: bool = False,
) -> ReadOptions:
    """The :class:`ReadOptions` for the shared options (ValueError if invalid)."""
    for option, field in (("--text-field", text_field), ("--id-field", id_field)):
        if field is not None and not field:
            msg = f"{option} must name a field, not ''"
            raise ValueError(msg)
    return ReadOptions(
        format=input_format.value,
        text_unit=text_unit,
        text_field=text_field,
        id_field=id_field,
        errors=errors.value,
        skip_bad=skip_bad,
        keep_raw=keep_raw,
    )


def document_read_options(
    *,
    input_format: FormatChoice,
    text_field: str,
    id_field: str | None,
    errors: ErrorsChoice,
    skip_bad: bool,
) -> ReadOptions:
    """:func:`read_options` for the commands whose unit is a document (lines,
    dedup, clean): a plain-text file is one document, and each record keeps
    its raw bytes so that an unchanged one is copied byte for byte."""
    return read_options(
        input_format=input_format,
        text_field=text_field,
        id_field=id_field,
        errors=errors,
        skip_bad=skip_bad,
        text_unit="file",
        keep_raw=True,
    )


def check_range(
    option: str,
    value: float,
    *,
    low: float,
    high: float | None = None,
    low_open: bool = False,
) -> None:
    """ValueError naming ``option`` and ``value`` unless ``value`` is in range.

    >>> check_range("--threshold", 0.0, low=0, high=1, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: --threshold must be greater than 0 and at most 1, not 0.0
    """
    above = value > low if low_open else value >= low
    if above and (high is None or value <= high):
        return
    lower = f"greater than {low:g}" if low_open else f"at least {low:g}"
    upper = "" if high is None else f" and at most {high:g}"
    msg = f"{option} must be {lower}{upper}, not {value!r}"
    raise ValueError(msg)


# --- reporting ---------------------------------------------------------------


def say(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    typer.echo(f"{PROG}: {message}", err=True)


def warn_empty(names: Sequence[str]) -> None:
    """A warning on stderr for each input that held nothing (read as no
    records, or as one empty document: not an error, but seldom meant),
    even with --quiet."""
    for name in names:
        say(f"warning: {name} is empty")


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``tanqiya: error: message`` on stderr and exit with ``code``."""
    say(f"error: {message}")
    raise typer.Exit(code)


@contextlib.contextmanager
def reporting_errors(*outputs: str | None) -> Iterator[None]:
    """Turn the errors a user can cause into one line on stderr and an exit
    code: bad input, bad options (ValueError), output and OS errors (2),
    Ctrl-C (130), a closed stdout pipe (141, silent). ``outputs``, the files
    the command writes (``None`` or ``"-"`` for none), are named in the Ctrl-C
    message."""
    try:
        yield
    except DecodeError as e:
        fail(f"{e}; {DECODE_HINT}")
    except MissingFieldError as e:
        option = "--" + e.option.replace("_", "-")
        fail(f"{e}; name the field with {option}, or {RECORD_HINT}")
    except RecordError as e:
        fail(f"{e}; {RECORD_HINT}")
    except (InputError, OutputError, ValueError) as e:
        fail(str(e))
    except KeyboardInterrupt as e:
        stopped, code = INTERRUPTED, EXIT_INTERRUPTED
        if isinstance(e, Terminated):
            stopped, code = TERMINATED, 128 + e.signum
        written = [p for p in outputs if p is not None and p != STDIN]
        if written:
            verb = "was" if len(written) == 1 else "were"
            say(f"{stopped}; {NOT_WRITTEN.format(paths=' and '.join(written), verb=verb)}")
        else:
            say(stopped)
        raise typer.Exit(code) from None
    except BrokenPipeError:
        # Python's recipe: point stdout at devnull so the final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        fail(f"{where}{e.strerror or e}")


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``kill``, ``timeout``, a batch scheduler, a closed
    terminal): handled as Ctrl-C is, so that no temporary file is left, and
    the exit code is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def stop_on_signals() -> None:
    """Raise :class:`Terminated` in this process on SIGTERM and SIGHUP (the
    CLI's, never the library's: worker processes restore the default)."""

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, stop)


@contextlib.contextmanager
def progress(
    inputs: Sequence[InputSpec], stats: ReadStats, *, enabled: bool
) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr over the bytes read, when ``enabled``;
    yields a function to call after each batch."""
    with Stages(enabled=enabled) as stages:
        update = stages.stage("reading", total_bytes(inputs))
        yield lambda: update(stats.bytes_read)


def show_progress(quiet: bool) -> bool:
    """Progress bars only for a person watching: stderr a TTY and not --quiet."""
    return not quiet and sys.stderr.isatty()


class Stages:
    """Rich progress bars on stderr, one per stage of a command ("signatures",
    "clustering", "writing"), when ``enabled``; else nothing at all.

    ``stage(name, total)`` ends the previous stage's bar and starts one; it
    returns a function to call with the amount done so far (``total=None``: a
    bar without an end, for a stage that cannot be measured). The display
    (and its refresh thread) starts with the first stage, so a command can
    fork its workers first (see ``normalize._workers.start_pool``).
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Stages:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            if self._bar.live.is_started:
                self._bar.stop()
            self._bar = None

    def stage(self, name: str, total: int | None = None) -> Callable[[int], None]:
        """Start stage ``name``; returns ``update(completed)``."""
        bar = self._bar
        if bar is None:
            return lambda completed: None
        if not bar.live.is_started:
            bar.start()
        if self._task is not None:
            previous = bar.tasks[-1]
            done = previous.total or previous.completed or 1
            bar.update(previous.id, total=done, completed=done)
        task = bar.add_task(name, total=total)
        self._task = task
        return lambda completed: bar.update(task, completed=completed)


def print_summary(
    title: str,
    rows: Sequence[tuple[str, int]],
    *,
    kept: int,
    removed: int,
    total: int,
    unit: str,
    quiet: bool = False,
    also: Sequence[tuple[int, int, int, str]] = (),
) -> None:
    """The counts of a run as a table on stderr (rich on a terminal, aligned
    plain text otherwise), then the check ``kept + removed = total`` (and one
    per ``(kept, removed, total, unit)`` in ``also``). A count that does not
    add up is a bug: it exits with code 70 even when ``quiet``.
    """
    checks = [(kept, removed, total, unit), *also]
    for k, r, t, u in checks:
        if k + r != t:
            fail(MISMATCH.format(kept=k, removed=r, total=t, unit=u), EXIT_SOFTWARE)
    if quiet:
        return
    check = "; ".join(f"{k:,} kept + {r:,} removed = {t:,} {u} in" for k, r, t, u in checks)
    if sys.stderr.isatty():
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(box=box.SIMPLE, show_header=False, show_edge=False)
        table.add_column()
        table.add_column(justify="right", style="bold")
        for label, value in rows:
            table.add_row(label, f"{value:,}")
        console = Console(stderr=True, highlight=False)
        console.print(f"{PROG}: {title}", markup=False)
        console.print(table)
        console.print(check, markup=False, style="dim")
        return
    width = max(len(label) for label, _ in rows)
    digits = max(len(f"{value:,}") for _, value in rows)
    lines = [f"{PROG}: {title}"]
    lines += [f"  {label:<{width}}  {value:>{digits},}" for label, value in rows]
    lines.append(f"  {check}")
    typer.echo("\n".join(lines), err=True)


def input_rows(stats: ReadStats) -> list[tuple[str, int]]:
    """Summary rows for what reading let through: malformed records passed
    through (``--skip-bad``) and invalid bytes read as U+FFFD (``--errors
    replace``); none when there were none."""
    rows = [("bad records, passed through", stats.bad)] if stats.bad else []
    if stats.replaced_bytes:
        rows.append(("invalid bytes replaced", stats.replaced_bytes))
    return rows


# --- outputs -----------------------------------------------------------------


def check_outputs(
    inputs: Sequence[InputSpec], output: str | None, *others: tuple[str, str | None]
) -> None:
    """Refuse outputs that would replace an input or each other, or share
    standard output. ``others`` are ``(option, path)`` pairs (``--audit``,
    ``--report``; path None: not asked for). ``-o`` may name an input: it is
    replaced once read, as ``sort -o`` does. What is not a regular file
    (``/dev/null``) may take several outputs."""
    taken = [("-o", output)] if output not in (None, STDIN) else []
    stdout = None if output not in (None, STDIN) else "the output"
    for option, path in others:
        if path is None:
            continue
        if path == STDIN:
            if stdout is not None:
                msg = f"{option} - needs -o OUT: standard output already carries {stdout}"
                raise ValueError(msg)
            stdout = option
            continue
        for spec in inputs:
            if spec.path != STDIN and _same_file(path, spec.path):
                msg = f"{option} {path} is an input: writing it would replace the input"
                raise ValueError(msg)
        for other, there in taken:
            if _same_file(path, there):
                msg = f"{option} {path} and {other} {there} are the same file"
                raise ValueError(msg)
        taken.append((option, path))


def check_one_file(output: str | None) -> None:
    """Refuse ``-o DIR/`` where the output is one stream (JSONL, or lines of
    text): the slash asks for a folder the command will not make; and a
    Parquet name (the records are written as JSONL)."""
    if output is not None and output.endswith(("/", os.sep)):
        msg = f"-o {output}: the output is one file, not a folder; name a file"
        raise ValueError(msg)
    if output is not None and output != STDIN and detect_format(output)[0] == "parquet":
        msg = f"-o {output}: tanqiya does not write Parquet; records go out as JSONL (.jsonl)"
        raise ValueError(msg)


def output_names(
    inputs: Sequence[InputSpec], output: str | None, *, force: bool, folder_in: bool = False
) -> dict[str, str] | None:
    """Where each plain-text document goes when the output is a directory
    (input name -> path under it), or ``None`` when the output is one stream.
    It is a directory for plain-text inputs when ``folder_in`` (a folder was
    given) or when ``-o`` asks for one (:func:`~normalize.folders.wants_directory`);
    the directory is checked (:func:`~normalize.folders.check_directory`)
    before any reading, and a one-stream ``-o DIR/`` refused (:func:`check_one_file`)."""
    if output_format_for(inputs) != "text" or not (folder_in or wants_directory(output, inputs)):
        check_one_file(output)
        return None
    if output is None or output == STDIN:
        raise ValueError(FOLDER_NEEDS_OUTPUT)
    names = dict(zip([s.name for s in inputs], directory_names(inputs), strict=True))
    check_directory(output, force=force, inputs=inputs)
    return names


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one regular file (or one path not made yet)."""
    try:
        return Path(a).samefile(b) and Path(a).is_file()
    except OSError:
        return Path(a).resolve() == Path(b).resolve()
