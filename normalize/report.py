"""The HTML report of a cleaning run: one self-contained file to open in a browser.

The clean pipeline fills a :class:`ReportData`; :func:`render_report` turns it
into a single HTML5 page (inline CSS, charts as inline SVG, no script and no
external resource of any kind; a Content-Security-Policy forbids both) and
:func:`write_report` writes it atomically. Every piece of document text, every
id and every file name is escaped, so a document holding ``<script>`` shows
the tag as text. Each block of document text, and each line inside it, gets
its direction from the majority of its letters: ``dir="rtl" lang="ar"`` for
Arabic, ``dir="auto"`` otherwise (unlike ``unicode-bidi: plaintext``, which
takes the first letter, this keeps an Arabic line that starts with a Latin
name right-to-left); ids and file names are isolated in ``<bdi>``.

Caps, so that a run over 100,000 documents gives a page under 10 MB that opens
in well under 3 seconds (applied when the ``ReportData`` is built, in time
linear in the input, so callers may pass full lists):

- the :data:`MAX_CLUSTERS` (20) largest clusters, each with at most
  :data:`MAX_MEMBERS` (5) removed documents, the least similar first (they
  say most about the threshold);
- each document text cut to :data:`MAX_TEXT` (2,000) characters and
  :data:`MAX_TEXT_LINES` (100) lines, with a visible "… shortened" note; the
  two sides of a pair stop at the same point of their word alignment, so the
  end of one never looks like words missing from the other;
- at most :data:`MAX_LINE_EXAMPLES` (20) example lines per reason, each cut
  to :data:`MAX_LINE_TEXT` (500) characters;
- at most :data:`MAX_INPUTS` (50) input names listed;
- pair similarities and cluster sizes are binned with numpy: only counts are
  written, never the raw values.

The side-by-side diff compares the words' keys (the ``key_profile``
normalization, ``dedup`` by default, the one duplicates were found with) and
shows the original words: a word that differs only in diacritics, tatweel,
letter variants (أ/ا, ة/ه, ى/ي) or invisible marks is not marked. The
similarity histogram follows the MinHash estimate's resolution, ``1/num_perm``,
and switches to a logarithmic count axis when small bins would be invisible.

>>> data = ReportData(
...     title="demo", command="tanqiya clean a.txt", inputs=["a.txt"], threshold=0.8,
...     options={"num_perm": 128},
...     stage_counts=[StageCount("read", 3, 9, 0, 0), StageCount("exact", 3, 9, 1, 3)],
...     clusters=[Cluster(7, "a:1", "خبر عاجل", [RemovedDocument("a:2", "خبر", 1.0, "exact")])],
... )
>>> page = render_report(data)
>>> page.startswith("<!DOCTYPE html>"), page.count('<section class="cluster"')
(True, 1)
"""

from __future__ import annotations

import dataclasses
import heapq
import os
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from normalize._html import CSS, MAX_TEXT_LINES, direction, esc, shown_text, side_by_side
from normalize._svg import bar_chart_svg, histogram_svg, similarity_histogram, size_buckets
from normalize.io import open_output
from normalize.options import NormalizeOptions, resolve
from normalize.text import Normalizer

MAX_CLUSTERS: Final = 20
MAX_MEMBERS: Final = 5
MAX_TEXT: Final = 2_000
MAX_LINE_EXAMPLES: Final = 20
MAX_LINE_TEXT: Final = 500
MAX_INPUTS: Final = 50
LOG_SCALE_RATIO: Final = 20
"""The similarity histogram's count axis turns logarithmic when its tallest
bar is more than this many times its shortest non-empty one (which would be
under 1/20 of the height, a few pixels)."""


class StageCount(NamedTuple):
    """One row of the counts table. A stage that removes documents counts
    their lines in ``lines_removed`` too. Each stage's kept counts are the next
    stage's input, so kept + removed = input holds for the whole run.
    """

    stage: str
    documents_in: int
    lines_in: int
    documents_removed: int
    lines_removed: int

    @property
    def documents_kept(self) -> int:
        return self.documents_in - self.documents_removed

    @property
    def lines_kept(self) -> int:
        return self.lines_in - self.lines_removed


