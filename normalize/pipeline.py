"""Running the cleaning pass over files: the passes, the spill, the outputs.

The stages themselves are :class:`normalize.clean.Cleaner`'s; this module
feeds them a corpus that need not fit in memory and writes what comes out.
The input goes in **batches**, and every pass is a task per batch
(:class:`normalize._workers.OrderedTasks`: in ``--workers`` processes, or
here with one), its results taken in input order, so the output is the same
for any number of workers. The tasks read and write the batch's files in a
temporary folder (:class:`_Batches`) themselves; what travels back to this
process is small (counts, hashes, signatures, a few report examples):

1. read the input once (standard input included). JSONL goes as blocks of
   whole lines (:func:`normalize.io.read_blocks`) that the task parses;
   other formats are parsed here and their texts sent. The task writes the
   batch's records without their text (``records-i``), repairs each text
   and removes its duplicate lines (``cleaned-i``), formats the audit lines
   of what it removed, and makes the lines' keys once: with boilerplate
   removal on, their hashes go back to be counted and the keys to
   ``keys-i``; else the task signs the documents for the document stage;
2. with boilerplate removal on, a task per batch reads ``keys-i`` alone (not
   the texts), finds each document's boilerplate lines (``cuts-i``) and
   signs what is left (a key profile that is not line-local needs the
   texts: a pass over ``cleaned-i`` and ``cuts-i`` here gives them);
3. the document stage keeps only hashes and signatures; then it decides;
4. a task per batch drops the boilerplate lines, formats the kept records
   (to ``output-i``, which this process appends to the output) and the
   audit lines of the boilerplate; this process audits the removed
   documents and gathers what the report shows.

Peak memory is the document stage's state plus a few batches, not the corpus.
Every output is written atomically: an interrupted run leaves none behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import itertools
import operator
import os
import pickle
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from normalize._workers import OrderedTasks
from normalize.audit import AuditWriter, format_lines
from normalize.clean import (
    CleanConfig,
    CleanedDocument,
    Cleaner,
    Tally,
    document_key,
    drop_corpus_lines,
    without,
)
from normalize.dedup import DedupResult, SignedBatch
from normalize.folders import Write
from normalize.io import (
    InputError,
    InputSpec,
    JsonlBlock,
    ReadOptions,
    ReadStats,
    Record,
    RecordFormat,
    RecordWriter,
    read_blocks,
    scratch_folder,
    total_bytes,
)
from normalize.lines import BoilerplateLines, LineHashes, RemovedLine
from normalize.report import (
    MAX_CLUSTERS,
    MAX_LINE_EXAMPLES,
    MAX_MEMBERS,
    Cluster,
    LineExample,
    LineRemovals,
    RemovedDocument,
)

SPILL_PREFIX: Final = "tanqiya-clean-"
Progress = Callable[[str, int | None], Callable[[int], None]]

_record_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Record)))

#: a cleaned document in the spill (its text apart): its repaired text's
#: number of lines and the numbers of the lines the line stages removed
DocRow = tuple[int, list[int]]
#: a document's lines' keys when they cannot be packed into one string (see _key_row)
KeyRow = list[str] | None

_HEADER: Final = 8  # bytes: the length of a batch file's pickled part


def _dump(path: Path, rows: list[Any], texts: Sequence[str] = ()) -> None:
    """One batch's file of ``rows`` (pickled) and ``texts``, written by
    whichever process made them. The texts go as one UTF-16 string (UTF-32
    when one holds a surrogate code point, which UTF-16 cannot carry alone):
    five times faster both ways than pickle's UTF-8, for Arabic text, and
    about as large."""
    joined = "".join(texts)
    try:
        codec, data = "utf-16-le", joined.encode("utf-16-le")
    except UnicodeEncodeError:
        codec, data = "utf-32-le", joined.encode("utf-32-le", "surrogatepass")
    head = pickle.dumps((rows, codec, [len(t) for t in texts]), pickle.HIGHEST_PROTOCOL)
    with path.open("wb") as stream:
        stream.write(len(head).to_bytes(_HEADER, "little"))
        stream.write(head)
        stream.write(data)


def _load(path: Path) -> tuple[list[Any], list[str]]:
    """A batch file's rows and texts, as :func:`_dump` got them."""
    with path.open("rb") as stream:
        head = stream.read(int.from_bytes(stream.read(_HEADER), "little"))
        data = stream.read()
    rows, codec, lengths = pickle.loads(head)
    joined = data.decode(codec, "surrogatepass")
    bounds = itertools.pairwise(itertools.accumulate(lengths, initial=0))
    return rows, [joined[start:end] for start, end in bounds]


