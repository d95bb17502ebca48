"""Near-duplicate documents: exact stage, then MinHash LSH, clusters and a keep policy.

The pipeline, for each document's **key** (its text normalized by a profile,
``dedup`` by default):

1. **exact**: the 128-bit ``xxh3_128`` of the key (its UTF-32-LE code
   units, :func:`key_hashes`); documents with the same hash are exact
   duplicates of the first one.
2. **near**, over the first document of each distinct key: word (or char)
   n-gram shingles -> MinHash signatures (:mod:`normalize.minhash`) -> LSH
   bands -> candidate pairs (:mod:`normalize.lsh`) -> verification against
   ``threshold`` (``verify="signature"``: the fraction of agreeing signature
   positions; ``verify="exact"``: the exact Jaccard of the shingle sets).
3. union-find over the exact and verified pairs (:mod:`normalize.cluster`),
   then the keep policy picks one document per cluster: ``"first"`` in input
   order, or ``"longest"`` key (the most text once normalized: diacritics,
   tatweel, invisible marks and punctuation do not count; ties to the first).

A document whose key has no letter and no digit (:func:`~normalize.text.is_blank`:
empty, or only whitespace, punctuation, symbols or emoji) is always kept and
never joins a cluster: it says nothing about its content, so two of them are
not "the same document".

A removed document's ``similarity`` is measured against the document its
cluster keeps (1.0 for an exact duplicate); through a chain of pairs it can be
below ``threshold``. Bands and rows default to :func:`~normalize.lsh.optimal_bands`
weighted 0.1/0.9 towards fewer false negatives, since verification removes the
false positives.

:class:`DocumentDeduper` is the streaming form: ``add`` batches as they come
(it keeps 16 bytes of key hash, the ``uint32`` signature and the length per
document, never the texts; ``verify="exact"`` also keeps each document's
distinct shingle hashes, 8 bytes each), then ``result``. ``workers=N``
computes batches in N processes, in order, so the result is the same for any N
(see :func:`normalize._workers.start_pool`: forked from this process on
Linux when it runs no other thread, else from a ``forkserver`` where the
platform has one, else spawned; a portable script creates the deduper under
``if __name__ == "__main__":``).
:func:`dedup_documents` is the one-call form.

>>> docs = ["اكتشف العلماء نوعا جديدا من النباتات في الصحراء الكبرى هذا العام",
...         "اكتشف العلماء نوعاً جديداً من النباتات في الصحراء الكبرى هذا العام",
...         "",
...         "اكتشف العلماء نوعا جديدا من النباتات في الصحراء الكبرى هذا العام المصدر رويترز",
...         "هطلت أمطار غزيرة على المدينة طوال الليل"]
>>> result = dedup_documents(docs, threshold=0.7)
>>> result.keep, result.duplicate_of, result.reason
([0, 2, 4], {1: 0, 3: 0}, {1: 'exact', 3: 'near'})
>>> result.clusters, result.cluster_of
([[0, 1, 3]], {0: 0, 1: 0, 3: 0})
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import numbers
import typing
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import xxhash

from normalize._checks import check_texts
from normalize._workers import BackgroundPool, OrderedTasks, Workers
from normalize.cluster import (
    Keep,
    check_keep,
    connected_components,
    kept_members,
    numbered_clusters,
)
from normalize.lsh import band_keys, candidate_pairs, optimal_bands
from normalize.minhash import MinHasher, Mode, signature_similarity, text_batches
from normalize.options import NormalizeOptions, resolve
from normalize.shingles import Shingles, Unit, shingle_hashes
from normalize.text import Normalizer, is_blank

Verify = Literal["signature", "exact"]
VERIFY_MODES: Final = typing.get_args(Verify)
RECALL_WEIGHTS: Final = (0.1, 0.9)
"""``(fp_weight, fn_weight)`` for the default band choice."""

_TASK_CHARS: Final = 1 << 20  # characters per batch handed to a worker
_SIGN_CHARS: Final = 1 << 16  # characters per shingle/signature step (stays in cache)
_PAIR_CHUNK: Final = 1 << 16


@dataclass(frozen=True, slots=True)
class DedupParams:
    """Everything that decides what a :class:`DocumentDeduper` stores and how it
    matches. Two dedupers can be combined only when their params are equal.

    >>> DocumentDeduper().params.bands, DocumentDeduper().params.rows
    (14, 9)
    """

    threshold: float
    num_perm: int
    ngram: int
    unit: Unit
    seed: int
    mode: Mode
    bands: int
    rows: int
    verify: Verify
    profile: str
    profile_version: str


@dataclass(frozen=True)
class DedupResult:
    """What to keep and why. Indices are positions in the input.

    - ``keep``: kept indices, in input order.
    - ``duplicate_of``: removed index -> the index its cluster keeps.
    - ``similarity``: removed index -> similarity to that kept document.
    - ``clusters``: every cluster of two or more documents (sorted indices),
      ordered by first member.
    - ``reason``: removed index -> ``"exact"`` (same key) or ``"near"``.
    - ``cluster_of``: index of every document in ``clusters`` -> the position
      of its cluster in ``clusters`` (what the audit's ``cluster`` field
      says), in increasing index order. Derived from ``clusters`` when not
      given.
    - ``pair_similarity``: the similarity of every candidate pair the LSH
      stage verified, at or above the threshold or not (what a histogram
      needs to judge the threshold); not part of equality.
    """

    keep: list[int]
    duplicate_of: dict[int, int]
    similarity: dict[int, float]
    clusters: list[list[int]]
    reason: dict[int, str]
    cluster_of: dict[int, int] = dataclasses.field(default_factory=dict)
    pair_similarity: npt.NDArray[np.float64] = dataclasses.field(
        default_factory=lambda: np.zeros(0), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.clusters and not self.cluster_of:
            number = {m: c for c, members in enumerate(self.clusters) for m in members}
            object.__setattr__(self, "cluster_of", dict(sorted(number.items())))


@dataclass(frozen=True, slots=True)
class _Spec:
    """What a worker needs to process a batch (picklable, hashable)."""

    options: NormalizeOptions
    num_perm: int
    ngram: int
    unit: Unit
    seed: int
    mode: Mode
    keep_shingles: bool


@dataclass(frozen=True, slots=True)
class _Batch:
    """Per-document state of one batch."""

    keys: npt.NDArray[np.uint64]  # (m, 2): xxh3_128 of the key
    signatures: npt.NDArray[np.uint32]  # (m, num_perm)
    lengths: npt.NDArray[np.int64]  # key lengths (code points): what keep="longest" compares
    empty: npt.NDArray[np.bool_]  # the key has no letter or digit: never clusters
    shingles: Shingles | None  # distinct sorted hashes per document (verify="exact")


SignedBatch = _Batch  # what DocumentDeduper.key_signer() makes and add_signed() takes


@functools.lru_cache(maxsize=4)
def _tools(spec: _Spec) -> tuple[Normalizer, MinHasher]:
    hasher = MinHasher(spec.num_perm, spec.ngram, spec.unit, spec.seed, spec.mode)
    return Normalizer(spec.options), hasher


def _distinct(shingles: Shingles) -> Shingles:
    """Each document's shingle hashes sorted with repeats removed."""
    counts = shingles.counts()
    doc = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    order = np.lexsort((shingles.hashes, doc))
    values, doc = shingles.hashes[order], doc[order]
    fresh = np.ones(len(values), dtype=np.bool_)
    fresh[1:] = (values[1:] != values[:-1]) | (doc[1:] != doc[:-1])
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc[fresh], minlength=len(counts)), out=offsets[1:])
    return Shingles(values[fresh], offsets)


