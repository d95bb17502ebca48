"""``tanqiya dedup`` over files: two passes over the inputs.

1. :func:`sign_inputs` reads every input once. JSONL goes as blocks of whole
   lines (:func:`normalize.io.read_blocks`) that a task parses and signs, in
   the workers with ``--workers N``: what comes back is each record's id and
   line span and the batch's signatures, never its text, so this process
   only scans bytes for line ends (a plain file's block goes as its position,
   and the worker reads it). Other formats are parsed here and their texts
   sent. Results are taken in input order (same output for any N).
2. :func:`write_kept_records` reads them again: a JSONL input's kept lines
   are copied as byte ranges (neighbours merged), never split or parsed
   again; other records are read again and the kept ones written.

An input that changed between the two passes (size, time stamp, a range past
its end, a different record count) stops the second with an error naming it.
"""

from __future__ import annotations

import array
import dataclasses
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from normalize._workers import OrderedTasks, Workers
from normalize.dedup import DocumentDeduper, SignedBatch
from normalize.io import (
    CHANGED,
    STDIN,
    InputError,
    InputSpec,
    JsonlBlock,
    ReadOptions,
    ReadStats,
    Record,
    RecordWriter,
    batched,
    copy_spans,
    open_output,
    read_blocks,
    read_inputs,
)

CHANGED_INPUT: Final = CHANGED + " ({first:,} documents, then {second:,})"
#: bytes of JSONL lines per task: ~350 documents of 3 KB, ~0.1 s of a worker
BLOCK_BYTES: Final = 1 << 20
_NO_SPAN: Final = (-1, -1)