@dataclass(frozen=True)
class _Batches:
    """Where the files of batch ``i`` go: its records without their text
    (``records-i``), its documents as cleaned (``cleaned-i``), their lines'
    keys for the boilerplate pass (``keys-i``) and the boilerplate lines
    found in them (``cuts-i``), the audit lines of what a stage removed
    (``audit-stage-i``) and the formatted kept records (``output-i``).
    Workers write all but the records, so the texts never travel back to
    the main process, which copies the last two into the audit and output."""

    folder: Path

    def records(self, i: int) -> Path:
        return self.folder / f"records-{i}"

    def cleaned(self, i: int) -> Path:
        return self.folder / f"cleaned-{i}"

    def keys(self, i: int) -> Path:
        return self.folder / f"keys-{i}"

    def cuts(self, i: int) -> Path:
        return self.folder / f"cuts-{i}"

    def audit(self, stage: str, i: int) -> Path:
        return self.folder / f"audit-{stage}-{i}"

    def output(self, i: int) -> Path:
        return self.folder / f"output-{i}"


@dataclass(frozen=True)
class _LineWork:
    """What a worker does to one batch of texts in the first pass (every
    field pickles: the functions are the stages' own, see Cleaner)."""

    clean: Callable[[Sequence[str]], list[CleanedDocument]]
    count: Callable[[Sequence[Sequence[str]]], LineHashes] | None
    sign_keys: Callable[[list[str]], SignedBatch] | None
    sign_texts: Callable[[list[str]], SignedBatch] | None
    files: _Batches
    audit: bool  # format the audit of the removed lines
    options: ReadOptions
    in_files: bool  # hand the audit lines back in a file (from another process)

    def __call__(self, i: int, batch: JsonlBlock | tuple[int, list[str], list[str]]) -> _LinesDone:
        """Batch ``i``: JSONL lines to parse (the records go to the batch's
        records file here), or its number of records and the ids and texts
        of its good documents."""
        stats = None
        if isinstance(batch, JsonlBlock):
            stats = ReadStats()
            records = batch.parse(self.options, stats)
            good = [r for r in records if r.error is None]
            count, ids, texts = len(records), [r.id for r in good], [r.text for r in good]
            _dump(self.files.records(i), _record_rows(records, self.options.text_field))
        else:
            count, ids, texts = batch
        docs = self.clean(texts)
        rows = [(d.lines, [line.line for line in d.removed]) for d in docs]
        _dump(self.files.cleaned(i), rows, [d.text for d in docs])
        hashes = None
        if self.count is not None:  # boilerplate: the keys wait for its pass
            hashed = self.count([d.keys or [] for d in docs])
            hashes = hashed.per_document()
            keyed = [_key_row(d) for d in docs]
            _dump(self.files.keys(i), [[row for _, row in keyed], hashed], [k for k, _ in keyed])
        signed = None
        if self.sign_keys is not None:
            signed = self.sign_keys([document_key(d.keys or []) for d in docs])
        elif self.sign_texts is not None:
            signed = self.sign_texts([d.text for d in docs])
        removals = _removals(
            ((doc_id, d.removed, d) for doc_id, d in zip(ids, docs, strict=True)),
            self.files.audit("lines", i) if self.audit and self.in_files else self.audit,
        )
        lines = sum(d.lines for d in docs)
        return _LinesDone(count, len(docs), lines, removals, hashes, signed, stats)


