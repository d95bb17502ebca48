"""Duplicate-line removal: adjacent, document and corpus scopes, exact or fuzzy.

Lines compare by **key**: the profile's normalization of the line (one
``normalize_many`` pass over all lines), so a copy that differs only in
diacritics, letter variants, tatweel, spaces, NBSP, invisible marks or
punctuation is a duplicate. The output keeps the original lines, byte for byte.

Conventions shared by every scope:

- A line ends at ``"\\n"``; a ``"\\r"`` right before it belongs to the line
  ending (``"\\r\\n"``). No other character breaks a line. Line numbers are
  1-based and count every line, blank ones included.
- A line is **blank** when its key has no letter or digit (``str.isalnum``):
  empty lines, whitespace, NBSP- or ZWSP-only lines and, by this module's
  choice, lines of only punctuation or symbols (``* * *``, ``----``, emoji).
  Blank lines carry structure, not content: they are never removed, never the
  kept copy of anything, and do not separate lines for the ``adjacent`` scope.
- The first copy is kept. A removed line goes with its own line ending only;
  the blank lines around it stay as they are, so paragraph breaks survive
  (``"A\\n\\nA\\n\\nB"`` becomes ``"A\\n\\n\\nB"``).

>>> dedup_lines("عاجل: خبر\\nعَاجِلٌ: خَبَر\\n\\nنص").text
'عاجل: خبر\\n\\nنص'
>>> dedup_lines("اقرأ أيضا\\nخبر\\nاقرأ أيضاً\\n", scope="document").removed[0].duplicate_of
1
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from itertools import compress
from operator import methodcaller
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import xxhash
from rapidfuzz import fuzz, process

from normalize._checks import check_texts
from normalize.options import NormalizeOptions
from normalize.text import Normalizer, is_blank
from normalize.text import shared_normalizer as _normalizer

Scope = Literal["adjacent", "document"]
Reason = Literal["line-adjacent", "line-document", "line-corpus"]

_SCOPES: Final = ("adjacent", "document")
_ENCODE = methodcaller("encode", "utf-8", "surrogatepass")
_CHUNK: Final = 1024  # fuzzy document scope: lines decided per step
_GROUP: Final = 256  # rows per block of pairs
_BINS: Final = 64  # histogram bins per key
_PAIRS: Final = 1 << 17  # pairs per block (bound buffers of 256 KB)
_SMALL_BLOCK: Final = 1 << 11  # pairs below which one 3-D numpy call is cheaper
_PRE: Final = 0.01  # cdist screens at cutoff - _PRE; fuzz.ratio decides
_COUNT_BATCH_CHARS: Final = 1 << 20
_MERGE_AT: Final = 1 << 18  # pending hashes (at least) before a merge into the counts
_PART_BITS: Final = 6  # corpus scope: hash counts in 2**_PART_BITS sorted arrays, by top bits
_PARTS: Final = 1 << _PART_BITS

IntArray = npt.NDArray[np.int64]


class RemovedLine(NamedTuple):
    """One removed line: ``line`` (1-based), its ``text`` and line ``ending``
    (``"\\n"``, ``"\\r\\n"`` or ``""`` for a last line without one), the line
    number of the copy that was kept (``None`` for the corpus scope), the
    rapidfuzz ``score`` of the keys (0-100; 100 for an exact match) and the
    ``reason``.
    """

    line: int
    text: str
    ending: str
    duplicate_of: int | None
    score: float
    reason: Reason


@dataclasses.dataclass(frozen=True, slots=True)
class LineDedup:
    """The kept lines as one string (``text``: original characters and line
    endings), every removed line in line order, and the number of ``lines`` in
    the input.

    >>> r = dedup_lines("أ\\r\\nأ\\r\\nب")
    >>> r.text, r.lines, r.kept, r.removed[0].ending
    ('أ\\r\\nب', 3, 2, '\\r\\n')
    """

    text: str
    removed: list[RemovedLine]
    lines: int

    @property
    def kept(self) -> int:
        """The number of lines kept."""
        return self.lines - len(self.removed)


# --- lines in, lines out ------------------------------------------------------------

Found = list[tuple[int, int, float]]  # (line, kept line, score), line indices from 0
_removed = functools.partial(tuple.__new__, RemovedLine)  # RemovedLine(*fields), faster


@dataclasses.dataclass(frozen=True, slots=True)
class _Lines:
    """A text cut at ``"\\n"``: ``pieces`` still hold a ``"\\r"`` before the break."""

    text: str
    pieces: list[str]
    newline_at_end: bool

    @classmethod
    def split(cls, text: str) -> _Lines:
        if not isinstance(text, str):
            msg = f"expected a str, not {type(text).__name__}"
            raise TypeError(msg)
        pieces = text.split("\n")
        if not pieces[-1]:
            pieces.pop()
        return cls(text, pieces, text.endswith("\n"))

    def contents(self) -> list[str]:
        """Each line without its ending."""
        pieces = self.pieces
        if "\r" not in self.text:
            return pieces
        last = len(pieces) - (not self.newline_at_end)
        return [p[:-1] if i < last and p.endswith("\r") else p for i, p in enumerate(pieces)]

    def result(
        self,
        found: Found,
        reason: Reason,
        *,
        kept_copy: bool = True,
        numbers: Sequence[int] | None = None,
    ) -> LineDedup:
        """The text without the lines ``found`` (in line order), numbered
        from 1 or as ``numbers`` gives (one per found line)."""
        text, pieces = self.text, self.pieces
        if not found:
            return LineDedup(text, [], len(pieces))
        keep = [True] * len(pieces)
        for i, _, _ in found:
            keep[i] = False
        kept = "\n".join(compress(pieces, keep))
        last = len(pieces) - 1
        while last >= 0 and not keep[last]:
            last -= 1
        if last >= 0 and (last < len(pieces) - 1 or self.newline_at_end):
            kept += "\n"  # the last kept line's own ending
        with_ending = len(pieces) - (not self.newline_at_end)
        removed = []
        numbered = [i + 1 for i, _, _ in found] if numbers is None else numbers
        for (i, copy, score), number in zip(found, numbered, strict=True):
            piece = pieces[i]
            if i >= with_ending:
                line_text, ending = piece, ""
            elif piece.endswith("\r"):
                line_text, ending = piece[:-1], "\r\n"
            else:
                line_text, ending = piece, "\n"
            copy_line = copy + 1 if kept_copy else None
            removed.append(_removed((number, line_text, ending, copy_line, score, reason)))
        return LineDedup(kept, removed, len(pieces))

    def drop(self, lines: Sequence[int], numbers: Sequence[int] | None = None) -> LineDedup:
        """The text without ``lines`` (0-based, ascending), each reported as a
        ``line-corpus`` removal with no kept copy (see :func:`drop_lines`)."""
        found = [(i, -1, 100.0) for i in lines]
        return self.result(found, "line-corpus", kept_copy=False, numbers=numbers)


# --- exact -----------------------------------------------------------------------------


def _first_copies(keys: list[str]) -> dict[str, int]:
    """Each key -> the index of its first line."""
    return dict(zip(keys[::-1], range(len(keys) - 1, -1, -1), strict=True))


def _exact(keys: list[str], scope: Scope, min_chars: int = 1) -> Found:
    """(line, kept line, 100.0) for every exact duplicate, in line order:
    for ``adjacent`` each repeat of the last kept non-blank line; for
    ``document`` each repeat of an earlier line, but a key shorter than
    ``min_chars`` only as an adjacent repeat."""
    blank = _blank_keys(keys)
    if scope == "adjacent":
        return _adjacent_repeats(keys, blank, math.inf, set())
    first = _first_copies(keys)
    far = [
        (i, j, 100.0)
        for i, key in enumerate(keys)
        if (j := first[key]) != i and len(key) >= min_chars and not blank[key]
    ]
    return _merged(far, _adjacent_repeats(keys, blank, min_chars, {i for i, _, _ in far}))


def _blank_keys(keys: list[str]) -> dict[str, bool]:
    """Each distinct key -> whether it is blank (no letter or digit)."""
    return {key: is_blank(key) for key in dict.fromkeys(keys)}


def _adjacent_repeats(
    keys: list[str], blank: dict[str, bool], below: float, gone: set[int]
) -> Found:
    """(line, kept line, 100.0) for each line, not in ``gone`` (removed by
    another rule) and with a key shorter than ``below``, that repeats the
    last kept non-blank line before it (blank lines between do not count;
    ``blank``: :func:`_blank_keys`)."""
    last = -1  # the last kept non-blank line
    out = []
    for i, key in enumerate(keys):
        if blank[key] or i in gone:
            continue
        if last >= 0 and keys[last] == key and len(key) < below:
            out.append((i, last, 100.0))
        else:
            last = i
    return out


def _merged(a: Found, b: Found) -> Found:
    """Two lists of removals, in line order."""
    return sorted(a + b)


# --- fuzzy -----------------------------------------------------------------------------
#
# ratio = 200 * LCS / (len_a + len_b), and LCS <= the sum over characters of
# min(count in a, count in b), also with characters merged into bins. That
# bound, on small histograms for whole blocks of pairs in numpy, and the length
# bound it implies, discard nearly every pair before rapidfuzz scores the rest
# (on a generated news page: 1854 pairs pass the length bound, 19 this one).


@dataclasses.dataclass(frozen=True, slots=True)
class _Fuzzy:
    """Fuzzy settings: a pair of keys matches when equal, or when both have
    ``min_chars``..``max_chars`` characters and ``fuzz.ratio >= cutoff``."""

    cutoff: float
    min_chars: int
    max_chars: int
    workers: int

    def score(self, a: str, b: str) -> float:
        """The exact score that decides (``screen`` only nominates)."""
        if a == b:
            return 100.0
        if not (self.min_chars <= len(a) <= self.max_chars):
            return 0.0
        if not (self.min_chars <= len(b) <= self.max_chars):
            return 0.0
        return float(fuzz.ratio(a, b))

    def screen(self, a: list[str], b: list[str]) -> npt.NDArray[np.float32]:
        """``fuzz.ratio`` of each pair ``a[i], b[i]`` as float32, 0 below the cutoff."""
        return process.cpdist(
            a,
            b,
            scorer=fuzz.ratio,
            score_cutoff=self.cutoff - _PRE,
            dtype=np.float32,
            workers=self.workers,
        )


Histograms = npt.NDArray[np.unsignedinteger[Any]]  # (_BINS, lines): one row per bin


@dataclasses.dataclass(frozen=True, slots=True)
class _Side:
    """Lines sorted by key length, with their keys and character histograms."""

    lines: IntArray
    keys: list[str]
    lens: IntArray
    hist: Histograms

    @classmethod
    def of(cls, lines: IntArray, keys: list[str], lens: IntArray, hist: Histograms) -> _Side:
        order = lines[np.argsort(lens[lines], kind="stable")]
        return cls(order, [keys[i] for i in order.tolist()], lens[order], hist[:, order])


def _histograms(keys: list[str], lens: IntArray, at: IntArray, max_chars: int) -> Histograms:
    """Columns ``at``: character counts in _BINS bins, one each for the _BINS - 1
    most frequent characters of those keys and one for all others; zeros elsewhere."""
    chosen = [keys[i] for i in at.tolist()]
    codes = np.frombuffer("".join(chosen).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    frequency = np.bincount(codes)
    present = np.flatnonzero(frequency)
    top = present[np.argsort(-frequency[present], kind="stable")[: _BINS - 1]]
    bin_of = np.full(len(frequency), _BINS - 1, dtype=np.int64)
    bin_of[top] = np.arange(len(top))
    owner = np.repeat(at, lens[at])
    hist = np.bincount(bin_of[codes] * len(keys) + owner, minlength=_BINS * len(keys))
    dtype = np.uint16 if max_chars <= 0xFFFF else np.uint32  # sums of minimums fit too
    return hist.astype(dtype).reshape(_BINS, len(keys))


def _common_bound(rows: Histograms, cols: Histograms) -> Histograms:
    """For every (row, col): the sum over bins of min(row count, col count).
    A small block in one numpy call; a large one a bin at a time (a 2-D buffer
    that stays in cache)."""
    if rows.shape[1] * cols.shape[1] <= _SMALL_BLOCK:
        both = np.minimum(rows[:, :, None], cols[:, None, :])
        return both.sum(axis=0, dtype=rows.dtype)  # type: ignore[no-any-return]
    common: Histograms = np.minimum.outer(rows[0], cols[0])
    term = np.empty_like(common)
    for b in range(1, _BINS):
        np.minimum.outer(rows[b], cols[b], out=term)
        common += term
    return common


def _candidates(
    f: _Fuzzy, rows: _Side, cols: _Side, *, same: bool
) -> tuple[IntArray, IntArray, npt.NDArray[np.float32]]:
    """(row line, col line, screened score) of each pair that may reach the cutoff.

    Rows go in groups of similar length, each against the columns its length
    bound allows, in blocks of at most _PAIRS pairs. ``same``: rows are the
    columns, and each pair is looked at once.
    """
    found = []
    r = f.cutoff / (200.0 - f.cutoff)  # shorter/longer of a matching pair is at least r
    pre = f.cutoff - _PRE
    small = len(rows.keys) * len(cols.keys) <= _SMALL_BLOCK  # one block: the bound will do
    start = 0
    while start < len(rows.keys):
        shortest = int(rows.lens[start])
        if small:
            stop, lo, hi = len(rows.keys), 0, len(cols.keys)
        else:
            stop = int(np.searchsorted(rows.lens, shortest * 1.25, side="right"))
            stop = max(start + 1, min(stop, start + _GROUP))
            lo = start if same else int(np.searchsorted(cols.lens, math.floor(shortest * r)))
            hi = int(np.searchsorted(cols.lens, rows.lens[stop - 1] / r + 1, side="right"))
        step = max(1, _PAIRS // (stop - start))
        hr, lr = rows.hist[:, start:stop], rows.lens[start:stop, None]
        for c0 in range(lo, hi, step):
            c1 = min(hi, c0 + step)
            common = _common_bound(hr, cols.hist[:, c0:c1])
            ok = 200.0 * common >= pre * (lr + cols.lens[None, c0:c1])
            if same:
                ok &= np.arange(start, stop)[:, None] < np.arange(c0, c1)[None, :]
            ri, ci = np.nonzero(ok)
            if len(ri):
                ri, ci = ri + start, ci + c0
                scores = f.screen(
                    [rows.keys[i] for i in ri.tolist()], [cols.keys[i] for i in ci.tolist()]
                )
                hit = scores > 0
                found.append((rows.lines[ri[hit]], cols.lines[ci[hit]], scores[hit]))
        start = stop
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    a, b, scores = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return a, b, scores


def _fuzzy_adjacent(keys: list[str], f: _Fuzzy) -> Found:
    """Each non-blank line against the last kept non-blank line before it."""
    lines = [i for i, key in enumerate(keys) if not is_blank(key)]
    if len(lines) < 2:
        return []
    seq = [keys[i] for i in lines]
    lens = np.fromiter(map(len, seq), dtype=np.int64, count=len(seq))
    ok = (lens >= f.min_chars) & (lens <= f.max_chars)
    pair = np.flatnonzero(ok[1:] & ok[:-1])
    screen = np.zeros(len(seq), dtype=np.float32)  # screen[t]: seq[t - 1] vs seq[t]
    if len(pair):
        screen[pair + 1] = f.screen([seq[t] for t in pair], [seq[t + 1] for t in pair])
    out = []
    last = 0
    for t in range(1, len(seq)):
        if last == t - 1 and screen[t] == 0 and seq[t] != seq[last]:
            last = t
            continue
        score = f.score(seq[last], seq[t])
        if score >= f.cutoff:
            out.append((lines[t], lines[last], score))
        else:
            last = t
    return out


def _fuzzy_document(keys: list[str], f: _Fuzzy, min_chars: int) -> Found:
    """Greedy in line order: a non-blank line is removed when some kept line
    before it matches; its kept copy is the best match (earliest on a tie).
    A key shorter than ``min_chars`` only goes as an adjacent repeat.

    Exact repeats are settled by hashing. Fuzzy-eligible lines are decided in
    steps of _CHUNK lines: against the kept lines of earlier steps, then
    within the step, in order.
    """
    n = len(keys)
    first = _first_copies(keys)
    first_of = np.fromiter(map(first.__getitem__, keys), dtype=np.int64, count=n)
    lens = np.fromiter(map(len, keys), dtype=np.int64, count=n)
    blank_of = _blank_keys(keys)
    blank = np.fromiter(map(blank_of.__getitem__, keys), dtype=bool, count=n)
    repeat = first_of != np.arange(n)
    eligible = ~blank & (lens >= max(f.min_chars, min_chars)) & (lens <= f.max_chars)
    far = np.flatnonzero(repeat & ~blank & ~eligible & (lens >= min_chars)).tolist()
    found = [(i, first[keys[i]], 100.0) for i in far]
    found += _fuzzy_far(keys, f, eligible, first, first_of, repeat, lens)
    gone = {i for i, _, _ in found}
    return _merged(found, _adjacent_repeats(keys, blank_of, min_chars, gone))


def _fuzzy_far(
    keys: list[str],
    f: _Fuzzy,
    eligible: npt.NDArray[np.bool_],
    first: dict[str, int],
    first_of: IntArray,
    repeat: npt.NDArray[np.bool_],
    lens: IntArray,
) -> Found:
    """The removals among the ``eligible`` lines of :func:`_fuzzy_document`."""
    n = len(keys)
    found: Found = []
    todo = np.flatnonzero(eligible)
    if not len(todo):
        return found
    hist = _histograms(keys, lens, todo, f.max_chars)
    kept = np.zeros(n, dtype=bool)
    pool = _Side.of(todo[:0], keys, lens, hist)  # kept eligible lines of earlier steps
    for c in range(0, len(todo), _CHUNK):
        chunk = todo[c : c + _CHUNK]
        settled = repeat[chunk] & kept[first_of[chunk]]  # the first copy is kept
        found += [(i, first[keys[i]], 100.0) for i in chunk[settled].tolist()]
        rows = chunk[~settled]
        side = _Side.of(rows, keys, lens, hist)
        before = _candidates(f, side, pool, same=False)
        a, b, scores = _candidates(f, side, side, same=True)
        within = (np.maximum(a, b), np.minimum(a, b), scores)
        found += _decide(f, keys, rows, before, within, kept)
        if kept[rows].any():
            pool = _Side.of(np.concatenate([pool.lines, rows[kept[rows]]]), keys, lens, hist)
    found.sort()
    return found


Pairs = tuple[IntArray, IntArray, npt.NDArray[np.float32]]


def _decide(
    f: _Fuzzy,
    keys: list[str],
    rows: IntArray,
    before: Pairs,
    within: Pairs,
    kept: npt.NDArray[np.bool_],
) -> Found:
    """Decide ``rows`` (ascending) in order; mark the kept ones in ``kept``.

    Candidates (line, earlier line, screened score): ``before`` against kept
    lines, ``within`` against lines among ``rows``, whichever are kept by then.
    Only the top screened score can hold the best exact score (float32 rounding
    keeps the order), so only those candidates are scored exactly.
    """
    line_of = np.concatenate([before[0], within[0]])
    copy_of = np.concatenate([before[1], within[1]])
    screened = np.concatenate([before[2], within[2]])
    order = np.argsort(line_of, kind="stable")
    line_of, copy_of, screened = line_of[order], copy_of[order], screened[order]
    bounds = np.searchsorted(line_of, rows)
    ends = np.searchsorted(line_of, rows, side="right")
    kept[rows[bounds == ends]] = True  # no candidate at all
    out = []
    for at in np.flatnonzero(bounds != ends).tolist():
        line = int(rows[at])
        sel = slice(bounds[at], ends[at])
        copies, scores = copy_of[sel], screened[sel]
        live = kept[copies]
        copies, scores = copies[live], scores[live]
        best = (-1, 0.0)
        if len(copies):
            for copy in copies[scores == scores.max()].tolist():
                score = f.score(keys[copy], keys[line])
                if score > best[1] or (score == best[1] and copy < best[0]):
                    best = (copy, score)
        if best[0] >= 0 and best[1] >= f.cutoff:
            out.append((line, *best))
        else:
            kept[line] = True
    return out


# --- the public entry points -------------------------------------------------------------


def dedup_lines(
    text: str,
    *,
    scope: Scope = "adjacent",
    profile: str | NormalizeOptions = "dedup",
    min_chars: int = 1,
    fuzzy: float | None = None,
    min_fuzzy_chars: int = 20,
    max_fuzzy_chars: int = 2000,
    workers: int = 1,
) -> LineDedup:
    """Remove repeated lines from one document, keeping the first copy.

    ``scope="adjacent"`` removes a line whose key equals that of the last kept
    non-blank line before it (blank lines in between do not count: the doubled
    headline). ``scope="document"`` removes a line whose key occurred anywhere
    before; with ``min_chars``, only if its key has that many characters or
    more, a shorter one (a number, an answer "نعم", a one-word line: content
    that may well repeat) going only as an adjacent repeat. ``fuzzy`` (a
    rapidfuzz score, 1-100) also removes lines whose key reaches
    ``fuzz.ratio >= fuzzy`` against a kept line's key (the kept copy is the
    best-scoring one, the earliest on a tie), provided both keys have
    ``min_fuzzy_chars`` to ``max_fuzzy_chars`` characters: short lines
    ("نعم") only ever match exactly, and very long ones (whose comparison costs
    the product of their lengths) too. Blank lines are never removed.

    Exact scopes are linear (one hash of each key). Fuzzy ``adjacent`` scores
    each line once; fuzzy ``document`` scores only the pairs that the lengths
    and character counts of their keys do not rule out (still quadratic at
    worst: a 100,000-line document takes seconds). ``workers`` goes to
    rapidfuzz (-1: all cores); the result does not depend on it.

    >>> r = dedup_lines("داعش يستخدم مدنيين دروعا بشرية\\n\\nدَاعِش يستخدم مدنيين دروعا بشرية")
    >>> r.text
    'داعش يستخدم مدنيين دروعا بشرية\\n\\n'
    >>> r.removed[0].line, r.removed[0].duplicate_of, r.removed[0].reason
    (3, 1, 'line-adjacent')
    >>> title = "داعش يستخدم مدنيين دروعا بشرية"
    >>> dedup_lines(f"{title} صور\\n{title}", fuzzy=90).removed[0].score
    93.75
    """
    f = _check(scope, min_chars, fuzzy, min_fuzzy_chars, max_fuzzy_chars, workers)
    return _dedup_keyed([text], scope, _normalizer(profile), f, min_chars)[0][0]


def dedup_lines_many(
    texts: Sequence[str],
    *,
    scope: Scope = "adjacent",
    profile: str | NormalizeOptions = "dedup",
    min_chars: int = 1,
    fuzzy: float | None = None,
    min_fuzzy_chars: int = 20,
    max_fuzzy_chars: int = 2000,
    workers: int = 1,
) -> list[LineDedup]:
    """:func:`dedup_lines` on each text (documents stay apart), with the keys
    of all their lines made by one ``normalize_many``: many short documents
    cost one batch, not one per document.

    >>> [r.kept for r in dedup_lines_many(["أ\\nأ", "أ\\nب"])]
    [1, 2]
    """
    check_texts(texts, "dedup_lines_many")
    f = _check(scope, min_chars, fuzzy, min_fuzzy_chars, max_fuzzy_chars, workers)
    return [result for result, _ in _dedup_keyed(texts, scope, _normalizer(profile), f, min_chars)]


def dedup_lines_keyed(
    texts: Sequence[str],
    *,
    scope: Scope = "adjacent",
    profile: str | NormalizeOptions = "dedup",
    min_chars: int = 1,
    fuzzy: float | None = None,
    min_fuzzy_chars: int = 20,
    max_fuzzy_chars: int = 2000,
    workers: int = 1,
) -> list[tuple[LineDedup, list[str]]]:
    """:func:`dedup_lines_many`, each result with the keys of its kept lines,
    one per line of its ``text`` (what :meth:`BoilerplateFilter.count_keys`
    and :meth:`BoilerplateFilter.filter_keyed` take, so the keys are made once).

    >>> [(r.kept, keys) for r, keys in dedup_lines_keyed(["أ\\nأ"])]
    [(1, ['ا'])]
    """
    check_texts(texts, "dedup_lines_keyed")
    f = _check(scope, min_chars, fuzzy, min_fuzzy_chars, max_fuzzy_chars, workers)
    return _dedup_keyed(texts, scope, _normalizer(profile), f, min_chars)


def line_keys(
    texts: Sequence[str], *, profile: str | NormalizeOptions = "dedup"
) -> list[list[str]]:
    """The key of every line of each text (one ``normalize_many`` for all),
    as :func:`dedup_lines_keyed` makes them.

    >>> line_keys(["أ\\r\\nإ\\n", ""])
    [['ا', 'ا'], []]
    """
    check_texts(texts, "line_keys")
    split = [_Lines.split(text) for text in texts]
    return _keys_by_text([lines.contents() for lines in split], _normalizer(profile))


def _keys_by_text(contents: list[list[str]], normalizer: Normalizer) -> list[list[str]]:
    """The keys of each text's lines (``contents``: their lines), in one batch."""
    keys = normalizer.normalize_many(itertools.chain.from_iterable(contents))
    out = []
    start = 0
    for own in contents:
        out.append(keys[start : start + len(own)])
        start += len(own)
    return out


