"""The HTML report: escaping, caps, charts, counts, direction, atomic write, and a real browser."""

from __future__ import annotations

import contextlib
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pytest

from normalize import ReportData, render_report, write_report
from normalize._html import side_by_side
from normalize._svg import similarity_histogram, size_buckets
from normalize.io import OutputError, open_output
from normalize.report import (
    MAX_CLUSTERS,
    MAX_LINE_EXAMPLES,
    MAX_MEMBERS,
    MAX_TEXT,
    MAX_TEXT_LINES,
    Cluster,
    LineExample,
    LineRemovals,
    RemovedDocument,
    StageCount,
)
from normalize.text import Normalizer

SCRIPT = "<script>document.title='HACKED'</script>"
NEWS = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض بسعة خمسمئة سرير.\n"
    "وقال المتحدث باسم الوزارة إن المشروع يأتي ضمن خطة تطوير القطاع الصحي."
)
NEWS_EDITED = NEWS.replace("خمسمئة", "ستمئة").replace("اليوم", "صباح اليوم")
OIL = "ارتفعت أسعار النفط يوم الثلاثاء وصعد خام برنت إلى 84 دولاراً للبرميل."
LATIN = "Reuters: the central bank kept rates unchanged on Thursday."
TITLE = "Cleaning report"


def stages(docs: int = 10, lines: int = 40) -> list[StageCount]:
    return [
        StageCount("text repair", docs, lines, 0, 0),
        StageCount("lines", docs, lines, 0, 5),
        StageCount("exact", docs, lines - 5, 2, 7),
        StageCount("near", docs - 2, lines - 12, 3, 9),
    ]


def small_data(**changes: object) -> ReportData:
    fields: dict[str, object] = {
        "title": TITLE,
        "command": "tanqiya clean news.jsonl --report report.html",
        "inputs": ["news.jsonl"],
        "threshold": 0.8,
        "options": {"num_perm": 128, "ngram": 5, "profile": "dedup"},
        "stage_counts": stages(),
        "pair_similarities": [0.55, 0.79, 0.81, 0.9, 0.97],
        "cluster_sizes": [2, 2, 3],
        "clusters": [
            Cluster(1, "news:1", NEWS, [RemovedDocument("news:2", NEWS_EDITED, 0.86, "near")]),
            Cluster(
                2,
                "news:3",
                f"{SCRIPT} {OIL}",
                [
                    RemovedDocument("news:4", f"{SCRIPT} {OIL}", None, "exact"),
                    RemovedDocument("news:5", f"{OIL} {SCRIPT}", 0.83, "near"),
                ],
            ),
            Cluster(3, "wire:1", LATIN, [RemovedDocument("wire:2", LATIN + "!", 0.9, "near")]),
        ],
        "line_removals": {
            "line-adjacent": LineRemovals(3, [LineExample("news:1", 2, "عاجل: خبر", "عَاجِل: خبر")]),
            "line-corpus": LineRemovals(2, [LineExample("news:7", 9, "جميع الحقوق محفوظة", None)]),
        },
    }
    fields.update(changes)
    return ReportData(**fields)  # type: ignore[arg-type]


