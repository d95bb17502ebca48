"""The audit of removals: one JSON object per removed line or document.

Every command that removes something (``tanqiya lines``, ``tanqiya dedup``,
``tanqiya clean``) writes its removals through one :class:`AuditWriter`, so
the audit has one format. Keys come in a fixed order, text is written as UTF-8
(not ``\\u`` escapes), one object per line:

- a removed document: ``{"id", "reason", "duplicate_of", "similarity",
  "cluster"}``; ``reason`` is ``"exact"`` (same key) or ``"near"``,
  ``duplicate_of`` the id of the document its cluster keeps, ``similarity``
  its similarity to that document (1.0 for exact), ``cluster`` the cluster's
  number (stable for the same input and parameters);
- a removed line: ``{"id", "line", "reason", "text", "duplicate_of",
  "similarity"}``; ``id`` is the document's, ``line`` the 1-based line number
  in it, ``reason`` ``"line-adjacent"``, ``"line-document"`` or
  ``"line-corpus"``, ``text`` the original line without its ending,
  ``duplicate_of`` the line number of the kept copy (``null`` for the corpus
  scope, which keeps no copy) and ``similarity`` the score of the keys, 0-1.

The writer only formats and counts; where the bytes go (an atomic file from
:func:`normalize.io.open_output`, or nowhere) is the caller's choice.

>>> import io, json
>>> buf = io.BytesIO()
>>> audit = AuditWriter(buf)
>>> audit.line("page.txt", line=2, reason="line-adjacent", text="عاجل", duplicate_of=1)
>>> audit.document("a:3", reason="near", duplicate_of="a:1", similarity=0.84375, cluster=0)
>>> audit.flush()
>>> removed_line, removed_document = buf.getvalue().decode().splitlines()
>>> removed_line[:60]
'{"id": "page.txt", "line": 2, "reason": "line-adjacent", "te'
>>> json.loads(removed_line)["text"], json.loads(removed_line)["similarity"]
('عاجل', 1.0)
>>> removed_document
'{"id": "a:3", "reason": "near", "duplicate_of": "a:1", "similarity": 0.84375, "cluster": 0}'
>>> audit.count, dict(audit.reasons)
(2, {'line-adjacent': 1, 'near': 1})
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Final, Literal

from normalize.io import json_line, open_output

if TYPE_CHECKING:
    from normalize.lines import RemovedLine

DocumentReason = Literal["exact", "near"]
LineReason = Literal["line-adjacent", "line-document", "line-corpus"]
Reason = Literal[DocumentReason, LineReason]
DOCUMENT_REASONS: Final = typing.get_args(DocumentReason)
LINE_REASONS: Final = typing.get_args(LineReason)

_FLUSH_BYTES: Final = 1 << 20
_json_str: Final = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


class AuditWriter:
    """Write audit records (see the module docstring) to a binary stream, or
    only count them when ``stream`` is ``None``.

    ``count`` is the number of removals recorded, ``reasons`` the count per
    reason. Writes are buffered and go out in blocks (``flush``, or the end of
    :meth:`open`).
    """

    __slots__ = ("_buffer", "_size", "count", "reasons", "stream")

    def __init__(self, stream: IO[bytes] | None) -> None:
        self.stream = stream
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self._buffer: list[bytes] = []
        self._size = 0

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: str | os.PathLike[str] | None) -> Iterator[AuditWriter]:
        """An audit written atomically to ``path`` (``"-"``: standard output;
        ``.gz``/``.zst`` compressed), or a counting-only writer for ``None``.
        On an exception the file is not created and an existing one is left
        as it was (:func:`normalize.io.open_output`)."""
        if path is None:
            yield cls(None)
            return
        with open_output(path) as stream:
            writer = cls(stream)
            yield writer
            writer.flush()

    def document(
        self,
        id: str,
        *,
        reason: DocumentReason,
        duplicate_of: str,
        similarity: float,
        cluster: int,
    ) -> None:
        """Record one removed document."""
        if reason not in DOCUMENT_REASONS:
            msg = f"document reason must be one of {', '.join(DOCUMENT_REASONS)}, not {reason!r}"
            raise ValueError(msg)
        self._add(
            reason,
            {
                "id": id,
                "reason": reason,
                "duplicate_of": duplicate_of,
                "similarity": similarity,
                "cluster": cluster,
            },
        )

    def line(
        self,
        id: str,
        *,
        line: int,
        reason: LineReason,
        text: str,
        duplicate_of: int | None,
        similarity: float = 1.0,
    ) -> None:
        """Record one removed line of document ``id``."""
        if reason not in LINE_REASONS:
            msg = f"line reason must be one of {', '.join(LINE_REASONS)}, not {reason!r}"
            raise ValueError(msg)
        self._add(
            reason,
            {
                "id": id,
                "line": line,
                "reason": reason,
                "text": text,
                "duplicate_of": duplicate_of,
                "similarity": similarity,
            },
        )

    def lines(self, id: str, removed: Iterable[RemovedLine]) -> None:
        """Record the removed lines of one document, as
        :func:`normalize.lines.dedup_lines` or ``BoilerplateFilter.filter``
        report them (``score`` 0-100 becomes ``similarity`` 0-1). The same
        bytes as :meth:`line` for each, formatted without a dict per line."""
        removed = list(removed)
        if not removed:
            return
        reasons = _line_reasons(removed)
        data = format_lines(id, removed) if self.stream is not None else b""
        self.add_formatted(data, reasons)

    def add_file(self, path: str | os.PathLike[str], reasons: Mapping[str, int]) -> None:
        """:meth:`add_formatted` for audit lines formatted ahead into the
        file at ``path``."""
        self.add_formatted(b"", reasons)
        if self.stream is None:
            return
        self.flush()
        with open(path, "rb") as lines:  # noqa: PTH123 (a path or a string)
            shutil.copyfileobj(lines, self.stream, _FLUSH_BYTES)

    def add_formatted(self, data: bytes, reasons: Mapping[str, int]) -> None:
        """Record removed lines formatted ahead (:func:`format_lines`, in any
        process): their audit bytes, and how many there are per reason."""
        self.reasons.update(reasons)
        self.count += sum(reasons.values())
        if self.stream is None or not data:
            return
        self._buffer.append(data)
        self._size += len(data)
        if self._size >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write out what is buffered."""
        if self.stream is not None and self._buffer:
            self.stream.write(b"".join(self._buffer))
        self._buffer.clear()
        self._size = 0

    def _add(self, reason: str, obj: dict[str, object]) -> None:
        self.count += 1
        self.reasons[reason] += 1
        if self.stream is None:
            return
        data = json_line(obj)
        self._buffer.append(data)
        self._size += len(data)
        if self._size >= _FLUSH_BYTES:
            self.flush()


