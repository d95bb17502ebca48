"""Running the cleaning pass over files: the passes, the spill, the outputs.

The stages themselves are :class:`normalize.clean.Cleaner`'s; this module
feeds them a corpus that need not fit in memory and writes what comes out:

1. read every record once (standard input included), repair it and remove
   its duplicate lines; the cleaned text goes to a **spill** file (pickled
   batches in a temporary folder), the removed lines to the audit;
2. with boilerplate removal on, read the spill back, drop the boilerplate
   lines, spill again;
3. the document stage sees the final texts as they pass (in 1 or 2) and
   keeps only hashes and signatures; then it decides;
4. read the spill back and write the kept documents (JSONL records with their
   text field replaced, or cleaned text files), the removed documents to the
   audit, and gather what the report shows.

The line keys are made once, in 1 (:meth:`Cleaner.clean_batches`, in
``workers`` processes when there are several; the order, hence the output,
does not depend on it), and ride along in the spill to 2, where they give the
boilerplate lines and the document keys without normalizing again.

Peak memory is the document stage's state plus a few batches, not the corpus.
Every output is written atomically: an interrupted run leaves none behind.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
import operator
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

from normalize.audit import AuditWriter
from normalize.clean import CleanConfig, CleanedDocument, Cleaner, Tally
from normalize.dedup import DedupResult
from normalize.folders import Write
from normalize.io import (
    InputSpec,
    ReadOptions,
    ReadStats,
    Record,
    batched,
    read_inputs,
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
    """Batches of (record, cleaned document) in a temporary file, read back in
    order. They are pickled as plain tuples (a slotted dataclass or a named
    tuple pickles through Python code once per object, several times slower);
    the lines' keys go along only with ``keys=True``, joined by newlines into
    one string when no key holds one."""

    def __init__(self, folder: Path, name: str, *, keys: bool = False) -> None:
        self.path = folder / name
        self.keys = keys
        self._stream: IO[bytes] | None = None
        self.items = 0

    def write(self, items: list[Item]) -> None:
        if self._stream is None:
            self._stream = self.path.open("wb")
        keys = self.keys
        rows = [
            (
                _record_values(r),
                d.text,
                d.lines,
                list(map(tuple, d.removed)),
                _pack_keys(d.keys) if keys else None,
            )
            for r, d in items
        ]
        pickle.dump(rows, self._stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.items += len(items)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def read(self) -> Iterator[list[Item]]:
        self.close()
        if not self.path.exists():
            return
        with self.path.open("rb") as stream:
            while True:
                try:
                    rows = pickle.load(stream)
                except EOFError:
                    return
                yield [
                    (
                        Record(*r),
                        CleanedDocument(
                            text, lines, list(map(_removed_line, removed)), _unpack_keys(keys)
                        ),
                    )
                    for r, text, lines, removed, keys in rows
                ]


_removed_line = functools.partial(tuple.__new__, RemovedLine)  # RemovedLine(*fields), faster


def _pack_keys(keys: list[str] | None) -> str | list[str] | None:
    """One string for a document's line keys (a list if a key holds a newline)."""
    if not keys:
        return keys
    joined = "\n".join(keys)
    return joined if joined.count("\n") == len(keys) - 1 else keys


def _unpack_keys(packed: str | list[str] | None) -> list[str] | None:
    return packed.split("\n") if isinstance(packed, str) else packed


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
    try:
        with tempfile.TemporaryDirectory(prefix=SPILL_PREFIX) as tmp:
            spill = _first_pass(inputs, options, cleaner, auditor, run, Path(tmp), progress)
            if cleaner.needs_second_pass:
                spill = _boilerplate_pass(spill, cleaner, auditor, run, Path(tmp), progress)
            progress("clustering", None)
            result = run.result = cleaner.result()
            cleaner.close()
            _write_pass(spill, cleaner, result, write, auditor, run, progress)
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
) -> _Spill:
    final = not cleaner.needs_second_pass
    spill = _Spill(folder, "cleaned", keys=not final)
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
        if final:
            cleaner.add_documents(doc for record, doc in items if record.error is None)
        spill.write(items)
        update(run.stats.bytes_read)
    spill.close()
    return spill


def _drop_text(record: Record, text_field: str) -> None:
    """Forget every copy of the original text a record holds: the spill
    carries the cleaned text only. (``raw``, the JSONL line, would also be
    written back as is for a document whose cleaned text is empty.)"""
    record.text = ""
    record.raw = None
    if record.fields is not None and text_field in record.fields:
        record.fields = {**record.fields, text_field: ""}


def _boilerplate_pass(
    spill: _Spill,
    cleaner: Cleaner,
    auditor: AuditWriter,
    run: CleanRun,
    folder: Path,
    progress: Progress,
) -> _Spill:
    out = _Spill(folder, "boilerplate")
    update = progress("boilerplate", spill.items)
    done = 0
    for batch in spill.read():
        good = [doc for record, doc in batch if record.error is None]
        filtered = iter(cleaner.remove_boilerplate(good))
        items: list[Item] = []
        for record, doc in batch:
            if record.error is None:
                new = next(filtered)
                if new is not doc:
                    corpus = [line for line in new.removed if line.reason == "line-corpus"]
                    run.lines_removed(auditor, record.id, new, corpus)
                doc = new
            items.append((record, doc))
        cleaner.add_documents(doc for record, doc in items if record.error is None)
        out.write(items)
        done += len(items)
        update(done)
    out.close()
    spill.path.unlink(missing_ok=True)
    return out


def _write_pass(
    spill: _Spill,
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
    for batch in spill.read():
        for record, doc in batch:
            done += 1
            if record.error is not None:
                write(record, None)
                continue
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