class DomText(HTMLParser):
    """Text nodes with the direction and language of their nearest ancestors,
    plus every start tag."""

    VOID = frozenset(
        [
            "area",
            "base",
            "br",
            "col",
            "embed",
            "hr",
            "img",
            "input",
            "link",
            "meta",
            "source",
            "track",
            "wbr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[str | None, str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        found = [a for _, a in reversed(self.stack)]
        direction = next((a["dir"] for a in found if "dir" in a), None)
        lang = next((a["lang"] for a in found if "lang" in a), None)
        self.texts.append((direction, lang, data))

    def text_in(self, direction: str, lang: str | None = None) -> str:
        return "".join(
            t for d, la, t in self.texts if d == direction and (lang is None or la == lang)
        )

    def count(self, tag: str, cls: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and cls in (a.get("class") or "").split())


def parse(page: str) -> DomText:
    dom = DomText()
    dom.feed(page)
    dom.close()
    return dom


# --- escaping and self-containment ------------------------------------------------------


def test_document_text_ids_and_names_are_escaped() -> None:
    hostile = '<script>alert(1)</script>" onmouseover="alert(2)'
    data = small_data(
        title=hostile,
        command=hostile,
        inputs=[hostile],
        options={hostile: hostile},
        clusters=[
            Cluster(hostile, hostile, hostile, [RemovedDocument(hostile, hostile, 0.9, hostile)])
        ],
        line_removals={hostile: LineRemovals(1, [LineExample(hostile, 1, hostile, hostile)])},
    )
    page = render_report(data)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)" in page
    assert "<script" not in page.lower()
    assert 'onmouseover="' not in page
    dom = parse(page)
    assert not [t for t, _ in dom.tags if t == "script"]
    assert "<script>alert(1)</script>" in "".join(t for _, _, t in dom.texts)


def test_no_external_references() -> None:
    page = render_report(small_data())
    for needle in ("http://", "https://", "src=", "@import", "url(", "<link", "<img", "<iframe"):
        assert needle not in page.lower(), needle
    assert re.findall(r'href="([^"]*)"', page)
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    assert "default-src 'none'" in page  # the CSP forbids scripts and fetches anyway
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert 'name="viewport"' in page


# --- charts -----------------------------------------------------------------------------


def bars(section: str) -> list[tuple[str, float, float, int]]:
    """(class, x, width, count) of each bar of a chart."""
    found = re.findall(
        r'<rect class="([^"]*)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)" '
        r'height="[\d.]+" data-count="(\d+)"',
        section,
    )
    return [(cls, float(x), float(w), int(n)) for cls, x, w, n in found]


def similarity_section(page: str) -> str:
    return page[page.index('id="similarity"') : page.index('id="sizes"')]


def test_histogram_bins_sum_to_pairs_and_mark_the_threshold() -> None:
    # values off the 1/num_perm grid (an exact Jaccard, say): fixed-width bins
    rng = np.random.default_rng(7)
    values = rng.uniform(0.3, 1.0, 10_001)
    edges, counts, split, step = similarity_histogram(values, threshold=0.8, num_perm=128)
    assert (split, step) == (0.8, None)
    assert int(counts.sum()) == values.size
    assert edges[0] <= values.min()
    assert edges[-1] == 1.0
    assert int(similarity_histogram([1.0, 0.0], threshold=0.5)[1].sum()) == 2

    page = render_report(small_data(pair_similarities=values, threshold=0.8))
    section = similarity_section(page)
    drawn = bars(section)
    assert sum(n for *_, n in drawn) == values.size
    over = sum(n for cls, *_, n in drawn if "over" in cls.split())
    assert over == int(np.count_nonzero(values >= 0.8))
    assert 'class="threshold"' in section
    assert "threshold 0.8<" in section
    assert f"{values.size:,} candidate pairs verified" in section
    assert not re.search(r"0\.\d{6,}", section)  # binned counts, never the raw values


def test_histogram_follows_the_minhash_resolution() -> None:
    # MinHash estimates are multiples of 1/128: one bar per possible value, no
    # empty bins between filled ones (a comb), the line between 102/128 and 103/128
    n = 128
    steps = np.arange(90, n + 1).repeat(3)
    values = steps / n
    hist = similarity_histogram(values, threshold=0.8, num_perm=n)
    assert hist.step == 1 / n
    assert hist.split == 102.5 / n
    assert int(hist.counts.sum()) == values.size
    assert (hist.counts == 3).all()  # every bin holds exactly one possible value
    assert np.allclose(np.diff(hist.edges), 1 / n)

    page = render_report(small_data(pair_similarities=values, threshold=0.8))  # num_perm 128
    section = similarity_section(page)
    assert "steps of 1/128 (num_perm 128): one bar per possible value" in section
    drawn = bars(section)
    assert len(drawn) == len(hist.counts)
    over = [(x, w) for cls, x, w, _ in drawn if "over" in cls.split()]
    under = [(x, w) for cls, x, w, _ in drawn if "over" not in cls.split()]
    assert sum(1 for s in steps if s >= 103) == 3 * len(over)
    line = re.search(r'<line class="threshold" x1="([\d.]+)"', section)
    assert line is not None
    x = float(line.group(1))
    assert max(x + w for x, w in under) <= x + 0.1  # every bar left of the line is below
    assert min(x for x, _ in over) >= x - 0.1  # and every bar right of it at or above
    assert "103/128 (0.805): 3 pairs" in section  # the hover title names the value

    # wider bins hold a whole number of steps, the threshold starting one of them
    hist = similarity_histogram(np.arange(0, n + 1) / n, threshold=0.8, num_perm=n)
    widths = np.diff(hist.edges) * n
    assert np.allclose(widths, round(widths[0]))
    assert round(widths[0]) > 1
    assert np.isclose(hist.edges, 102.5 / n).any()
    assert (hist.counts[1:-1] == round(widths[0])).all()  # only the end bins may be short


def test_histogram_small_bins_stay_visible() -> None:
    values = np.concatenate([np.full(5_000, 1.0), [90 / 128, 100 / 128], np.full(40, 120 / 128)])
    section = similarity_section(render_report(small_data(pair_similarities=values)))
    assert "pairs (log scale)" in section
    assert "The count axis is logarithmic" in section
    for tick in (">1<", ">10<", ">100<", ">1,000<", ">10,000<"):
        assert tick in section, tick
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" data-count="1"', section)]
    assert heights
    assert min(heights) > 10

    # counts of a similar size keep a linear axis
    even = np.arange(103, 129).repeat(5) / 128
    section = similarity_section(render_report(small_data(pair_similarities=even)))
    assert "log scale" not in section


def test_cluster_size_chart_counts_every_cluster() -> None:
    sizes = [2] * 50 + [3] * 7 + [12, 250, 4000]
    buckets = size_buckets(sizes)
    assert sum(n for _, n in buckets) == len(sizes)
    assert buckets[0] == ("2", 50)
    assert buckets[-1] == ("2000–4999", 1)
    page = render_report(small_data(cluster_sizes=sizes))
    section = page[page.index('id="sizes"') : page.index('id="clusters"')]
    assert sum(int(n) for n in re.findall(r'data-count="(\d+)"', section)) == len(sizes)


def test_empty_run_renders() -> None:
    page = render_report(
        small_data(pair_similarities=[], cluster_sizes=[], clusters=[], line_removals={})
    )
    assert "No near-duplicate pairs were verified." in page
    assert page.count("No duplicate clusters.") == 2
    assert "No lines were removed." in page


# --- counts ---------------------------------------------------------------------------


def test_counts_reconcile() -> None:
    page = render_report(small_data())
    # 10 documents in, 5 removed, 5 kept; 40 lines in, 21 removed, 19 kept
    assert "kept + removed = input: 5 + 5 = 10 documents; 19 + 21 = 40 lines." in page
    total = re.search(r"<tr class=total>(.*?)</tr>", page)
    assert total is not None
    assert re.findall(r"<td>([\d,]+)</td>", total.group(1)) == ["10", "5", "5", "40", "21", "19"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "stage_counts is empty"),
        ([StageCount("a", 10, 40, 11, 0)], "removed <= in"),
        ([StageCount("a", 10, 40, 0, -1)], "counts must be >= 0"),
        ([StageCount("a", 10, 40, 1, 4), StageCount("b", 10, 36, 0, 0)], "stage 'b' gets 10"),
    ],
)
def test_counts_that_do_not_reconcile_are_refused(rows: list[StageCount], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        small_data(stage_counts=rows)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threshold", 1.5, "threshold must be in"),
        ("pair_similarities", [0.5, 1.2], "pair_similarities must be"),
        ("pair_similarities", [float("nan")], "pair_similarities must be"),
        ("cluster_sizes", [2, 1], "at least 2, got 1"),
        ("num_perm", 0, "num_perm must be at least 1"),
        ("key_profile", "nope", "unknown profile 'nope'"),
        (
            "line_removals",
            {"line-corpus": LineRemovals(0, [LineExample("d", 1, "x", None)])},
            "total 0",
        ),
    ],
)
def test_bad_values_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        small_data(**{field: value})


