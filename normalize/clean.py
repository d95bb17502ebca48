"""The corpus-cleaning pass: repair, duplicate lines, boilerplate, duplicate documents.

Per document, in the order a corpus cleaner wants:

1. **repair** the text with a light profile (invisible and bidi marks, odd
   spaces, presentation forms, tatweel; no letter changes). Line numbers in
   the audit count the lines of the repaired text (``light`` keeps every line).
2. remove **duplicate lines** inside the document: adjacent copies (the
   doubled headline) and copies anywhere in the document, keys from the
   ``dedup`` profile (:func:`normalize.lines.dedup_lines`).
3. optionally remove **boilerplate** lines found in at least
   ``boilerplate_min_docs`` documents (:class:`normalize.lines.BoilerplateFilter`;
   this needs a second pass over the cleaned documents).
4. remove **exact and near-duplicate documents**
   (:class:`normalize.dedup.DocumentDeduper`: 128-bit key hashes and MinHash
   signatures are all it keeps per document, never the texts).

:class:`Cleaner` exposes the stages one batch at a time so a caller can
stream a corpus that does not fit in memory (the CLI spills the cleaned texts
to a temporary file between passes). :func:`clean` runs them all over texts
in memory.

>>> page = "عاجل: خبر مهم\\nعاجِل: خبر مهم\\n\\nنص الخبر هنا كاملا مع تفاصيل كثيرة ومفيدة للقارئ"
>>> result = clean([page, page.replace("مهم", "مهمّ"), "خبر آخر لا علاقة له"])
>>> result.keep, result.documents.reason
([0, 2], {1: 'exact'})
>>> print(result.texts[0])
عاجل: خبر مهم
<BLANKLINE>
نص الخبر هنا كاملا مع تفاصيل كثيرة ومفيدة للقارئ
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from normalize._checks import check_texts
from normalize._workers import Workers
from normalize.cluster import Keep
from normalize.dedup import DedupResult, DocumentDeduper, SignedBatch
from normalize.lines import (
    BoilerplateFilter,
    BoilerplateLines,
    LineDedup,
    LineHashes,
    RemovedLine,
    dedup_lines,
    dedup_lines_keyed,
    drop_lines,
    line_keys,
)
from normalize.options import NormalizeOptions, resolve
from normalize.report import StageCount
from normalize.text import Normalizer
from normalize.text import shared_normalizer as _normalizer

LineScope = Literal["off", "adjacent", "document"]
T = TypeVar("T")
LINE_SCOPES: Final = ("off", "adjacent", "document")
_WITHIN_DOCUMENT: Final = ("line-adjacent", "line-document")
_CHUNK: Final = 1024  # documents per batch of clean()


#: clean's document scope: keys shorter than this (a number, "نعم", a one-word
#: line) go only as adjacent repeats
LINE_MIN_CHARS: Final = 8


@dataclass(frozen=True, kw_only=True)
class CleanConfig:
    """What :func:`clean` and :class:`Cleaner` do. Every field is checked when
    the config is made.

    - ``repair``: the profile applied to every document first (``light``:
      changes no letter). Its output is what the cleaned documents hold.
    - ``normalize_output``: a profile to apply to the cleaned text on output
      (None: the repaired text, as read).

      Both run line by line (:func:`keep_lines`) where the profile would turn
      newlines into spaces: a document keeps its lines.
    - ``key_profile``: the profile that makes line and document keys.
    - ``lines``: duplicate lines removed ``"adjacent"`` (the doubled headline
      only), anywhere in the ``"document"`` (adjacent copies are still
      reported as such), or ``"off"``.
    - ``line_min_chars``: with ``lines="document"``, a line whose key is
      shorter (a number, "نعم": content that may well repeat) goes only as
      an adjacent repeat (:data:`LINE_MIN_CHARS` by default).
    - ``fuzzy``: with ``lines``, also lines whose keys reach this rapidfuzz
      ratio (1-100) against a kept line.
    - ``boilerplate_min_docs``: remove lines found in at least this many
      documents (None: off), keys of ``boilerplate_min_chars`` or more.
    - ``documents``: remove exact and near-duplicate documents, with
      ``threshold``, ``num_perm``, ``ngram``, ``seed``, ``keep`` (``"first"``
      or ``"longest"`` key) and ``workers`` processes for the signatures (the
      result does not depend on it; ``tanqiya clean`` runs every pass in
      them, see :mod:`normalize.pipeline`).
    """

    repair: str | NormalizeOptions = "light"
    normalize_output: str | NormalizeOptions | None = None
    key_profile: str | NormalizeOptions = "dedup"
    lines: LineScope = "document"
    line_min_chars: int = LINE_MIN_CHARS
    fuzzy: float | None = None
    boilerplate_min_docs: int | None = None
    boilerplate_min_chars: int = 10
    documents: bool = True
    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    keep: Keep = "first"
    workers: int = 1

    def __post_init__(self) -> None:
        resolve(self.repair)
        resolve(self.key_profile)
        if self.normalize_output is not None:
            resolve(self.normalize_output)
        if self.lines not in LINE_SCOPES:
            msg = f"lines must be one of {', '.join(map(repr, LINE_SCOPES))}, not {self.lines!r}"
            raise ValueError(msg)
        if self.boilerplate_min_docs is not None:
            BoilerplateFilter(
                min_docs=self.boilerplate_min_docs, min_chars=self.boilerplate_min_chars
            )
        minimum = self.line_min_chars
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
            msg = f"line_min_chars must be an int of at least 1, not {minimum!r}"
            raise ValueError(msg)
        if self.fuzzy is not None:
            dedup_lines("", fuzzy=self.fuzzy)  # checks the score
        if not isinstance(self.documents, bool):
            msg = f"documents must be True or False, not {self.documents!r}"
            raise ValueError(msg)
        self.deduper().close()  # checks threshold, num_perm, ngram, keep, workers (even if off)

    def deduper(self, workers: Workers | None = None) -> DocumentDeduper:
        """A fresh :class:`DocumentDeduper` for these settings (running its
        batches in ``workers`` shared with other stages, if given)."""
        return DocumentDeduper(
            threshold=self.threshold,
            num_perm=self.num_perm,
            ngram=self.ngram,
            profile=self.key_profile,
            keep=self.keep,
            seed=self.seed,
            workers=self.workers if workers is None else workers,
        )


@dataclass(frozen=True, slots=True)
class CleanedDocument:
    """One document after the line stages: its ``text``, how many ``lines``
    the repaired text had, the lines removed (line numbers of the repaired
    text) and the ``keys`` of the lines left in ``text``, one per line, in
    the key profile (``None`` when no later stage needs them)."""

    text: str
    lines: int
    removed: list[RemovedLine]
    keys: list[str] | None = None

    @property
    def kept_lines(self) -> int:
        """Lines left in ``text``."""
        return self.lines - len(self.removed)


def keys_are_line_local(profile: str | NormalizeOptions) -> bool:
    """Whether a document's key in ``profile`` is :func:`document_key` of its
    lines' keys: every whitespace run (newlines too) becomes one space and
    nothing spans lines (HTML tags may).

    >>> keys_are_line_local("dedup"), keys_are_line_local("search")
    (True, False)
    """
    options = resolve(profile)
    return options.whitespace == "all" and not options.html


def document_key(line_keys: Iterable[str]) -> str:
    """A document's key made from its lines' keys (for a profile where
    :func:`keys_are_line_local`): the non-empty ones joined by a space, which
    is what normalizing the whole text gives.

    >>> document_key(["عنوان", "", "نص الخبر"])
    'عنوان نص الخبر'
    """
    return " ".join(filter(None, line_keys))


def line_count(text: str) -> int:
    """Lines as :mod:`normalize.lines` counts them (a final newline ends the
    last line, it does not start another).

    >>> line_count(""), line_count("a"), line_count("a\\n"), line_count("a\\n\\nb")
    (0, 1, 1, 3)
    """
    return text.count("\n") + (not text.endswith("\n")) if text else 0


@dataclass
class Tally:
    """Counts per stage, for the summary and the report; kept + removed = input."""

    documents: int = 0
    lines: int = 0
    line_adjacent: int = 0
    line_document: int = 0
    line_corpus: int = 0
    exact_documents: int = 0
    exact_lines: int = 0
    near_documents: int = 0
    near_lines: int = 0

    def count_lines(self, removed: Iterable[RemovedLine]) -> None:
        self.count_reasons(Counter(line.reason for line in removed))

    def count_reasons(self, reasons: Mapping[str, int]) -> None:
        """:meth:`count_lines` for lines counted per reason already."""
        self.line_adjacent += reasons.get("line-adjacent", 0)
        self.line_document += reasons.get("line-document", 0)
        self.line_corpus += sum(n for r, n in reasons.items() if r not in _WITHIN_DOCUMENT)

    def stages(self, *, boilerplate: bool) -> list[StageCount]:
        """The chained rows: each stage's input is the previous stage's output."""
        docs, lines = self.documents, self.lines
        rows = [
            StageCount("duplicate lines", docs, lines, 0, self.line_adjacent + self.line_document)
        ]
        lines -= rows[-1].lines_removed
        if boilerplate:
            rows.append(StageCount("boilerplate lines", docs, lines, 0, self.line_corpus))
            lines -= self.line_corpus
        rows.append(
            StageCount("exact duplicates", docs, lines, self.exact_documents, self.exact_lines)
        )
        docs, lines = docs - self.exact_documents, lines - self.exact_lines
        rows.append(
            StageCount("near duplicates", docs, lines, self.near_documents, self.near_lines)
        )
        return rows

    @property
    def kept_documents(self) -> int:
        return self.documents - self.exact_documents - self.near_documents

    @property
    def kept_lines(self) -> int:
        removed = self.line_adjacent + self.line_document + self.line_corpus
        return self.lines - removed - self.exact_lines - self.near_lines


class Cleaner:
    """The stages of a cleaning pass, a batch at a time.

    1. :meth:`clean_lines` on every batch, in order (repair + duplicate lines;
       counts boilerplate candidates when that stage is on);
    2. when :attr:`needs_second_pass`, :meth:`remove_boilerplate` on every
       cleaned document, in the same order;
    3. :meth:`add_documents` the final documents (or :meth:`add` their
       texts), in order, then :meth:`result`.

    >>> cleaner = Cleaner(CleanConfig(threshold=0.5))
    >>> docs = cleaner.clean_lines(["خبر\\nخبر", "خبر"])
    >>> [d.text for d in docs], cleaner.needs_second_pass
    (['خبر\\n', 'خبر'], False)
    >>> cleaner.add_documents(docs)
    >>> cleaner.result().duplicate_of
    {1: 0}
    """

    def __init__(self, config: CleanConfig | None = None) -> None:
        if config is not None and not isinstance(config, CleanConfig):
            msg = f"config must be a CleanConfig, not {type(config).__name__}"
            raise TypeError(msg)
        self.config = config = config or CleanConfig()
        self._output = (
            Normalizer(config.normalize_output) if config.normalize_output is not None else None
        )
        self._boilerplate = (
            BoilerplateFilter(
                min_docs=config.boilerplate_min_docs,
                min_chars=config.boilerplate_min_chars,
                profile=config.key_profile,
            )
            if config.boilerplate_min_docs is not None
            else None
        )
        self._workers = Workers(config.workers)
        self._deduper = config.deduper(self._workers) if config.documents else None
        self._added = 0
        # the document stage builds its keys from the lines' keys when it can
        self._keyed_documents = self._deduper is not None and keys_are_line_local(
            config.key_profile
        )
        self._spec = _LineSpec(
            resolve(config.repair),
            resolve(config.key_profile),
            config.lines,
            config.line_min_chars,
            config.fuzzy,
            keys=self._boilerplate is not None or self._keyed_documents,
        )

    @property
    def needs_second_pass(self) -> bool:
        """Whether boilerplate removal needs the cleaned documents again."""
        return self._boilerplate is not None

    def clean_lines(self, texts: Sequence[str]) -> list[CleanedDocument]:
        """Repair each text and remove its duplicate lines. The lines' keys are
        made once, here: the boilerplate stage counts and filters by them and
        the document stage joins them into the document's key
        (:func:`document_key`), so no later stage normalizes again."""
        return self._counted(_clean_texts(self._spec, texts))

    def clean_batches(
        self, batches: Iterable[tuple[T, Sequence[str]]]
    ) -> Iterator[tuple[T, list[CleanedDocument]]]:
        """:meth:`clean_lines` on each ``(tag, texts)`` batch, yielded in
        order with its tag, in this process: sending the texts to a worker
        and the cleaned texts and keys back costs this process about as much
        as the work moved. A caller that keeps the cleaned texts in files (as
        ``tanqiya clean`` does) can instead run :meth:`line_cleaner` in the
        workers and hand back only what it counts."""
        for tag, texts in batches:
            yield tag, self.clean_lines(texts)

    def line_cleaner(self) -> Callable[[Sequence[str]], list[CleanedDocument]]:
        """What :meth:`clean_lines` does to a batch, without the counting, as
        a picklable function (for worker processes)."""
        return functools.partial(_clean_texts, self._spec)

    def line_counter(self) -> Callable[[Sequence[Sequence[str]]], LineHashes] | None:
        """What the boilerplate stage hashes of a batch of documents' line
        keys, as a picklable function (None when the stage is off):
        :meth:`add_counted` takes its ``per_document()``, the finder
        (:meth:`boilerplate_finder`) the hashes themselves."""
        if self._boilerplate is None:
            return None
        return functools.partial(LineHashes.of, min_chars=self._boilerplate.min_chars)

    def add_counted(self, hashes: npt.NDArray[np.uint64], documents: int) -> None:
        """Count a batch of ``documents`` for the boilerplate stage, as
        :meth:`line_counter`'s function made it."""
        if self._boilerplate is not None:
            self._boilerplate.add_counted(hashes, documents)

    def _counted(self, docs: list[CleanedDocument]) -> list[CleanedDocument]:
        """``docs``, their lines' keys counted by the boilerplate stage."""
        if self._boilerplate is not None:
            self._boilerplate.count_keys(doc.keys or () for doc in docs)
        return docs

    def remove_boilerplate(self, docs: Sequence[CleanedDocument]) -> list[CleanedDocument]:
        """Drop the boilerplate lines from documents :meth:`clean_lines` gave
        (a document that loses none is returned as it was). Line numbers are
        turned back into the repaired text's numbering."""
        if self._boilerplate is None:
            return list(docs)
        keys = [doc.keys for doc in docs]
        if any(own is None for own in keys):  # not from clean_lines: make them
            keys = list(line_keys([doc.text for doc in docs], profile=self.config.key_profile))
        found = self.boilerplate_lines(typing.cast(list[list[str]], keys))
        return [self.drop_boilerplate(doc, lines) for doc, lines in zip(docs, found, strict=True)]

    def boilerplate_lines(self, keys: Sequence[Sequence[str]]) -> list[list[int]]:
        """For documents given as their lines' keys (``CleanedDocument.keys``),
        the 0-based indices of their boilerplate lines (none when the stage is
        off), for :meth:`drop_boilerplate`. The first call ends the counting."""
        if self._boilerplate is None:
            return [[] for _ in keys]
        return self._boilerplate.find_keyed(keys)

    def boilerplate_finder(self) -> BoilerplateLines | None:
        """What :meth:`boilerplate_lines` uses, to find them in worker tasks
        (None when the stage is off). The first call ends the counting."""
        return None if self._boilerplate is None else self._boilerplate.finder()

    def text_signer(self) -> Callable[[list[str]], SignedBatch] | None:
        """What :meth:`add` does to a batch of final texts, to run in worker
        tasks (:meth:`DocumentDeduper.text_signer`); None when the document
        stage is off. :meth:`add_signed` takes what it returns."""
        return None if self._deduper is None else self._deduper.text_signer()

    def key_signer(self) -> Callable[[list[str]], SignedBatch] | None:
        """What :meth:`add_line_keys` does to a batch of document keys, to run
        in worker tasks (:meth:`DocumentDeduper.key_signer`); None when the
        document stage is off or :attr:`needs_texts`. :meth:`add_signed`
        takes what it returns."""
        if self._deduper is None or self.needs_texts:
            return None
        return self._deduper.key_signer()

    def add_signed(self, batch: SignedBatch | None, documents: int) -> None:
        """Feed the document stage ``documents`` final documents, in input
        order, as the batch :meth:`key_signer`'s function made of them (None
        when the stage is off)."""
        if self._deduper is not None:
            if batch is None or len(batch.keys) != documents:
                msg = f"a signed batch of {documents} documents is needed"
                raise ValueError(msg)
            self._deduper.add_signed(batch)
        self._added += documents

    @property
    def workers(self) -> Workers:
        """The worker processes the stages share (for a caller's own tasks)."""
        return self._workers

    def drop_boilerplate(self, doc: CleanedDocument, lines: Sequence[int]) -> CleanedDocument:
        """``doc`` without its lines ``lines`` (from :meth:`boilerplate_lines`;
        none: ``doc`` itself); see :func:`drop_boilerplate`."""
        return drop_boilerplate(doc, lines)

    def add_documents(self, docs: Iterable[CleanedDocument]) -> None:
        """Feed the final documents, in input order, to the document stage:
        their keys are made from their lines' keys when they carry them (the
        same keys :meth:`add` would make from their texts)."""
        check_texts(docs, "add_documents")
        if not self._keyed_documents:
            self.add(doc.text for doc in docs)
            return
        docs = list(docs)
        if any(doc.keys is None for doc in docs):
            self.add(doc.text for doc in docs)
            return
        self.add_line_keys([doc.keys or [] for doc in docs])

    @property
    def needs_texts(self) -> bool:
        """Whether the document stage needs the final texts (:meth:`add`,
        :meth:`add_documents`), not just their lines' keys: it is on and its
        key profile is not :func:`keys_are_line_local`."""
        return self._deduper is not None and not self._keyed_documents

    def add_line_keys(self, keys: Sequence[Sequence[str]]) -> None:
        """Feed final documents given as their lines' keys, in input order
        (unless :attr:`needs_texts`)."""
        check_texts(keys, "add_line_keys")
        if self.needs_texts:
            msg = "the document stage needs the texts: its key profile is not line-local"
            raise ValueError(msg)
        if self._deduper is not None:
            self._deduper.add_keys([document_key(own) for own in keys])
        self._added += len(keys)

    def add(self, texts: Iterable[str]) -> None:
        """Feed the final texts, in input order, to the document stage
        (:meth:`add_documents` saves normalizing them again)."""
        check_texts(texts, "add")
        if self._deduper is not None:
            before = len(self._deduper)
            self._deduper.add(texts)
            self._added += len(self._deduper) - before
        else:
            self._added += sum(1 for _ in texts)

    def result(self) -> DedupResult:
        """Which documents to keep (all of them when ``documents`` is off)."""
        if self._deduper is None:
            return DedupResult(list(range(self._added)), {}, {}, [], {})
        return self._deduper.result()

    def output_text(self, text: str) -> str:
        """The text to write for a kept document (``normalize_output`` applied)."""
        return keep_lines(self._output, [text])[0] if self._output is not None else text

    def output_function(self) -> Callable[[str], str] | None:
        """:meth:`output_text` as a picklable function, for worker processes
        (None: the text is written as it is)."""
        if self._output is None:
            return None
        return functools.partial(_normalize_one, self._output.options)

    def start_workers(self) -> None:
        """Start the worker processes of the line stage and of the document
        stage now (see :meth:`normalize._workers.Workers.start`), so they are
        up, their normalization tables built, by the time the first batches
        come."""
        output = self._output.options if self._output is not None else None
        documents = None
        if self._deduper is not None and self.needs_texts:
            documents = self._deduper.warm_up()
        self._workers.start(functools.partial(_warm_up, self._spec, output, documents))

    def terminate(self) -> None:
        """Stop the worker processes at once (the batches in them are lost)."""
        if self._deduper is not None:
            self._deduper.terminate()
        self._workers.terminate()

    def close(self) -> None:
        """Wait for the batches still in workers, then stop the worker
        processes, if any."""
        try:
            if self._deduper is not None:
                self._deduper.close()
        finally:
            self._workers.terminate()


