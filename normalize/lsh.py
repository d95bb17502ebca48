"""LSH banding of MinHash signatures: the band/row choice, band keys, candidate pairs.

A signature of ``bands * rows`` values is cut into ``bands`` bands of ``rows``
values; two documents are candidates when any band agrees entirely. With true
Jaccard ``s`` that happens with probability ``1 - (1 - s**rows)**bands``
(:func:`candidate_probability`). :func:`optimal_bands` picks the split, like
datasketch's ``_optimal_param``.

Everything is vectorized: :func:`band_keys` hashes each band of the whole
signature matrix into one uint64, and :func:`candidate_pairs` finds equal keys
by sorting each band column (no dict per band per document). A bucket of ``m``
documents yields ``m - 1`` pairs, each member linked to the bucket's first
(smallest) index, not ``m * (m - 1) / 2``: union-find turns a star into the same
cluster, and a huge bucket (boilerplate, templated pages) costs linear work.

>>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 3, 4], [5, 5, 5, 5]], dtype=np.uint32)
>>> candidate_pairs(band_keys(sigs, bands=2, rows=2)).tolist()
[[0, 1], [0, 2]]
"""

from __future__ import annotations

import functools
import numbers

import numpy as np
import numpy.typing as npt

Pairs = npt.NDArray[np.int64]

_MIX = np.uint64(0x9E3779B97F4A7C15)
_KEY_CHUNK = 2048


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """The chance that two documents of Jaccard ``similarity`` share a band.

    >>> round(candidate_probability(0.8, 14, 9), 3)
    0.867
    """
    return float(1.0 - (1.0 - similarity**rows) ** bands)


@functools.lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5
) -> tuple[int, int]:
    """The ``(bands, rows)`` with ``bands * rows <= num_perm`` minimizing
    ``fp_weight * FP + fn_weight * FN``, where FP integrates the candidate
    probability over similarities in ``[0, threshold]`` and FN its complement
    over ``[threshold, 1]`` (datasketch's ``_optimal_param``, whose choice it
    reproduces; the integrals are done by Gauss-Legendre quadrature, exact for
    these polynomials up to ``num_perm`` 1024).

    >>> optimal_bands(0.8, 128)
    (9, 13)
    >>> optimal_bands(0.8, 128, fp_weight=0.1, fn_weight=0.9)
    (14, 9)
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not (0.0 < threshold < 1.0)
    ):
        msg = f"threshold must be between 0 and 1 (exclusive), not {threshold!r}"
        raise ValueError(msg)
    if isinstance(num_perm, bool) or not isinstance(num_perm, int) or num_perm < 1:
        msg = f"num_perm must be an integer >= 1, not {num_perm!r}"
        raise ValueError(msg)
    if fp_weight < 0 or fn_weight < 0 or fp_weight + fn_weight <= 0:
        msg = f"weights must be >= 0 and not both 0, not ({fp_weight!r}, {fn_weight!r})"
        raise ValueError(msg)
    pairs = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    b = np.array([p[0] for p in pairs], dtype=np.float64)[:, None]
    r = np.array([p[1] for p in pairs], dtype=np.float64)[:, None]
    nodes, weights = _gauss_legendre(min(num_perm // 2 + 2, 514))

    def integral(lo: float, hi: float, miss: bool) -> npt.NDArray[np.float64]:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        p = 1.0 - (1.0 - s[None, :] ** r) ** b
        values = 1.0 - p if miss else p
        result: npt.NDArray[np.float64] = (values @ weights) * (hi - lo) / 2
        return result

    error = fp_weight * integral(0.0, threshold, False) + fn_weight * integral(threshold, 1.0, True)
    best = int(np.argmin(error))  # the first minimum: datasketch's loop order
    return pairs[best]


def _gauss_legendre(n: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The ``n`` nodes (ascending) and weights of Gauss-Legendre quadrature
    on [-1, 1]: Newton's method on the Legendre polynomial ``P_n``, from the
    usual first guesses (the same values as ``numpy.polynomial.legendre.leggauss``,
    without importing ``numpy.polynomial``).

    >>> x, w = _gauss_legendre(3)
    >>> bool(np.allclose(x, [-(0.6**0.5), 0, 0.6**0.5]) and np.allclose(w, [5/9, 8/9, 5/9]))
    True
    """
    x = np.cos(np.pi * (np.arange(n, 0, -1) - 0.25) / (n + 0.5))
    for _ in range(100):
        previous, p = np.ones_like(x), x.copy()  # P_{k-1}, P_k at the nodes
        for k in range(2, n + 1):
            previous, p = p, ((2 * k - 1) * x * p - (k - 1) * previous) / k
        slope = n * (previous - x * p) / ((1 - x) * (1 + x))  # P_n'
        step = p / slope
        x -= step
        if np.abs(step).max() < 1e-15:
            break
    return x, 2 / ((1 - x) * (1 + x) * slope * slope)


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """One uint64 per band per document, shape ``(n, bands)``: a polynomial of
    the band's ``rows`` values, then a finalizer (equal bands give equal keys;
    unequal random bands collide with probability about 2**-64, and a
    collision only costs one more candidate to verify).

    >>> k = band_keys(np.array([[1, 2, 1, 2]], dtype=np.uint32), bands=2, rows=2)
    >>> bool(k[0, 0] == k[0, 1])
    True
    """
    sig = np.asarray(signatures)
    if sig.ndim != 2:
        msg = f"signatures must be a 2-D array, got shape {sig.shape}"
        raise ValueError(msg)
    if bands < 1 or rows < 1 or bands * rows > sig.shape[1]:
        msg = f"bands * rows must be between 1 and {sig.shape[1]}, not {bands} * {rows}"
        raise ValueError(msg)
    out = np.empty((len(sig), bands), dtype=np.uint64)
    for lo in range(0, len(sig), _KEY_CHUNK):  # chunks of documents stay in cache
        cube = sig[lo : lo + _KEY_CHUNK, : bands * rows].reshape(-1, bands, rows)
        key = np.zeros(cube.shape[:2], dtype=np.uint64)
        for j in range(rows):  # a polynomial in _MIX over the band's values ...
            key *= _MIX
            key += cube[:, :, j]
        key ^= key >> np.uint64(33)  # ... then the 64-bit MurmurHash3 finalizer
        key *= np.uint64(0xFF51AFD7ED558CCD)
        key ^= key >> np.uint64(33)
        key *= np.uint64(0xC4CEB9FE1A85EC53)
        key ^= key >> np.uint64(33)
        out[lo : lo + _KEY_CHUNK] = key
    return out


