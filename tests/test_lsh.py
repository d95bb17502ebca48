"""LSH: the band choice against datasketch, band keys, candidate pairs vs naive buckets."""

from __future__ import annotations

import itertools
from collections import defaultdict

import datasketch
import numpy as np
import pytest
from datasketch.lsh import _optimal_param
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from normalize.cluster import connected_components, naive_components
from normalize.lsh import (
    _gauss_legendre,
    band_keys,
    candidate_pairs,
    candidate_probability,
    optimal_bands,
)
from normalize.minhash import MinHasher, to_lean_minhash


@pytest.mark.parametrize(
    ("threshold", "num_perm", "weights"),
    [
        (0.8, 128, (0.5, 0.5)),
        (0.8, 128, (0.1, 0.9)),
        (0.5, 128, (0.5, 0.5)),
        (0.9, 256, (0.3, 0.7)),
        (0.7, 64, (0.9, 0.1)),
        (0.95, 32, (0.5, 0.5)),
        (0.3, 16, (0.5, 0.5)),
    ],
)
def test_optimal_bands_matches_datasketch(
    threshold: float, num_perm: int, weights: tuple[float, float]
) -> None:
    assert optimal_bands(threshold, num_perm, *weights) == _optimal_param(
        threshold, num_perm, *weights
    )


@pytest.mark.parametrize("n", [1, 2, 3, 7, 34, 66, 258, 514])
def test_gauss_legendre_matches_numpy(n: int) -> None:
    nodes, weights = _gauss_legendre(n)
    expected_nodes, expected_weights = np.polynomial.legendre.leggauss(n)
    np.testing.assert_allclose(nodes, expected_nodes, rtol=0, atol=1e-14)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-9, atol=0)


def test_recall_weights_raise_the_curve_at_the_threshold() -> None:
    balanced = optimal_bands(0.8, 128)
    recall = optimal_bands(0.8, 128, 0.1, 0.9)
    assert candidate_probability(0.85, *recall) > candidate_probability(0.85, *balanced)
    assert candidate_probability(0.85, *recall) > 0.95


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.0, 128), "threshold must be between 0 and 1"),
        ((0.8, 0), "num_perm must be an integer >= 1, not 0"),
        ((0.8, 128, -1.0, 0.5), "weights must be >= 0"),
    ],
)
def test_optimal_bands_validates(args: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        optimal_bands(*args)  # type: ignore[arg-type]


def test_band_keys_equal_exactly_when_bands_equal() -> None:
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 4, size=(300, 12), dtype=np.uint32)
    keys = band_keys(sig, bands=4, rows=3)
    assert keys.shape == (300, 4)
    for band in range(4):
        rows = [tuple(r) for r in sig[:, band * 3 : band * 3 + 3].tolist()]
        for a, b in itertools.combinations(range(60), 2):
            assert (keys[a, band] == keys[b, band]) == (rows[a] == rows[b])


def test_band_keys_validates() -> None:
    with pytest.raises(ValueError, match="bands \\* rows must be between 1 and 8"):
        band_keys(np.zeros((2, 8), dtype=np.uint32), bands=3, rows=3)
    with pytest.raises(ValueError, match="2-D"):
        band_keys(np.zeros(8, dtype=np.uint32), bands=1, rows=1)


def naive_bucket_pairs(keys: np.ndarray, active: np.ndarray) -> set[tuple[int, int]]:
    """Every pair that shares a bucket in some band (the quadratic definition)."""
    pairs = set()
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = defaultdict(list)
        for i in np.flatnonzero(active).tolist():
            buckets[int(keys[i, band])].append(i)
        for members in buckets.values():
            pairs.update(itertools.combinations(members, 2))
    return pairs


@given(
    hnp.arrays(
        np.uint64, st.tuples(st.integers(0, 40), st.integers(1, 4)), elements=st.integers(0, 5)
    ),
    st.data(),
)
def test_candidate_pairs_give_the_same_groups_as_full_buckets(
    keys: np.ndarray, data: st.DataObject
) -> None:
    n = len(keys)
    active = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    pairs = candidate_pairs(keys, active=active)
    full = naive_bucket_pairs(keys, active)
    got = {tuple(p) for p in pairs.tolist()}
    assert got <= full  # only real bucket-mates, each pair once, i < j
    assert len(got) == len(pairs)
    assert all(i < j for i, j in got)
    assert len(pairs) <= keys.shape[1] * max(n - 1, 0)
    assert connected_components(n, pairs).tolist() == naive_components(n, sorted(full))


def test_huge_bucket_is_linear() -> None:
    keys = np.zeros((50_000, 2), dtype=np.uint64)
    pairs = candidate_pairs(keys)
    assert len(pairs) == 49_999
    assert set(pairs[:, 0].tolist()) == {0}


def test_same_groups_as_datasketch_minhash_lsh() -> None:
    rng = np.random.default_rng(1)
    base = [" ".join(f"w{k}" for k in rng.integers(0, 10_000, 60)) for _ in range(40)]
    texts = []
    for text in base:
        words = text.split()
        for _ in range(3):
            cut = int(rng.integers(0, len(words)))
            texts.append(" ".join([*words[:cut], "new", *words[cut + 1 :]]))
    hasher = MinHasher(num_perm=64, ngram=3)
    signatures = hasher.signatures(texts)
    bands, rows = optimal_bands(0.7, 64)
    ours = connected_components(len(texts), candidate_pairs(band_keys(signatures, bands, rows)))
    lsh = datasketch.MinHashLSH(num_perm=64, params=(bands, rows))
    lean = [to_lean_minhash(s) for s in signatures]
    for i, m in enumerate(lean):
        lsh.insert(i, m)
    theirs = [(i, j) for i, m in enumerate(lean) for j in lsh.query(m) if i != j]
    assert ours.tolist() == naive_components(len(texts), theirs)