@dataclass(frozen=True)
class _LinesDone:
    """What the main process gets back of a first-pass batch: how many
    records, good documents and lines it had, the lines removed from them,
    the hashes the boilerplate stage counts and the document stage's batch
    when it can be made now."""

    records: int
    documents: int
    lines: int
    removals: _Removals
    hashes: npt.NDArray[np.uint64] | None
    signed: SignedBatch | None
    parsed: ReadStats | None  # when it parsed JSONL: what it counted (records, bad ...)


@dataclass(frozen=True)
class _Removals:
    """Lines removed from a batch's documents, as the main process records
    them: their audit lines (:func:`normalize.audit.format_lines`: the bytes,
    or the file a worker wrote them to; None without an audit), how many per
    reason, and the first examples per reason for the report."""

    audit: bytes | Path | None
    reasons: dict[str, int]
    examples: list[tuple[str, LineExample]]  # (reason, example)


def _removals(
    docs: Iterable[tuple[str, Sequence[RemovedLine], CleanedDocument | None]],
    audit: bool | Path,
) -> _Removals:
    """The :class:`_Removals` of ``(id, removed lines, document)`` triples,
    their audit lines formatted when ``audit`` (written to it if a path).
    The document gives the kept copy of a removed line that has one."""
    parts: list[bytes] = []
    reasons: Counter[str] = Counter()
    examples: list[tuple[str, LineExample]] = []
    shown: Counter[str] = Counter()  # the first ones of a batch are all the report may show
    for doc_id, removed, doc in docs:
        if not removed:
            continue
        reasons.update(line.reason for line in removed)
        if audit:
            parts.append(format_lines(doc_id, removed))
        for line in removed:
            if shown[line.reason] < MAX_LINE_EXAMPLES:
                shown[line.reason] += 1
                copy = line.duplicate_of
                kept = _kept_line(doc, copy) if copy is not None and doc is not None else None
                examples.append((line.reason, LineExample(doc_id, line.line, line.text, kept)))
    lines = b"".join(parts) if audit else None
    if isinstance(audit, Path):
        audit.write_bytes(lines or b"")
        return _Removals(audit, dict(reasons), examples)
    return _Removals(lines, dict(reasons), examples)


def _key_row(doc: CleanedDocument) -> tuple[str, KeyRow]:
    """What the boilerplate pass needs of a document: its lines' keys, as
    one newline-joined string (unless a key holds a newline, or there is
    none: then "" and the list)."""
    keys = doc.keys or []
    joined = "\n".join(keys)
    return (joined, None) if joined.count("\n") == len(keys) - 1 else ("", keys)


@dataclass
class Examples:
    """Up to :data:`MAX_LINE_EXAMPLES` removed lines per reason, for the report."""

    by_reason: dict[str, list[LineExample]] = field(default_factory=dict)

    def extend(self, examples: Iterable[tuple[str, LineExample]]) -> None:
        """Take ``(reason, example)`` pairs, in input order, while a reason
        has fewer than :data:`MAX_LINE_EXAMPLES`."""
        for reason, example in examples:
            shown = self.by_reason.setdefault(reason, [])
            if len(shown) < MAX_LINE_EXAMPLES:
                shown.append(example)

    def removals(self, tally: Tally) -> dict[str, LineRemovals]:
        totals = {
            "line-adjacent": tally.line_adjacent,
            "line-document": tally.line_document,
            "line-corpus": tally.line_corpus,
        }
        return {
            reason: LineRemovals(total, self.by_reason.get(reason, []))
            for reason, total in totals.items()
            if total
        }


def _kept_line(doc: CleanedDocument, number: int) -> str | None:
    """Line ``number`` of the repaired text, found in the cleaned text."""
    gone = sum(1 for line in doc.removed if line.line < number)
    lines = doc.text.split("\n")
    index = number - 1 - gone
    return lines[index].removesuffix("\r") if 0 <= index < len(lines) else None


@dataclass
class CleanRun:
    """What a run did, for the summary and the report."""

    tally: Tally = field(default_factory=Tally)
    bad: int = 0
    result: DedupResult | None = None
    clusters: list[Cluster] = field(default_factory=list)
    examples: Examples = field(default_factory=Examples)
    stats: ReadStats = field(default_factory=ReadStats)

    def lines_removed(self, auditor: AuditWriter, removals: _Removals) -> None:
        """Count, audit and sample the lines a stage removed from a batch."""
        self.tally.count_reasons(removals.reasons)
        if isinstance(removals.audit, Path):
            auditor.add_file(removals.audit, removals.reasons)
            removals.audit.unlink()
        else:
            auditor.add_formatted(removals.audit or b"", removals.reasons)
        self.examples.extend(removals.examples)


