"""Readers and writers: the project's one I/O layer.

Everything that touches files goes through here; the core (:mod:`normalize.text`,
dedup ...) only sees :class:`Record` streams and strings.

Reading. :func:`resolve_inputs` checks the inputs up front (missing files,
folders, a format's missing optional dependency) and :func:`read_inputs` then
streams :class:`Record` objects, one file and one line at a time (for a
command that reads its inputs twice, :func:`replayable` first copies standard
input and pipes to a temporary file):

- plain text, one record per line (line endings kept in ``Record.ending``), or
  one record per file with ``ReadOptions(text_unit="file")``;
- JSONL, the text in ``text_field`` and every field kept in ``Record.fields``;
- Parquet through pyarrow (the ``tanqiya[parquet]`` extra), in record batches.

``-`` is standard input. ``.gz`` is read with :mod:`gzip`, ``.zst`` with
``zstandard`` (the ``tanqiya[zstd]`` extra). The format comes from the
extension (``.jsonl .ndjson .json`` JSONL, ``.parquet .pq`` Parquet, anything
else text) unless ``ReadOptions.format`` names one.

Bad input raises :class:`InputError` carrying the file and line. Undecodable
lines (:class:`DecodeError`) and malformed records (:class:`RecordError`) can
instead be passed through: with ``skip_bad=True`` they come out as records
whose ``error`` says what is wrong and whose ``raw`` holds the original bytes.

Writing. :func:`open_output` gives a binary stream on standard output or an
atomic file (temporary file beside the target, fsync, ``os.replace``; removed on
any error, so the target is either complete or untouched); ``.gz`` and ``.zst``
targets are compressed. :class:`RecordWriter` writes records to it as text or
JSONL.

>>> import io as _io
>>> buf = _io.BytesIO()
>>> writer = RecordWriter(buf, "jsonl")
>>> writer.write(Record(id="1", text="x", fields={"id": 1, "text": "x", "n": 2}), "y")
>>> buf.getvalue()
b'{"id": 1, "text": "y", "n": 2}\\n'
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import datetime
import errno
import gzip
import importlib
import io
import itertools
import json
import math
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Final, Literal, cast

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

InputFormat = Literal["auto", "text", "jsonl", "parquet"]
FileFormat = Literal["text", "jsonl", "parquet"]
OutputFormat = Literal["text", "jsonl"]
Compression = Literal["none", "gzip", "zstd"]
TextUnit = Literal["line", "file"]
DecodeErrors = Literal["strict", "replace"]

STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"
MAX_RECORD_BYTES: Final = 1 << 30
"""Default limit on one line (or one whole-file document): 1 GiB."""

_READ_CHUNK: Final = 1 << 20
_SNIFF_BYTES: Final = 1 << 12  # of standard input, to tell JSONL from plain text
#: where a path may name a stream or another process's descriptor, not a file
_STREAM_FOLDERS: Final = ("/dev/", "/proc/")
_ZSTD_READ_CHUNK: Final = 1 << 14  # small: bounds what one decompress call can expand to

_FORMAT_BY_SUFFIX: Final[Mapping[str, FileFormat]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_COMPRESSION_BY_SUFFIX: Final[Mapping[str, Compression]] = {
    ".gz": "gzip",
    ".zst": "zstd",
    ".zstd": "zstd",
}
_JSON_KINDS: Final[Mapping[type, str]] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}
_ESCAPED_BYTE: Final = re.compile("[\udc80-\udcff]")

# User-facing messages (the CLI prints them after "FILE:LINE: ").
NO_SUCH_FILE: Final = "no such file"
IS_A_DIRECTORY: Final = "is a directory; give the files in it"
PERMISSION_DENIED: Final = "permission denied"
INVALID_UTF8: Final = "invalid UTF-8: byte 0x{byte:02X} at byte offset {offset}"
LINE_TOO_LONG: Final = "line longer than the limit of {limit:,} bytes"
FILE_TOO_LARGE: Final = "document longer than the limit of {limit:,} bytes"
CHANGED: Final = "the input changed between the two passes over it"
CHANGED_WHILE_READ: Final = "the input changed while it was read (another file in its place?)"
TRUNCATED: Final = "truncated {kind} file: compressed file ended before the end-of-stream marker"
NOT_COMPRESSED: Final = "not a valid {kind} file: {reason}"
MALFORMED_JSON: Final = "malformed JSON: {reason} (column {column})"
NOT_AN_OBJECT: Final = "a JSON line must be an object, not {kind}"
MISSING_FIELD: Final = "no {what} field {field!r} (the record's fields: {fields})"
NOT_A_STRING: Final = "{what} field {field!r} is {kind}, not a string"
BAD_ID: Final = "id field {field!r} is {kind}, not a string or integer"
NEEDS_ZSTANDARD: Final = 'reading or writing .zst needs zstandard: pip install "tanqiya[zstd]"'
NEEDS_PYARROW: Final = 'reading Parquet needs pyarrow: pip install "tanqiya[parquet]"'
PARQUET_STDIN: Final = "Parquet cannot be read from standard input; give the file"
NO_STDIN: Final = "standard input is closed; give the files"
STDIN_GUESSED: Final = "read as JSONL as it starts with {; --format text reads it as text"
PARQUET_COMPRESSED: Final = "a Parquet file cannot be .gz or .zst compressed; decompress it first"
PARQUET_UNREADABLE: Final = "not a readable Parquet file: {reason}"
PARQUET_NO_COLUMN: Final = "no column {field!r} (columns: {columns})"
PARQUET_NOT_TEXT: Final = "column {field!r} has type {type}, not string"
ID_NEEDS_RECORDS: Final = "an id field needs JSONL or Parquet input, not plain text"
MIXED_FORMATS: Final = (
    "cannot mix plain text and JSONL/Parquet inputs in one run ({text} and {records})"
)


class InputError(Exception):
    """Bad input: ``path`` (``"<stdin>"`` for standard input), the 1-based
    ``line`` (row for Parquet; ``None`` for the whole file) and a ``message``.

    >>> str(InputError("a.jsonl", 3, "malformed JSON"))
    'a.jsonl:3: malformed JSON'
    >>> str(InputError("a.txt", None, "no such file"))
    'a.txt: no such file'
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable with its fields (raised in a worker, re-raised here)
        return type(self), (self.path, self.line, self.message)


class DecodeError(InputError):
    """A line that is not valid UTF-8; ``offset`` is the bad byte's offset in
    the (decompressed) stream. ``errors="replace"`` or ``skip_bad`` avoid it."""

    def __init__(self, path: str, line: int | None, message: str, offset: int) -> None:
        super().__init__(path, line, message)
        self.offset = offset

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.path, self.line, self.message, self.offset)


class RecordError(InputError):
    """A malformed record (bad JSON, not an object, missing or non-string
    field); ``skip_bad`` passes it through instead."""


class MissingFieldError(RecordError):
    """A record without the text or id field: ``option`` names the setting
    that chose the field (``text_field`` or ``id_field``)."""

    def __init__(self, path: str, line: int | None, message: str, option: str) -> None:
        super().__init__(path, line, message)
        self.option = option

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.path, self.line, self.message, self.option)


