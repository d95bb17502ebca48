"""MinHash signatures of documents, a batch at a time.

Three modes, all k-permutation MinHash (one minimum per permutation), all
returning ``uint32`` signatures of shape ``(n, num_perm)``:

- ``"datasketch"``: bit for bit ``datasketch.MinHash(num_perm, seed)`` after
  ``update_batch`` with the UTF-8 bytes of :func:`~normalize.shingles.shingle_strings`,
  using datasketch 2.0's default scheme ``"affine32"``: ``sha1_hash32`` of
  each shingle, the 32-bit MurmurHash3 finalizer, then ``a_k * h + b_k mod 2**32``
  with ``a_k`` odd and ``(a, b)`` drawn from ``np.random.RandomState(seed)``.
  SHA-1 runs once per shingle in Python, so this mode is for interop, not speed.
- ``"datasketch-legacy"``: the same for ``MinHash(..., scheme="legacy")`` (the
  only scheme before datasketch 2.0): ``(a_k * h + b_k) mod (2**61 - 1)``
  masked to 32 bits, computed in the same wrapping uint64 arithmetic.
- ``"fast"`` (default): the same ``affine32`` permutations as ``"datasketch"``,
  applied to a different 32-bit input hash: the top half of the 64-bit
  MurmurHash3 finalizer of each shingle's polynomial hash
  (:func:`~normalize.shingles.shingle_hashes`, computed in numpy over the whole
  batch). Why this is sound: ``a * h + b mod 2**32`` with ``a`` odd is a
  bijection, so it adds no collisions; the finalizer's avalanche makes the
  inputs look uniformly random, which is all the affine family needs to behave
  like random permutations for the minimum (datasketch's own argument for
  ``affine32``). The estimator is therefore the usual one: the fraction of
  agreeing positions, unbiased with standard deviation ``sqrt(J(1-J)/num_perm)``;
  ``tests/test_minhash.py`` measures its error against exact Jaccard and against
  datasketch. The work per batch is one pass in C over each text for its
  shingle hashes and one over each document's hashes per 32 permutations
  (:mod:`normalize._chash`); where that core was not built, the same values
  come from numpy: one ``a*h+b`` and one ``np.minimum.reduceat`` over the
  document offsets per permutation, on cache-sized blocks.

A document with no shingles (empty or whitespace-only) gets the all-``2**32-1``
signature, which is what an empty datasketch MinHash holds.

>>> hasher = MinHasher(num_perm=16, ngram=2)
>>> sig = hasher.signatures(["كتب الولد الدرس", "كتب الولد الدرس", ""])
>>> sig.shape, sig.dtype.name, bool((sig[0] == sig[1]).all()), int(sig[2, 0])
((3, 16), 'uint32', True, 4294967295)
>>> bool((hasher.from_shingles(["كتب الولد".encode(), "الولد الدرس".encode()]) == sig[0]).all())
True
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import numpy.typing as npt

from normalize._checks import check_texts
from normalize._implementation import hash_core
from normalize.shingles import (
    Shingles,
    Unit,
    check_shingle_params,
    shingle_hashes,
    shingle_strings,
    string_hashes,
)

if TYPE_CHECKING:
    from datasketch import LeanMinHash

Mode = Literal["fast", "datasketch", "datasketch-legacy"]
MODES: Final = typing.get_args(Mode)
Scheme = Literal["affine32", "legacy"]

EMPTY_VALUE: Final = (1 << 32) - 1
"""Every position of the signature of a document without shingles."""
_MERSENNE_PRIME: Final = np.uint64((1 << 61) - 1)
_MAX_HASH: Final = np.uint64(EMPTY_VALUE)
_BATCH_CHARS: Final = 1 << 16  # about 64K characters: the arrays stay in cache
_BLOCK_SHINGLES: Final = 1 << 15
_PERM_GROUP: Final = 16

Signatures = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class MinHashParams:
    """Everything that decides a signature's values: signatures made with
    different params cannot be compared.

    >>> MinHashParams(num_perm=64, ngram=5, unit="word", seed=1, mode="fast").scheme
    'affine32'
    """

    num_perm: int
    ngram: int
    unit: Unit
    seed: int
    mode: Mode

    @property
    def scheme(self) -> Scheme:
        """The datasketch scheme whose permutations (and LeanMinHash label) apply."""
        return "legacy" if self.mode == "datasketch-legacy" else "affine32"


def _check_params(num_perm: int, ngram: int, unit: str, seed: int, mode: str) -> None:
    if isinstance(num_perm, bool) or not isinstance(num_perm, (int, np.integer)) or num_perm < 1:
        msg = f"num_perm must be an integer >= 1, not {num_perm!r}"
        raise ValueError(msg)
    if num_perm > 1 << 32:
        msg = f"num_perm must be at most 2**32, not {num_perm!r}"
        raise ValueError(msg)
    check_shingle_params(ngram, unit)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 1 << 32:
        msg = f"seed must be an integer in [0, 2**32), not {seed!r}"
        raise ValueError(msg)
    if mode not in MODES:
        msg = f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}"
        raise ValueError(msg)


def _fmix32(h: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix), elementwise."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def fmix64_high(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    """The top 32 bits of MurmurHash3's 64-bit finalizer: the fast mode's input hash.

    >>> fmix64_high(np.array([0, 1], dtype=np.uint64)).tolist()
    [0, 3025583356]
    """
    h = h ^ (h >> np.uint64(33))
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    high: npt.NDArray[np.uint32] = (h >> np.uint64(32)).astype(np.uint32)
    return high


def _sha1_hash32(data: bytes) -> int:
    """datasketch's ``sha1_hash32``: the first 4 bytes of SHA-1, little-endian."""
    return int.from_bytes(hashlib.sha1(data, usedforsecurity=False).digest()[:4], "little")