def _concat_shingles(parts: Sequence[Shingles]) -> Shingles:
    if len(parts) == 1:
        return parts[0]
    counts = np.concatenate([p.counts() for p in parts])
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Shingles(np.concatenate([p.hashes for p in parts]), offsets)


def key_hashes(keys: Sequence[str]) -> npt.NDArray[np.uint64]:
    """The 128-bit ``xxh3_128`` of each key's UTF-32-LE code units, shape
    ``(n, 2)``. (One encode of the whole batch, then a slice per key: UTF-8
    encoding each Arabic key separately costs several times more.)

    >>> import xxhash
    >>> key_hashes(["نص"]).tobytes() == xxhash.xxh3_128_digest("نص".encode("utf-32-le"))
    True
    """
    sizes = np.array(list(map(len, keys)), dtype=np.int64) * 4
    ends = np.cumsum(sizes).tolist()
    buffer = memoryview("".join(keys).encode("utf-32-le", "surrogatepass"))
    digest = b"".join(
        xxhash.xxh3_128_digest(buffer[end - size : end])
        for end, size in zip(ends, sizes.tolist(), strict=True)
    )
    return np.frombuffer(digest, dtype=np.uint64).reshape(-1, 2)


def _split_by_chars(keys: list[str], chars: int) -> list[list[str]]:
    """``keys`` cut into consecutive runs of about ``chars`` characters."""
    ends = np.cumsum(np.array(list(map(len, keys)), dtype=np.int64) + 1)
    cuts = np.searchsorted(ends, np.arange(chars, ends[-1] if len(ends) else 0, chars), "left")
    bounds = sorted({0, len(keys), *(cuts + 1).tolist()} - {len(keys) + 1})
    return [keys[a:b] for a, b in itertools.pairwise(bounds)]