def _field_names(obj: Mapping[str, Any], most: int = 8) -> str:
    """The keys of a record, for a message: the first ``most`` and how many more."""
    names = [repr(k) for k in itertools.islice(obj, most)]
    more = len(obj) - len(names)
    return (", ".join(names) or "none") + (f" and {more} more" if more > 0 else "")


class OutputError(Exception):
    """The output cannot be written: ``path`` and a ``message``."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.path, self.message)


@dataclasses.dataclass(slots=True)
class Record:
    """One unit of input.

    - ``id``: from the id field when one is set, else ``file:line`` (``file``
      for a whole-file document).
    - ``text``: the text to work on (``""`` for a bad record).
    - ``fields``: the whole JSON object or Parquet row, in input key order,
      text included; ``None`` for plain text.
    - ``source``, ``line``: where it came from, for messages (``line`` is
      ``None`` for a whole-file document).
    - ``ending``: the line ending of a plain-text line (``"\\n"``, ``"\\r\\n"``
      or ``""`` for a last line without one).
    - ``error``: why the record is bad (only with ``skip_bad``), else ``None``.
    - ``raw``: a bad line's original bytes, ending included, for writing back
      unchanged; with ``ReadOptions(keep_raw=True)`` every JSONL record's.
    - ``span``: a JSONL record's line as ``(start, end)`` byte offsets in its
      (decompressed) input, ending included (:func:`copy_spans` copies them).
    """

    id: str
    text: str
    fields: Mapping[str, Any] | None = None
    source: str = STDIN_NAME
    line: int | None = None
    ending: str = ""
    error: str | None = None
    raw: bytes | None = None
    span: tuple[int, int] | None = None

    @property
    def where(self) -> str:
        """``file:line`` (or ``file``) for messages.

        >>> Record(id="x", text="", source="a.txt", line=4).where
        'a.txt:4'
        """
        return self.source if self.line is None else f"{self.source}:{self.line}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """How to read inputs.

    - ``format``: ``"auto"`` (from each file's extension; standard input is
      text), ``"text"``, ``"jsonl"`` or ``"parquet"``.
    - ``text_unit``: plain text as one record per ``"line"`` or per ``"file"``.
    - ``text_field``: the JSONL/Parquet field holding the text.
    - ``id_field``: the field holding the record id; ``None`` for ``file:line``.
    - ``errors``: ``"strict"`` stops on invalid UTF-8; ``"replace"`` turns each
      invalid byte sequence into U+FFFD and counts the bytes.
    - ``skip_bad``: pass undecodable lines and malformed records through
      (``Record.error`` set) instead of raising.
    - ``max_record_bytes``: the longest line (or whole-file document) accepted.
    - ``parquet_batch_rows``: rows per Parquet record batch.
    - ``keep_raw``: keep each JSONL record's line bytes in ``Record.raw`` so a
      writer can copy it unchanged (``RecordWriter.write(record)``); not for
      a line whose invalid bytes were replaced, which is written with U+FFFD.

    >>> ReadOptions(errors="ignore")
    Traceback (most recent call last):
    ...
    ValueError: ReadOptions.errors must be one of 'strict', 'replace', not 'ignore'
    """

    format: InputFormat = "auto"
    text_unit: TextUnit = "line"
    text_field: str = "text"
    id_field: str | None = None
    errors: DecodeErrors = "strict"
    skip_bad: bool = False
    max_record_bytes: int = MAX_RECORD_BYTES
    parquet_batch_rows: int = 1024
    keep_raw: bool = False

    def __post_init__(self) -> None:
        _check_choice("format", self.format, ("auto", "text", "jsonl", "parquet"))
        _check_choice("text_unit", self.text_unit, ("line", "file"))
        _check_choice("errors", self.errors, ("strict", "replace"))
        if not isinstance(self.text_field, str) or not self.text_field:
            msg = f"ReadOptions.text_field must be a non-empty string, not {self.text_field!r}"
            raise ValueError(msg)
        if self.id_field is not None and (not isinstance(self.id_field, str) or not self.id_field):
            msg = f"ReadOptions.id_field must be a non-empty string or None, not {self.id_field!r}"
            raise ValueError(msg)
        for name in ("max_record_bytes", "parquet_batch_rows"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                msg = f"ReadOptions.{name} must be a positive integer, not {value!r}"
                raise ValueError(msg)


def _check_choice(field: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        msg = f"ReadOptions.{field} must be one of {', '.join(map(repr, valid))}, not {value!r}"
        raise ValueError(msg)


@dataclasses.dataclass
class ReadStats:
    """Counters a reader updates as it goes (read them after, or during, a run).

    ``records`` counts every record yielded, bad ones included; ``bad`` the
    records passed through with ``skip_bad``; ``replaced_bytes`` the invalid
    bytes replaced by U+FFFD; ``bytes_read`` the bytes consumed (decompressed);
    ``empty`` names the inputs read to their end that held nothing (no byte
    once decompressed, no Parquet row).
    """

    files: int = 0
    records: int = 0
    bad: int = 0
    replaced_bytes: int = 0
    bytes_read: int = 0
    empty: list[str] = dataclasses.field(default_factory=list)

    def add_parsed(self, parsed: ReadStats) -> None:
        """Add what a parser counted elsewhere (:meth:`JsonlBlock.parse` in a
        worker) while this reader only read the bytes."""
        self.records += parsed.records
        self.bad += parsed.bad
        self.replaced_bytes += parsed.replaced_bytes


@contextlib.contextmanager
def _reading(spec: InputSpec, stats: ReadStats) -> Iterator[None]:
    """Count an input, and name it in ``stats.empty`` if it gave no byte by
    the time it was read to its end."""
    stats.files += 1
    before = stats.bytes_read
    yield
    if stats.bytes_read == before:
        stats.empty.append(spec.name)


@dataclasses.dataclass(frozen=True, slots=True)
class InputSpec:
    """One checked input: ``path`` as given (``"-"`` for stdin), ``name`` for
    messages, the file ``format``, its ``compression`` and ``size`` in bytes
    (``None`` for stdin); ``head``, what was read of standard input to tell
    its format (the readers give it first)."""

    path: str
    name: str
    format: FileFormat
    compression: Compression
    size: int | None
    head: bytes = b""


def detect_format(path: str | os.PathLike[str]) -> tuple[FileFormat, Compression]:
    """The format and compression a file's extension implies.

    >>> detect_format("news.jsonl.gz")
    ('jsonl', 'gzip')
    >>> detect_format("page.txt")
    ('text', 'none')
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    compression: Compression = "none"
    if suffixes and suffixes[-1] in _COMPRESSION_BY_SUFFIX:
        compression = _COMPRESSION_BY_SUFFIX[suffixes.pop()]
    fmt = _FORMAT_BY_SUFFIX.get(suffixes[-1], "text") if suffixes else "text"
    return fmt, compression


