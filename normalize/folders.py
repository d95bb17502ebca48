"""Output folders: where each input goes under one, and building it atomically.

Commands that write one file per input document (``tanqiya lines``,
``tanqiya dedup``, ``tanqiya clean`` on plain-text files) name each file by
its path relative to the folder the inputs share, fill a hidden temporary
folder beside the target, and rename it into place at the end: an interrupted
run leaves the previous output as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

from normalize.io import (
    STDIN,
    InputError,
    InputSpec,
    OutputError,
    Record,
    RecordFormat,
    RecordWriter,
    open_output,
)

NOT_A_DIRECTORY: Final = "exists and is not a directory"
DIRECTORY_NOT_EMPTY: Final = "directory is not empty; use --force to replace it and all it holds"
NO_PARENT: Final = "cannot create it: no directory {parent!r}"
STDIN_IN_DIRECTORY: Final = (
    "standard input has no file name to write under the output directory; give files"
)
GIVEN_TWICE: Final = "given twice; each input is written once to the output directory"
HOLDS_INPUT: Final = "holds the input {name}; --force would delete it"


def wants_directory(output: str | None, inputs: Sequence[InputSpec]) -> bool:
    """Whether plain-text documents go to an output directory: ``-o OUT``
    with several inputs, or an ``OUT`` that ends with ``/`` or is a directory."""
    if output is None or output == STDIN:
        return False
    return len(inputs) > 1 or output.endswith(("/", os.sep)) or Path(output).is_dir()


def directory_names(inputs: Sequence[InputSpec]) -> list[str]:
    """Where each input goes under an output directory: its path relative to
    the folder all the inputs share (``a/x.txt a/y.txt`` -> ``x.txt y.txt``;
    ``a/x.txt b/x.txt`` -> ``a/x.txt b/x.txt``). Raises InputError for
    standard input or a file given twice.

    >>> specs = [InputSpec(p, p, "text", "none", 1) for p in ("c/a/x.txt", "c/b/x.txt")]
    >>> directory_names(specs)
    ['a/x.txt', 'b/x.txt']
    """
    paths: list[str] = []
    for spec in inputs:
        if spec.path == STDIN:
            raise InputError(spec.name, None, STDIN_IN_DIRECTORY)
        paths.append(os.path.abspath(spec.path))  # noqa: PTH100  (folds "..", keeps symlinks)
    if not paths:
        return []
    common = os.path.commonpath([Path(p).parent for p in paths])
    names = [os.path.relpath(p, common) for p in paths]
    seen: set[str] = set()
    for spec, name in zip(inputs, names, strict=True):
        if name in seen:
            raise InputError(spec.name, None, GIVEN_TWICE)
        seen.add(name)
    return names


def check_directory(path: str, *, force: bool, inputs: Sequence[InputSpec] = ()) -> None:
    """Raise OutputError unless ``path`` can become the output directory:
    absent (its parent present), an empty directory, or with ``force`` any
    directory that holds none of ``inputs``."""
    target = Path(path)
    if target.is_dir():
        if not any(target.iterdir()):
            return
        if not force:
            raise OutputError(path, DIRECTORY_NOT_EMPTY)
        root = target.resolve()
        for spec in inputs:
            if spec.path != STDIN and root in Path(spec.path).resolve().parents:
                raise OutputError(path, HOLDS_INPUT.format(name=spec.name))
    elif target.exists() or target.is_symlink():
        raise OutputError(path, NOT_A_DIRECTORY)
    elif not target.absolute().parent.is_dir():
        raise OutputError(path, NO_PARENT.format(parent=os.fspath(target.absolute().parent)))


@contextlib.contextmanager
def atomic_directory(path: str, *, force: bool) -> Iterator[Path]:
    """A new, hidden temporary directory beside ``path`` to fill; when the
    ``with`` block ends without error it becomes ``path`` by one rename (an
    existing directory, emptied only with ``force``, is moved aside first and
    then deleted). On any exception, Ctrl-C included, the temporary directory
    is deleted and ``path`` is left as it was.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out"
    >>> with atomic_directory(str(target), force=False) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x")
    >>> sorted(p.name for p in target.iterdir()), len(list(target.parent.iterdir()))
    (['a.txt'], 1)
    """
    check_directory(path, force=force)
    target = Path(path.rstrip("/" + os.sep) or path)
    tmp = _hidden_beside(target, "tmp")
    try:
        tmp.mkdir()
    except OSError as e:
        raise OutputError(path, f"cannot create a directory beside it: {e.strerror or e}") from None
    try:
        yield tmp
        if target.is_dir() and any(target.iterdir()):
            old = _hidden_beside(target, "old")
            target.rename(old)
            try:
                tmp.rename(target)
            except BaseException:
                old.rename(target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.replace(target)  # replaces an empty directory too
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _hidden_beside(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.{kind}")


#: ``write(record, text)``: ``text`` replaces the record's text (None: the
#: record as read); bytes are the record already formatted (:func:`formatting`).
Write = Callable[[Record, "str | bytes | None"], None]


def formatting(out_format: str, text_field: str, names: dict[str, str] | None) -> RecordFormat:
    """How :func:`document_writer` with these arguments formats a record, for
    workers that format records ahead and hand it the bytes.

    >>> formatting("jsonl", "text", None).format, formatting("jsonl", "text", {}).format
    ('jsonl', 'text')
    """
    return RecordFormat("jsonl" if names is None and out_format == "jsonl" else "text", text_field)


@dataclasses.dataclass(frozen=True)
class DocumentOutput:
    """What :func:`document_writer` yields: call it as ``write(record,
    text)``; ``formatting`` is how it formats a record, and ``stream`` the
    RecordWriter of a single output stream (None for an output directory),
    whose :meth:`~normalize.io.RecordWriter.append` takes files of records
    formatted ahead."""

    write: Write
    formatting: RecordFormat
    stream: RecordWriter | None = None

    def __call__(self, record: Record, text: str | bytes | None) -> None:
        self.write(record, text)


@contextlib.contextmanager
def document_writer(
    output: str | None,
    out_format: str,
    text_field: str,
    names: dict[str, str] | None = None,
    *,
    force: bool = False,
) -> Iterator[DocumentOutput]:
    """``write(record, text)`` for kept documents: to one stream (JSONL, or
    plain text), or, with ``names`` (input name -> relative path), one file
    per input under the output directory ``output``, built atomically."""
    form = formatting(out_format, text_field, names)
    if names is None:
        with open_output(output) as stream:
            writer = RecordWriter(stream, form.format, text_field=text_field)

            def write_one(record: Record, text: str | bytes | None) -> None:
                if isinstance(text, bytes):
                    writer.write_many([text], [None])
                else:
                    writer.write(record, text)

            yield DocumentOutput(write_one, form, writer)
        return
    assert output is not None
    with atomic_directory(output, force=force) as folder:

        def write(record: Record, text: str | bytes | None) -> None:
            target = folder / names[record.source]
            target.parent.mkdir(parents=True, exist_ok=True)
            with open_output(target) as stream:
                stream.write(text if isinstance(text, bytes) else form(record, text))

        yield DocumentOutput(write, form)