@dataclass(frozen=True, slots=True)
class _LineSpec:
    """What the line stage needs: it goes with every batch to a worker."""

    repair: NormalizeOptions
    key_profile: NormalizeOptions
    lines: LineScope
    min_chars: int
    fuzzy: float | None
    keys: bool  # keep each document's line keys


def keep_lines(normalizer: Normalizer, texts: Sequence[str]) -> list[str]:
    """``normalizer.normalize_many(texts)``, but line by line (as ``tanqiya
    normalize`` runs) when its profile turns newlines into spaces
    (``whitespace="all"``, the dedup profile's keys): a document's text keeps
    its lines whatever profile repairs or writes it.

    >>> keep_lines(Normalizer("dedup"), ["قالَ\\n  الرئيسُ\\r\\nنص"])
    ['قال\\nالرييس\\r\\nنص']
    """
    if normalizer.options.whitespace != "all":
        return normalizer.normalize_many(texts)
    split = [text.split("\n") for text in texts]
    lines = [line for own in split for line in own]
    ends = ["\r" if line.endswith("\r") else "" for line in lines]  # CRLF stays CRLF
    keys = normalizer.normalize_many([line.removesuffix("\r") for line in lines])
    flat = iter([key + end for key, end in zip(keys, ends, strict=True)])
    return ["\n".join(itertools.islice(flat, len(own))) for own in split]