def _dedup_keyed(
    texts: Sequence[str], scope: Scope, normalizer: Normalizer, f: _Fuzzy | None, min_chars: int
) -> list[tuple[LineDedup, list[str]]]:
    split = [_Lines.split(text) for text in texts]
    keys = _keys_by_text([lines.contents() for lines in split], normalizer)
    reason: Reason = "line-adjacent" if scope == "adjacent" else "line-document"
    out = []
    for lines, doc_keys in zip(split, keys, strict=True):
        if f is None:
            found = _exact(doc_keys, scope, min_chars)
        elif scope == "adjacent":
            found = _fuzzy_adjacent(doc_keys, f)
        else:
            found = _fuzzy_document(doc_keys, f, min_chars)
        gone = {i for i, _, _ in found}
        kept_keys = [key for i, key in enumerate(doc_keys) if i not in gone] if gone else doc_keys
        out.append((lines.result(found, reason), kept_keys))
    return out


def _check(
    scope: Scope,
    min_document_chars: int,
    fuzzy: float | None,
    min_chars: int,
    max_chars: int,
    workers: int,
) -> _Fuzzy | None:
    """Check the settings the entry points share; the fuzzy ones, if on."""
    if scope not in _SCOPES:
        msg = f"scope must be one of {', '.join(map(repr, _SCOPES))}, not {scope!r}"
        raise ValueError(msg)
    if isinstance(min_document_chars, bool) or not isinstance(min_document_chars, int):
        msg = f"min_chars must be an int, not {min_document_chars!r}"
        raise ValueError(msg)
    if min_document_chars < 1:
        msg = f"min_chars must be at least 1, not {min_document_chars!r}"
        raise ValueError(msg)
    if min_chars < 1:
        msg = f"min_fuzzy_chars must be at least 1, not {min_chars!r}"
        raise ValueError(msg)
    if max_chars < min_chars:
        msg = f"max_fuzzy_chars ({max_chars!r}) must be at least min_fuzzy_chars ({min_chars!r})"
        raise ValueError(msg)
    if workers == 0:
        msg = "workers must be positive, or negative for all cores, not 0"
        raise ValueError(msg)
    if fuzzy is None:
        return None
    if not 1 <= fuzzy <= 100:
        msg = f"fuzzy must be a score from 1 to 100, not {fuzzy!r}"
        raise ValueError(msg)
    return _Fuzzy(float(fuzzy), min_chars, max_chars, workers)