def _warm_up(spec: _Spec) -> None:
    """Build what a worker's first batch needs (the normalization tables)."""
    _tools(spec)[0].normalize_many([""])


def _process_batch(spec: _Spec, texts: list[str]) -> _Batch:
    """Normalize, hash and sign one batch (runs in a worker when workers > 1)."""
    return _process_keys(spec, _tools(spec)[0].normalize_many(texts))


def _process_keys(spec: _Spec, keys: list[str]) -> _Batch:
    """Hash and sign one batch of keys (runs in a worker when workers > 1)."""
    hasher = _tools(spec)[1]
    signatures: list[npt.NDArray[np.uint32]] = []
    kept: list[Shingles] = []
    for part in _split_by_chars(keys, _SIGN_CHARS):
        if spec.mode == "fast" or spec.keep_shingles:
            sh = shingle_hashes(part, ngram=spec.ngram, unit=spec.unit)
            if spec.keep_shingles:
                kept.append(_distinct(sh))
        if spec.mode == "fast":
            signatures.append(hasher.signatures_from_hashes(sh))
        else:
            signatures.append(hasher.signatures_of_batch(part))
    return _Batch(
        keys=key_hashes(keys),
        signatures=(
            np.concatenate(signatures) if signatures else np.empty((0, spec.num_perm), np.uint32)
        ),
        lengths=np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)),
        empty=np.fromiter(map(is_blank, keys), dtype=np.bool_, count=len(keys)),
        shingles=_concat_shingles(kept) if kept else None,
    )