def resolve_inputs(
    paths: Iterable[str | os.PathLike[str]], options: ReadOptions = ReadOptions()
) -> list[InputSpec]:
    """Check every input before anything is read: each file exists and is not
    a folder, and the optional packages its format needs are importable. No
    paths (or ``"-"``) means standard input. Raises :class:`InputError`.
    """
    specs: list[InputSpec] = []
    for raw_path in list(paths) or [STDIN]:
        path = os.fspath(raw_path)
        if path == STDIN:
            fmt, head = _sniff_stdin() if options.format == "auto" else (options.format, b"")
            if fmt == "parquet":
                raise InputError(STDIN_NAME, None, PARQUET_STDIN)
            spec = InputSpec(path, STDIN_NAME, fmt, "none", None, head)
        else:
            try:
                st = Path(path).stat()
            except FileNotFoundError:
                raise InputError(path, None, NO_SUCH_FILE) from None
            except PermissionError:
                raise InputError(path, None, PERMISSION_DENIED) from None
            except OSError as e:
                raise InputError(path, None, e.strerror or str(e)) from None
            if stat.S_ISDIR(st.st_mode):
                raise InputError(path, None, IS_A_DIRECTORY)
            detected, compression = detect_format(path)
            fmt = detected if options.format == "auto" else options.format
            if fmt == "parquet" and compression != "none":
                raise InputError(path, None, PARQUET_COMPRESSED)
            spec = InputSpec(path, path, fmt, compression, st.st_size)
        if spec.format == "text" and options.id_field is not None:
            raise InputError(spec.name, None, ID_NEEDS_RECORDS)
        if spec.compression == "zstd":
            _import_zstandard(spec.name)
        if spec.format == "parquet":
            _import_parquet(spec.name)
        specs.append(spec)
    return specs


def _sniff_stdin() -> tuple[FileFormat, bytes]:
    """Standard input's format: ``jsonl`` when its first character other
    than whitespace (after a byte order mark) is ``{``, else ``text`` (a news
    line may well start with ``[``); and the bytes read to tell (the
    whitespace before it: the readers give them first). Waits for that
    character or the end."""
    stream = _stdin_buffer()
    head = b""
    try:
        while stream is not None:
            seen = _peek(stream)
            if not seen:
                break  # the end: empty or blank
            start = (head + seen).removeprefix(codecs.BOM_UTF8).lstrip()
            if start and not codecs.BOM_UTF8.startswith(head + seen):
                return ("jsonl" if start.startswith(b"{") else "text"), head
            head += stream.read(len(seen))  # whitespace: look further
    except (OSError, ValueError):  # closed or unreadable: the readers say so
        pass
    return "text", head


def _peek(stream: IO[bytes]) -> bytes:
    """Bytes at the start of ``stream``, not consumed (at least one unless at
    its end)."""
    if stream.seekable():
        at = stream.tell()
        seen = stream.read(_SNIFF_BYTES)
        stream.seek(at)
        return seen
    return cast(io.BufferedReader, stream).peek(_SNIFF_BYTES)[:_SNIFF_BYTES]


def output_format_for(inputs: Sequence[InputSpec]) -> OutputFormat:
    """``"text"`` for plain-text inputs, ``"jsonl"`` for JSONL or Parquet;
    a mix raises ValueError.

    >>> output_format_for([InputSpec("a.pq", "a.pq", "parquet", "none", 1)])
    'jsonl'
    """
    text = [s.name for s in inputs if s.format == "text"]
    records = [s.name for s in inputs if s.format != "text"]
    if text and records:
        msg = MIXED_FORMATS.format(text=text[0], records=records[0])
        raise ValueError(msg)
    return "jsonl" if records else "text"


def read_records(
    paths: Iterable[str | os.PathLike[str]],
    options: ReadOptions = ReadOptions(),
    *,
    stats: ReadStats | None = None,
) -> Iterator[Record]:
    """Check the inputs now (:func:`resolve_inputs`), then stream their records.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.jsonl").write_text('{"text": "x", "k": 1}\\n', encoding="utf-8")
    >>> [(r.id, r.text, dict(r.fields)) for r in read_records([d / "a.jsonl"])]
    ... # doctest: +ELLIPSIS
    [('.../a.jsonl:1', 'x', {'text': 'x', 'k': 1})]
    """
    return read_inputs(resolve_inputs(paths, options), options, stats=stats)


def read_inputs(
    inputs: Iterable[InputSpec],
    options: ReadOptions = ReadOptions(),
    *,
    stats: ReadStats | None = None,
) -> Iterator[Record]:
    """Stream the records of already-checked inputs, one file at a time."""
    stats = ReadStats() if stats is None else stats
    for spec in inputs:
        with _reading(spec, stats):
            if spec.format == "parquet":
                yield from _read_parquet(spec, options, stats)
                continue
            with _open_binary(spec) as stream:
                if spec.format == "jsonl":
                    yield from _read_jsonl(stream, spec, options, stats)
                elif options.text_unit == "file":
                    yield from _read_document(stream, spec, options, stats)
                else:
                    yield from _read_lines(stream, spec, options, stats)


@dataclasses.dataclass(frozen=True)
class JsonlBlock:
    """Whole lines of a JSONL input, read but not parsed: :meth:`parse` turns
    them into records in any process, with the line numbers and messages
    :func:`read_inputs` gives. ``lineno`` and ``offset`` are those of the
    first line, ``size`` the block's length in bytes. ``data`` holds its
    bytes, or is None for a block of a regular uncompressed file that
    :meth:`parse` reads there (what goes to a worker is then four numbers
    and a name, not a megabyte)."""

    spec: InputSpec
    lineno: int
    offset: int
    size: int
    data: bytes | None = None
    identity: tuple[int, ...] | None = None  # of the file it was scanned in

    def parse(self, options: ReadOptions, stats: ReadStats) -> list[Record]:
        """The block's records (blank lines are none); bad lines raise, or
        come as bad records with ``skip_bad``. ``stats`` counts them."""
        data = self._read() if self.data is None else self.data
        out = []
        for lineno, offset, raw in _split_block(self.lineno, self.offset, data):
            record = _jsonl_record(raw, lineno, offset, self.spec, options, stats)
            if record is not None:
                out.append(record)
        return out

    def _read(self) -> bytes:
        """The block's bytes, read from its file again; InputError
        (:data:`CHANGED_WHILE_READ`) if it is no longer the file scanned
        (another file in its place, or written to since)."""
        with _open_file(self.spec) as fh:
            if _identity(fh) != self.identity:
                raise InputError(self.spec.name, self.lineno, CHANGED_WHILE_READ)
            fh.seek(self.offset)
            data = _read_block(fh.read, self.spec, self.size, self.lineno)
        if len(data) != self.size:
            raise InputError(self.spec.name, self.lineno, CHANGED_WHILE_READ)
        return data


def _reopenable(spec: InputSpec) -> bool:
    """Whether another process can open ``spec``'s file by a path and read
    the same bytes: a regular file, not one reached through a descriptor
    (``/dev/fd/3``, ``/proc/self/fd/3``: a worker that was not forked has no
    such descriptor)."""
    if spec.path == STDIN or not _is_regular(spec.path):
        return False
    real = os.path.realpath(spec.path)
    return Path(real).is_file() and not real.startswith(_STREAM_FOLDERS)


