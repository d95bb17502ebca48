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

import numpy as np
import numpy.typing as npt

Pairs = npt.NDArray[np.int64]

_MIX = np.uint64(0x9E3779B97F4A7C15)


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
    if not 0.0 < threshold < 1.0:
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
    nodes, weights = np.polynomial.legendre.leggauss(min(num_perm // 2 + 2, 514))

    def integral(lo: float, hi: float, miss: bool) -> npt.NDArray[np.float64]:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        p = 1.0 - (1.0 - s[None, :] ** r) ** b
        values = 1.0 - p if miss else p
        result: npt.NDArray[np.float64] = (values @ weights) * (hi - lo) / 2
        return result

    error = fp_weight * integral(0.0, threshold, False) + fn_weight * integral(threshold, 1.0, True)
    best = int(np.argmin(error))  # the first minimum: datasketch's loop order
    return pairs[best]


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """One uint64 per band per document, shape ``(n, bands)``: a mixing hash of
    the band's ``rows`` values (equal bands give equal keys; unequal ones
    collide with probability about 2**-64).

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
    cube = sig[:, : bands * rows].reshape(len(sig), bands, rows)
    key = np.zeros((len(sig), bands), dtype=np.uint64)
    for j in range(rows):
        key ^= cube[:, :, j]
        key *= _MIX
        key ^= key >> np.uint64(29)
    return key


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
    firsts: list[npt.NDArray[np.int64]] = []
    members: list[npt.NDArray[np.int64]] = []
    for band in range(keys.shape[1]):
        column = keys[rows, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            continue
        # index in `order` of the first member of each position's bucket
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        head = np.repeat(starts, np.diff(np.append(starts, len(order))))
        follower = np.flatnonzero(same) + 1
        firsts.append(rows[order[head[follower]]])
        members.append(rows[order[follower]])
    if not firsts:
        return np.zeros((0, 2), dtype=np.int64)
    code = np.unique(np.concatenate(firsts) * n + np.concatenate(members))
    return np.stack([code // n, code % n], axis=1)