def run_clean(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    config: CleanConfig,
    write: Write,
    auditor: AuditWriter,
    progress: Progress,
    formatting: RecordFormat | None = None,
    stream: RecordWriter | None = None,
) -> CleanRun:
    """Every pass over ``inputs`` (see the module docstring). With
    ``formatting`` (how ``write`` formats a record), the workers format the
    kept records and ``write`` gets their bytes, else their texts; with
    ``stream`` too (the RecordWriter behind ``write``), they write them to
    files that ``stream`` appends."""
    run = CleanRun()
    cleaner = Cleaner(config)
    cleaner.start_workers()
    try:
        with contextlib.ExitStack() as stack:
            files = _Batches(scratch_folder(stack, SPILL_PREFIX))
            stack.callback(cleaner.terminate)  # no worker writes in the folder once it goes
            sizes = _first_pass(inputs, options, cleaner, auditor, run, files, progress)
            cut = False
            if cleaner.needs_second_pass:
                _boilerplate_pass(sizes, cleaner, files, progress)
                cut = True
                if cleaner.needs_texts:
                    _documents_pass(sizes, cleaner, files, progress)
            progress("clustering", None)
            result = run.result = cleaner.result()
            out = cleaner.output_function()
            in_files = cleaner.workers.count > 1  # else no other process to hand files from
            to_file = in_files and stream is not None and formatting is not None
            audit = auditor.stream is not None
            work = _WriteWork(files, cut, out, formatting, audit, in_files, to_file)
            _write_pass(sizes, work, cleaner, result, write, stream, auditor, run, progress)
            cleaner.close()
    finally:
        cleaner.terminate()
    return run


def _first_pass(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    cleaner: Cleaner,
    auditor: AuditWriter,
    run: CleanRun,
    files: _Batches,
    progress: Progress,
) -> list[_Size]:
    """Repair and duplicate lines, a batch a task (:class:`_LineWork`): the
    workers write each batch's cleaned documents (and lines' keys) to its
    files; this process reads, writes each batch's records without their
    text, audits and counts. Returns the size of each batch."""
    boilerplate = cleaner.needs_second_pass
    work = _LineWork(
        cleaner.line_cleaner(),
        cleaner.line_counter(),
        None if boilerplate else cleaner.key_signer(),
        None if boilerplate or not cleaner.needs_texts else cleaner.text_signer(),
        files,
        auditor.stream is not None,
        options,
        cleaner.workers.count > 1,
    )
    sizes: list[_Size] = []
    update = progress("cleaning", total_bytes(inputs))
    tally = run.tally
    stats = run.stats

    def tasks() -> Iterator[tuple[int, JsonlBlock | tuple[int, list[str], list[str]]]]:
        unread = cleaner.workers.count > 1  # a worker reads its block's bytes: they are not sent
        for i, batch in enumerate(read_blocks(inputs, options, stats=stats, unread=unread)):
            if isinstance(batch, JsonlBlock):
                yield i, batch
                continue
            # parsed here (plain text, Parquet): the texts go, the records stay
            good = [r for r in batch if r.error is None]
            ids, texts = [r.id for r in good], [r.text for r in good]
            _dump(files.records(i), _record_rows(batch, options.text_field))
            yield i, (len(batch), ids, texts)

    for done in OrderedTasks[_LinesDone](cleaner.workers).map(work, tasks()):
        if done.parsed is not None:
            stats.add_parsed(done.parsed)
        run.bad += done.records - done.documents
        tally.documents += done.documents
        tally.lines += done.lines
        run.lines_removed(auditor, done.removals)
        sizes.append(_Size(done.records, done.documents))
        if done.hashes is not None:
            cleaner.add_counted(done.hashes, done.documents)
        if not boilerplate:
            cleaner.add_signed(done.signed, done.documents)
        update(stats.bytes_read)
    return sizes