def _clean_texts(spec: _LineSpec, texts: Sequence[str]) -> list[CleanedDocument]:
    """Repair and duplicate-line removal of one batch (a pure function)."""
    repaired = keep_lines(_normalizer(spec.repair), texts)
    if spec.lines == "off":
        if not spec.keys:
            return [CleanedDocument(text, line_count(text), []) for text in repaired]
        keys = line_keys(repaired, profile=spec.key_profile)
        return [
            CleanedDocument(text, len(own), [], own)
            for text, own in zip(repaired, keys, strict=True)
        ]
    keyed = dedup_lines_keyed(
        repaired,
        scope="adjacent" if spec.lines == "adjacent" else "document",
        profile=spec.key_profile,
        min_chars=spec.min_chars,
        fuzzy=spec.fuzzy,
    )
    return [
        CleanedDocument(
            result.text,
            result.lines,
            _label_adjacent(text, result.removed) if spec.lines == "document" else result.removed,
            keys if spec.keys else None,
        )
        for text, (result, keys) in zip(repaired, keyed, strict=True)
    ]


def _normalize_one(options: NormalizeOptions, text: str) -> str:
    return keep_lines(_normalizer(options), [text])[0]


def _warm_up(
    spec: _LineSpec, output: NormalizeOptions | None, documents: Callable[[], object] | None
) -> None:
    """Build what a worker's first batch needs: the tables of the line
    stage's profiles, of the output's and of the document stage's."""
    for options in (spec.repair, spec.key_profile, output):
        if options is not None:
            _normalizer(options).normalize_many([""])
    if documents is not None:
        documents()