class _HashCounts:
    """Distinct 64-bit hashes, each with a count that saturates at ``cap``.

    Kept as _PARTS sorted arrays split by the top bits of the hash (hashes are
    uniform, so the parts are even). New hashes wait in a buffer until a merge;
    a merge rewrites one part at a time, so the peak stays near the 9 bytes a
    hash of the state itself (8 + a 1-byte count while ``cap`` <= 255).
    """

    __slots__ = ("_cap", "_counts", "_edges", "_hashes", "_pending", "_pending_size")

    def __init__(self, cap: int) -> None:
        dtype = np.uint8 if cap <= 0xFF else np.uint16 if cap <= 0xFFFF else np.uint32
        self._cap = cap
        self._hashes = [np.zeros(0, dtype=np.uint64) for _ in range(_PARTS)]
        self._counts: list[npt.NDArray[np.unsignedinteger[Any]]] = [
            np.zeros(0, dtype=dtype) for _ in range(_PARTS)
        ]
        self._edges = np.arange(1, _PARTS, dtype=np.uint64) << np.uint64(64 - _PART_BITS)
        self._pending: list[npt.NDArray[np.uint64]] = []
        self._pending_size = 0

    def __len__(self) -> int:
        self.merge()
        return sum(map(len, self._hashes))

    def add(self, hashes: npt.NDArray[np.uint64]) -> None:
        """Count each of ``hashes`` once more."""
        self._pending.append(hashes)
        self._pending_size += len(hashes)
        if self._pending_size >= max(_MERGE_AT, sum(map(len, self._hashes)) // 16):
            self.merge()

    def merge(self) -> None:
        """Fold the pending hashes into the parts."""
        if not self._pending_size:
            self._pending = []
            return
        new = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        new.sort()
        starts = np.flatnonzero(np.concatenate(([True], new[1:] != new[:-1])))
        counts = np.diff(starts, append=len(new)).astype(np.uint32)
        new = new[starts]
        del starts
        bounds = [0, *np.searchsorted(new, self._edges).tolist(), len(new)]
        for part, (a, b) in enumerate(itertools.pairwise(bounds)):
            if a < b:
                self._merge_part(part, new[a:b], counts[a:b])

    def _merge_part(
        self, part: int, new: npt.NDArray[np.uint64], counts: npt.NDArray[np.uint32]
    ) -> None:
        hashes, own = self._hashes[part], self._counts[part]
        at = np.searchsorted(hashes, new)
        seen = at < len(hashes)
        seen[seen] = hashes[at[seen]] == new[seen]
        hit = at[seen]
        own[hit] = np.minimum(own[hit].astype(np.uint32) + counts[seen], self._cap)
        fresh = ~seen
        added = np.minimum(counts[fresh], self._cap).astype(own.dtype)
        self._counts[part] = np.insert(own, at[fresh], added)
        self._hashes[part] = np.insert(hashes, at[fresh], new[fresh])

    def at_least(self, count: int) -> npt.NDArray[np.uint64]:
        """The hashes counted ``count`` times or more, sorted."""
        self.merge()
        parts = zip(self._hashes, self._counts, strict=True)
        return np.concatenate([hashes[counts >= count] for hashes, counts in parts])


class BoilerplateFilter:
    """Remove lines that occur in at least ``min_docs`` documents of a corpus
    (menus, bylines, "اقرأ أيضا" ...) from every document.

    Two passes over the corpus: first ``count`` every document (in as many
    calls as you like), then ``filter`` each document. A line counts once per
    document however often it occurs there; only keys of ``min_chars``
    characters or more count, and blank lines are never removed.

    Memory holds 64-bit xxh3 hashes of the keys, never the strings: about 9
    bytes per distinct key while counting (sorted uint64 arrays and saturating
    counts, see ``_HashCounts``), then 8 bytes per boilerplate key. Two
    different keys share a hash with probability about n**2 / 2**65 (1e-6 for
    5M keys).

    >>> docs = ["اقرأ أيضا: الأخبار\\nنص أول", "نص ثان\\nإقرأ أيضاً: الأخبار"]
    >>> f = BoilerplateFilter(min_docs=2, min_chars=5)
    >>> f.count(docs)
    >>> f.boilerplate_count
    1
    >>> r = f.filter(docs[1])
    >>> r.text, r.removed[0].line, r.removed[0].reason
    ('نص ثان\\n', 2, 'line-corpus')
    """

    __slots__ = (
        "_boilerplate",
        "_counts",
        "documents",
        "min_chars",
        "min_docs",
        "normalizer",
    )

    def __init__(
        self, *, min_docs: int, min_chars: int = 10, profile: str | NormalizeOptions = "dedup"
    ) -> None:
        if not isinstance(min_docs, int) or min_docs < 2:
            msg = f"min_docs must be an int of at least 2, not {min_docs!r}"
            raise ValueError(msg)
        if not isinstance(min_chars, int) or min_chars < 1:
            msg = f"min_chars must be an int of at least 1, not {min_chars!r}"
            raise ValueError(msg)
        self.min_docs = min_docs
        self.min_chars = min_chars
        self.normalizer = Normalizer(profile)
        self.documents = 0
        self._counts = _HashCounts(cap=min_docs)  # more than min_docs is never needed
        self._boilerplate: npt.NDArray[np.uint64] | None = None  # set by the first filter()

    def __repr__(self) -> str:
        return (
            f"BoilerplateFilter(min_docs={self.min_docs}, min_chars={self.min_chars}, "
            f"profile={self.normalizer.options.name!r})"
        )

    # -- pass 1 --

    def count(self, documents: Iterable[str]) -> None:
        """First pass: count the documents each line key occurs in."""
        self._count(documents, keyed=False)

    def count_keys(self, documents: Iterable[Sequence[str]]) -> None:
        """:meth:`count` for documents given as the keys of their lines (in
        this filter's profile), as :func:`dedup_lines_keyed` returns them."""
        self._count(documents, keyed=True)

    def _count(self, documents: Iterable[str] | Iterable[Sequence[str]], *, keyed: bool) -> None:
        if self._boilerplate is not None:
            msg = "count() after filter(): the counting pass is over"
            raise RuntimeError(msg)
        check_texts(documents, "count_keys" if keyed else "count")
        batch: list[str] = []
        lines_per_doc: list[int] = []
        size = 0
        for document in documents:
            if keyed:
                contents = [key for key in document if key]
            elif isinstance(document, str):
                contents = list(filter(None, _Lines.split(document).contents()))
            else:
                kind = type(document).__name__
                msg = f"count() takes documents as str, not {kind} (line keys: count_keys())"
                raise TypeError(msg)
            batch += contents
            lines_per_doc.append(len(contents))
            size += sum(map(len, contents))
            if size >= _COUNT_BATCH_CHARS:
                self._count_batch(batch, lines_per_doc, keyed=keyed)
                batch, lines_per_doc, size = [], [], 0
        if lines_per_doc:
            self._count_batch(batch, lines_per_doc, keyed=keyed)

    def _count_batch(self, lines: list[str], lines_per_doc: list[int], *, keyed: bool) -> None:
        _, hashes, long_enough = self._hash(lines, keyed=keyed)
        self.add_counted(_per_document(hashes, long_enough, lines_per_doc), len(lines_per_doc))

    def add_counted(self, hashes: npt.NDArray[np.uint64], documents: int) -> None:
        """Count ``hashes`` (:meth:`LineHashes.per_document` of ``documents``
        documents, made in any process) as :meth:`count_keys` would."""
        if self._boilerplate is not None:
            msg = "count() after filter(): the counting pass is over"
            raise RuntimeError(msg)
        self.documents += documents
        self._counts.add(hashes)

    def _hash(
        self, lines: list[str], *, keyed: bool = False
    ) -> tuple[list[str], npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
        """The keys (``lines`` themselves when ``keyed``), xxh3-64 of those of
        ``min_chars`` or more, and which those are."""
        keys = lines if keyed else self.normalizer.normalize_many(lines)
        return keys, *_key_hashes(keys, self.min_chars)

    @property
    def distinct_keys(self) -> int:
        """Distinct keys counted so far (0 once filtering has begun)."""
        return len(self._counts)

    @property
    def boilerplate_count(self) -> int:
        """Distinct keys that occur in at least ``min_docs`` documents."""
        if self._boilerplate is not None:
            return len(self._boilerplate)
        return len(self._counts.at_least(self.min_docs))

    # -- pass 2 --

    def _finish(self) -> npt.NDArray[np.uint64]:
        if self._boilerplate is None:
            self._boilerplate = self._counts.at_least(self.min_docs)
            self._counts = _HashCounts(cap=self.min_docs)
        return self._boilerplate

    def filter(self, document: str) -> LineDedup:
        """Second pass: the document without its boilerplate lines. The first
        call ends the counting pass."""
        return self.filter_many([document])[0]

    def filter_many(self, documents: Sequence[str]) -> list[LineDedup]:
        """:meth:`filter` on each document, their lines' keys made in one batch."""
        check_texts(documents, "filter_many")
        split = [_Lines.split(document) for document in documents]
        if not len(self._finish()):
            return [lines.result([], "line-corpus") for lines in split]
        contents = [lines.contents() for lines in split]
        return self._filter(split, _keys_by_text(contents, self.normalizer))

    def filter_keyed(
        self, documents: Sequence[str], keys: Sequence[Sequence[str]]
    ) -> list[LineDedup]:
        """:meth:`filter_many` for documents whose lines' keys (in this
        filter's profile, one per line) are known already, as
        :func:`dedup_lines_keyed` returns them: nothing is normalized again.

        >>> f = BoilerplateFilter(min_docs=2, min_chars=3)
        >>> f.count_keys([["menu", "a"], ["b", "menu"]])
        >>> [r.text for r in f.filter_keyed(["MENU\\nA", "B"], [["menu", "a"], ["b"]])]
        ['A', 'B']
        """
        split = [_Lines.split(document) for document in documents]
        for lines, own in zip(split, keys, strict=True):
            if len(lines.pieces) != len(own):
                msg = f"{len(own)} keys for a document of {len(lines.pieces)} lines"
                raise ValueError(msg)
        if not len(self._finish()):
            return [lines.result([], "line-corpus") for lines in split]
        return self._filter(split, keys)

    def find_keyed(self, keys: Sequence[Sequence[str]]) -> list[list[int]]:
        """For documents given as their lines' keys (one per line, in this
        filter's profile), the 0-based indices of their boilerplate lines, in
        order; :func:`drop_lines` takes them. The first call ends the counting
        pass.

        >>> f = BoilerplateFilter(min_docs=2, min_chars=3)
        >>> f.count_keys([["menu", "a"], ["b", "menu"]])
        >>> f.find_keyed([["menu", "a"], ["b"], []])
        [[0], [], []]
        """
        return self.finder().find(keys)

    def finder(self) -> BoilerplateLines:
        """What finds the boilerplate lines once counting is over (this call
        ends it): small, and picklable for worker processes."""
        return BoilerplateLines(self._finish(), self.min_chars)

    def _filter(self, split: list[_Lines], keys: Sequence[Sequence[str]]) -> list[LineDedup]:
        found = self.find_keyed(keys)
        return [lines.drop(own) for lines, own in zip(split, found, strict=True)]


def _key_hashes(
    keys: Sequence[str], min_chars: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.bool_]]:
    """xxh3-64 of the ``keys`` of ``min_chars`` characters or more, and which
    keys those are."""
    lens = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    long_enough = lens >= min_chars
    chosen = compress(keys, long_enough.tolist())
    count = int(long_enough.sum())
    hashes = np.fromiter(
        map(xxhash.xxh3_64_intdigest, map(_ENCODE, chosen)), dtype=np.uint64, count=count
    )
    return hashes, long_enough


def _per_document(
    hashes: npt.NDArray[np.uint64], long_enough: npt.NDArray[np.bool_], lines_per_doc: list[int]
) -> npt.NDArray[np.uint64]:
    """``hashes`` (of the lines ``long_enough`` among documents of
    ``lines_per_doc`` lines) with each document's repeats removed."""
    docs = np.repeat(np.arange(len(lines_per_doc), dtype=np.int64), lines_per_doc)
    docs = docs[long_enough]
    order = np.lexsort((hashes, docs))
    hashes, docs = hashes[order], docs[order]
    new = np.ones(len(hashes), dtype=bool)  # first of its (document, hash) pair
    new[1:] = (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])
    return hashes[new]