def _record_rows(records: Sequence[Record], text_field: str) -> list[tuple[Any, ...]]:
    """The records file's rows: each record without its text."""
    for record in records:
        if record.error is None:
            _drop_text(record, text_field)
    return [_record_values(r) for r in records]


def _drop_text(record: Record, text_field: str) -> None:
    """Forget every copy of the original text a record holds: the records
    spill carries the rest of the record only. (``raw``, the JSONL line,
    would also be written back as is for a document whose cleaned text is
    empty.)"""
    record.text = ""
    record.raw = None
    if record.fields is not None and text_field in record.fields:
        record.fields = {**record.fields, text_field: ""}


def _boilerplate_pass(
    sizes: Sequence[_Size], cleaner: Cleaner, files: _Batches, progress: Progress
) -> None:
    """Find each document's boilerplate lines from its lines' keys alone (the
    texts stay in their files) and feed the document stage the keys of
    what is left. Each batch is a task
    (:func:`_boilerplate_batch`): a worker reads the batch's keys, writes
    the lines to drop to its cuts file and hands back only the signatures."""
    update = progress("boilerplate", sum(size.documents for size in sizes))
    finder = cleaner.boilerplate_finder()
    assert finder is not None
    signer = cleaner.key_signer()
    by_keys = not cleaner.needs_texts
    tasks = OrderedTasks[SignedBatch | None](cleaner.workers)
    arguments = ((files, i, finder, signer) for i in range(len(sizes)))
    done = 0
    for signed, size in zip(tasks.map(_boilerplate_batch, arguments), sizes, strict=True):
        if by_keys:
            cleaner.add_signed(signed, size.documents)
        done += size.documents
        update(done)


def _boilerplate_batch(
    files: _Batches,
    i: int,
    finder: BoilerplateLines,
    signer: Callable[[list[str]], SignedBatch] | None,
) -> SignedBatch | None:
    """Batch ``i``: write each document's boilerplate lines to its cuts file
    and, with ``signer``, sign what is left of each."""
    rows: list[KeyRow]
    (rows, hashed), packed = _load(files.keys(i))
    files.keys(i).unlink()
    own = [
        text.split("\n") if listed is None else listed
        for text, listed in zip(packed, rows, strict=True)
    ]
    found = finder.find(own, hashed)
    _dump(files.cuts(i), found)
    if signer is None:
        return None
    return signer([document_key(without(k, f)) for k, f in zip(own, found, strict=True)])


def _read_docs(files: _Batches, i: int, *, cut: bool = True) -> list[_Cleaned]:
    """Batch ``i``'s cleaned documents, each with its boilerplate lines (none
    without ``cut``: there was no boilerplate pass)."""
    rows: list[DocRow]
    rows, texts = _load(files.cleaned(i))
    drops: list[list[int]] = _load(files.cuts(i))[0] if cut else [[] for _ in rows]
    return [
        _Cleaned(text, lines, gone, drop)
        for text, (lines, gone), drop in zip(texts, rows, drops, strict=True)
    ]


class _Cleaned(typing.NamedTuple):
    """A cleaned document read back: its text, its repaired text's number of
    lines, the numbers of the lines the line stages removed, and the indices
    of its boilerplate lines."""

    text: str
    lines: int
    gone: list[int]
    drop: list[int]

    def final(self) -> tuple[str, list[RemovedLine]]:
        """The text without its boilerplate lines, and those lines."""
        if not self.drop:
            return self.text, []
        result = drop_corpus_lines(self.text, self.drop, self.gone)
        return result.text, result.removed


def _documents_pass(
    sizes: Sequence[_Size], cleaner: Cleaner, files: _Batches, progress: Progress
) -> None:
    """Feed the document stage the final texts (when its key profile needs
    them rather than the lines' keys)."""
    update = progress("documents", sum(size.documents for size in sizes))
    done = 0
    for i, size in enumerate(sizes):
        cleaner.add(doc.final()[0] for doc in _read_docs(files, i))
        done += size.documents
        update(done)