class Seen:
    """What the first pass keeps for the second: each record's id (for the
    audit) and its line's byte span (a JSONL record; -1 otherwise), each
    input's record count and its size and time stamp when it was read."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.starts = array.array("q")
        self.ends = array.array("q")
        self.counts: list[int] = []
        self.stamps: list[tuple[int, ...] | None] = []

    def begin(self, spec: InputSpec) -> None:
        """An input is about to be read."""
        self.stamps.append(stamp(spec))
        self.counts.append(0)

    def add(self, i: int, ids: list[str], spans: npt.NDArray[np.int64]) -> None:
        """The next records, all of input ``i``, in order, with their spans
        (one row of start and end each)."""
        self.ids += ids
        self.starts.extend(spans[:, 0].tolist())
        self.ends.extend(spans[:, 1].tolist())
        self.counts[i] += len(ids)


def stamp(spec: InputSpec) -> tuple[int, ...] | None:
    """Which file a path names, with its size and modification time (None
    for standard input)."""
    if spec.path == STDIN:
        return None
    status = Path(spec.path).stat()
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


@dataclasses.dataclass(frozen=True)
class _Signed:
    """A batch back from its task: the input it came from, its records' ids
    (None when they were parsed here: they stayed here) and line spans (-1
    but for JSONL parsed in the task), what that parser counted, and the
    signatures."""

    input: int
    ids: list[str] | None
    spans: npt.NDArray[np.int64]
    parsed: ReadStats | None
    signed: SignedBatch


@dataclasses.dataclass(frozen=True)
class _Sign:
    """A first-pass task (pickles: the deduper's own text signer): parse a
    block of JSONL lines and sign its records, or sign texts parsed here."""

    sign: Callable[[list[str]], SignedBatch]
    options: ReadOptions

    def __call__(self, i: int, batch: JsonlBlock | list[str]) -> _Signed:
        if not isinstance(batch, JsonlBlock):
            no_spans = np.full((len(batch), 2), -1, dtype=np.int64)
            return _Signed(i, None, no_spans, None, self.sign(batch))
        stats = ReadStats()
        records = batch.parse(self.options, stats)
        spans = np.array([r.span or _NO_SPAN for r in records], dtype=np.int64).reshape(-1, 2)
        return _Signed(i, [r.id for r in records], spans, stats, self.sign(_texts(records)))


def _texts(records: Sequence[Record]) -> list[str]:
    """What is signed of each record: its text; an empty document for a bad
    record (``--skip-bad``), so that it is kept and never clusters."""
    return [r.text if r.error is None else "" for r in records]


def sign_inputs(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    deduper: DocumentDeduper,
    workers: Workers,
    stats: ReadStats,
    update: Callable[[int], None],
) -> Seen:
    """The first pass: every record of ``inputs`` added to ``deduper`` (its
    signatures made in ``workers``, the deduper's own); ``stats`` counts
    what was read, ``update`` hears the bytes read so far."""
    seen = Seen()
    options = dataclasses.replace(options, keep_raw=False)  # the second pass copies bytes
    work = _Sign(deduper.text_signer(), options)
    held: deque[list[str]] = deque()  # ids of the batches parsed here, until their turn
    unread = workers.count > 1  # a worker reads its block's bytes: they are not sent

    def tasks() -> Iterator[tuple[int, JsonlBlock | list[str]]]:
        for i, spec in enumerate(inputs):
            seen.begin(spec)
            for batch in read_blocks([spec], options, stats=stats, size=BLOCK_BYTES, unread=unread):
                if isinstance(batch, JsonlBlock):
                    yield i, batch
                else:  # parsed here (plain text, Parquet): the texts go
                    held.append([r.id for r in batch])
                    yield i, _texts(batch)

    for done in OrderedTasks[_Signed](workers).map(work, tasks()):
        seen.add(done.input, held.popleft() if done.ids is None else done.ids, done.spans)
        if done.parsed is not None:
            stats.add_parsed(done.parsed)
        deduper.add_signed(done.signed)
        update(stats.bytes_read)
    return seen


def write_kept_records(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    keep: npt.NDArray[np.bool_],
    seen: Seen,
    output: str | None,
    text_field: str,
    update: Callable[[int], None],
) -> None:
    """The second pass: write the kept records unchanged, in order, to
    ``output`` (JSONL; standard output for None or "-")."""
    stats = ReadStats()
    starts = np.frombuffer(seen.starts, dtype=np.int64)
    ends = np.frombuffer(seen.ends, dtype=np.int64)
    start = 0
    with open_output(output) as stream:
        writer = RecordWriter(stream, "jsonl", text_field=text_field)

        def copy(block: bytes) -> None:
            writer.write_lines(block)
            update(stats.bytes_read)

        for spec, count, stamped in zip(inputs, seen.counts, seen.stamps, strict=True):
            stop = start + count
            kept = keep[start:stop]
            if stamp(spec) != stamped:
                raise InputError(spec.name, None, CHANGED)
            if spec.format == "jsonl":
                copy_spans(
                    spec, runs(starts[start:stop][kept], ends[start:stop][kept]), copy, stats=stats
                )
                writer.end_lines()
            else:
                done = 0
                for batch in batched(read_inputs([spec], options, stats=stats)):
                    flags = kept[done : done + len(batch)].tolist()  # short if the input grew
                    chosen = [r for r, k in zip(batch, flags, strict=False) if k]
                    writer.write_many(chosen, [None] * len(chosen))
                    done += len(batch)
                    update(stats.bytes_read)
                if done != count:
                    changed = CHANGED_INPUT.format(first=count, second=done)
                    raise InputError(spec.name, None, changed)
            start = stop


def runs(starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """The spans ``starts[i]..ends[i]`` (ascending), each run of adjacent ones
    merged into one.

    >>> runs(np.array([0, 5, 9]), np.array([5, 8, 12]))
    [(0, 8), (9, 12)]
    """
    if not len(starts):
        return []
    breaks = np.flatnonzero(starts[1:] != ends[:-1])
    first = np.concatenate(([0], breaks + 1))
    last = np.concatenate((breaks, [len(starts) - 1]))
    return list(zip(starts[first].tolist(), ends[last].tolist(), strict=True))