# --- direction and diff ---------------------------------------------------------------------


def test_arabic_blocks_are_right_to_left() -> None:
    dom = parse(render_report(small_data()))
    rtl = dom.text_in("rtl", "ar")
    assert NEWS.split("\n")[0] in rtl
    assert "عاجل: خبر" in rtl
    # an Arabic line that starts with a Latin tag still reads right to left
    assert f"{SCRIPT} {OIL}" in rtl
    assert LATIN in dom.text_in("auto")
    assert LATIN not in rtl
    page = render_report(small_data())
    assert '"Noto Naskh Arabic"' in page
    assert "sans-serif" in page


def test_word_diff_marks_changed_words() -> None:
    page = render_report(small_data())
    blocks = dict(re.findall(r'data-cluster="(\d)"(.*?)</section>', page))
    first = blocks["1"]
    assert "<del>خمسمئة</del>" in first
    assert "<ins>ستمئة</ins>" in first
    assert "<ins>صباح</ins>" in first
    assert "<del>word</del> only in the kept document" in page  # the legend
    assert "identical to the kept text" in blocks["2"]
    assert "identical to the kept text" not in first


KEYS = Normalizer("dedup").normalize_many


def marked(html: str) -> list[str]:
    return re.findall(r"<(?:del|ins)>(.*?)</(?:del|ins)>", html)


