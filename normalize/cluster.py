"""Clusters from duplicate pairs: vectorized union-find and the keep policy.

:func:`connected_components` labels every document with the smallest index
in its component, by rounds of hooking (each root points to the smallest root
any of its edges reaches) and pointer jumping, all in numpy; the number of
rounds grows with the logarithm of the component diameter, not with the
number of edges.

>>> labels = connected_components(6, np.array([[4, 1], [1, 3], [2, 5]]))
>>> labels.tolist()
[0, 1, 2, 1, 1, 2]
>>> clusters(labels)
[[1, 3, 4], [2, 5]]
>>> kept_members(labels, keep="longest", lengths=np.array([1, 5, 1, 9, 9, 1])).tolist()
[0, 3, 2, 3, 3, 2]
"""

from __future__ import annotations

import itertools
import typing
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

Keep = Literal["first", "longest"]
KEEP_POLICIES: Final = typing.get_args(Keep)

Labels = npt.NDArray[np.int64]


def connected_components(n: int, pairs: npt.ArrayLike) -> Labels:
    """For ``n`` documents and an ``(m, 2)`` array of linked pairs, each
    document's component label: the smallest index in its component.

    >>> connected_components(3, np.zeros((0, 2), dtype=np.int64)).tolist()
    [0, 1, 2]
    """
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(edges) and (edges.min() < 0 or edges.max() >= n):
        msg = f"pair indices must be in [0, {n}), got [{edges.min()}, {edges.max()}]"
        raise ValueError(msg)
    parent = np.arange(n, dtype=np.int64)
    u, v = edges[:, 0], edges[:, 1]
    while len(u):
        ru, rv = parent[u], parent[v]
        differ = ru != rv
        u, v, ru, rv = u[differ], v[differ], ru[differ], rv[differ]
        if not len(u):
            break
        low, high = np.minimum(ru, rv), np.maximum(ru, rv)
        np.minimum.at(parent, high, low)  # hook: roots only ever point lower
        while True:  # pointer jumping until every node points at a root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
    return parent


def naive_components(n: int, pairs: npt.ArrayLike) -> list[int]:
    """The slow, obvious union-find (path halving, smaller index wins), as a
    reference for tests.

    >>> naive_components(4, [[3, 1]])
    [0, 1, 2, 1]
    """
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in np.asarray(pairs, dtype=np.int64).reshape(-1, 2).tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(n)]


def check_keep(keep: str) -> None:
    """Raise ValueError naming an unknown keep policy.

    >>> check_keep("shortest")
    Traceback (most recent call last):
    ...
    ValueError: unknown keep policy 'shortest'; valid policies: first, longest
    """
    if keep not in KEEP_POLICIES:
        msg = f"unknown keep policy {keep!r}; valid policies: {', '.join(KEEP_POLICIES)}"
        raise ValueError(msg)


def kept_members(
    labels: Labels, *, keep: Keep = "first", lengths: npt.ArrayLike | None = None
) -> Labels:
    """For each document, the index its component keeps.

    ``"first"``: the smallest index (first in input order). ``"longest"``: the
    member with the largest ``lengths`` value, ties to the first.

    >>> kept_members(np.array([0, 0, 2]), keep="first").tolist()
    [0, 0, 2]
    """
    check_keep(keep)
    labels = np.array(labels, dtype=np.int64)
    if keep == "first":
        return labels  # labels are already each component's smallest index
    if lengths is None:
        msg = "keep='longest' needs the document lengths"
        raise ValueError(msg)
    size = np.asarray(lengths, dtype=np.int64)
    n = len(labels)
    index = np.arange(n, dtype=np.int64)
    # by label, then longest first, then smallest index first
    order = np.lexsort((index, -size, labels))
    is_head = np.ones(n, dtype=np.bool_)
    is_head[1:] = labels[order[1:]] != labels[order[:-1]]
    winner = np.empty(n, dtype=np.int64)
    winner[labels[order[is_head]]] = order[is_head]
    return winner[labels]


def clusters(labels: Labels) -> list[list[int]]:
    """The components with two or more members, each sorted, ordered by their
    first member.

    >>> clusters(np.array([0, 1, 0, 3, 1]))
    [[0, 2], [1, 4]]
    """
    return numbered_clusters(labels)[0]


def numbered_clusters(labels: Labels) -> tuple[list[list[int]], dict[int, int]]:
    """:func:`clusters` and, for each of their members in increasing order,
    its cluster's position in that list. ``labels`` must be each component's
    smallest index, as :func:`connected_components` makes them.

    >>> numbered_clusters(np.array([0, 1, 0, 3, 1]))
    ([[0, 2], [1, 4]], {0: 0, 1: 1, 2: 0, 4: 1})
    """
    labels = np.asarray(labels, dtype=np.int64)
    shared = np.flatnonzero(np.bincount(labels)[labels] > 1)  # increasing indices
    if len(shared) == 0:
        return [], {}
    order = np.argsort(labels[shared], kind="stable")
    owner = labels[shared[order]]
    fresh = np.ones(len(shared), dtype=np.bool_)
    fresh[1:] = owner[1:] != owner[:-1]
    number = np.empty(len(shared), dtype=np.int64)
    number[order] = np.cumsum(fresh) - 1  # labels are first members: numbered in that order
    cuts = [*np.flatnonzero(fresh).tolist(), len(shared)]
    members = shared[order].tolist()
    groups = [members[a:b] for a, b in itertools.pairwise(cuts)]
    return groups, dict(zip(shared.tolist(), number.tolist(), strict=True))