def _identity(stream: IO[bytes]) -> tuple[int, ...]:
    """Which file an open stream reads, and its size and time stamp."""
    status = os.fstat(stream.fileno())
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def read_blocks(
    inputs: Iterable[InputSpec],
    options: ReadOptions = ReadOptions(),
    *,
    stats: ReadStats | None = None,
    size: int = 4 << 20,
    unread: bool = False,
) -> Iterator[JsonlBlock | list[Record]]:
    """:func:`read_inputs` for a caller that parses JSONL elsewhere (worker
    processes): a JSONL input comes as blocks of whole lines of about
    ``size`` bytes (``stats.bytes_read`` counts them; the other counters are
    the parser's), any other input as batches of records (:func:`batched`).
    With ``unread``, a block of a regular uncompressed file comes without its
    bytes (:attr:`JsonlBlock.data` is None): here they are only scanned for
    line ends, and the process that parses the block reads them.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.jsonl").write_text('{"text": "x"}\\n\\n{"text": "y"}\\n', encoding="utf-8")
    >>> [block] = read_blocks(resolve_inputs([d / "a.jsonl"]), unread=True)
    >>> [r.text for r in block.parse(ReadOptions(), ReadStats())], block.lineno, block.data
    (['x', 'y'], 1, None)
    """
    stats = ReadStats() if stats is None else stats
    for spec in inputs:
        if spec.format != "jsonl":
            yield from batched(read_inputs([spec], options, stats=stats))
            continue
        keep = not (unread and spec.compression == "none" and _reopenable(spec))
        if not keep:  # the worker opens the file itself, by the path that names it anywhere
            spec = dataclasses.replace(spec, path=os.path.realpath(spec.path))
        with _reading(spec, stats), _open_binary(spec) as stream:
            identity = None if keep else _identity(stream)
            first: tuple[int, int] | None = None  # line number and offset of the block
            pending: list[bytes] = []
            held = 0
            for lineno, offset, head, chunk, cut in _cut_lines(stream, spec, options):
                if first is None:
                    first = lineno, offset
                if keep:
                    pending += [*head, chunk[:cut]]
                got = sum(map(len, head)) + cut
                held += got
                stats.bytes_read += got
                if held >= size:
                    data = b"".join(pending) if keep else None
                    yield JsonlBlock(spec, *first, held, data, identity)
                    first, pending, held = None, [], 0
            if first is not None:
                yield JsonlBlock(spec, *first, held, b"".join(pending) if keep else None, identity)


def total_bytes(inputs: Sequence[InputSpec]) -> int | None:
    """The bytes a reader will count in ``ReadStats.bytes_read``, if known
    (not for compressed files, Parquet or standard input)."""
    sizes = [s.size if s.compression == "none" and s.format != "parquet" else None for s in inputs]
    return None if None in sizes else sum(s or 0 for s in sizes)


def batched(
    records: Iterable[Record], *, max_records: int = 1024, max_chars: int = 1 << 20
) -> Iterator[list[Record]]:
    """Group a record stream into lists of at most ``max_records`` records
    and about ``max_chars`` characters of text (counting one more per record,
    as :func:`~normalize.minhash.text_batches` does: a batch of texts from here
    is one task there), for batch calls such as ``Normalizer.normalize_many``.

    >>> [len(b) for b in batched([Record(id=str(i), text="ab") for i in range(5)], max_records=2)]
    [2, 2, 1]
    """
    batch: list[Record] = []
    size = 0
    for record in records:
        batch.append(record)
        size += len(record.text) + 1
        if len(batch) >= max_records or size >= max_chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


@contextlib.contextmanager
def replayable(inputs: Sequence[InputSpec]) -> Iterator[list[InputSpec]]:
    """The same inputs, each readable any number of times, for commands that
    make two passes (count, then write).

    Regular files are returned as they are. Standard input, and any input that
    is not a regular file (a named pipe, ``<(zcat a.gz)``), is first copied
    byte for byte (still compressed, if it is; in blocks, never whole in
    memory) to a temporary file in the system's temporary folder. The copy
    keeps the input's ``name`` for messages and is removed when the ``with``
    block ends, on error too. Standard input is read once: a second ``"-"``
    reads as empty, as it would in a single pass.

    >>> import io as _io, sys
    >>> real, sys.stdin = sys.stdin, _io.TextIOWrapper(_io.BytesIO(b"a\\nb\\n"))
    >>> try:
    ...     with replayable(resolve_inputs(["-"])) as inputs:
    ...         twice = [[r.text for r in read_inputs(inputs)] for _ in range(2)]
    ... finally:
    ...     sys.stdin = real
    >>> twice, inputs[0].name, Path(inputs[0].path).exists()
    ([['a', 'b'], ['a', 'b']], '<stdin>', False)
    """
    with contextlib.ExitStack() as stack:
        out: list[InputSpec] = []
        folder: Path | None = None
        stdin_read = False
        for spec in inputs:
            if spec.path != STDIN and _is_regular(spec.path):
                out.append(spec)
                continue
            if folder is None:
                folder = scratch_folder(stack)
            copy = folder / f"{len(out)}.input"
            with copy.open("wb") as fh:
                if spec.path != STDIN or not stdin_read:
                    _copy_input(spec, fh)
                stdin_read |= spec.path == STDIN
            out.append(dataclasses.replace(spec, path=os.fspath(copy), size=copy.stat().st_size))
        yield out


def scratch_folder(stack: contextlib.ExitStack, prefix: str = "tanqiya-") -> Path:
    """A new private folder in the system's temporary folder, removed when
    ``stack`` closes. Its removal is registered before it is made, so a
    Ctrl-C at any moment leaves nothing behind (``TemporaryDirectory`` makes
    the folder first).

    >>> with contextlib.ExitStack() as stack:
    ...     folder = scratch_folder(stack)
    ...     made = folder.is_dir()
    >>> made, folder.exists()
    (True, False)
    """
    folder = Path(tempfile.gettempdir()) / f"{prefix}{secrets.token_hex(16)}"
    owned = [True]

    def remove() -> None:
        if owned[0]:
            shutil.rmtree(folder, ignore_errors=True)

    stack.callback(remove)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:  # never ours to remove
        owned[0] = False
        raise
    return folder


def _is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return True  # let the reader report it


def _copy_input(spec: InputSpec, target: IO[bytes]) -> None:
    if spec.path == STDIN:
        target.write(spec.head)
        shutil.copyfileobj(_stdin(spec), target, _READ_CHUNK)
        return
    with _open_file(spec) as source:
        shutil.copyfileobj(source, target, _READ_CHUNK)


# --- reading -----------------------------------------------------------------


def _stdin(spec: InputSpec) -> IO[bytes]:
    """The binary standard input; InputError if there is none (closed)."""
    stream = _stdin_buffer()
    if stream is None:
        raise InputError(spec.name, None, NO_STDIN)
    return stream