@dataclass(frozen=True)
class _Size:
    """A batch's records, and how many of them are good documents."""

    records: int
    documents: int


@dataclass(frozen=True)
class _WriteWork:
    """What a worker does to one batch in the write pass: drop its documents'
    boilerplate lines, format the kept ones for the output (``formatting``;
    None: hand back their texts), after ``output`` (``normalize_output``)."""

    files: _Batches
    cut: bool
    output: Callable[[str], str] | None
    formatting: RecordFormat | None
    audit: bool  # format the audit of the boilerplate lines
    in_files: bool  # hand the audit lines back in a file (from another process)
    to_file: bool  # write the formatted records to the batch's output file

    def __call__(
        self, i: int, skip: frozenset[int], wanted: frozenset[int], clustered: frozenset[int]
    ) -> _Written:
        """Batch ``i``; ``skip``: its duplicate documents (not written),
        ``wanted``: those whose text the report shows, ``clustered``: those
        whose id the audit needs (counted among the batch's good documents)."""
        records = [Record(*values) for values in _load(self.files.records(i))[0]]
        docs = iter(_read_docs(self.files, i, cut=self.cut))
        out: list[tuple[int, bytes | str | None]] = []
        corpus: list[tuple[str, Sequence[RemovedLine], CleanedDocument | None]] = []
        kept_lines: dict[int, int] = {}
        texts: dict[int, str] = {}
        ids: dict[int, str] = {}
        good = 0
        for position, record in enumerate(records):
            if record.error is not None:
                out.append((position, self._format(record, None)))
                continue
            doc = next(docs)
            n, good = good, good + 1
            final, dropped = doc.final()
            if dropped:
                corpus.append((record.id, dropped, None))
            if n in clustered:
                ids[n] = record.id
            if n in wanted:
                texts[n] = final
            if n in skip:
                kept_lines[n] = doc.lines - len(doc.gone) - len(dropped)
                continue
            text = final if self.output is None else self.output(final)
            out.append((position, self._format(record, text)))
        audit = self.files.audit("corpus", i) if self.audit and self.in_files else self.audit
        removals = _removals(corpus, audit)
        if self.to_file and self.formatting is not None:
            with self.files.output(i).open("wb") as stream:
                formatted = typing.cast(list[bytes], [data for _, data in out])
                RecordWriter(stream, self.formatting.format).write_many(
                    formatted, [None] * len(out)
                )
            return _Written([], len(out), removals, kept_lines, texts, ids, len(records))
        return _Written(out, len(out), removals, kept_lines, texts, ids, len(records))

    def _format(self, record: Record, text: str | None) -> bytes | str | None:
        return text if self.formatting is None else self.formatting(record, text)


@dataclass(frozen=True)
class _Written:
    """What the main process gets back of a batch in the write pass: the
    records to write (position in the batch, and their bytes or text), the
    boilerplate lines dropped, the kept lines of the duplicates, the texts
    the report shows and the ids the audit needs (by index among the batch's
    good documents), and the number of records."""

    out: list[tuple[int, bytes | str | None]]  # empty when they went to a file
    written: int
    corpus: _Removals
    kept_lines: dict[int, int]
    texts: dict[int, str]
    ids: dict[int, str]
    records: int