def test_diff_ignores_what_the_dedup_key_ignores() -> None:
    kept = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة."
    # diacritics, tatweel, alef/teh marbuta/alef maksura variants, a ZWNJ, an
    # RLM, punctuation: the same keys; one real change (جديد -> كبير)
    removed = "اعلنت وزاره الصِّحَّة اليـــوم عن افتتاح\u200c مستشفي كبير في المدينة\u200f!"
    pair = side_by_side(kept, removed, limit=MAX_TEXT, keys=KEYS)
    assert marked(pair.kept) == ["جديد"]
    assert marked(pair.removed) == ["كبير"]
    assert "وزاره الصِّحَّة اليـــوم" in pair.removed  # shown as written
    assert not pair.same_words

    data = small_data(
        clusters=[
            Cluster(
                1, "a", kept, [RemovedDocument("b", removed.replace("كبير", "جديد"), 0.9, "near")]
            )
        ]
    )
    page = render_report(data)
    block = page[page.index('data-cluster="1"') :]
    assert "<del>" not in block
    assert "<ins>" not in block
    assert "the same words as the kept text, once normalized" in block


def words(n: int, prefix: str = "كلمة") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@pytest.mark.parametrize("longer", ["kept", "removed"])
def test_long_pairs_are_cut_at_the_same_aligned_word(longer: str) -> None:
    body = " ".join(words(1_000))  # ~8,900 characters, far past MAX_TEXT
    extra = " ".join(words(60, "زيادة")) + " "  # 60 words only on one side, at the start
    kept, removed = (extra + body, body) if longer == "kept" else (body, extra + body)
    pair = side_by_side(kept, removed, limit=MAX_TEXT, keys=KEYS)
    left = re.sub(r"<[^>]+>", "", pair.kept).split()
    right = re.sub(r"<[^>]+>", "", pair.removed).split()
    assert left[-1] == right[-1]  # both end on the same word ...
    assert len(left) != len(right)  # ... though one side shows 60 more words
    shown = left if longer == "kept" else right
    assert len(" ".join(shown)) <= MAX_TEXT
    assert marked(pair.kept + pair.removed) == [" ".join(words(60, "زيادة"))]  # no fake tail
    assert "… shortened: " in pair.kept_note
    assert "… shortened: " in pair.removed_note
    assert f"of {len(kept):,} characters shown" in pair.kept_note