def _stdin_buffer() -> IO[bytes] | None:
    """The binary standard input, or None when it is closed (``<&-``)."""
    stream: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    return stream


class _Prefixed(io.RawIOBase):
    """``head``, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._read = _read1(stream)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401  (typeshed: WriteableBuffer)
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._read(len(view))
        view[: len(data)] = data
        return len(data)


def _open_file(spec: InputSpec) -> IO[bytes]:
    """``spec``'s file opened for reading; InputError naming it if it can't be."""
    try:
        return Path(spec.path).open("rb")
    except FileNotFoundError:
        raise InputError(spec.name, None, NO_SUCH_FILE) from None
    except IsADirectoryError:
        raise InputError(spec.name, None, IS_A_DIRECTORY) from None
    except PermissionError:
        raise InputError(spec.name, None, PERMISSION_DENIED) from None
    except OSError as e:
        raise InputError(spec.name, None, e.strerror or str(e)) from None


@contextlib.contextmanager
def _open_binary(spec: InputSpec) -> Iterator[IO[bytes]]:
    """A buffered binary stream of the decompressed input."""
    if spec.path == STDIN:
        stdin = _stdin(spec)
        yield io.BufferedReader(_Prefixed(spec.head, stdin)) if spec.head else stdin
        return
    with _open_file(spec) as fh:
        if spec.compression == "gzip":
            with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                yield cast(IO[bytes], gz)
        elif spec.compression == "zstd":
            yield io.BufferedReader(_ZstdReader(fh, spec.name))
        else:
            yield fh


def _read_block(
    read: Callable[[int], bytes], spec: InputSpec, size: int, line: int | None
) -> bytes:
    """At most ``size`` bytes, as soon as some are available (``read1``, so a
    pipe is streamed); decompression errors become InputError at ``line``."""
    try:
        return read(size)
    except EOFError:
        raise InputError(spec.name, line, _truncated(spec)) from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise InputError(spec.name, line, NOT_COMPRESSED.format(kind="gzip", reason=e)) from None
    except OSError as e:
        raise InputError(spec.name, line, e.strerror or str(e)) from None


def _read1(stream: IO[bytes]) -> Callable[[int], bytes]:
    read: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
    return read


def _cut_lines(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions
) -> Iterator[tuple[int, int, list[bytes], bytes, int]]:
    """The input cut into runs of whole lines, as it is read: ``(first line
    number, byte offset, head, chunk, cut)``, the lines being the pieces of
    ``head`` (the start of a line that spanned reads; no newline in them)
    followed by ``chunk[:cut]``. Each run ends with ``\\n`` but perhaps the
    last. A line longer than ``options.max_record_bytes`` raises InputError
    once that many bytes and one more are seen; no more than that is held."""
    limit = options.max_record_bytes
    size = min(_READ_CHUNK, limit + 1)  # a line inside one chunk is <= limit
    lineno, offset = 1, 0
    head: list[bytes] = []
    head_len = 0
    read = _read1(stream)
    while chunk := _read_block(read, spec, size, lineno):
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            head.append(chunk)
            head_len += len(chunk)
            if head_len > limit:
                raise InputError(spec.name, lineno, LINE_TOO_LONG.format(limit=limit))
            continue
        if head and head_len + chunk.find(b"\n") > limit:
            raise InputError(spec.name, lineno, LINE_TOO_LONG.format(limit=limit))
        yield lineno, offset, head, chunk, cut
        lineno += chunk.count(b"\n", 0, cut)
        offset += head_len + cut
        head, head_len = ([chunk[cut:]], len(chunk) - cut) if cut < len(chunk) else ([], 0)
    if head:
        yield lineno, offset, head, b"", 0


def _line_blocks(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions
) -> Iterator[tuple[int, int, bytes]]:
    """``(first line number, byte offset, block)``: :func:`_cut_lines` with
    each run of lines joined into one block."""
    for lineno, offset, head, chunk, cut in _cut_lines(stream, spec, options):
        yield lineno, offset, b"".join([*head, chunk[:cut]]) if head else chunk[:cut]


def _raw_lines(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions
) -> Iterator[tuple[int, int, bytes]]:
    """``(line number, byte offset, line bytes with their ending)``."""
    for lineno, offset, block in _line_blocks(stream, spec, options):
        yield from _split_block(lineno, offset, block)


def _split_block(lineno: int, offset: int, block: bytes) -> Iterator[tuple[int, int, bytes]]:
    pieces = block.split(b"\n")
    last = pieces.pop()
    for piece in pieces:
        raw = piece + b"\n"
        yield lineno, offset, raw
        lineno += 1
        offset += len(raw)
    if last:
        yield lineno, offset, last


def _truncated(spec: InputSpec) -> str:
    return TRUNCATED.format(kind="gzip" if spec.compression == "gzip" else "zstd")


def _split_ending(raw: bytes) -> tuple[bytes, str]:
    if raw.endswith(b"\r\n"):
        return raw[:-2], "\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], "\n"
    return raw, ""


def _decode(
    data: bytes,
    spec: InputSpec,
    line: int | None,
    offset: int,
    options: ReadOptions,
    stats: ReadStats,
) -> str:
    """UTF-8 text of ``data``; raises DecodeError, or replaces and counts."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if options.errors == "strict":
            message = INVALID_UTF8.format(byte=data[e.start], offset=offset + e.start)
            raise DecodeError(spec.name, line, message, offset + e.start) from None
    escaped = data.decode("utf-8", "surrogateescape")
    stats.replaced_bytes += len(_ESCAPED_BYTE.findall(escaped))
    return data.decode("utf-8", "replace")


def _bad(
    spec: InputSpec,
    line: int | None,
    error: InputError,
    raw: bytes | None,
    fields: Mapping[str, Any] | None,
    stats: ReadStats,
) -> Record:
    stats.bad += 1
    stats.records += 1
    return Record(
        id=_position_id(spec, line),
        text="",
        fields=fields,
        source=spec.name,
        line=line,
        error=error.message,
        raw=raw,
    )


def _position_id(spec: InputSpec, line: int | None) -> str:
    return spec.name if line is None else f"{spec.name}:{line}"


def _read_lines(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions, stats: ReadStats
) -> Iterator[Record]:
    name = spec.name
    for lineno, offset, block in _line_blocks(stream, spec, options):
        stats.bytes_read += len(block)
        try:
            lines = block.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            yield from _read_lines_slowly(lineno, offset, block, spec, options, stats)
            continue
        last = lines.pop()  # "" when the block ends with a newline
        for line in lines:
            stats.records += 1
            if line[-1:] == "\r":
                yield Record(f"{name}:{lineno}", line[:-1], None, name, lineno, "\r\n")
            else:
                yield Record(f"{name}:{lineno}", line, None, name, lineno, "\n")
            lineno += 1
        if last:
            stats.records += 1
            yield Record(f"{name}:{lineno}", last, None, name, lineno, "")


