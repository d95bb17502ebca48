"""Union-find and keep policy against slow, obvious references."""

from __future__ import annotations

import functools
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.cluster import (
    clusters,
    connected_components,
    kept_members,
    naive_components,
)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    n = draw(st.integers(0, 60))
    if n == 0:
        return 0, []
    node = st.integers(0, n - 1)
    return n, draw(st.lists(st.tuples(node, node), max_size=120))


@given(graphs())
def test_components_equal_naive_union_find(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = graph
    labels = connected_components(n, np.array(edges, dtype=np.int64).reshape(-1, 2))
    assert labels.tolist() == naive_components(n, edges)


@given(graphs(), st.lists(st.integers(0, 5), min_size=60, max_size=60))
def test_keep_policies_against_reference(
    graph: tuple[int, list[tuple[int, int]]], sizes: list[int]
) -> None:
    n, edges = graph
    lengths = np.array(sizes[:n], dtype=np.int64)
    labels = connected_components(n, np.array(edges, dtype=np.int64).reshape(-1, 2))
    members: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(i)
    first = kept_members(labels, keep="first")
    longest = kept_members(labels, keep="longest", lengths=lengths)
    for i, label in enumerate(labels.tolist()):
        group = members[label]
        assert first[i] == min(group)
        assert longest[i] == max(group, key=lambda k: (lengths[k], -k))
    assert sorted(functools.reduce(operator.iadd, clusters(labels), [])) == sorted(
        i for g in members.values() if len(g) > 1 for i in g
    )


def test_long_chain_and_star_are_fast() -> None:
    n = 200_000
    chain = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)[::-1]
    assert (connected_components(n, chain) == 0).all()
    star = np.stack([np.full(n - 1, n - 1), np.arange(n - 1)], axis=1)
    assert (connected_components(n, star) == 0).all()


def test_clusters_are_sorted_and_ordered() -> None:
    labels = connected_components(7, np.array([[6, 2], [5, 0], [2, 4]]))
    assert clusters(labels) == [[0, 5], [2, 4, 6]]


def test_errors() -> None:
    with pytest.raises(ValueError, match="pair indices must be in"):
        connected_components(3, np.array([[0, 3]]))
    with pytest.raises(ValueError, match="unknown keep policy 'last'"):
        kept_members(np.zeros(2, dtype=np.int64), keep="last")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs the document lengths"):
        kept_members(np.zeros(2, dtype=np.int64), keep="longest")