def _permutations(num_perm: int, seed: int, scheme: Scheme) -> npt.NDArray[Any]:
    """``(a, b)`` exactly as datasketch's ``MinHash._init_permutations`` draws them."""
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        legacy: npt.NDArray[np.uint64] = np.array(
            [
                (
                    gen.randint(1, _MERSENNE_PRIME, dtype=np.uint64),
                    gen.randint(0, _MERSENNE_PRIME, dtype=np.uint64),
                )
                for _ in range(num_perm)
            ],
            dtype=np.uint64,
        ).T
        return legacy
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


def _affine_min(
    values: npt.NDArray[np.uint32] | npt.NDArray[np.uint64],
    offsets: npt.NDArray[np.int64],
    perms: npt.NDArray[np.uint32],
) -> Signatures:
    """``min(a_k * v + b_k mod 2**32)`` over each document's values, for every k;
    64-bit values (shingle hashes) are first mixed by :func:`fmix64_high`.

    In C where :mod:`normalize._chash` was built (one pass over each
    document's values per 32 permutations, kept in registers), else
    :func:`_numpy_affine_min`.
    """
    n = len(offsets) - 1
    num_perm = perms.shape[1]
    if values.dtype not in (np.uint32, np.uint64):
        msg = f"MinHash values are uint32 or uint64 (shingle hashes), not {values.dtype}"
        raise TypeError(msg)
    if (core := hash_core()) is not None:
        out = np.empty((n, num_perm), dtype=np.uint32)
        ready = np.require(values, requirements=["C", "A"])  # contiguous and aligned
        bounds = np.require(offsets, dtype=np.int64, requirements=["C", "A"])
        core.affine_min(ready, bounds, perms[0], perms[1], out, values.dtype == np.uint64)
        return out
    return _numpy_affine_min(values, offsets, perms)


def _numpy_affine_min(
    values: npt.NDArray[np.uint32] | npt.NDArray[np.uint64],
    offsets: npt.NDArray[np.int64],
    perms: npt.NDArray[np.uint32],
) -> Signatures:
    """:func:`_affine_min` in numpy, on blocks of at most ``_BLOCK_SHINGLES``
    values and ``_PERM_GROUP`` permutations at a time, so the temporary stays
    in cache whatever the batch (a document cut by a block boundary gets the
    minimum of its two parts)."""
    n = len(offsets) - 1
    num_perm = perms.shape[1]
    if values.dtype == np.uint64:
        values = fmix64_high(values.view(np.uint64))
    out = np.full((n, num_perm), EMPTY_VALUE, dtype=np.uint32)
    nonempty = np.flatnonzero(np.diff(offsets))
    if len(nonempty) == 0:
        return out
    starts = offsets[nonempty]
    a, b = perms[0][:, None], perms[1][:, None]
    total = len(values)
    group = min(num_perm, _PERM_GROUP)
    tmp = np.empty((group, min(total, _BLOCK_SHINGLES)), dtype=np.uint32)
    for lo_value in range(0, total, _BLOCK_SHINGLES):
        hi_value = min(lo_value + _BLOCK_SHINGLES, total)
        first = int(np.searchsorted(starts, lo_value, "right")) - 1
        stop = int(np.searchsorted(starts, hi_value, "left"))
        docs = nonempty[first:stop]
        idx = np.maximum(starts[first:stop], lo_value) - lo_value
        block = values[lo_value:hi_value]
        mins = np.empty((num_perm, len(docs)), dtype=np.uint32)
        for g in range(0, num_perm, group):
            t = tmp[: min(group, num_perm - g), : len(block)]
            np.multiply(block, a[g : g + group], out=t)
            t += b[g : g + group]
            np.minimum.reduceat(t, idx, axis=1, out=mins[g : g + group])
        if lo_value == 0 and hi_value == total:
            out[docs] = mins.T
        else:
            out[docs] = np.minimum(out[docs], mins.T)
    return out