def drop_boilerplate(doc: CleanedDocument, lines: Sequence[int]) -> CleanedDocument:
    """``doc`` without its lines ``lines`` (0-based indices of its lines, as
    :meth:`Cleaner.boilerplate_lines` finds them; none: ``doc`` itself), each
    reported as a ``line-corpus`` removal numbered as in the repaired text.

    >>> doc = drop_boilerplate(CleanedDocument("menu\\nنص", 2, []), [0])
    >>> doc.text, [(line.line, line.reason) for line in doc.removed]
    ('نص', [(1, 'line-corpus')])
    """
    if not lines:
        return doc
    result = drop_corpus_lines(doc.text, lines, [line.line for line in doc.removed])
    removed = sorted([*doc.removed, *result.removed]) if doc.removed else result.removed
    keys = None if doc.keys is None else without(doc.keys, lines)
    return CleanedDocument(result.text, doc.lines, removed, keys)


def drop_corpus_lines(text: str, lines: Sequence[int], gone: Sequence[int]) -> LineDedup:
    """A cleaned ``text`` without its lines ``lines`` (0-based, ascending),
    each reported as a ``line-corpus`` removal numbered as in the repaired
    text, whose lines ``gone`` (numbers from 1) the line stages removed: what
    :func:`drop_boilerplate` does, given only the numbers of those lines.

    >>> result = drop_corpus_lines("a\\nmenu\\nb", [1], [2])  # repaired: a, a, menu, b
    >>> result.text, [line.line for line in result.removed]
    ('a\\nb', [3])
    """
    if not gone:  # the cleaned text's lines are the repaired text's
        return drop_lines(text, lines)
    return drop_lines(text, lines, numbers=_repaired_numbers(lines, sorted(gone)))