def test_cut_within_a_changed_block_and_by_lines() -> None:
    # the limit falls inside a block of different words: each side stops at its limit
    kept = " ".join(words(600, "قديم"))
    removed = " ".join(words(600, "جديد"))
    pair = side_by_side(kept, removed, limit=MAX_TEXT, keys=KEYS)
    assert len(re.sub(r"<[^>]+>", "", pair.kept)) <= MAX_TEXT
    assert len(re.sub(r"<[^>]+>", "", pair.removed)) <= MAX_TEXT
    assert pair.kept_note
    assert pair.removed_note
    # one word per line: cut at MAX_TEXT_LINES lines on both sides, aligned
    lines = "\n".join(words(300))
    pair = side_by_side(lines, "مقدمة\n" + lines, limit=MAX_TEXT, keys=KEYS)
    assert pair.removed.count('class="ln"') == MAX_TEXT_LINES
    assert pair.kept.count('class="ln"') == MAX_TEXT_LINES - 1
    assert marked(pair.kept + pair.removed) == ["مقدمة"]
    # a first word longer than the limit is cut inside it
    pair = side_by_side("ب" * 5_000, "ب" * 5_000, limit=MAX_TEXT, keys=KEYS)
    assert pair.kept.count("ب") == MAX_TEXT
    # short texts are whole, with no note
    pair = side_by_side(NEWS, NEWS_EDITED, limit=MAX_TEXT, keys=KEYS)
    assert (pair.kept_note, pair.removed_note) == ("", "")


# --- caps --------------------------------------------------------------------------------------


def test_caps_are_applied_when_building() -> None:
    long_text = "كلمة " * 1_000  # 5,000 characters
    clusters = [
        Cluster(
            i,
            f"d{i}",
            long_text,
            [RemovedDocument(f"d{i}-{j}", long_text, 0.8 + j / 100, "near") for j in range(i % 9)],
        )
        for i in range(500)
    ]
    many = [LineExample("d", n, "سطر", None) for n in range(1, 1_001)]
    data = small_data(
        clusters=clusters,
        inputs=[f"part-{i}.jsonl" for i in range(75)],
        line_removals={"line-corpus": LineRemovals(1_000, many)},
    )
    assert len(data.clusters) == MAX_CLUSTERS
    assert all(c.total == 9 for c in data.clusters)  # the largest: 1 kept + 8 removed
    assert all(len(c.removed) == MAX_MEMBERS for c in data.clusters)
    sims = [m.similarity for m in data.clusters[0].removed]
    assert sims == sorted(sims)
    assert sims[0] == 0.8
    assert len(data.line_removals["line-corpus"].examples) == MAX_LINE_EXAMPLES

    page = render_report(data)
    dom = parse(page)
    assert dom.count("section", "cluster") == MAX_CLUSTERS
    assert dom.count("div", "pair") == MAX_CLUSTERS * MAX_MEMBERS
    assert "… shortened: 1,999 of 5,000 characters shown" in page
    assert "showing 5" in page
    assert "(showing 20)" in page
    assert "… and 25 more" in page
    assert f"the first {MAX_TEXT:,} characters" in page
    assert "long_text" not in page
    assert long_text not in page


