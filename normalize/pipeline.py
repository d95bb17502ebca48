"""Running the cleaning pass over files: the passes, the spill, the outputs.

The stages themselves are :class:`normalize.clean.Cleaner`'s; this module
feeds them a corpus that need not fit in memory and writes what comes out:

1. read every record once (standard input included), repair it and remove
   its duplicate lines (:meth:`Cleaner.clean_batches`); the cleaned text
   goes to a **spill** file (pickled batches in a temporary folder), the
   removed lines to the audit. The lines' keys are made here, once: with
   boilerplate removal on they go to a second, **keys** spill (with each
   line's length), else the document stage takes them at once;
2. with boilerplate removal on, read the keys spill alone (not the texts):
   find each document's boilerplate lines, note them in a **cuts** spill,
   and give the document stage the keys and text lengths of what is left
   (a key profile that is not line-local needs the texts: a pass over the
   cleaned spill and the cuts gives them);
3. the document stage keeps only hashes and signatures; then it decides;
4. read the cleaned spill and the cuts back, drop the boilerplate lines (to
   the audit, after every line 1 removed, as before), write the kept
   documents (JSONL records with their text field replaced, or cleaned text
   files), the removed documents to the audit, and gather what the report
   shows.

Peak memory is the document stage's state plus a few batches, not the corpus.
Every output is written atomically: an interrupted run leaves none behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import heapq
import operator
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from normalize.audit import AuditWriter
from normalize.clean import CleanConfig, CleanedDocument, Cleaner, Tally, without
from normalize.dedup import DedupResult
from normalize.folders import Write
from normalize.io import (
    InputSpec,
    ReadOptions,
    ReadStats,
    Record,
    batched,
    read_inputs,
    scratch_folder,
)
from normalize.lines import RemovedLine
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

Item = tuple[Record, CleanedDocument]
_record_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Record)))


class _Spill:
    """Batches of rows (plain tuples, lists, strings and numbers: they pickle
    in C, where a slotted dataclass or a named tuple pickles through Python
    code once per object) in a temporary file, read back in order."""

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / name
        self._stream: IO[bytes] | None = None
        self.items = 0

    def write(self, rows: list[Any]) -> None:
        if self._stream is None:
            self._stream = self.path.open("wb")
        pickle.dump(rows, self._stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.items += len(rows)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def read(self) -> Iterator[list[Any]]:
        self.close()
        if not self.path.exists():
            return
        with self.path.open("rb") as stream:
            while True:
                try:
                    yield pickle.load(stream)
                except EOFError:
                    return

    def unlink(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def _item_rows(items: list[Item]) -> list[tuple[Any, ...]]:
    """The cleaned spill's rows: the record and the document, without keys."""
    return [(_record_values(r), d.text, d.lines, list(map(tuple, d.removed))) for r, d in items]


def _items(rows: list[tuple[Any, ...]]) -> list[Item]:
    return [
        (Record(*r), CleanedDocument(text, lines, list(map(_removed_line, removed))))
        for r, text, lines, removed in rows
    ]


_removed_line = functools.partial(tuple.__new__, RemovedLine)  # RemovedLine(*fields), faster

KeyRow = tuple[str | list[str], int, bool, list[int]]


def _key_row(doc: CleanedDocument) -> KeyRow:
    """What the boilerplate pass needs of a document: its lines' keys (one
    string, newline-joined, unless a key holds a newline), the length of its
    text, whether that ends with a newline, and each line's length."""
    keys = doc.keys or []
    joined = "\n".join(keys)
    packed = joined if joined.count("\n") == len(keys) - 1 else keys
    pieces = doc.text.split("\n")
    if not pieces[-1]:  # as normalize.lines splits: no line after a final newline
        pieces.pop()
    return packed, len(doc.text), doc.text.endswith("\n"), list(map(len, pieces))


def _unpack_keys(packed: str | list[str]) -> list[str]:
    return packed.split("\n") if isinstance(packed, str) else packed


def _length_without(length: int, at_end: bool, line_lengths: list[int], lines: list[int]) -> int:
    """The length of a text (``length`` characters, ending in a newline or
    not, lines of ``line_lengths``) once ``lines`` are dropped
    (:func:`normalize.lines.drop_lines`), without the text.

    >>> _length_without(7, False, [1, 1, 1, 1], [3])  # "a\\nb\\nc\\nd" -> "a\\nb\\nc\\n"
    6
    """
    if not lines:
        return length
    if len(lines) == len(line_lengths):
        return 0
    new = length - sum(line_lengths[i] + 1 for i in lines)
    if lines[-1] == len(line_lengths) - 1:  # the last line goes: the new text ends with "\n"
        new += 1 - at_end
    return new