def _write_pass(
    sizes: Sequence[_Size],
    work: _WriteWork,
    cleaner: Cleaner,
    result: DedupResult,
    write: Write,
    stream: RecordWriter | None,
    auditor: AuditWriter,
    run: CleanRun,
    progress: Progress,
) -> None:
    """Write the kept documents (formatted by the workers, a batch a task:
    :class:`_WriteWork`); audit the removed ones; gather the report's
    largest clusters. Indices count good records only (the document stage
    never sees a bad one); a bad record is passed through where it stood."""
    shown = heapq.nlargest(MAX_CLUSTERS, result.clusters, key=len)
    wanted: set[int] = set()
    for members in shown:
        kept = next(m for m in members if m not in result.duplicate_of)
        removed = sorted(
            (m for m in members if m != kept), key=lambda m: result.similarity.get(m, 1.0)
        )
        wanted.update([kept, *removed[:MAX_MEMBERS]])
    duplicates = np.array(sorted(result.duplicate_of), dtype=np.int64)
    clustered = np.array(sorted(result.cluster_of), dtype=np.int64)
    ids: dict[int, str] = {}
    texts: dict[int, str] = {}
    kept_lines_of: dict[int, int] = {}
    update = progress("writing", sum(size.records for size in sizes))
    starts = list(itertools.accumulate((size.documents for size in sizes), initial=0))
    reported = np.array(sorted(wanted), dtype=np.int64)
    arguments = (
        (
            i,
            _between(duplicates, starts[i], starts[i + 1]),
            _between(reported, starts[i], starts[i + 1]),
            _between(clustered, starts[i], starts[i + 1]),
        )
        for i in range(len(sizes))
    )
    records_done = 0
    for b, written in enumerate(OrderedTasks[_Written](cleaner.workers).map(work, arguments)):
        start = starts[b]
        run.lines_removed(auditor, written.corpus)
        for n, text in written.texts.items():
            texts[start + n] = text
        for n, lines in written.kept_lines.items():
            kept_lines_of[start + n] = lines
        for n, doc_id in written.ids.items():
            ids[start + n] = doc_id
        if stream is not None and work.to_file:
            stream.append(work.files.output(b), written.written)
            work.files.output(b).unlink()
        if written.out:  # written one by one here: each needs its record
            records = [Record(*values) for values in _load(work.files.records(b))[0]]
            for position, data in written.out:
                write(records[position], data)
        records_done += written.records
        update(records_done)
    tally = run.tally
    for n in sorted(result.duplicate_of):
        reason = result.reason[n]
        if reason == "exact":
            tally.exact_documents += 1
            tally.exact_lines += kept_lines_of[n]
        else:
            tally.near_documents += 1
            tally.near_lines += kept_lines_of[n]
        auditor.document(
            ids[n],
            reason="exact" if reason == "exact" else "near",
            duplicate_of=ids[result.duplicate_of[n]],
            similarity=result.similarity[n],
            cluster=result.cluster_of[n],
        )
    run.clusters = [_cluster(members, result, ids, texts) for members in shown]


def _between(indices: npt.NDArray[np.int64], start: int, stop: int) -> frozenset[int]:
    """The sorted ``indices`` in ``[start, stop)``, counted from ``start``."""
    lo, hi = np.searchsorted(indices, [start, stop]).tolist()
    return frozenset((indices[lo:hi] - start).tolist())


def _cluster(
    members: list[int], result: DedupResult, ids: dict[int, str], texts: dict[int, str]
) -> Cluster:
    kept = next(m for m in members if m not in result.duplicate_of)
    removed = [
        RemovedDocument(ids[m], texts[m], result.similarity[m], result.reason[m])
        for m in members
        if m != kept and m in texts
    ]
    return Cluster(result.cluster_of[kept], ids[kept], texts[kept], removed, size=len(members))


def expand_directories(paths: Sequence[str]) -> list[str]:
    """Each folder among ``paths`` replaced by the files under it (recursively,
    sorted, hidden files and folders skipped, links to folders not followed).
    Raises ValueError for a folder with no file, InputError for one that
    cannot be read.

    >>> expand_directories(["-"])
    ['-']
    """
    out: list[str] = []
    for path in paths:
        if path == "-" or not Path(path).is_dir():
            out.append(path)
            continue
        found = sorted(_files_under(path))
        if not found:
            msg = f"{path}: the folder holds no file to clean"
            raise ValueError(msg)
        out += found
    return out


def _files_under(folder: str) -> Iterator[str]:
    """The files under ``folder``, hidden ones and those in hidden folders
    left out; a subfolder that cannot be listed is an InputError, not a
    silent gap in the corpus."""

    def unreadable(error: OSError) -> None:
        where = error.filename or folder
        raise InputError(os.fspath(where), None, f"cannot read the folder: {error.strerror}")

    for top, folders, names in os.walk(folder, onerror=unreadable):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in names:
            path = Path(top, name)
            if not name.startswith(".") and path.is_file():
                yield os.fspath(path)