def _first_same_key(
    keys: npt.NDArray[np.uint64], active: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """For each document, the first index with the same key (itself if none
    before it); inactive documents map to themselves."""
    n = len(keys)
    first_of = np.arange(n, dtype=np.int64)
    idx = np.flatnonzero(active)
    if len(idx) < 2:
        return first_of
    k = keys[idx]
    order = np.lexsort((k[:, 1], k[:, 0]))  # stable: equal keys stay in input order
    ordered = k[order]
    fresh = np.ones(len(idx), dtype=np.bool_)
    fresh[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    head = np.maximum.accumulate(np.where(fresh, np.arange(len(idx)), 0))
    first_of[idx[order]] = idx[order[head]]
    return first_of


def _ranges(starts: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``concatenate([arange(s, s + k) for s, k in zip(starts, sizes)])``, vectorized."""
    before = np.cumsum(sizes) - sizes
    return np.repeat(starts - before, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)


def _exact_jaccard(
    shingles: Shingles, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Exact Jaccard of the distinct shingle sets of documents ``i[p]`` and
    ``j[p]``, for every p, by one sort per chunk of pairs."""
    out = np.zeros(len(i), dtype=np.float64)
    counts = shingles.counts()
    for lo in range(0, len(i), _PAIR_CHUNK):
        a, b = i[lo : lo + _PAIR_CHUNK], j[lo : lo + _PAIR_CHUNK]
        size_a, size_b = counts[a], counts[b]
        pair = np.arange(len(a), dtype=np.int64)
        owner = np.concatenate([np.repeat(pair, size_a), np.repeat(pair, size_b)])
        where = np.concatenate(
            [_ranges(shingles.offsets[a], size_a), _ranges(shingles.offsets[b], size_b)]
        )
        values = shingles.hashes[where]
        order = np.lexsort((values, owner))
        values, owner = values[order], owner[order]
        same = (values[1:] == values[:-1]) & (owner[1:] == owner[:-1])
        inter = np.bincount(owner[1:][same], minlength=len(a))
        union = size_a + size_b - inter
        out[lo : lo + len(a)] = np.divide(inter, union, out=np.zeros(len(a)), where=union > 0)
    return out


def _check_params(threshold: float, verify: str, workers: int | Workers) -> None:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not 0 < threshold <= 1
    ):
        msg = f"threshold must be a number greater than 0 and at most 1, not {threshold!r}"
        raise ValueError(msg)
    if verify not in VERIFY_MODES:
        msg = f"unknown verify mode {verify!r}; valid modes: {', '.join(VERIFY_MODES)}"
        raise ValueError(msg)
    if isinstance(workers, Workers):
        return
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        msg = f"workers must be an integer >= 1, not {workers!r}"
        raise ValueError(msg)


class DocumentDeduper:
    """Streaming near-duplicate detection over batches of documents.

    >>> with DocumentDeduper(threshold=0.5, ngram=2) as dd:
    ...     dd.add(["أ ب ج د", "ا ب ج د"])
    ...     dd.add(["ه و ز ح"])
    ...     dd.result().duplicate_of
    {1: 0}
    >>> DocumentDeduper(verify="maybe")
    Traceback (most recent call last):
    ...
    ValueError: unknown verify mode 'maybe'; valid modes: signature, exact
    """

    def __init__(
        self,
        *,
        threshold: float = 0.8,
        num_perm: int = 128,
        ngram: int = 5,
        unit: Unit = "word",
        profile: str | NormalizeOptions = "dedup",
        verify: Verify = "signature",
        keep: Keep = "first",
        seed: int = 1,
        mode: Mode = "fast",
        bands: tuple[int, int] | None = None,
        workers: int | Workers = 1,
    ) -> None:
        _check_params(threshold, verify, workers)
        check_keep(keep)
        options = resolve(profile)
        hasher = MinHasher(num_perm, ngram, unit, seed, mode)  # checks its own params
        if bands is None and threshold == 1:
            bands = (1, hasher.num_perm)  # only identical signatures can reach 1
        elif bands is None:
            bands = optimal_bands(float(threshold), hasher.num_perm, *RECALL_WEIGHTS)
        if (
            not isinstance(bands, tuple)
            or len(bands) != 2
            or not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in bands)
        ):
            msg = f"bands must be a (bands, rows) pair of ints, not {bands!r}"
            raise ValueError(msg)
        b, r = int(bands[0]), int(bands[1])
        if b < 1 or r < 1 or b * r > hasher.num_perm:
            msg = f"bands * rows must be between 1 and num_perm={hasher.num_perm}, not {b} * {r}"
            raise ValueError(msg)
        self.params = DedupParams(
            threshold=float(threshold),
            num_perm=hasher.num_perm,
            ngram=hasher.params.ngram,
            unit=unit,
            seed=hasher.params.seed,
            mode=mode,
            bands=b,
            rows=r,
            verify=verify,
            profile=options.name,
            profile_version=options.version,
        )
        self.keep: Keep = keep
        # a Workers given is shared with other stages: its owner stops it
        self._own_workers = not isinstance(workers, Workers)
        self._workers = workers if isinstance(workers, Workers) else Workers(workers)
        self.workers = self._workers.count
        self._spec = _Spec(
            options,
            hasher.num_perm,
            hasher.params.ngram,
            unit,
            hasher.params.seed,
            mode,
            verify == "exact",
        )
        self._parts: list[_Batch] = []
        self._size = 0  # documents accepted by add(), done or still in a worker
        self._tasks = OrderedTasks[_Batch](self._workers)
        self._finalizer: weakref.finalize[[], DocumentDeduper] | None = None

    def __repr__(self) -> str:
        return f"DocumentDeduper({len(self)} documents, {self.params})"

    def __len__(self) -> int:
        return self._size

    def __enter__(self) -> DocumentDeduper:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self._drain()
        self._terminate()

    def close(self) -> None:
        """Wait for the batches still in workers, then stop the worker
        processes (if any). The collected state stays."""
        self._drain()
        self._terminate()

    def add(self, texts: Iterable[str]) -> None:
        """Normalize, hash and sign ``texts`` (any number; consumed lazily in
        batches), appending them after the documents already added.

        With ``workers > 1`` the batches go to a process pool and at most
        ``4 * workers`` wait there at once; ``add`` may return while the last
        ones are still running (so the caller can read the next batch
        meanwhile). ``result``, ``extend`` and ``close`` wait for them, and
        results are always appended in input order.
        """
        check_texts(texts, "add")
        for batch in text_batches(texts, _TASK_CHARS):
            self._submit(_process_batch, (self._spec, batch), len(batch))

    def _submit(self, work: Callable[..., _Batch], args: tuple[Any, ...], size: int) -> None:
        """Run ``work(*args)`` on a batch of ``size`` documents: here, or in
        the pool (at most ``4 * workers`` batches wait there at once)."""
        self._size += size
        self.start_workers()
        self._parts += self._tasks.submit(work, *args)

    def add_keys(self, keys: Iterable[str]) -> None:
        """:meth:`add` for documents already normalized by this deduper's
        profile (``keys[i]`` is document i's key): the same result as
        :meth:`add` of texts whose keys these are.

        >>> with DocumentDeduper(threshold=0.5, ngram=2) as dd:
        ...     dd.add_keys(["ا ب ج د", "ا ب ج د"])
        ...     dd.result().duplicate_of
        {1: 0}
        """
        check_texts(keys, "add_keys")
        for batch in text_batches(keys, _TASK_CHARS):
            self._submit(_process_keys, (self._spec, batch), len(batch))

    def key_signer(self) -> Callable[[list[str]], SignedBatch]:
        """What :meth:`add_keys` does to a batch of keys, as a picklable
        function, for a caller that runs its batches in its own worker
        tasks; :meth:`add_signed` takes what it returns, in order."""
        return functools.partial(_process_keys, self._spec)

    def text_signer(self) -> Callable[[list[str]], SignedBatch]:
        """What :meth:`add` does to a batch of texts, as a picklable function
        (see :meth:`key_signer`)."""
        return functools.partial(_process_batch, self._spec)

    def terminate(self) -> None:
        """Stop the worker processes at once, dropping the batches still in
        them (after Ctrl-C: nothing more will be added)."""
        self._terminate()

    def add_signed(self, batch: SignedBatch) -> None:
        """Append a batch :meth:`key_signer`'s function made."""
        self._drain()
        self._parts.append(batch)
        self._size += len(batch.keys)

    def extend(self, other: DocumentDeduper) -> None:
        """Append the documents ``other`` has collected (their indices follow
        this deduper's). Raises ValueError if the params differ."""
        if other.params != self.params:
            mine, theirs = dataclasses.asdict(self.params), dataclasses.asdict(other.params)
            diff = ", ".join(
                f"{k}: {mine[k]!r} != {theirs[k]!r}" for k in mine if mine[k] != theirs[k]
            )
            msg = f"cannot mix dedup state built with different parameters ({diff})"
            raise ValueError(msg)
        self._drain()
        other._drain()
        self._parts.extend(other._parts)
        self._size += len(other)

    def result(self) -> DedupResult:
        """Clusters and keep decisions over every document added so far."""
        self._drain()
        state = self._compact()
        n = len(self)
        if state is None:
            return DedupResult([], {}, {}, [], {})
        index = np.arange(n, dtype=np.int64)
        first_of = _first_same_key(state.keys, ~state.empty)
        distinct = (first_of == index) & ~state.empty  # one document per key
        p = self.params
        pairs = candidate_pairs(band_keys(state.signatures, p.bands, p.rows), active=distinct)
        i, j = pairs[:, 0], pairs[:, 1]
        pair_similarity = self._similarity(state, i, j)
        near = pair_similarity >= p.threshold
        exact = np.flatnonzero(first_of != index)
        edges = np.concatenate(
            [np.stack([exact, first_of[exact]], axis=1), np.stack([i[near], j[near]], axis=1)]
        )
        labels = connected_components(n, edges)
        kept = kept_members(labels, keep=self.keep, lengths=state.lengths)
        removed = np.flatnonzero(kept != index)
        target = kept[removed]
        is_exact = first_of[removed] == first_of[target]
        similarity = np.ones(len(removed), dtype=np.float64)
        fuzzy = ~is_exact
        similarity[fuzzy] = self._similarity(state, removed[fuzzy], target[fuzzy])
        removed_list = removed.tolist()
        groups, cluster_of = numbered_clusters(labels)
        return DedupResult(
            keep=np.flatnonzero(kept == index).tolist(),
            duplicate_of=dict(zip(removed_list, target.tolist(), strict=True)),
            similarity=dict(zip(removed_list, similarity.tolist(), strict=True)),
            clusters=groups,
            reason=dict(
                zip(removed_list, np.where(is_exact, "exact", "near").tolist(), strict=True)
            ),
            cluster_of=cluster_of,
            pair_similarity=pair_similarity,
        )

    # --- internals -------------------------------------------------------------

    def _similarity(
        self, state: _Batch, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        if self.params.verify == "exact":
            assert state.shingles is not None
            return _exact_jaccard(state.shingles, i, j)
        out = np.empty(len(i), dtype=np.float64)
        sigs = state.signatures
        for lo in range(0, len(i), _PAIR_CHUNK):
            hi = lo + _PAIR_CHUNK
            out[lo:hi] = signature_similarity(sigs[i[lo:hi]], sigs[j[lo:hi]])
        return out

    def _drain(self) -> None:
        self._parts += self._tasks.drain()

    def _terminate(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._finalizer = None
        self._tasks.clear()

    def _compact(self) -> _Batch | None:
        """Concatenate the collected batches into one (kept for later calls)."""
        if not self._parts:
            return None
        if len(self._parts) > 1:
            parts, self._parts = self._parts, []
            shingles = [p.shingles for p in parts if p.shingles is not None]
            merged = _Batch(
                keys=np.concatenate([p.keys for p in parts]),
                signatures=np.concatenate([p.signatures for p in parts]),
                lengths=np.concatenate([p.lengths for p in parts]),
                empty=np.concatenate([p.empty for p in parts]),
                shingles=_concat_shingles(shingles) if shingles else None,
            )
            self._parts = [merged]
        return self._parts[0]

    def start_workers(self) -> BackgroundPool | None:
        """Start the worker processes now (:meth:`add` does at its first batch
        otherwise; see :meth:`normalize._workers.Workers.start`): a caller
        that calls this before it reads its input overlaps their start with
        the reading. Until they are up, batches are done in this process
        (same results). None when ``workers`` is 1."""
        if self._finalizer is None and self._own_workers and self.workers > 1:
            self._finalizer = weakref.finalize(self, self._workers.terminate)
        return self._workers.start(self.warm_up())

    def warm_up(self) -> Callable[[], None]:
        """What a worker runs before its first batch: it builds the tables
        this deduper's batches need (picklable; for a pool that other stages
        share, see :meth:`normalize._workers.Workers.start`)."""
        return functools.partial(_warm_up, self._spec)


def dedup_documents(
    texts: Iterable[str],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    profile: str | NormalizeOptions = "dedup",
    verify: Verify = "signature",
    keep: Keep = "first",
    seed: int = 1,
    workers: int = 1,
    unit: Unit = "word",
    mode: Mode = "fast",
) -> DedupResult:
    """Exact and near-duplicate documents of ``texts`` (see the module docstring).

    >>> dedup_documents(["نص", "نص", "نص آخر"]).duplicate_of
    {1: 0}
    """
    check_texts(texts, "dedup_documents")
    with DocumentDeduper(
        threshold=threshold,
        num_perm=num_perm,
        ngram=ngram,
        unit=unit,
        profile=profile,
        verify=verify,
        keep=keep,
        seed=seed,
        mode=mode,
        workers=workers,
    ) as deduper:
        deduper.add(texts)
        return deduper.result()