@dataclasses.dataclass(frozen=True)
class LineHashes:
    """The xxh3-64 ``hashes`` of documents' line keys of ``min_chars`` or
    more, which lines those are (``long_enough``, over every line of every
    document) and each document's number of ``lines``: made once, they serve
    both the counting (:meth:`per_document`) and the finding
    (:meth:`BoilerplateLines.find`), in any process.

    >>> h = LineHashes.of([["menu", "menu", "a"], ["menu"]], min_chars=3)
    >>> len(h.hashes), h.long_enough.tolist(), len(h.per_document())
    (3, [True, True, False, True], 2)
    """

    hashes: npt.NDArray[np.uint64]
    long_enough: npt.NDArray[np.bool_]
    lines: list[int]

    @classmethod
    def of(cls, documents: Sequence[Sequence[str]], min_chars: int) -> LineHashes:
        flat = list(itertools.chain.from_iterable(documents))
        hashes, long_enough = _key_hashes(flat, min_chars)
        return cls(hashes, long_enough, list(map(len, documents)))

    def per_document(self) -> npt.NDArray[np.uint64]:
        """What :meth:`BoilerplateFilter.add_counted` counts: each
        document's distinct hashes."""
        return _per_document(self.hashes, self.long_enough, self.lines)


@dataclasses.dataclass(frozen=True)
class BoilerplateLines:
    """The boilerplate keys a :class:`BoilerplateFilter` counted (``hashes``:
    sorted xxh3-64 hashes of keys of ``min_chars`` or more), to find in
    documents (:meth:`BoilerplateFilter.finder`).

    >>> f = BoilerplateFilter(min_docs=2, min_chars=3)
    >>> f.count_keys([["menu", "a"], ["b", "menu"]])
    >>> f.finder().find([["menu", "a"], ["b"], ["", "menu"]])
    [[0], [], [1]]
    """

    hashes: npt.NDArray[np.uint64]
    min_chars: int

    def find(
        self, keys: Sequence[Sequence[str]], hashed: LineHashes | None = None
    ) -> list[list[int]]:
        """For documents given as their lines' keys, the 0-based indices of
        their boilerplate lines, in order (blank lines never are); ``hashed``:
        the keys' :class:`LineHashes` (of this ``min_chars``), if made already."""
        boilerplate = self.hashes
        if not len(boilerplate):
            return [[] for _ in keys]
        if hashed is None:
            hashed = LineHashes.of(keys, self.min_chars)
        hashes, long_enough = hashed.hashes, hashed.long_enough
        where = np.searchsorted(boilerplate, hashes).clip(max=len(boilerplate) - 1)
        hit = np.zeros(len(long_enough), dtype=np.bool_)
        hit[np.flatnonzero(long_enough)[boilerplate[where] == hashes]] = True
        out = []
        start = 0
        for own in keys:
            out.append(
                [
                    i
                    for i in np.flatnonzero(hit[start : start + len(own)]).tolist()
                    if not is_blank(own[i])
                ]
            )
            start += len(own)
        return out


def drop_lines(
    text: str, lines: Sequence[int], *, numbers: Sequence[int] | None = None
) -> LineDedup:
    """``text`` without its lines ``lines`` (0-based, ascending), each
    reported as a ``line-corpus`` removal (no kept copy), the way
    :meth:`BoilerplateFilter.filter` removes them: numbered from 1, or as
    ``numbers`` says (one per line, e.g. in a text they were cut from).

    >>> r = drop_lines("menu\\nنص\\nmenu", [0, 2])
    >>> r.text, [(line.line, line.text, line.ending) for line in r.removed]
    ('نص\\n', [(1, 'menu', '\\n'), (3, 'menu', '')])
    """
    return _Lines.split(text).drop(lines, numbers)