def _legacy_min(
    values: npt.NDArray[np.uint64], offsets: npt.NDArray[np.int64], perms: npt.NDArray[np.uint64]
) -> Signatures:
    """datasketch's legacy ``((a * h + b) % (2**61 - 1)) & (2**32 - 1)`` minimum."""
    n = len(offsets) - 1
    out = np.full((n, perms.shape[1]), EMPTY_VALUE, dtype=np.uint32)
    docs = np.flatnonzero(np.diff(offsets))
    if len(docs) == 0:
        return out
    a, b = perms
    idx = offsets[docs]
    for k in range(perms.shape[1]):
        phv = values * a[k] + b[k]
        phv %= _MERSENNE_PRIME
        phv &= _MAX_HASH
        out[docs, k] = np.minimum.reduceat(phv, idx)
    return out


def text_batches(texts: Iterable[str], chars: int = _BATCH_CHARS) -> Iterator[list[str]]:
    """Group ``texts`` into lists of about ``chars`` characters (at least one text each).

    >>> [len(b) for b in text_batches(["ab", "cd", "ef"], chars=4)]
    [2, 1]
    """
    batch: list[str] = []
    size = 0
    for text in texts:
        if not isinstance(text, str):
            msg = f"expected str documents, got {type(text).__name__}"
            raise TypeError(msg)
        batch.append(text)
        size += len(text) + 1
        if size >= chars:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class MinHasher:
    """MinHash signatures of texts: ``num_perm`` permutations over the set of
    ``ngram``-shingles (``unit`` ``"word"`` or ``"char"``) of each text.

    See the module docstring for the three ``mode`` values. Parameters are
    checked here, eagerly:

    >>> MinHasher(mode="slow")
    Traceback (most recent call last):
    ...
    ValueError: unknown mode 'slow'; valid modes: fast, datasketch, datasketch-legacy
    """

    __slots__ = ("_perms", "params")

    def __init__(
        self,
        num_perm: int = 128,
        ngram: int = 5,
        unit: Unit = "word",
        seed: int = 1,
        mode: Mode = "fast",
    ) -> None:
        _check_params(num_perm, ngram, unit, seed, mode)
        self.params = MinHashParams(int(num_perm), int(ngram), unit, int(seed), mode)
        self._perms = _permutations(self.params.num_perm, self.params.seed, self.params.scheme)

    def __repr__(self) -> str:
        p = self.params
        return (
            f"MinHasher(num_perm={p.num_perm}, ngram={p.ngram}, unit={p.unit!r}, "
            f"seed={p.seed}, mode={p.mode!r})"
        )

    @property
    def num_perm(self) -> int:
        """The signature length."""
        return self.params.num_perm

    def signatures(self, texts: Iterable[str]) -> Signatures:
        """The signatures of ``texts``, shape ``(n, num_perm)``, computed a
        batch of about 64K characters at a time.
        """
        check_texts(texts, "signatures")
        parts = [self.signatures_of_batch(batch) for batch in text_batches(texts)]
        if not parts:
            return np.zeros((0, self.num_perm), dtype=np.uint32)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def signatures_of_batch(self, texts: Sequence[str]) -> Signatures:
        """The signatures of one batch (``signatures`` without the batching)."""
        p = self.params
        if p.mode == "fast":
            return self.signatures_from_hashes(shingle_hashes(texts, ngram=p.ngram, unit=p.unit))
        shingles = [
            [
                s.encode("utf-8", "surrogatepass")
                for s in shingle_strings(t, ngram=p.ngram, unit=p.unit)
            ]
            for t in texts
        ]
        return self._from_bytes(shingles)

    def signatures_from_hashes(self, shingles: Shingles) -> Signatures:
        """Fast-mode signatures from precomputed shingle hashes.

        >>> from normalize.shingles import shingle_hashes
        >>> h = MinHasher(num_perm=8, ngram=1)
        >>> bool((h.signatures_from_hashes(shingle_hashes(["a b"], ngram=1))
        ...       == h.signatures(["a b"])).all())
        True
        """
        if self.params.mode != "fast":
            msg = f"signatures_from_hashes() needs mode='fast', not {self.params.mode!r}"
            raise ValueError(msg)
        return _affine_min(shingles.hashes, shingles.offsets, self._perms)

    def to_lean_minhash(self, signature: npt.NDArray[np.uint32]) -> LeanMinHash:
        """:func:`to_lean_minhash` of one of this hasher's signatures, labelled
        with its seed and scheme (so ``LeanMinHash`` refuses to compare it with
        a sketch of another seed).

        >>> hasher = MinHasher(num_perm=8, seed=42)
        >>> hasher.to_lean_minhash(hasher.signatures(["a b c d e"])[0]).seed
        42
        """
        return to_lean_minhash(signature, seed=self.params.seed, scheme=self.params.scheme)

    def from_shingles(self, shingles: Iterable[bytes]) -> npt.NDArray[np.uint32]:
        """The signature of one set of shingles given as bytes, shape ``(num_perm,)``.

        In the datasketch modes this equals ``datasketch.MinHash`` after
        ``update_batch(shingles)``. In fast mode each shingle is decoded as UTF-8
        (undecodable bytes kept by ``surrogateescape``) and hashed like
        :func:`~normalize.shingles.shingle_hashes` does, so passing the UTF-8
        bytes of a text's shingles gives that text's signature.
        """
        items = list(shingles)
        for item in items:
            if not isinstance(item, (bytes, bytearray, memoryview)):
                msg = f"from_shingles() takes bytes, got {type(item).__name__}"
                raise TypeError(msg)
        if self.params.mode == "fast":
            texts = [bytes(s).decode("utf-8", "surrogateescape") for s in items]
            offsets = np.array([0, len(texts)], dtype=np.int64)
            sig = _affine_min(string_hashes(texts), offsets, self._perms)
        else:
            sig = self._from_bytes([[bytes(s) for s in items]])
        row: npt.NDArray[np.uint32] = sig[0]
        return row

    def _from_bytes(self, docs: list[list[bytes]]) -> Signatures:
        """Datasketch-mode signatures of documents given as lists of shingle bytes."""
        offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum([len(d) for d in docs], out=offsets[1:])
        hashes = [_sha1_hash32(s) for d in docs for s in d]
        if self.params.scheme == "legacy":
            return _legacy_min(np.array(hashes, dtype=np.uint64), offsets, self._perms)
        return _affine_min(_fmix32(np.array(hashes, dtype=np.uint32)), offsets, self._perms)