class RemovedDocument(NamedTuple):
    """A removed cluster member: ``similarity`` is the MinHash similarity to
    the kept document (``None`` when not measured, as for most exact copies),
    ``reason`` is ``"exact"`` or ``"near"``."""

    id: str
    text: str
    similarity: float | None
    reason: str


class Cluster(NamedTuple):
    """A duplicate cluster: its id, the kept document and the removed ones.
    ``size`` counts every member, the kept one included; ``None`` means
    ``1 + len(removed)`` (pass it when ``removed`` is already cut short)."""

    cluster: int | str
    kept_id: str
    kept_text: str
    removed: Sequence[RemovedDocument]
    size: int | None = None

    @property
    def total(self) -> int:
        return 1 + len(self.removed) if self.size is None else self.size


class LineExample(NamedTuple):
    """A removed line: document id, 1-based line number, the line's text and
    the text of the kept copy (``None`` when there is no single one, as for
    corpus-wide boilerplate)."""

    document: str
    line: int
    text: str
    kept: str | None


class LineRemovals(NamedTuple):
    """Lines removed for one reason: how many, and some examples."""

    total: int
    examples: Sequence[LineExample] = ()


@dataclasses.dataclass(frozen=True)
class ReportData:
    """Everything the report shows; built once by the clean pipeline.

    Fields: ``title`` of the page; the ``command`` line as run; the
    ``inputs`` (file names); the near-duplicate ``threshold``; ``options``,
    an ordered name → value map shown as a table (num_perm, ngram, profile,
    version strings, …); ``stage_counts``, one :class:`StageCount` per stage
    in order (checked: each stage's input is the previous stage's kept count);
    ``pair_similarities``, the similarity of every near-duplicate pair that
    was verified, in [0, 1]; ``cluster_sizes``, the size (≥ 2) of every
    cluster; ``clusters``, :class:`Cluster` objects (any number: the largest
    are kept); ``line_removals``, reason (``line-adjacent``,
    ``line-document``, ``line-corpus``) → :class:`LineRemovals`;
    ``num_perm``, the MinHash signature length, whose ``1/num_perm`` steps
    the similarity histogram follows (default: ``options["num_perm"]`` when
    that is an int); ``key_profile``, the normalization the side-by-side diff
    compares words with (default ``dedup``).

    Building it applies the caps of this module (see its docstring) and
    raises ValueError on counts that do not reconcile or values out of range.
    """

    title: str
    command: str
    inputs: Sequence[str]
    threshold: float
    options: Mapping[str, object]
    stage_counts: Sequence[StageCount]
    pair_similarities: npt.ArrayLike = ()
    cluster_sizes: npt.ArrayLike = ()
    clusters: Sequence[Cluster] = ()
    line_removals: Mapping[str, LineRemovals] = dataclasses.field(default_factory=dict)
    num_perm: int | None = None
    key_profile: str | NormalizeOptions = "dedup"

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            msg = f"threshold must be in [0, 1], got {self.threshold!r}"
            raise ValueError(msg)
        num_perm = self.num_perm
        if num_perm is None:
            given = self.options.get("num_perm")
            num_perm = given if isinstance(given, int) and not isinstance(given, bool) else None
        if num_perm is not None and num_perm < 1:
            msg = f"num_perm must be at least 1, got {num_perm!r}"
            raise ValueError(msg)
        resolve(self.key_profile)  # an unknown profile fails here, not when rendering
        stages = tuple(StageCount(*row) for row in self.stage_counts)
        _check_stages(stages)
        similarities = np.asarray(self.pair_similarities, dtype=np.float64).ravel()
        if similarities.size and not (
            np.isfinite(similarities).all() and similarities.min() >= 0 and similarities.max() <= 1
        ):
            msg = "pair_similarities must be finite and in [0, 1]"
            raise ValueError(msg)
        sizes = np.asarray(self.cluster_sizes, dtype=np.int64).ravel()
        if sizes.size and sizes.min() < 2:
            msg = f"cluster sizes must be at least 2, got {int(sizes.min())}"
            raise ValueError(msg)
        clusters = tuple(
            c._replace(
                size=c.total, removed=tuple(heapq.nsmallest(MAX_MEMBERS, c.removed, key=_sim))
            )
            for c in heapq.nlargest(MAX_CLUSTERS, self.clusters, key=lambda c: c.total)
        )
        lines = {
            reason: LineRemovals(r.total, tuple(islice(r.examples, MAX_LINE_EXAMPLES)))
            for reason, r in self.line_removals.items()
        }
        for reason, r in lines.items():
            if r.total < len(r.examples):
                msg = f"line_removals[{reason!r}]: total {r.total} < {len(r.examples)} examples"
                raise ValueError(msg)
        for name, value in (
            ("inputs", tuple(self.inputs)),
            ("stage_counts", stages),
            ("pair_similarities", similarities),
            ("cluster_sizes", sizes),
            ("clusters", clusters),
            ("line_removals", lines),
            ("num_perm", num_perm),
        ):
            object.__setattr__(self, name, value)