def _read_lines_slowly(
    lineno: int,
    offset: int,
    block: bytes,
    spec: InputSpec,
    options: ReadOptions,
    stats: ReadStats,
) -> Iterator[Record]:
    """One line at a time, for a block that is not valid UTF-8."""
    for line, line_offset, raw in _split_block(lineno, offset, block):
        content, ending = _split_ending(raw)
        try:
            text = _decode(content, spec, line, line_offset, options, stats)
        except DecodeError as e:
            if not options.skip_bad:
                raise
            yield _bad(spec, line, e, raw, None, stats)
            continue
        stats.records += 1
        yield Record(f"{spec.name}:{line}", text, None, spec.name, line, ending)


def _read_document(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions, stats: ReadStats
) -> Iterator[Record]:
    limit = options.max_record_bytes
    parts: list[bytes] = []
    size = 0
    read = _read1(stream)
    while block := _read_block(read, spec, _READ_CHUNK, None):
        parts.append(block)
        size += len(block)
        if size > limit:
            raise InputError(spec.name, None, FILE_TOO_LARGE.format(limit=limit))
    data = b"".join(parts)
    stats.bytes_read += len(data)
    try:
        text = _decode(data, spec, None, 0, options, stats)
    except DecodeError as e:
        if not options.skip_bad:  # name the line, though the record is the whole file
            raise DecodeError(
                e.path, data.count(b"\n", 0, e.offset) + 1, e.message, e.offset
            ) from None
        yield _bad(spec, None, e, data, None, stats)
        return
    stats.records += 1
    yield Record(id=spec.name, text=text, source=spec.name)


def _read_jsonl(
    stream: IO[bytes], spec: InputSpec, options: ReadOptions, stats: ReadStats
) -> Iterator[Record]:
    for lineno, offset, raw in _raw_lines(stream, spec, options):
        record = _jsonl_record(raw, lineno, offset, spec, options, stats)
        if record is not None:
            yield record


def _jsonl_record(
    raw: bytes, lineno: int, offset: int, spec: InputSpec, options: ReadOptions, stats: ReadStats
) -> Record | None:
    """The record of one JSONL line (``None`` for a blank line). A byte order
    mark before the first is not part of it: a record copied byte for byte
    (its ``raw`` bytes, its ``span``) leaves it behind."""
    stats.bytes_read += len(raw)
    if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
        raw, offset = raw[len(codecs.BOM_UTF8) :], offset + len(codecs.BOM_UTF8)
    content, _ = _split_ending(raw)
    replaced = stats.replaced_bytes
    try:
        line = _decode(content, spec, lineno, offset, options, stats)
        if not line.strip():
            return None  # blank lines are not records
        obj = _parse_json(line, spec, lineno, guessed=options.format == "auto")
        record = _from_object(obj, spec, lineno, options)
        if options.keep_raw and stats.replaced_bytes == replaced:  # else written with U+FFFD
            record.raw = raw
    except (DecodeError, RecordError) as e:
        if not options.skip_bad:
            raise
        record = _bad(spec, lineno, e, raw, None, stats)
    else:
        stats.records += 1
    record.span = (offset, offset + len(raw))
    return record


def copy_spans(
    spec: InputSpec,
    spans: Iterable[tuple[int, int]],
    write: Callable[[bytes], object],
    *,
    stats: ReadStats | None = None,
) -> None:
    """Pass the byte ranges ``spans`` of a JSONL input (``(start, end)``
    offsets in its decompressed content, ascending and disjoint, as in
    :attr:`Record.span`) to ``write``, reading the input once, in order, and
    nothing into memory but blocks of at most 1 MiB: a second pass that copies
    records unchanged without splitting or parsing their lines.
    ``stats.bytes_read`` counts the bytes passed over. Raises InputError
    (:data:`CHANGED`) if the input ends before a range does.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.jsonl").write_bytes(b'{"text": "x"}\\n\\n{"text": "y"}\\n')
    >>> spec, = resolve_inputs([d / "a.jsonl"])
    >>> [r.span for r in read_inputs([spec])]
    [(0, 14), (15, 29)]
    >>> out = []
    >>> copy_spans(spec, [(15, 29)], out.append)
    >>> out
    [b'{"text": "y"}\\n']
    """
    stats = ReadStats() if stats is None else stats
    with _open_binary(spec) as stream:
        read = stream.read
        position = 0
        for start, end in spans:
            if start > position and stream.seekable():
                stream.seek(start)
                stats.bytes_read += start - position
                position = start
            while position < end:
                wanted = end - position if position >= start else start - position
                block = _read_block(read, spec, min(wanted, _READ_CHUNK), None)
                if not block:
                    raise InputError(spec.name, None, CHANGED)
                if position >= start:
                    write(block)
                position += len(block)
                stats.bytes_read += len(block)


