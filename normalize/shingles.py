"""Shingles: text -> 64-bit shingle hashes, vectorized over a batch of documents.

A **word shingle** is ``ngram`` consecutive words joined by one space, where a
word is a maximal run of non-whitespace characters (``str.split()`` words). A
**char shingle** is ``ngram`` consecutive characters (code points) of the text
with its whitespace runs collapsed to one space and its ends stripped
(``" ".join(text.split())``).

- A document with fewer than ``ngram`` words (characters) has exactly one
  shingle: the whole (collapsed) text.
- A document with no word at all (empty, or only whitespace) has **no**
  shingles. Callers decide what that means; :mod:`normalize.dedup` always keeps
  such a document and never counts it as a duplicate of anything.

The hash of a shingle is the polynomial hash of its code points,
``sum((ord(c) + 1) * P**(len - 1 - i)) mod 2**64`` (:func:`polynomial_hash`).
:func:`shingle_hashes` never builds the shingle strings: it joins the batch,
encodes it to UTF-32 in numpy, finds word boundaries with a whitespace lookup
table, computes prefix sums ``G[i] = sum((u[j] + 1) * Q**(j + 1))`` with
``Q = P**-1`` (uint64 wraparound is the modulo), and gets each shingle's hash
``P**e * (G[e] - G[s])`` as an O(1) difference. The hash is for similarity, not
security: an adversary can build colliding strings.

>>> sh = shingle_hashes(["a b c d", "", "x  y"], ngram=3)
>>> sh.offsets.tolist()
[0, 2, 2, 3]
>>> int(sh.hashes[0]) == polynomial_hash("a b c")
True
>>> int(sh.hashes[2]) == polynomial_hash("x y")
True
>>> shingle_strings("a b c d", ngram=3)
['a b c', 'b c d']
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from normalize._checks import check_texts
from normalize._implementation import hash_core
from normalize.chars import bmp_string

Unit = Literal["word", "char"]
UNITS: Final = typing.get_args(Unit)

PRIME_BASE: Final = 0x9E3779B97F4A7C15
"""The polynomial base P (odd, so invertible modulo 2**64)."""
_MASK64: Final = (1 << 64) - 1
_P = np.uint64(PRIME_BASE)
_Q = np.uint64(pow(PRIME_BASE, -1, 1 << 64))
_SPACE = 0x20
_UTF32 = "utf-32-le"


@dataclass(frozen=True, slots=True)
class Shingles:
    """Flat shingle hashes of a batch: document ``i`` owns
    ``hashes[offsets[i]:offsets[i + 1]]`` (in text order, repeats kept).

    >>> sh = shingle_hashes(["one two", "three"], ngram=1)
    >>> len(sh), sh.counts().tolist()
    (2, [2, 1])
    """

    hashes: npt.NDArray[np.uint64]
    offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def counts(self) -> npt.NDArray[np.int64]:
        """The number of shingles of each document."""
        return np.diff(self.offsets)

    def document(self, i: int) -> npt.NDArray[np.uint64]:
        """The shingle hashes of document ``i``."""
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


def check_shingle_params(ngram: int, unit: str) -> None:
    """Raise ValueError naming a bad ``ngram`` or ``unit``.

    >>> check_shingle_params(0, "word")
    Traceback (most recent call last):
    ...
    ValueError: ngram must be an integer >= 1, not 0
    """
    if isinstance(ngram, bool) or not isinstance(ngram, (int, np.integer)) or ngram < 1:
        msg = f"ngram must be an integer >= 1, not {ngram!r}"
        raise ValueError(msg)
    if unit not in UNITS:
        msg = f"unknown unit {unit!r}; valid units: {', '.join(UNITS)}"
        raise ValueError(msg)


def polynomial_hash(text: str) -> int:
    """The 64-bit polynomial hash of ``text`` (the slow, obvious definition).

    >>> polynomial_hash("")
    0
    >>> polynomial_hash("a") == ord("a") + 1
    True
    """
    h = 0
    for c in text:
        h = (h * PRIME_BASE + ord(c) + 1) & _MASK64
    return h


def shingle_strings(text: str, *, ngram: int = 5, unit: Unit = "word") -> list[str]:
    """The shingles of one text as strings, in order (repeats kept).

    This is the definition :func:`shingle_hashes` implements; the
    datasketch-compatible MinHash mode hashes these strings' UTF-8 bytes.

    >>> shingle_strings("  أهلا  وسهلا بكم ", ngram=2)
    ['أهلا وسهلا', 'وسهلا بكم']
    >>> shingle_strings("ab c", ngram=3, unit="char")
    ['ab ', 'b c']
    >>> shingle_strings(" \\n ")
    []
    """
    check_shingle_params(ngram, unit)
    words = text.split()
    if not words:
        return []
    if unit == "char":
        flat = " ".join(words)
        if len(flat) <= ngram:
            return [flat]
        return [flat[i : i + ngram] for i in range(len(flat) - ngram + 1)]
    if len(words) <= ngram:
        return [" ".join(words)]
    return [" ".join(words[i : i + ngram]) for i in range(len(words) - ngram + 1)]


@functools.cache
def _whitespace_table() -> npt.NDArray[np.bool_]:
    """True for each BMP code point that ``str.isspace`` calls whitespace
    (``re``'s ``\\s`` on a ``str`` is the same test, run in C over the BMP)."""
    table = np.zeros(0x10000, dtype=np.bool_)
    table[[m.start() for m in re.finditer(r"\s", bmp_string())]] = True
    table.flags.writeable = False
    return table


_TABLE_SIZE: Final = (1 << 17) + 1  # MinHasher batches are ~64K characters


@functools.cache
def _cached_powers(base: int) -> npt.NDArray[np.uint64]:
    table = _compute_powers(np.uint64(base), _TABLE_SIZE)
    table.flags.writeable = False
    return table


def _compute_powers(base: np.uint64, count: int) -> npt.NDArray[np.uint64]:
    out = np.full(count, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, out=out)


def _powers(base: np.uint64, count: int) -> npt.NDArray[np.uint64]:
    """``[1, base, base**2, ...]`` (``count`` values) modulo 2**64."""
    if count <= _TABLE_SIZE:
        return _cached_powers(int(base))[:count]
    return _compute_powers(base, count)


def _words(
    texts: Sequence[str],
) -> tuple[
    npt.NDArray[np.uint32],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """The batch joined by single spaces, whitespace runs collapsed, as hash
    digits (UTF-32 code points plus one, every whitespace as U+0020); each
    word's start and end; each document's first word and the one after its
    last."""
    joined = " ".join(texts)
    units = np.frombuffer(joined.encode(_UTF32, "surrogatepass"), dtype=np.uint32)
    lengths = np.array(list(map(len, texts)), dtype=np.int64)
    bounds = np.zeros((2, len(texts)), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=bounds[0, 1:])
    bounds[1] = bounds[0] + lengths
    space = _whitespace_table().take(units, mode="clip")  # astral: not whitespace
    doubled = space[1:] & space[:-1]
    if len(units) and (space[0] or space[-1] or doubled.any()):
        # drop each whitespace unit that follows whitespace, and a leading one
        keep = np.ones(len(units), dtype=np.bool_)
        keep[1:] = ~doubled
        keep[0] = not space[0]
        kept_before = np.zeros(len(units) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        units, space, bounds = units[keep], space[keep], kept_before[bounds]
        if len(units) and space[-1]:
            units, space = units[:-1], space[:-1]
            np.minimum(bounds, len(units), out=bounds)
    gaps = np.flatnonzero(space)
    digits = units + np.uint32(1)  # what the hash sums; every gap hashes as U+0020
    digits[gaps] = _SPACE + 1
    word_start = np.empty(len(gaps) + 1, dtype=np.int64)
    word_start[0] = 0
    word_start[1:] = gaps + 1
    word_end = np.empty(len(gaps) + 1, dtype=np.int64)
    word_end[:-1] = gaps
    word_end[-1] = len(units)
    if len(units) == 0:
        word_start, word_end = word_start[:0], word_end[:0]
    first = np.searchsorted(word_start, bounds[0])
    stop = np.searchsorted(word_start, bounds[1])
    return digits, word_start, word_end, first, stop


def _segments(
    counts: npt.NDArray[np.int64], ngram: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For documents of ``counts`` items: shingle offsets, and for each shingle
    its document and its position within the document."""
    per_doc = np.where(counts >= ngram, counts - ngram + 1, np.minimum(counts, 1))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=offsets[1:])
    doc = np.repeat(np.arange(len(counts), dtype=np.int64), per_doc)
    position = np.arange(offsets[-1], dtype=np.int64) - offsets[doc]
    return offsets, doc, position


def string_hashes(strings: Sequence[str]) -> npt.NDArray[np.uint64]:
    """:func:`polynomial_hash` of each string, computed over the whole list in numpy.

    >>> string_hashes(["", "ab"]).tolist() == [0, polynomial_hash("ab")]
    True
    """
    lengths = np.array(list(map(len, strings)), dtype=np.int64)
    ends = np.cumsum(lengths)
    units = np.frombuffer("".join(strings).encode(_UTF32, "surrogatepass"), dtype=np.uint32)
    return _substring_hashes(units + np.uint32(1), ends - lengths, ends)


def _substring_hashes(
    digits: npt.NDArray[np.uint32], s: npt.NDArray[np.int64], e: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """The polynomial hash of ``digits[s[i]:e[i]]`` (code points plus one) for
    every i, by prefix sums."""
    size = len(digits)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.multiply(digits, _powers(_Q, size + 1)[1:], out=prefix[1:])
    np.cumsum(prefix, out=prefix)
    hashes = prefix[e] - prefix[s]
    hashes *= _powers(_P, size + 1)[e]
    return hashes


def shingle_hashes(texts: Sequence[str], *, ngram: int = 5, unit: Unit = "word") -> Shingles:
    """The shingle hashes of every text in one batch (see the module docstring).

    The work is a handful of numpy passes over the joined batch (pass batches
    of about a million characters for the best speed), or for word shingles
    one pass over each text in C, where :mod:`normalize._chash` was built.

    >>> sh = shingle_hashes(["ا ب ج د ه"], ngram=5)
    >>> sh.counts().tolist(), int(sh.hashes[0]) == polynomial_hash("ا ب ج د ه")
    ([1], True)
    """
    check_shingle_params(ngram, unit)
    check_texts(texts, "shingle_hashes")
    n = len(texts)
    if n == 0:
        return Shingles(np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64))
    if unit == "word" and (core := hash_core()) is not None:
        hashes, offsets = core.word_shingles(list(texts), int(ngram))
        return Shingles(np.frombuffer(hashes, np.uint64), np.frombuffer(offsets, np.int64))
    return _numpy_shingle_hashes(texts, ngram, unit)


def _numpy_shingle_hashes(texts: Sequence[str], ngram: int, unit: Unit) -> Shingles:
    """:func:`shingle_hashes` of a non-empty batch in numpy."""
    ngram = min(int(ngram), 1 << 40)  # no text has 2**40 words: larger ones shingle alike
    n = len(texts)
    digits, word_start, word_end, first, stop = _words(texts)
    if unit == "word":
        offsets, doc, pos = _segments(stop - first, ngram)
        start_word = first[doc] + pos
        end_word = np.minimum(start_word + (ngram - 1), stop[doc] - 1)
        s, e = word_start[start_word], word_end[end_word]
    else:
        has_words = stop > first
        left = np.zeros(n, dtype=np.int64)
        right = np.zeros(n, dtype=np.int64)
        left[has_words] = word_start[first[has_words]]
        right[has_words] = word_end[stop[has_words] - 1]
        offsets, doc, pos = _segments(right - left, ngram)
        s = left[doc] + pos
        e = np.minimum(s + ngram, right[doc])
    return Shingles(_substring_hashes(digits, s, e), offsets)