@dataclass
class Examples:
    """Up to :data:`MAX_LINE_EXAMPLES` removed lines per reason, for the report."""

    by_reason: dict[str, list[LineExample]] = field(default_factory=dict)

    def add(self, doc_id: str, doc: CleanedDocument, removed: Sequence[RemovedLine]) -> None:
        for line in removed:
            examples = self.by_reason.setdefault(line.reason, [])
            if len(examples) < MAX_LINE_EXAMPLES:
                kept = _kept_line(doc, line.duplicate_of) if line.duplicate_of else None
                examples.append(LineExample(doc_id, line.line, line.text, kept))

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

    def lines_removed(
        self,
        auditor: AuditWriter,
        doc_id: str,
        doc: CleanedDocument,
        removed: Sequence[RemovedLine],
    ) -> None:
        """Count, audit and sample the lines a stage removed from ``doc``."""
        if removed:
            self.tally.count_lines(removed)
            auditor.lines(doc_id, removed)
            self.examples.add(doc_id, doc, removed)


def run_clean(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    config: CleanConfig,
    write: Write,
    auditor: AuditWriter,
    progress: Progress,
) -> CleanRun:
    """Every pass over ``inputs`` (see the module docstring)."""
    run = CleanRun()
    cleaner = Cleaner(config)
    cleaner.start_workers()
    try:
        with contextlib.ExitStack() as stack:
            folder = scratch_folder(stack, SPILL_PREFIX)
            spill, keys = _first_pass(inputs, options, cleaner, auditor, run, folder, progress)
            cuts = None
            if keys is not None:
                cuts = _boilerplate_pass(keys, cleaner, folder, progress)
                if cleaner.needs_texts:
                    _documents_pass(spill, cuts, cleaner, progress)
            progress("clustering", None)
            result = run.result = cleaner.result()
            cleaner.close()
            _write_pass(spill, cuts, cleaner, result, write, auditor, run, progress)
    finally:
        cleaner.close()
    return run


def _first_pass(
    inputs: Sequence[InputSpec],
    options: ReadOptions,
    cleaner: Cleaner,
    auditor: AuditWriter,
    run: CleanRun,
    folder: Path,
    progress: Progress,
) -> tuple[_Spill, _Spill | None]:
    """Repair and duplicate lines; the cleaned spill, and the keys spill for
    the boilerplate pass when there is one."""
    final = not cleaner.needs_second_pass
    spill = _Spill(folder, "cleaned")
    keys = None if final else _Spill(folder, "keys")
    update = progress("cleaning", _total_bytes(inputs))
    tally = run.tally
    batches = (
        (batch, [r.text for r in batch if r.error is None])
        for batch in batched(read_inputs(inputs, options, stats=run.stats))
    )
    for batch, cleaned in cleaner.clean_batches(batches):
        docs = iter(cleaned)
        items: list[Item] = []
        for record in batch:
            if record.error is not None:
                run.bad += 1
                items.append((record, CleanedDocument("", 0, [])))
                continue
            doc = next(docs)
            tally.documents += 1
            tally.lines += doc.lines
            run.lines_removed(auditor, record.id, doc, doc.removed)
            _drop_text(record, options.text_field)
            items.append((record, doc))
        if keys is not None:
            keys.write([None if r.error is not None else _key_row(d) for r, d in items])
        else:
            cleaner.add_documents(doc for record, doc in items if record.error is None)
        spill.write(_item_rows(items))
        update(run.stats.bytes_read)
    spill.close()
    if keys is not None:
        keys.close()
    return spill, keys


def _drop_text(record: Record, text_field: str) -> None:
    """Forget every copy of the original text a record holds: the spill
    carries the cleaned text only. (``raw``, the JSONL line, would also be
    written back as is for a document whose cleaned text is empty.)"""
    record.text = ""
    record.raw = None
    if record.fields is not None and text_field in record.fields:
        record.fields = {**record.fields, text_field: ""}


def _boilerplate_pass(keys: _Spill, cleaner: Cleaner, folder: Path, progress: Progress) -> _Spill:
    """Find each document's boilerplate lines from its lines' keys alone (the
    texts stay in the cleaned spill) and feed the document stage the keys
    and lengths of what is left; the lines to drop go to the cuts spill."""
    cuts = _Spill(folder, "cuts")
    update = progress("boilerplate", keys.items)
    done = 0
    by_keys = not cleaner.needs_texts
    for rows in keys.read():
        good = [row for row in rows if row is not None]
        own = [_unpack_keys(row[0]) for row in good]
        found = cleaner.boilerplate_lines(own)
        if by_keys:
            cleaner.add_line_keys(
                [without(k, f) for k, f in zip(own, found, strict=True)],
                [
                    _length_without(length, at_end, line_lengths, f)
                    for (_, length, at_end, line_lengths), f in zip(good, found, strict=True)
                ],
            )
        lines = iter(found)
        out = [None if row is None else next(lines) for row in rows]
        cuts.write(out)
        done += len(rows)
        update(done)
    cuts.close()
    keys.unlink()
    return cuts