def _parse_json(line: str, spec: InputSpec, lineno: int, *, guessed: bool) -> dict[str, Any]:
    """The JSON object on ``line``; RecordError if it is not one (saying, for
    standard input whose format was ``guessed``, why it was read as JSONL)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        message = MALFORMED_JSON.format(reason=e.msg, column=e.colno)
    except RecursionError:
        message = MALFORMED_JSON.format(reason="nested too deeply", column=1)
    else:
        if isinstance(obj, dict):
            return obj
        message = NOT_AN_OBJECT.format(kind=_json_kind(obj))
    if guessed and spec.path == STDIN:
        message += f" ({STDIN_GUESSED})"
    raise RecordError(spec.name, lineno, message)


def _json_kind(value: object) -> str:
    return _JSON_KINDS.get(type(value), type(value).__name__)


def _from_object(
    obj: Mapping[str, Any], spec: InputSpec, line: int, options: ReadOptions
) -> Record:
    """A record from a JSON object or Parquet row; RecordError if malformed."""
    field = options.text_field
    if field not in obj:
        message = MISSING_FIELD.format(what="text", field=field, fields=_field_names(obj))
        raise MissingFieldError(spec.name, line, message, "text_field")
    text = obj[field]
    if not isinstance(text, str):
        message = NOT_A_STRING.format(what="text", field=field, kind=_json_kind(text))
        raise RecordError(spec.name, line, message)
    record_id = f"{spec.name}:{line}"
    if options.id_field is not None:
        if options.id_field not in obj:
            message = MISSING_FIELD.format(
                what="id", field=options.id_field, fields=_field_names(obj)
            )
            raise MissingFieldError(spec.name, line, message, "id_field")
        value = obj[options.id_field]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            message = BAD_ID.format(field=options.id_field, kind=_json_kind(value))
            raise RecordError(spec.name, line, message)
        record_id = str(value)
    return Record(id=record_id, text=text, fields=obj, source=spec.name, line=line)


def _read_parquet(spec: InputSpec, options: ReadOptions, stats: ReadStats) -> Iterator[Record]:
    pq = _import_parquet(spec.name)
    import pyarrow as pa

    def unreadable(e: Exception) -> InputError:
        return InputError(spec.name, None, PARQUET_UNREADABLE.format(reason=e))

    try:
        parquet = pq.ParquetFile(spec.path)
        schema = parquet.schema_arrow
    except (OSError, pa.ArrowException) as e:
        raise unreadable(e) from None
    field = options.text_field
    if field not in schema.names:
        columns = ", ".join(schema.names)
        raise InputError(spec.name, None, PARQUET_NO_COLUMN.format(field=field, columns=columns))
    column_type = schema.field(field).type
    if not (pa.types.is_string(column_type) or pa.types.is_large_string(column_type)):
        raise InputError(spec.name, None, PARQUET_NOT_TEXT.format(field=field, type=column_type))
    row = 0
    with parquet:
        batches = iter(parquet.iter_batches(batch_size=options.parquet_batch_rows))
        while True:
            try:
                batch = next(batches, None)
            except (OSError, pa.ArrowException) as e:
                raise unreadable(e) from None
            if batch is None:
                return
            stats.bytes_read += batch.nbytes
            for obj in batch.to_pylist():
                row += 1
                try:
                    record = _from_object(obj, spec, row, options)
                except RecordError as e:
                    if not options.skip_bad:
                        raise
                    yield _bad(spec, row, e, None, obj, stats)
                    continue
                stats.records += 1
                yield record


def _import_parquet(name: str) -> ModuleType:
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise InputError(name, None, NEEDS_PYARROW) from None


def _import_zstandard(name: str) -> ModuleType:
    try:
        return importlib.import_module("zstandard")
    except ImportError:
        raise InputError(name, None, NEEDS_ZSTANDARD) from None


class _ZstdReader(io.RawIOBase):
    """Decompress a (multi-frame) .zst stream; raise EOFError if the input
    ends inside a frame, which ``zstandard``'s own stream reader does not."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        super().__init__()
        zstandard = _import_zstandard(name)
        self._raw = raw
        self._name = name
        self._dctx = zstandard.ZstdDecompressor()
        self._error: type[Exception] = zstandard.ZstdError
        self._frame: Any = None
        self._buffer = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401  (typeshed: WriteableBuffer)
        view = memoryview(buffer).cast("B")
        while self._pos >= len(self._buffer):
            chunk = self._raw.read(_ZSTD_READ_CHUNK)
            if not chunk:
                if self._frame is not None:
                    raise EOFError
                return 0
            self._buffer, self._pos = self._decompress(chunk), 0
        n = min(len(view), len(self._buffer) - self._pos)
        view[:n] = self._buffer[self._pos : self._pos + n]
        self._pos += n
        return n

    def _decompress(self, chunk: bytes) -> bytes:
        out = []
        try:
            while chunk:
                if self._frame is None:
                    self._frame = self._dctx.decompressobj()
                out.append(self._frame.decompress(chunk))
                chunk = b""
                if self._frame.eof:
                    chunk = self._frame.unused_data
                    self._frame = None
        except self._error as e:
            raise OSError(NOT_COMPRESSED.format(kind="zstd", reason=e)) from None
        return b"".join(out)


# --- writing -----------------------------------------------------------------


@contextlib.contextmanager
def open_output(path: str | os.PathLike[str] | None = None) -> Iterator[BinaryIO]:
    """A binary stream to write output to.

    ``None`` or ``"-"``: standard output (flushed at the end). A path: a
    temporary file in the same folder, renamed over ``path`` only when the
    ``with`` block ends without error, after an fsync; on any exception,
    KeyboardInterrupt included, the temporary file is removed and an existing
    ``path`` is left untouched. ``.gz`` / ``.zst`` paths are compressed. An
    existing file keeps its permissions; a symbolic link stays one (the file
    it points to is replaced). What is not a file (``/dev/null``, a FIFO,
    ``/dev/stdout``) is written in place: a rename would replace it.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with open_output(target) as out:
    ...     _ = out.write(b"done\\n")
    >>> target.read_bytes(), [p.name for p in target.parent.iterdir()]
    (b'done\\n', ['out.txt'])
    """
    if path is None or os.fspath(path) == STDIN:
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()
        return
    name = os.fspath(path)
    target = Path(path)
    if target.is_dir():
        raise OutputError(name, IS_A_DIRECTORY.split(";")[0])
    _, compression = detect_format(target)
    if _in_place(target):
        with _naming(name), target.open("wb") as fh, _compressing(fh, compression, name) as out:
            yield out
        return
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = None
    tmp, fd = _create_temp(target)
    try:
        with _naming(name), _SyncedFile(fd) as fh:
            with _compressing(fh, compression, name) as out:
                yield out
            fh.sync()
        if mode is not None:
            tmp.chmod(mode)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


#: bytes written to an output file between two background syncs
_SYNC_EVERY: Final = 32 << 20