def _repaired_numbers(lines: Sequence[int], gone: list[int]) -> list[int]:
    """The repaired text's numbers (from 1) of ``lines`` (0-based, ascending)
    of a cleaned text whose lines ``gone`` (repaired numbering, sorted) were
    removed: one walk through both.

    >>> _repaired_numbers([1, 2], [1, 3])  # lines 2, 4, 5 are left
    [4, 5]
    """
    numbers = []
    g, shift = 0, 0
    for i in lines:
        number = i + 1 + shift
        while g < len(gone) and gone[g] <= number:
            number += 1
            shift += 1
            g += 1
        numbers.append(number)
    return numbers


def _label_adjacent(text: str, removed: list[RemovedLine]) -> list[RemovedLine]:
    """Relabel as ``line-adjacent`` each removed line whose kept copy is the
    last kept, non-blank line before it (only blank or removed lines between):
    what ``scope="adjacent"`` would have removed."""
    if not removed:
        return removed
    lines = text.split("\n")
    gone = {line.line for line in removed}
    out = []
    for line in removed:
        copy = line.duplicate_of
        between = range((copy or line.line) + 1, line.line)
        if copy is not None and all(n in gone or not _has_word(lines[n - 1]) for n in between):
            line = line._replace(reason="line-adjacent")
        out.append(line)
    return out