def signature_similarity(
    a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]
) -> npt.NDArray[np.float64]:
    """The MinHash Jaccard estimate: the fraction of equal positions, row by row.

    >>> signature_similarity(np.array([[1, 2, 3, 4]]), np.array([[1, 2, 0, 0]])).tolist()
    [0.5]
    """
    a2, b2 = np.atleast_2d(a), np.atleast_2d(b)
    share: npt.NDArray[np.float64] = np.count_nonzero(a2 == b2, axis=1) / a2.shape[1]
    return share


def to_lean_minhash(
    signature: npt.NDArray[np.uint32], *, seed: int = 1, scheme: Scheme = "affine32"
) -> LeanMinHash:
    """A ``datasketch.LeanMinHash`` holding ``signature`` (for ``MinHashLSH`` and
    its storage backends). Pass the hasher's ``seed`` and ``params.scheme``;
    sketches are only comparable with sketches from the same mode and seed.

    >>> lean = to_lean_minhash(MinHasher(num_perm=8).signatures(["a b c d e"])[0])
    >>> len(lean), lean.scheme
    (8, 'affine32')
    """
    from datasketch import LeanMinHash

    values = np.asarray(signature)
    if values.ndim != 1 or values.size == 0:
        msg = f"to_lean_minhash() takes one non-empty signature, got shape {values.shape}"
        raise ValueError(msg)
    if values.dtype.kind not in "ui" or values.min() < 0 or values.max() > EMPTY_VALUE:
        msg = f"to_lean_minhash() takes 32-bit hash values, not {values.dtype} {values[:3]}..."
        raise ValueError(msg)
    if scheme == "legacy":
        values = values.astype(np.uint64)
    return LeanMinHash(seed=seed, hashvalues=values, scheme=scheme)