class _SyncedFile(io.BufferedWriter):
    """An output file whose data a background thread hands to the disk
    (``fdatasync``) every :data:`_SYNC_EVERY` bytes while the writing goes
    on, so that :meth:`sync`, the ``fsync`` that makes it durable before the
    rename, waits for the last few megabytes, not the whole file (half a
    second for 400 MB here). The thread starts with the first background
    sync: a small file never has one."""

    def __init__(self, fd: int) -> None:
        super().__init__(io.FileIO(fd, "wb"))
        self._unsynced = 0
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None

    def write(self, data: ReadableBuffer, /) -> int:
        written = super().write(data)
        self._unsynced += written
        if self._unsynced >= _SYNC_EVERY:
            self._unsynced = 0
            self.flush()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._syncing, name="tanqiya-sync", daemon=True
                )
                self._thread.start()
            self._wake.set()
        return written

    def _syncing(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stop:
                return
            with contextlib.suppress(OSError):  # sync() reports a failing disk
                os.fdatasync(self.fileno())

    def _join(self) -> None:
        if self._thread is not None:
            self._stop = True
            self._wake.set()
            self._thread.join()
            self._thread = None

    def sync(self) -> None:
        """Flush, stop the background syncs and ``fsync``."""
        self.flush()
        self._join()
        os.fsync(self.fileno())

    def close(self) -> None:
        self._join()
        super().close()


_FULL: Final = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@contextlib.contextmanager
def _naming(name: str) -> Iterator[None]:
    """An output that cannot take more data (a full disk, a quota, a size
    limit) is an OutputError naming it."""
    try:
        yield
    except OSError as e:
        if e.errno not in _FULL:
            raise
        raise OutputError(name, f"cannot write: {e.strerror or e}") from None


def _in_place(target: Path) -> bool:
    """Whether an output path is written in place: it exists and is not a
    regular file (a device, a FIFO), or names a stream (``/dev/stdout``,
    ``/proc/self/fd/1``)."""
    if str(target.absolute()).startswith(_STREAM_FOLDERS):
        return True
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def _compressing(fh: BinaryIO, compression: Compression, name: str) -> Iterator[BinaryIO]:
    """``fh``, or a stream compressing into it for a ``.gz`` / ``.zst`` output."""
    if compression == "gzip":
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
            yield cast(BinaryIO, gz)
    elif compression == "zstd":
        with _import_zstandard(name).ZstdCompressor().stream_writer(fh, closefd=False) as zst:
            yield zst
    else:
        yield fh


def _create_temp(target: Path) -> tuple[Path, int]:
    """A new hidden file beside ``target``, created with the usual umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            reason = f"cannot create a file in {str(target.parent)!r}: {e.strerror or e}"
            raise OutputError(os.fspath(target), reason) from None
    msg = "cannot create a temporary file beside it"
    raise OutputError(os.fspath(target), msg)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def json_line(obj: Mapping[str, Any]) -> bytes:
    """One JSONL line: key order kept, non-ASCII written as is; a lone
    surrogate (from a ``\\ud800`` escape in the input) stays escaped so the
    output is valid UTF-8. Dates and times become ISO strings, other
    non-JSON values (from Parquet) their ``str``; NaN and the infinities (a
    Parquet NaN, a ``1e400`` read as a float), which JSON has no number
    for, ``null``, as pandas writes them.

    >>> json_line({"text": "سلام", "n": 1})
    b'{"text": "\\xd8\\xb3\\xd9\\x84\\xd8\\xa7\\xd9\\x85", "n": 1}\\n'
    >>> json_line({"t": "\\ud800", "x": [float("nan"), 1.5]})
    b'{"t": "\\\\ud800", "x": [null, 1.5]}\\n'
    """
    try:
        line = json.dumps(obj, ensure_ascii=False, default=_json_default, allow_nan=False)
    except ValueError:
        return json_line(cast("Mapping[str, Any]", _finite(obj)))
    try:
        return line.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True, default=_json_default).encode("ascii") + b"\n"


def _finite(value: object) -> object:
    """``value`` with NaN and the infinities, at any depth, as None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _json_default(value: object) -> object:
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


_COPY_CHUNK: Final = 1 << 20


@dataclasses.dataclass(frozen=True)
class RecordFormat:
    """How :class:`RecordWriter` turns one record into bytes, as a pure,
    picklable function (worker processes format the records they write):
    ``"text"``: the text and the record's line ending; ``"jsonl"``: the
    record's fields with ``text_field`` set to the text (a plain-text record
    becomes ``{"id": ..., text_field: ...}``). A bad record, or a record
    read with its raw line and written with its own text, comes back as
    it was read.

    >>> RecordFormat("jsonl")(Record(id="a", text="x"), "y")
    b'{"id": "a", "text": "y"}\\n'
    >>> RecordFormat("text")(Record(id="a", text="x", ending="\\n"), None)
    b'x\\n'
    """

    format: OutputFormat
    text_field: str = "text"

    def __post_init__(self) -> None:
        if self.format not in ("text", "jsonl"):
            msg = f"RecordWriter format must be 'text' or 'jsonl', not {self.format!r}"
            raise ValueError(msg)

    def __call__(self, record: Record, text: str | None) -> bytes:
        if text is None:
            text = record.text
        if record.error is None and self.format == "text":
            return (text + record.ending).encode("utf-8")
        return self.jsonl(record, text)

    def jsonl(self, record: Record, text: str) -> bytes:
        """The JSONL line of ``record`` with ``text`` (a bad record as read)."""
        if record.error is not None or (record.raw is not None and text == record.text):
            return record.raw if record.raw is not None else json_line(record.fields or {})
        if record.fields is None:
            return json_line({"id": record.id, self.text_field: text})
        fields = dict(record.fields)
        fields[self.text_field] = text
        return json_line(fields)


class RecordWriter:
    """Write records to a binary stream as plain text or JSONL.

    ``write(record, text)`` writes the record with its text replaced by
    ``text`` (the record's own text when ``None``; then a record read with
    ``keep_raw`` is written as its original bytes):

    - ``"text"``: the text and the record's line ending. If the previous
      record ended without a newline (the last line of an earlier file, or a
      whole-file document without a final newline), a newline is written
      first, so records never run together.
    - ``"jsonl"``: the record's fields in their input order with
      ``text_field`` set to the text; a plain-text record becomes
      ``{"id": ..., text_field: ...}``.

    A bad record (``record.error`` set) is written back unchanged: its raw
    bytes, or its fields as JSON.
    """

    def __init__(
        self, stream: IO[bytes], format: OutputFormat, *, text_field: str = "text"
    ) -> None:
        self.formatting = RecordFormat(format, text_field)
        self.stream = stream
        self.format = format
        self.text_field = text_field
        self.count = 0
        self._open_line = False  # the last record written has no newline yet
        self._copying = False  # write_lines is in the middle of an input's lines

    def write(self, record: Record, text: str | None = None) -> None:
        """Write one record (see the class docstring)."""
        self.write_many([record], [text])

    def append(self, path: str | os.PathLike[str], records: int) -> None:
        """Copy the file at ``path``, ``records`` records another
        RecordWriter wrote with the same format (a worker's share of the
        output), as if they were written here one by one."""
        with Path(path).open("rb") as fragment:
            first = fragment.read(1)
            if not first:
                self.count += records
                return
            if self._open_line:
                self.stream.write(b"\n")
            self.stream.write(first)
            shutil.copyfileobj(fragment, self.stream, _COPY_CHUNK)
            fragment.seek(-1, os.SEEK_END)
            self._open_line = fragment.read(1) != b"\n"
        self.count += records

    def write_lines(self, data: bytes) -> None:
        """JSONL lines as read, written unchanged, in the pieces
        :func:`copy_spans` reads (a line longer than a piece comes in
        several). Call :meth:`end_lines` after an input's last piece: if it
        ends without a newline, the next record starts on a line of its own.
        Not counted in :attr:`count`."""
        if not data:
            return
        if self._open_line and not self._copying:
            self.stream.write(b"\n")
        self.stream.write(data)
        self._open_line = not data.endswith(b"\n")
        self._copying = True

    def end_lines(self) -> None:
        """The lines :meth:`write_lines` was given are complete."""
        self._copying = False

    def write_many(self, records: Iterable[Record | bytes], texts: Iterable[str | None]) -> None:
        """``write`` for each record with its text, in order, in one write
        call (plain text is encoded once per batch). A ``bytes`` item is an
        already formatted line (a worker's, in ``tanqiya clean``), written
        unchanged; its text must be ``None``."""
        out: list[bytes] = []
        lines: list[str] = []  # plain text not yet encoded
        for record, text in zip(records, texts, strict=True):
            self.count += 1
            if self._open_line:
                lines.append("\n")
            if isinstance(record, bytes):
                if lines:
                    out.append("".join(lines).encode("utf-8"))
                    lines.clear()
                out.append(record)
                self._open_line = bool(record) and not record.endswith(b"\n")
                continue
            if text is None:
                text = record.text
            if record.error is None and self.format == "text":
                lines.append(text)
                lines.append(record.ending)
                self._open_line = not record.ending and bool(text) and text[-1] != "\n"
                continue
            if lines:
                out.append("".join(lines).encode("utf-8"))
                lines.clear()
            data = self.formatting.jsonl(record, text)
            out.append(data)
            self._open_line = bool(data) and not data.endswith(b"\n")
        if lines:
            out.append("".join(lines).encode("utf-8"))
        self.stream.write(b"".join(out))