def _sim(member: RemovedDocument) -> float:
    """The member's similarity, an unmeasured (exact) copy counting as 1.0."""
    return 1.0 if member.similarity is None else member.similarity


def _check_stages(stages: Sequence[StageCount]) -> None:
    if not stages:
        msg = "stage_counts is empty: a run has at least one stage"
        raise ValueError(msg)
    previous: StageCount | None = None
    for row in stages:
        if min(row[1:]) < 0 or row.documents_kept < 0 or row.lines_kept < 0:
            msg = f"stage {row.stage!r}: counts must be >= 0 and removed <= in, got {row}"
            raise ValueError(msg)
        if previous and (row.documents_in, row.lines_in) != (
            previous.documents_kept,
            previous.lines_kept,
        ):
            msg = (
                f"stage {row.stage!r} gets {row.documents_in} documents and {row.lines_in} "
                f"lines, but stage {previous.stage!r} kept {previous.documents_kept} and "
                f"{previous.lines_kept}"
            )
            raise ValueError(msg)
        previous = row


def render_report(data: ReportData) -> str:
    """The report as one self-contained HTML5 page (see the module docstring)."""
    first, last = data.stage_counts[0], data.stage_counts[-1]
    summary = (
        f"{first.documents_in:,} documents in, {last.documents_kept:,} kept, "
        f"{first.documents_in - last.documents_kept:,} removed · {first.lines_in:,} lines in, "
        f"{last.lines_kept:,} kept, {first.lines_in - last.lines_kept:,} removed"
    )
    body = [
        f"<header><h1><bdi>{esc(data.title)}</bdi></h1><p class=summary>{summary}</p>",
        '<nav><a href="#run">Run</a> <a href="#counts">Counts</a> '
        '<a href="#similarity">Similarity</a> <a href="#sizes">Cluster sizes</a> '
        '<a href="#clusters">Clusters</a> <a href="#lines">Lines</a></nav></header><main>',
        _run_section(data),
        _counts_section(data.stage_counts),
        _similarity_section(data),
        _sizes_section(data),
        _clusters_section(data.clusters, Normalizer(data.key_profile)),
        _lines_section(data.line_removals),
        "</main><footer><p>",
        _caps_note(),
        "</p></footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{esc(data.title)}</title><style>{CSS}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )


def write_report(data: ReportData, path: str | os.PathLike[str]) -> None:
    """Render and write the report to ``path`` atomically: a temporary file
    in the same folder, renamed over ``path`` only when complete (and removed
    on any error, leaving an existing ``path`` untouched). Lone surrogates in
    the text are written as ``?``."""
    page = render_report(data).encode("utf-8", "replace")
    with open_output(path) as out:
        out.write(page)


def _shown(value: object) -> str:
    """An option's value as a reader would write it: on/off, not True/None.

    >>> [_shown(v) for v in (None, True, False, 0.8, "document")]
    ['off', 'on', 'off', '0.8', 'document']
    """
    if value is None or value is False:
        return "off"
    if value is True:
        return "on"
    return str(value)


def _run_section(data: ReportData) -> str:
    inputs = "".join(f"<li><bdi>{esc(name)}</bdi></li>" for name in data.inputs[:MAX_INPUTS])
    if len(data.inputs) > MAX_INPUTS:
        inputs += f"<li>… and {len(data.inputs) - MAX_INPUTS:,} more</li>"
    rows = [("threshold", f"{data.threshold:g}"), *data.options.items()]
    options = "".join(
        f"<tr><th>{esc(k)}</th><td><bdi>{esc(_shown(v))}</bdi></td></tr>" for k, v in rows
    )
    return (
        f'<section id="run"><h2>Run</h2><p>Command</p><pre class="command" dir="ltr">'
        f"{esc(data.command)}</pre><p>Inputs ({len(data.inputs):,})</p><ul>{inputs}</ul>"
        f'<div class="scroll"><table class="options">{options}</table></div></section>'
    )


def _counts_section(stages: Sequence[StageCount]) -> str:
    head = (
        "<tr><th>Stage</th><th>Documents in</th><th>Removed</th><th>Kept</th>"
        "<th>Lines in</th><th>Removed</th><th>Kept</th></tr>"
    )

    def row(name: str, numbers: Iterable[int], cls: str = "") -> str:
        cells = "".join(f"<td>{n:,}</td>" for n in numbers)
        return f"<tr{cls}><th>{esc(name)}</th>{cells}</tr>"

    rows = [
        row(
            s.stage,
            (
                s.documents_in,
                s.documents_removed,
                s.documents_kept,
                s.lines_in,
                s.lines_removed,
                s.lines_kept,
            ),
        )
        for s in stages
    ]
    first, last = stages[0], stages[-1]
    removed_docs = sum(s.documents_removed for s in stages)
    removed_lines = sum(s.lines_removed for s in stages)
    total = (first.documents_in, removed_docs, last.documents_kept)
    total_lines = (first.lines_in, removed_lines, last.lines_kept)
    check = (
        f"kept + removed = input: {last.documents_kept:,} + {removed_docs:,} = "
        f"{first.documents_in:,} documents; {last.lines_kept:,} + {removed_lines:,} = "
        f"{first.lines_in:,} lines."
    )
    return (
        f'<section id="counts"><h2>Counts per stage</h2><div class="scroll"><table class="counts">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody>"
        f"<tfoot>{row('Total', (*total, *total_lines), ' class=total')}</tfoot></table></div>"
        f'<p class="check">{check}</p></section>'
    )


def _similarity_section(data: ReportData) -> str:
    values = np.asarray(data.pair_similarities, dtype=np.float64)
    title = '<section id="similarity"><h2>Near-duplicate pair similarity</h2>'
    if not values.size:
        return f"{title}<p>No near-duplicate pairs were verified.</p></section>"
    hist = similarity_histogram(values, threshold=data.threshold, num_perm=data.num_perm)
    filled = hist.counts[hist.counts > 0]
    log = int(filled.max()) > LOG_SCALE_RATIO * int(filled.min())
    over = int(np.count_nonzero(values >= data.threshold))
    if hist.step is None:
        bins = f"Bins of {float(hist.edges[1] - hist.edges[0]):.4g}."
    else:
        n = round(1 / hist.step)
        per_bin = round((float(hist.edges[1]) - float(hist.edges[0])) * n)
        bins = f"The MinHash estimate moves in steps of 1/{n} (num_perm {n}): " + (
            "one bar per possible value." if per_bin == 1 else f"each bar covers {per_bin} steps."
        )
    scale = " The count axis is logarithmic, so that small bins stay visible." if log else ""
    return (
        f"{title}<p>{values.size:,} candidate pairs verified: {over:,} at or above the "
        f"threshold {data.threshold:g} (<span class=swatch-over></span> duplicates), "
        f"{values.size - over:,} below it (<span class=swatch></span> kept apart). "
        f"{bins}{scale} Hover a bar for its count.</p>"
        f'<div class="scroll">{histogram_svg(hist, threshold=data.threshold, log=log)}</div>'
        "</section>"
    )


def _sizes_section(data: ReportData) -> str:
    sizes = np.asarray(data.cluster_sizes, dtype=np.int64)
    title = '<section id="sizes"><h2>Cluster sizes</h2>'
    if not sizes.size:
        return f"{title}<p>No duplicate clusters.</p></section>"
    chart = bar_chart_svg(
        size_buckets(sizes), x_label="cluster size (documents)", y_label="clusters"
    )
    return (
        f"{title}<p>{sizes.size:,} clusters holding {int(sizes.sum()):,} documents; the "
        f'largest has {int(sizes.max()):,}.</p><div class="scroll">{chart}</div></section>'
    )


def _clusters_section(clusters: Sequence[Cluster], normalizer: Normalizer) -> str:
    title = (
        f'<section id="clusters"><h2>Largest clusters</h2><p>The {MAX_CLUSTERS} largest '
        f"clusters at most, each with up to {MAX_MEMBERS} removed documents, least similar "
        f"first. Each removed document is shown beside the kept one. Words are compared by "
        f"their <bdi>{esc(normalizer.options.name)}</bdi> keys: differences in diacritics, "
        f"tatweel, letter variants, punctuation or invisible marks are not marked. Legend: "
        f"<del>word</del> only in the kept document, <ins>word</ins> only in the removed one. "
        f"A long pair is shortened at the same point on both sides.</p>"
    )
    if not clusters:
        return f"{title}<p>No duplicate clusters.</p></section>"
    blocks = (_cluster_block(i, c, normalizer) for i, c in enumerate(clusters, 1))
    return title + "".join(blocks) + "</section>"


def _cluster_block(index: int, cluster: Cluster, normalizer: Normalizer) -> str:
    shown = len(cluster.removed)
    more = f"; showing {shown}" if shown < cluster.total - 1 else ""
    parts = [
        f'<section class="cluster" id="cluster-{index}" data-cluster="{esc(cluster.cluster)}">'
        f"<h3>Cluster <bdi>{esc(cluster.cluster)}</bdi> · {cluster.total:,} "
        f"documents: 1 kept, {cluster.total - 1:,} removed{more}</h3>"
    ]
    kept = cluster.kept_text
    for member in cluster.removed:
        pair = side_by_side(kept, member.text, limit=MAX_TEXT, keys=normalizer.normalize_many)
        note = pair.removed_note
        if member.text == kept:
            note = f'<p class="note">identical to the kept text</p>{note}'
        elif pair.same_words:
            shown_part = " in the part shown" if pair.kept_note or note else ""
            note = (
                f'<p class="note">the same words as the kept text{shown_part}, once normalized: '
                f"the differences are in diacritics, letter variants, punctuation or "
                f"spacing</p>{note}"
            )
        similarity = "" if member.similarity is None else f" · similarity {member.similarity:.3f}"
        parts.append(
            f'<div class="pair"><div class="side kept"><p class="who">kept · '
            f'<bdi class="id">{esc(cluster.kept_id)}</bdi></p>'
            f'<div class="doc"{direction(kept)}>{pair.kept}</div>{pair.kept_note}</div>'
            f'<div class="side removed"><p class="who">removed · '
            f'<bdi class="id">{esc(member.id)}</bdi> · {esc(member.reason)}'
            f'{similarity}</p><div class="doc"{direction(member.text)}>{pair.removed}</div>'
            f"{note}</div></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _lines_section(removals: Mapping[str, LineRemovals]) -> str:
    parts = ['<section id="lines"><h2>Removed duplicate lines</h2>']
    if not removals:
        parts.append("<p>No lines were removed.</p>")
    for reason, found in removals.items():
        shown = len(found.examples)
        parts.append(
            f'<h3 class="reason">{esc(reason)}: {found.total:,} lines removed'
            f"{f' (showing {shown})' if shown < found.total else ''}</h3>"
        )
        if not found.examples:
            continue
        rows = [
            f"<tr><td><bdi>{esc(ex.document)}</bdi></td><td>{ex.line:,}</td>"
            f"{_line_cell(ex.text)}{_line_cell(ex.kept)}</tr>"
            for ex in found.examples
        ]
        parts.append(
            '<div class="scroll"><table class="lines"><thead><tr><th>Document</th><th>Line</th>'
            f"<th>Removed line</th><th>Kept copy</th></tr></thead><tbody>{''.join(rows)}"
            "</tbody></table></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _line_cell(text: str | None) -> str:
    if text is None:
        return '<td class="none">—</td>'
    shown, note = shown_text(text, MAX_LINE_TEXT)
    return f'<td><div class="doc"{direction(shown)}>{esc(shown)}</div>{note}</td>'


def _caps_note() -> str:
    return (
        f"Shown at most: the {MAX_CLUSTERS} largest clusters, {MAX_MEMBERS} removed documents "
        f"per cluster, the first {MAX_TEXT:,} characters and {MAX_TEXT_LINES} lines of each "
        "document, "
        f"{MAX_LINE_EXAMPLES} example lines per reason ({MAX_LINE_TEXT} characters each), "
        f"{MAX_INPUTS} input names. Charts count every pair and every cluster."
    )