def test_report_for_100k_documents_is_capped() -> None:
    """Caps keep the page small whatever the corpus holds (its build and open
    times are measured in benchmarks/bench_clean.py, not here)."""
    rng = np.random.default_rng(0)
    n_docs = 100_000
    paragraph = (NEWS + "\n") * 40  # ~6,000 characters, longer than shown
    lines_doc = "\n" * 5_000  # a pathological document: thousands of blank lines
    repeated = "و " * 3_000  # and one word repeated: the diff's worst case
    markup = "<&\"'> " * 1_000  # escaping makes it five times longer
    clusters = [
        Cluster(
            f"c{i}",
            f"doc:{i}",
            (paragraph, lines_doc, repeated, markup)[i % 4],
            [
                RemovedDocument(
                    f"doc:{i}:{j}",
                    (NEWS_EDITED, NEWS_EDITED, repeated, markup[::-1])[i % 4],
                    0.9,
                    "near",
                )
                for j in range(2 + i % 7)
            ],
        )
        for i in range(20_000)
    ]
    examples = [LineExample(f"doc:{i}", i, paragraph[:900], paragraph[:900]) for i in range(20_000)]
    data = ReportData(
        title="100k",
        command="tanqiya clean big.jsonl",
        inputs=[f"shard-{i:05d}.jsonl" for i in range(1_000)],
        threshold=0.8,
        options={"num_perm": 128},
        stage_counts=[
            StageCount("lines", n_docs, 2_000_000, 0, 100_000),
            StageCount("exact", n_docs, 1_900_000, 10_000, 190_000),
            StageCount("near", 90_000, 1_710_000, 40_000, 760_000),
        ],
        pair_similarities=rng.uniform(0.5, 1.0, 500_000),
        cluster_sizes=rng.integers(2, 300, 30_000),
        clusters=clusters,
        line_removals={
            reason: LineRemovals(len(examples), examples)
            for reason in ("line-adjacent", "line-document", "line-corpus")
        },
    )
    page = render_report(data)
    size = len(page.encode("utf-8"))
    assert size < 10_000_000, size
    assert parse(page).count("section", "cluster") == MAX_CLUSTERS


# --- writing ------------------------------------------------------------------------------


def test_write_report_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    write_report(small_data(), target)
    assert target.read_text(encoding="utf-8") == render_report(small_data())
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]

    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError):
        write_report(small_data(), tmp_path / "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "report.html"]


def test_write_report_leaves_no_temp_file_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")

    class BoomError(Exception):
        pass

    @contextlib.contextmanager
    def failing_output(path: Path) -> Iterator[BinaryIO]:
        with open_output(path) as out:
            out.write(b"partial")
            raise BoomError
            yield out  # never reached

    monkeypatch.setattr("normalize.report.open_output", failing_output)
    with pytest.raises(BoomError):
        write_report(small_data(), target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_lone_surrogates_are_written_as_question_marks(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_report(small_data(title="half \ud800"), target)
    assert "<title>half ?</title>" in target.read_text(encoding="utf-8")


# --- a real browser ---------------------------------------------------------------------------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
)


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium. .ci/run installs it; a developer without it is told how."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "the browser test needs Debian's Chromium at /usr/bin/chromium; install it with\n"
            "    apt-get update && apt-get install -y chromium\n"
            "(.ci/run does this when it is missing)",
            pytrace=False,
        )
    return path


def run_chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_report_in_a_real_browser(chromium: str, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_report(small_data(), target)
    url = target.resolve().as_uri()

    page = run_chromium(chromium, tmp_path, "--dump-dom", url).stdout
    dom = parse(page)
    assert dom.count("section", "cluster") == 3
    assert dom.count("svg", "chart") == 2
    assert NEWS.split("\n")[0] in dom.text_in("rtl", "ar")
    texts = "".join(t for _, _, t in dom.texts)
    assert SCRIPT in texts  # shown as text ...
    assert not [t for t, _ in dom.tags if t == "script"]  # ... never as an element
    # the injected script would have set the title: it is unchanged
    head = page[: page.index("</head>")]
    assert re.findall(r"<title>(.*?)</title>", head) == [TITLE]
    assert "HACKED" not in texts.replace(SCRIPT, "")

    png = tmp_path / "report.png"
    run_chromium(chromium, tmp_path, f"--screenshot={png}", "--window-size=1280,2000", url)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 30_000  # a blank page of that size is ~12 KB, this report ~130 KB
