"""The ``tanqiya`` command: parse arguments, build the config, call the core,
write the output, report. Nothing else.

Adding a command: define it with ``@app.command("name", epilog=...)``, take
the shared option types below (``FilesArg``, ``TextFieldOpt``, ``OutputOpt``,
``QuietOpt`` ...), wrap its body in ``with reporting_errors(output):`` and build its
reader with :func:`read_options`. Errors then come out as one line,
``tanqiya: error: FILE:LINE: message``, with exit code 2 (130 on Ctrl-C), never
as a traceback.
"""

from __future__ import annotations

import contextlib
import enum
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Final, NoReturn

import typer

from normalize import __version__
from normalize.io import (
    DecodeError,
    InputError,
    InputSpec,
    OutputError,
    ReadOptions,
    ReadStats,
    RecordError,
    RecordWriter,
    batched,
    open_output,
    output_format_for,
    read_inputs,
    resolve_inputs,
)
from normalize.options import PROFILES
from normalize.text import Normalizer

PROG: Final = "tanqiya"
EXIT_ERROR: Final = 2
"""Bad input, bad options or an unwritable output (typer's usage errors use 2 too)."""
EXIT_INTERRUPTED: Final = 130
EXIT_BROKEN_PIPE: Final = 141
"""The reader of standard output went away (``tanqiya ... | head``): quiet exit."""

DECODE_HINT: Final = (
    "use --errors replace to write U+FFFD for invalid bytes, or --skip-bad to pass the line through"
)
RECORD_HINT: Final = "use --skip-bad to pass malformed records through unchanged"
INTERRUPTED: Final = "interrupted"
NOT_WRITTEN: Final = "{path} was not written"

APP_HELP: Final = "Normalize Arabic text and deduplicate Arabic corpora."
APP_EPILOG: Final = """\b
Examples:
  tanqiya normalize page.txt                    # search profile, to standard output
  tanqiya normalize -p light page.txt -o clean.txt
  cat page.txt | tanqiya normalize -p dedup -
  tanqiya normalize news.jsonl.gz --text-field body -o news.norm.jsonl.gz
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
OUT is left as it was. Exit codes: 0 done, 2 bad input or options, 130 Ctrl-C.
"""


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
        "--format", case_sensitive=False, help="Input format; auto: from the file extension."
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


def read_options(
    *,
    input_format: FormatChoice = FormatChoice.auto,
    text_field: str = "text",
    id_field: str | None = None,
    errors: ErrorsChoice = ErrorsChoice.strict,
    skip_bad: bool = False,
) -> ReadOptions:
    """The :class:`ReadOptions` for the shared options (ValueError if invalid)."""
    return ReadOptions(
        format=input_format.value,
        text_field=text_field,
        id_field=id_field,
        errors=errors.value,
        skip_bad=skip_bad,
    )


# --- reporting ---------------------------------------------------------------


def say(message: str) -> None:
    """One line on stderr, prefixed with the program name."""
    typer.echo(f"{PROG}: {message}", err=True)


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print ``tanqiya: error: message`` on stderr and exit with ``code``."""
    say(f"error: {message}")
    raise typer.Exit(code)


@contextlib.contextmanager
def reporting_errors(output: str | None = None) -> Iterator[None]:
    """Turn the errors a user can cause into one line on stderr and an exit
    code: bad input, bad options (ValueError), output and OS errors (2),
    Ctrl-C (130), a closed stdout pipe (141, silent). ``output``, the -o
    path if any, is named in the Ctrl-C message."""
    try:
        yield
    except DecodeError as e:
        fail(f"{e}; {DECODE_HINT}")
    except RecordError as e:
        fail(f"{e}; {RECORD_HINT}")
    except (InputError, OutputError, ValueError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        written = output is not None and output != "-"
        say(f"{INTERRUPTED}; {NOT_WRITTEN.format(path=output)}" if written else INTERRUPTED)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # Python's recipe: point stdout at devnull so the final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        fail(f"{where}{e.strerror or e}")


@contextlib.contextmanager
def progress(
    inputs: Sequence[InputSpec], stats: ReadStats, *, enabled: bool
) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr over the bytes read, when ``enabled``;
    yields a function to call after each batch."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    sizes = [s.size if s.compression == "none" else None for s in inputs]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading", total=total)
        yield lambda: bar.update(task, completed=stats.bytes_read)


def show_progress(quiet: bool) -> bool:
    """Progress bars only for a person watching: stderr a TTY and not --quiet."""
    return not quiet and sys.stderr.isatty()


# --- the app -----------------------------------------------------------------

app = typer.Typer(
    name=PROG,
    help=APP_HELP,
    epilog=APP_EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    if not quiet:
        unit = "lines" if out_format == "text" else "records"
        say(
            f"normalize: {stats.records:,} {unit} in, {writer.count:,} out"
            f" ({stats.bad:,} bad passed through unchanged,"
            f" {stats.replaced_bytes:,} invalid bytes replaced);"
            f" profile {normalizer.options.name}; {time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    app(prog_name=PROG)