def _bucket_runs(
    same: npt.NDArray[np.bool_], who_at: npt.NDArray[np.int64] | npt.NDArray[np.uint64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """From a sorted column (``same[p]``: positions p and p + 1 share a key,
    ``who_at``: the row at each position, smallest first within a key), each
    member of a bucket of two or more and its bucket's first row."""
    dup = np.flatnonzero(same)
    if not len(dup):
        return None
    in_bucket = np.zeros(len(same) + 1, dtype=np.bool_)
    in_bucket[dup] = True
    in_bucket[dup + 1] = True
    where = np.flatnonzero(in_bucket)
    who = who_at[where].astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ~same[where[1:] - 1])))
    sizes = np.diff(np.append(starts, len(who)))
    return np.repeat(who[starts], sizes), who


def _buckets_packed(
    column: npt.NDArray[np.uint64], bits: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Buckets by one plain sort: the key times an odd constant (a bijection
    that spreads low-bit differences upwards) with the row number in its low
    ``bits`` bits, so equal keys come out together, smallest row first. Returns
    None if two different keys met in a bucket (chance about 2**(bits - 64)
    per pair)."""
    low = np.uint64((1 << bits) - 1)
    packed = column * _MIX
    packed &= ~low
    packed |= np.arange(len(column), dtype=np.uint64)
    packed.sort()
    bucket = packed & ~low
    found = _bucket_runs(bucket[1:] == bucket[:-1], packed & low)
    if found is not None and not np.array_equal(column[found[0]], column[found[1]]):
        return None
    return found if found is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))


def _buckets_exact(
    column: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Buckets by a stable argsort of the full keys (the exact fallback)."""
    order = np.argsort(column, kind="stable")
    ordered = column[order]
    return _bucket_runs(ordered[1:] == ordered[:-1], order)


def candidate_pairs(
    keys: npt.NDArray[np.uint64], *, active: npt.NDArray[np.bool_] | None = None
) -> Pairs:
    """Candidate pairs ``(i, j)``, ``i < j``, sorted and unique: documents that
    share a band key. Each bucket links its members to its smallest index only.
    Rows where ``active`` is False take part in nothing (e.g. empty documents).

    >>> keys = np.array([[5, 1], [5, 2], [5, 3], [6, 3]], dtype=np.uint64)
    >>> candidate_pairs(keys).tolist()
    [[0, 1], [0, 2], [2, 3]]
    >>> candidate_pairs(keys, active=np.array([False, True, True, True])).tolist()
    [[1, 2], [2, 3]]
    """
    n = len(keys)
    rows = np.arange(n, dtype=np.int64) if active is None else np.flatnonzero(active)
    if len(rows) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    bits = max(1, (len(rows) - 1).bit_length())
    columns = np.ascontiguousarray(keys[rows].T)  # one contiguous row per band
    firsts: list[npt.NDArray[np.int64]] = []
    members: list[npt.NDArray[np.int64]] = []
    for column in columns:
        found = _buckets_packed(column, bits)
        if found is None:  # two keys met in the packed sort: do it exactly
            found = _buckets_exact(column)
        if found is not None and len(found[0]):
            firsts.append(rows[found[0]])
            members.append(rows[found[1]])
    if not firsts:
        return np.zeros((0, 2), dtype=np.int64)
    first, member = np.concatenate(firsts), np.concatenate(members)
    linked = first != member
    code = np.sort(first[linked] * n + member[linked])
    if len(code):  # a pair found by several bands counts once
        fresh = np.ones(len(code), dtype=np.bool_)
        fresh[1:] = code[1:] != code[:-1]
        code = code[fresh]
    return np.stack([code // n, code % n], axis=1)