def _line_reasons(removed: Sequence[RemovedLine]) -> Counter[str]:
    """How many of ``removed`` there are per reason; ValueError for an
    unknown reason."""
    reasons: Counter[str] = Counter(r.reason for r in removed)
    for reason in reasons:
        if reason not in LINE_REASONS:
            msg = f"line reason must be one of {', '.join(LINE_REASONS)}, not {reason!r}"
            raise ValueError(msg)
    return reasons


def format_lines(id: str, removed: Sequence[RemovedLine]) -> bytes:
    """The audit lines :meth:`AuditWriter.lines` writes for the lines
    ``removed`` from document ``id`` (a pure function: workers format them
    ahead and the writer takes the bytes, :meth:`AuditWriter.add_formatted`).

    >>> from normalize.lines import RemovedLine
    >>> line = RemovedLine(2, "x", "\\n", 1, 100.0, "line-adjacent")
    >>> format_lines("d1", [line]).decode()[:57]
    '{"id": "d1", "line": 2, "reason": "line-adjacent", "text"'
    """
    head = f'{{"id": {_json_str(id)}, "line": '
    text = "".join(
        [
            f'{head}{r.line!r}, "reason": "{r.reason}", "text": {_json_str(r.text)}, '
            f'"duplicate_of": {"null" if r.duplicate_of is None else repr(r.duplicate_of)}, '
            f'"similarity": {float(r.score / 100)!r}}}\n'
            for r in removed
        ]
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: json_line escapes it
        return b"".join(
            json_line(
                {
                    "id": id,
                    "line": r.line,
                    "reason": r.reason,
                    "text": r.text,
                    "duplicate_of": r.duplicate_of,
                    "similarity": r.score / 100,
                }
            )
            for r in removed
        )