def _read_cut(spill: _Spill, cuts: _Spill | None) -> Iterator[list[tuple[Item, list[int] | None]]]:
    """The cleaned spill's batches, each item with its boilerplate lines."""
    if cuts is None:
        for rows in spill.read():
            yield [(item, None) for item in _items(rows)]
        return
    for rows, drop in zip(spill.read(), cuts.read(), strict=True):
        yield list(zip(_items(rows), drop, strict=True))


def _documents_pass(spill: _Spill, cuts: _Spill, cleaner: Cleaner, progress: Progress) -> None:
    """Feed the document stage the final texts (when its key profile needs
    them rather than the lines' keys)."""
    update = progress("documents", spill.items)
    done = 0
    for batch in _read_cut(spill, cuts):
        cleaner.add_documents(
            cleaner.drop_boilerplate(doc, drop or [])
            for (record, doc), drop in batch
            if record.error is None
        )
        done += len(batch)
        update(done)


def _write_pass(
    spill: _Spill,
    cuts: _Spill | None,
    cleaner: Cleaner,
    result: DedupResult,
    write: Write,
    auditor: AuditWriter,
    run: CleanRun,
    progress: Progress,
) -> None:
    """Write the kept documents; audit the removed ones; gather the report's
    largest clusters. Indices count good records only (the document stage
    never sees a bad one); a bad record is passed through where it stood."""
    shown = heapq.nlargest(MAX_CLUSTERS, result.clusters, key=len)
    wanted: dict[int, tuple[int, str]] = {}  # index -> (position in shown, role)
    for c, members in enumerate(shown):
        kept = next(m for m in members if m not in result.duplicate_of)
        wanted[kept] = (c, "kept")
        removed = sorted(
            (m for m in members if m != kept), key=lambda m: result.similarity.get(m, 1.0)
        )
        for m in removed[:MAX_MEMBERS]:
            wanted[m] = (c, "removed")
    cluster_number = {m: c for c, members in enumerate(result.clusters) for m in members}
    ids: dict[int, str] = {}
    texts: dict[int, str] = {}
    kept_lines_of: dict[int, int] = {}
    removed_docs: list[int] = []
    update = progress("writing", spill.items)
    index = done = 0
    for batch in _read_cut(spill, cuts):
        for (record, doc), drop in batch:
            done += 1
            if record.error is not None:
                write(record, None)
                continue
            if drop:
                doc = cleaner.drop_boilerplate(doc, drop)
                corpus = [line for line in doc.removed if line.reason == "line-corpus"]
                run.lines_removed(auditor, record.id, doc, corpus)
            i = index
            index += 1
            if i in cluster_number:
                ids[i] = record.id
            if i in wanted:
                texts[i] = doc.text
            if i in result.duplicate_of:
                removed_docs.append(i)
                kept_lines_of[i] = doc.kept_lines
                continue
            write(record, cleaner.output_text(doc.text))
        update(done)
    tally = run.tally
    for i in removed_docs:
        reason = result.reason[i]
        if reason == "exact":
            tally.exact_documents += 1
            tally.exact_lines += kept_lines_of[i]
        else:
            tally.near_documents += 1
            tally.near_lines += kept_lines_of[i]
        auditor.document(
            ids[i],
            reason="exact" if reason == "exact" else "near",
            duplicate_of=ids[result.duplicate_of[i]],
            similarity=result.similarity[i],
            cluster=cluster_number[i],
        )
    run.clusters = [_cluster(members, result, ids, texts, cluster_number) for members in shown]


def _cluster(
    members: list[int],
    result: DedupResult,
    ids: dict[int, str],
    texts: dict[int, str],
    numbers: dict[int, int],
) -> Cluster:
    kept = next(m for m in members if m not in result.duplicate_of)
    removed = [
        RemovedDocument(ids[m], texts[m], result.similarity[m], result.reason[m])
        for m in members
        if m != kept and m in texts
    ]
    return Cluster(numbers[kept], ids[kept], texts[kept], removed, size=len(members))


def _total_bytes(inputs: Sequence[InputSpec]) -> int | None:
    sizes = [s.size if s.compression == "none" and s.format != "parquet" else None for s in inputs]
    return None if None in sizes else sum(s or 0 for s in sizes)


def expand_directories(paths: Sequence[str]) -> list[str]:
    """Each folder among ``paths`` replaced by the files under it (recursively,
    sorted, hidden files and folders skipped). Raises ValueError for a folder
    with no file.

    >>> expand_directories(["-"])
    ['-']
    """
    out: list[str] = []
    for path in paths:
        if path == "-" or not Path(path).is_dir():
            out.append(path)
            continue
        found = sorted(
            os.fspath(p)
            for p in Path(path).rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not found:
            msg = f"{path}: the folder holds no file to clean"
            raise ValueError(msg)
        out += found
    return out
