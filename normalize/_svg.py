"""Inline SVG bar charts for the HTML report: binned in numpy, drawn as text.

Charts are plain ``<svg>`` elements with a ``viewBox`` (they scale to the
page width), an axis label on each axis, tick labels, and a ``<title>`` on
every bar, so a reader can hover for the exact count. No script, no external
reference. Every label is escaped.

>>> edges, counts, split, step = similarity_histogram([0.5, 0.91, 0.92, 1.0], threshold=0.8)
>>> int(counts.sum()), round(float(edges[0]), 3), round(float(edges[-1]), 3), split
(4, 0.5, 1.0, 0.8)
>>> size_buckets([2, 2, 3, 5])
[('2', 2), ('3', 1), ('4', 0), ('5', 1)]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from html import escape
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SIMILARITY_BINS: Final = 40
_WIDTHS: Final = (0.005, 0.01, 0.02, 0.025, 0.05)
_WIDTH: Final = 640
_HEIGHT: Final = 260
_LEFT: Final = 56  # room for the y tick labels and the y axis label
_RIGHT: Final = 16
_TOP: Final = 24
_BOTTOM: Final = 52  # room for the x tick labels and the x axis label


class Histogram(NamedTuple):
    """Binned pair similarities: ``edges`` (one more than ``counts``), the
    ``counts``, ``split``, the edge between the bins below the threshold and
    the bins at or above it (where the threshold line goes), and ``step``, the
    estimator's resolution ``1/num_perm`` when the bins follow it, else ``None``.
    """

    edges: FloatArray
    counts: IntArray
    split: float
    step: float | None


def similarity_histogram(
    values: npt.ArrayLike,
    *,
    threshold: float,
    num_perm: int | None = None,
    max_bins: int = SIMILARITY_BINS,
) -> Histogram:
    """Bin edges and counts of similarities in [0, 1]; the counts sum to
    ``len(values)`` and each bin is wholly below or at/above ``threshold``.

    A MinHash estimate is a multiple of ``1/num_perm``. When every value is
    one, the bins follow that grid: each holds the same number of possible
    values (1, 2, 3 ... steps), centred, so no bin is empty by construction
    (a fixed width such as 0.01 against steps of 1/128 leaves every fourth bin
    empty: a comb). ``split`` is then half a step below the first value at or
    above the threshold. Otherwise (exact Jaccard, unknown ``num_perm``) bins
    have one width (0.005, 0.01, 0.02, 0.025 or 0.05: the smallest that needs
    at most ``max_bins`` bins) with the threshold as an edge. Either way the
    bins reach from the lower of the smallest value and the threshold up to
    1.0 (a bit past it when the grid does not land on 1.0).

    >>> h = similarity_histogram([100 / 128, 103 / 128, 1.0], threshold=0.8, num_perm=128)
    >>> h.split == 102.5 / 128, int(h.counts.sum()), len(h.counts)  # 100/128 ... 128/128
    (True, 3, 29)
    >>> len(similarity_histogram([1.0], threshold=0.8, num_perm=128).counts)  # 102/128 ...
    27
    >>> h = similarity_histogram([0.301, 1.0], threshold=1.0)
    >>> h.step, round(float(h.edges[-2]), 3), int(h.counts[-1])
    (None, 1.0, 1)
    """
    array = np.asarray(values, dtype=np.float64).ravel()
    if num_perm is not None and num_perm > 0:
        steps = array * num_perm
        if np.all(np.abs(steps - np.rint(steps)) <= 1e-6):
            return _grid_histogram(np.rint(steps).astype(np.int64), threshold, num_perm, max_bins)
    low = min(float(array.min()) if array.size else threshold, threshold)
    span = 1.0 - low
    width = next((w for w in _WIDTHS if span / w <= max_bins + 1e-9), _WIDTHS[-1])
    below = math.ceil((threshold - low) / width - 1e-9)
    above = max(1, math.ceil((1.0 - threshold) / width - 1e-9))
    edges = threshold + width * np.arange(-below, above + 1, dtype=np.float64)
    edges[below] = threshold
    edges[0], edges[-1] = min(edges[0], low), max(edges[-1], 1.0)
    counts = np.histogram(array, bins=edges)[0]
    return Histogram(edges, counts.astype(np.int64), threshold, None)


def _grid_histogram(steps: IntArray, threshold: float, num_perm: int, max_bins: int) -> Histogram:
    """Bins of ``m`` consecutive multiples of ``1/num_perm`` (``steps`` holds
    the values times ``num_perm``); the first multiple at or above the
    threshold starts a bin."""
    first_over = math.ceil(threshold * num_perm - 1e-9)
    low = min(int(steps.min()) if steps.size else first_over, first_over)
    per_bin = max(1, math.ceil((num_perm + 1 - low) / max_bins))
    below = max(1, math.ceil((first_over - low) / per_bin))  # the line clear of the axis
    above = max(1, math.ceil((num_perm + 1 - first_over) / per_bin))
    starts = first_over + per_bin * np.arange(-below, above + 1, dtype=np.int64)
    counts = np.bincount((steps - starts[0]) // per_bin, minlength=len(starts) - 1)
    edges = (starts - 0.5) / num_perm
    return Histogram(edges, counts.astype(np.int64), (first_over - 0.5) / num_perm, 1 / num_perm)


def size_buckets(sizes: npt.ArrayLike) -> list[tuple[str, int]]:
    """Cluster sizes counted per bucket: each size from 2 to 9, then 10–19,
    20–49, 50–99, 100–199, … (a 1-2-5 series), up to the bucket of the
    largest size. Empty buckets inside that range are kept, so the bars read
    as an axis.
    """
    array = np.asarray(sizes, dtype=np.int64).ravel()
    if not array.size:
        return []
    edges = [2]
    while edges[-1] <= int(array.max()):
        edge = edges[-1]
        edges.append(edge + 1 if edge < 10 else edge * 5 // 2 if str(edge)[0] == "2" else edge * 2)
    counts = np.histogram(array, bins=edges)[0]
    labels = [str(lo) if hi - lo == 1 else f"{lo}–{hi - 1}" for lo, hi in itertools.pairwise(edges)]
    return [(label, int(c)) for label, c in zip(labels, counts, strict=True)]


def histogram_svg(hist: Histogram, *, threshold: float, log: bool = False) -> str:
    """The similarity histogram: bars at or above ``threshold`` in the
    "removed" colour, a dashed line and a label at ``hist.split``; with
    ``log``, a logarithmic count axis (ticks 1, 10, 100 ...) so that a bin of
    a few pairs stays visible beside one of thousands."""
    edges, counts = hist.edges, hist.counts
    x0, x1 = _LEFT, _WIDTH - _RIGHT
    lo, hi = float(edges[0]), float(edges[-1])

    def x_at(value: float) -> float:
        return x0 + (value - lo) / (hi - lo) * (x1 - x0)

    label = "pairs (log scale)" if log else "pairs"
    top = _axis_top(int(counts.max()) if counts.size else 0, log=log)
    parts = [_open("Histogram of near-duplicate pair similarity"), *_y_axis(top, label, log=log)]
    for left, right, count in zip(edges[:-1], edges[1:], counts, strict=True):
        if not count:
            continue
        cls = "bar over" if left >= hist.split - 1e-12 else "bar"
        y = _y_at(int(count), top, log=log)
        tip = f"{_bin_label(float(left), float(right), hist.step)}: {int(count):,} pairs"
        parts.append(
            f'<rect class="{cls}" x="{x_at(left):.1f}" y="{y:.1f}" '
            f'width="{max(x_at(right) - x_at(left) - 1, 1):.1f}" '
            f'height="{_HEIGHT - _BOTTOM - y:.1f}" data-count="{int(count)}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    step = 0.1 if hi - lo > 0.3 else 0.05
    for i in range(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1):
        parts.append(_x_tick(x_at(i * step), f"{i * step:.2f}"))
    tx = x_at(hist.split)
    anchor = "end" if tx > (x0 + x1) / 2 else "start"
    dx = -4 if anchor == "end" else 4
    parts.append(
        f'<line class="threshold" x1="{tx:.1f}" x2="{tx:.1f}" y1="{_TOP - 10}" '
        f'y2="{_HEIGHT - _BOTTOM}"/>'
        f'<text class="threshold-label" x="{tx + dx:.1f}" y="{_TOP - 2}" '
        f'text-anchor="{anchor}">threshold {threshold:g}</text>'
    )
    parts.append(_x_label("similarity of the pair"))
    parts.append("</svg>")
    return "".join(parts)


def _bin_label(left: float, right: float, step: float | None) -> str:
    """A bin as the values it holds: ``103/128 (0.805)`` or ``103–105/128
    (0.805–0.820)`` on the estimator's grid, else ``0.800–0.810``.

    >>> _bin_label(102.5 / 128, 105.5 / 128, 1 / 128), _bin_label(0.8, 0.81, None)
    ('103–105/128 (0.805–0.820)', '0.800–0.810')
    """
    if step is None:
        return f"{left:.3f}–{right:.3f}"
    n = round(1 / step)
    first, last = round(left * n + 0.5), round(right * n - 0.5)
    if first == last:
        return f"{first}/{n} ({first / n:.3f})"
    return f"{first}–{last}/{n} ({first / n:.3f}–{last / n:.3f})"


def bar_chart_svg(bars: Sequence[tuple[str, int]], *, x_label: str, y_label: str) -> str:
    """A bar per (label, count), the count written above each bar."""
    x0, x1 = _LEFT, _WIDTH - _RIGHT
    top = _nice_max(max((count for _, count in bars), default=0))
    slot = (x1 - x0) / max(len(bars), 1)
    parts = [_open(f"Bar chart: {y_label} per {x_label}"), *_y_axis(top, y_label)]
    crowded = len(bars) > 10  # alternate tick labels between two rows
    for i, (label, count) in enumerate(bars):
        cx = x0 + slot * (i + 0.5)
        if count:
            y = _y_at(count, top)
            parts.append(
                f'<rect class="bar" x="{cx - slot * 0.4:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{_HEIGHT - _BOTTOM - y:.1f}" '
                f'data-count="{count}"><title>{escape(label)}: {count:,}</title></rect>'
                f'<text class="count" x="{cx:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle">{count:,}</text>'
            )
        parts.append(_x_tick(cx, label, row=i % 2 if crowded else 0))
    parts.append(_x_label(x_label))
    parts.append("</svg>")
    return "".join(parts)


def _open(label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" direction="ltr">'
        f'<line class="axis" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" '
        f'y1="{_HEIGHT - _BOTTOM}" y2="{_HEIGHT - _BOTTOM}"/>'
    )


def _y_at(count: int, top: int, *, log: bool = False) -> float:
    span = _HEIGHT - _BOTTOM - _TOP
    share = math.log10(1 + count) / math.log10(1 + top) if log else count / top
    y = _HEIGHT - _BOTTOM - share * span
    return min(y, _HEIGHT - _BOTTOM - 1)  # a count of 1 still shows


def _y_axis(top: int, label: str, *, log: bool = False) -> list[str]:
    parts = []
    if log:  # 0, 1, 10, 100 ... top (a power of ten)
        ticks = [0, *(10**e for e in range(len(str(top))))]
    else:
        ticks = [0, top // 2, top] if top >= 2 else [0, top]
    for tick in ticks:
        y = _y_at(tick, top, log=log) if tick else _HEIGHT - _BOTTOM
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:,}</text>'
        )
    middle = (_TOP + _HEIGHT - _BOTTOM) / 2
    parts.append(
        f'<text class="label" x="14" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.1f})">{escape(label)}</text>'
    )
    return parts


def _axis_top(value: int, *, log: bool) -> int:
    """Where the count axis ends: a round number (:func:`_nice_max`), or on a
    log axis the smallest power of ten, 10 at least, that is at least ``value``.

    >>> _axis_top(7, log=True), _axis_top(1_000, log=True), _axis_top(1_001, log=True)
    (10, 1000, 10000)
    """
    if not log:
        return _nice_max(value)
    return max(10, int(10 ** len(str(max(value - 1, 0)))))


def _x_tick(x: float, label: str, *, row: int = 0) -> str:
    y = _HEIGHT - _BOTTOM
    return (
        f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4 + 13 * row}"/>'
        f'<text class="tick" x="{x:.1f}" y="{y + 17 + 13 * row}" text-anchor="middle">'
        f"{escape(label)}</text>"
    )


def _x_label(label: str) -> str:
    return (
        f'<text class="label" x="{(_LEFT + _WIDTH - _RIGHT) / 2:.1f}" y="{_HEIGHT - 8}" '
        f'text-anchor="middle">{escape(label)}</text>'
    )


def _nice_max(value: int) -> int:
    """The smallest 1, 2, 3 or 5 times a power of ten that is at least ``value``
    (and at least 1), so the y axis ends on a round number.

    >>> [_nice_max(v) for v in (0, 1, 3, 7, 12, 4_900)]
    [1, 1, 3, 10, 20, 5000]
    """
    if value <= 1:
        return 1
    power = int(10 ** (len(str(value - 1)) - 1))
    for factor in (1, 2, 3, 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power  # unreachable: 10 * power > value