def without(items: Sequence[str], drop: Iterable[int]) -> list[str]:
    """``items`` without the positions ``drop``.

    >>> without(["a", "b", "c"], [1])
    ['a', 'c']
    """
    keep = [True] * len(items)
    for i in drop:
        keep[i] = False
    return list(itertools.compress(items, keep))


def _has_word(line: str) -> bool:
    return any(c.isalnum() for c in line)


@dataclass(frozen=True)
class CleanResult:
    """What :func:`clean` kept and removed.

    - ``texts``: the kept documents' cleaned text (``normalize_output``
      applied), in input order; ``keep`` their indices.
    - ``documents``: the document stage's :class:`DedupResult`.
    - ``lines_removed``: per input document, the lines removed from it.
    - ``tally``: counts per stage (``tally.stages(...)`` for a table).
    """

    texts: list[str]
    keep: list[int]
    documents: DedupResult
    lines_removed: list[list[RemovedLine]]
    tally: Tally = dataclasses.field(default_factory=Tally)


def clean(texts: Iterable[str], config: CleanConfig | None = None) -> CleanResult:
    """Run every stage over ``texts`` held in memory (see :class:`Cleaner` to
    stream a larger corpus)."""
    check_texts(texts, "clean")
    cleaner = Cleaner(config)
    texts = list(texts)
    chunks = ((None, texts[i : i + _CHUNK]) for i in range(0, len(texts), _CHUNK))
    try:
        docs = [doc for _, batch in cleaner.clean_batches(chunks) for doc in batch]
        if cleaner.needs_second_pass:
            docs = cleaner.remove_boilerplate(docs)
        cleaner.add_documents(docs)
        result = cleaner.result()
    finally:
        cleaner.close()
    tally = Tally(documents=len(docs), lines=sum(doc.lines for doc in docs))
    for doc in docs:
        tally.count_lines(doc.removed)
    for index, reason in result.reason.items():
        if reason == "exact":
            tally.exact_documents += 1
            tally.exact_lines += docs[index].kept_lines
        else:
            tally.near_documents += 1
            tally.near_lines += docs[index].kept_lines
    return CleanResult(
        texts=[cleaner.output_text(docs[i].text) for i in result.keep],
        keep=result.keep,
        documents=result,
        lines_removed=[doc.removed for doc in docs],
        tally=tally,
    )
