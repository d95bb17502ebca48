"""Scraped-like Arabic news pages with their ground truth, for ``tanqiya clean``.

    python benchmarks/scraped_corpus.py --pages 2000 -o pages.jsonl [--seed 0]
    python benchmarks/scraped_corpus.py --pages 100000 -o pages.jsonl.gz
    python benchmarks/scraped_corpus.py --pages 2000 -o pages/      # a folder of .txt pages
    python benchmarks/scraped_corpus.py --pages 2000 -o pages.jsonl --labels copies.jsonl

Every page comes from one of six news sites, each with its own template:
navigation/menu lines, breadcrumbs, "اقرأ أيضا: ..." related links and "most
read" blocks drawn from a small per-site pool, share-button lines and a
copyright footer (the same lines on many pages of a site; two sites print a
block twice on a page, at the top and at the bottom). The article: the
headline printed twice in a row on most pages (image caption then title;
sometimes with a blank line between, the caption sometimes vowelled, with an
NBSP, tatweel or a ZWNJ), paragraphs of sentences with blank lines (and the
odd NBSP-only line) between, sometimes a short subheading, and a source line
("المصدر: رويترز", ...). Sentences are words of the bundled seed page (with
their frequencies there) mixed with topic words from the Arabic text pyarabic
ships (``tests/neardup_data.arabic_words``).

Syndication: 15% of the articles are republished by 1-3 other sites a few
hundred pages later, the way copies differ: the site's template and source
line, diacritics added or stripped, the site's spelling (أ/إ/آ -> ا, final
ى -> ي, final ة -> ه), tatweel, ZWNJ and NBSP noise, and at most one edit
that changes the text's words (a sentence cut, a sentence added, a different
headline or a dateline before the first paragraph). A copy with no word edit
becomes an exact duplicate of the original once its lines are cleaned, the
others near duplicates (Jaccard of 5-word shingles about 0.9).

Pages are generated one at a time (a few hundred pending copies are the only
state): 1M pages stream to disk in constant memory. Output: JSONL records
``{"id", "url", "site", "text"}`` (``.gz`` allowed) or, for a folder, one
``<id>.txt`` per page in subfolders of 1,000. The ground truth (``Truth``) is
printed at the end: it says what ``tanqiya clean --boilerplate-min-docs N``
must report, row by row, for any N above the largest syndication group (4)
and at most ``recurring_min_pages``. Nothing here is committed data: the
pages are rebuilt from the seed and the word list, deterministically.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import heapq
import itertools
import json
import random
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_c0df1516230a6e23.txt"
sys.path.insert(0, str(ROOT / "tests"))

from neardup_data import arabic_words  # noqa: E402

from normalize import Normalizer  # noqa: E402

# --- what the pages are made of ---------------------------------------------------------------

FATHA, KASRA, DAMMA, SUKUN, SHADDA = "\u064e", "\u0650", "\u064f", "\u0652", "\u0651"
HARAKAT_BY_NIBBLE = (FATHA,) * 6 + (KASRA,) * 4 + (DAMMA,) * 2 + (SUKUN,) * 3 + (SHADDA + FATHA,)
TATWEEL = "\u0640"
NBSP = "\u00a0"
ZWNJ = "\u200c"
ARABIC_LETTERS = frozenset(chr(c) for c in range(0x0621, 0x064B))
JOINING = ARABIC_LETTERS - set("ءآأؤإئادذرزوىة")  # letters a tatweel may follow
VOWELLED_LETTERS = ARABIC_LETTERS - set("اآىء")  # letters a haraka goes on
MARKS = re.compile("[\u064b-\u0652\u0670]")  # what a copy strips
FINAL_YEH = re.compile("ى\\b")
FINAL_TEH = re.compile("ة\\b")

SOURCES = (  # (line, share of the pages that have a source line)
    ("المصدر: رويترز", 0.30),
    ("المصدر: وكالات", 0.20),
    ("المصدر: الفرنسية", 0.15),
    ("المصدر: الأناضول", 0.10),
    ("المصدر: أ ف ب", 0.10),
    ("المصدر: الجزيرة + وكالات", 0.10),
    ("المصدر: د ب أ", 0.05),
)
SOURCE_LINES = tuple(line for line, _ in SOURCES)
SOURCE_WEIGHTS = tuple(share for _, share in SOURCES)
SOURCE_SHARE = 0.85
DATELINES = ("بغداد (رويترز) - ", "القاهرة - ", "بيروت - أ ف ب: ", "الموصل - ", "دمشق (وكالات) - ")
SYNDICATED_SHARE = 0.15
MAX_COPIES = 3  # a syndicated article is on 2-4 sites
COPY_DELAY = 300  # mean number of pages between an article and a copy
DOUBLED_SHARE = 0.7


@dataclass(frozen=True)
class Site:
    """A news site's template: the lines it prints on every page (and where)."""

    name: str
    domain: str
    header: tuple[str, ...]
    footer: tuple[str, ...]
    share: str | None = None
    share_twice: bool = False  # share buttons above and below the article
    related_prefix: str = "اقرأ أيضا: "
    related_count: int = 3  # links shown per page, from a pool of 12
    related_twice: bool = False  # the related block above and below the article
    related_title: str | None = None  # a header line above the related block


SITES = (
    Site(
        "الخبر اليوم",
        "alkhabar-today.example",
        header=("الرئيسية | أخبار | سياسة | اقتصاد | رياضة | ثقافة | منوعات",),
        footer=("© جميع الحقوق محفوظة لموقع الخبر اليوم 2024",),
        share="شارك الخبر: فيسبوك | تويتر | واتساب | تيليغرام",
        share_twice=True,
    ),
    Site(
        "شبكة الأنباء العربية",
        "anbaa-net.example",
        header=(
            "الصفحة الرئيسية - العالم العربي - دولي - اقتصاد - تكنولوجيا",
            "آخر الأخبار | الأكثر قراءة | فيديو | صور | إنفوغراف",
        ),
        footer=(
            "جميع الحقوق محفوظة © شبكة الأنباء العربية",
            "سياسة الخصوصية | اتصل بنا | من نحن | أعلن معنا",
        ),
        share="مشاركة عبر: فيسبوك، تويتر، لينكدإن، البريد الإلكتروني",
        related_prefix="اقرأ أيضاً: ",
        related_count=2,
    ),
    Site(
        "صحيفة المساء",
        "almasaa-daily.example",
        header=("أخبار محلية | عربي ودولي | مال وأعمال | رياضة | رأي | كاريكاتير",),
        footer=("صحيفة المساء - جميع الحقوق محفوظة 2024",),
        related_prefix="إقرأ أيضا: ",
        related_twice=True,
    ),
    Site(
        "موقع الحدث الإخباري",
        "alhadath-news.example",
        header=("تابعونا على تويتر وفيسبوك ويوتيوب وإنستغرام",),
        footer=("حقوق النشر محفوظة لموقع الحدث الإخباري ©",),
        related_prefix="",
        related_count=4,
        related_title="الأكثر قراءة اليوم",
    ),
    Site(
        "بوابة الوطن",
        "alwatan-gate.example",
        header=(
            "الرئيسية » أخبار » العالم العربي",
            "بوابة الوطن | أخبار عاجلة على مدار الساعة",
        ),
        footer=("جميع الحقوق محفوظة لبوابة الوطن الإلكترونية ©",),
        share="شارك هذا المقال على مواقع التواصل",
        related_prefix="مواضيع ذات صلة: ",
    ),
    Site(
        "وكالة الشرق للأنباء",
        "alsharq-agency.example",
        header=(),
        footer=("وكالة الشرق للأنباء - خدمة الأخبار العربية",),
        related_count=0,
    ),
)


@dataclass
class Article:
    """An article as its sites print it: a headline, paragraphs of sentences
    (a subheading is a paragraph of one sentence without a full stop) and a
    source line (or None)."""

    headline: str
    paragraphs: list[list[str]]
    source: str | None


@dataclass(frozen=True)
class Page:
    """One generated page. ``original`` is the id of the page a syndicated
    copy republishes (None for an original), ``edits`` what the copy changed
    and ``exact`` whether its cleaned text has the original's dedup key."""

    id: str
    url: str
    site: str
    text: str
    original: str | None = None
    edits: tuple[str, ...] = ()
    exact: bool = False

    def record(self) -> dict[str, str]:
        return {"id": self.id, "url": self.url, "site": self.site, "text": self.text}


@dataclass
class Truth:
    """What a generated corpus holds, counted as ``tanqiya clean`` counts.

    ``recurring`` maps each site-template or source line to the number of
    pages it is on (once per page); ``copy_recurring`` the same over the
    syndicated copies only. ``copy_lines`` is the lines of the copies once
    their duplicate lines are gone (boilerplate still in).
    """

    pages: int = 0
    lines: int = 0
    bytes: int = 0
    articles: int = 0
    syndicated_articles: int = 0
    copies: int = 0
    exact_copies: int = 0
    near_copies: int = 0
    doubled_headlines: int = 0
    repeated_lines: int = 0
    copy_lines: int = 0
    recurring: Counter[str] = field(default_factory=Counter)
    copy_recurring: Counter[str] = field(default_factory=Counter)

    @property
    def recurring_min_pages(self) -> int:
        """The fewest pages any template or source line is on."""
        return min(self.recurring.values(), default=0)

    def boilerplate_lines(self, min_docs: int) -> int:
        """Template and source lines on ``min_docs`` pages or more (one per page)."""
        return sum(n for n in self.recurring.values() if n >= min_docs)

    def expected(self, min_docs: int) -> dict[str, int]:
        """The rows ``tanqiya clean --boilerplate-min-docs min_docs`` prints,
        for MAX_COPIES + 1 < min_docs <= recurring_min_pages (every template
        line goes, no article line does, so every copy is found)."""
        boilerplate = self.boilerplate_lines(min_docs)
        copy_boilerplate = sum(
            n for line, n in self.copy_recurring.items() if self.recurring[line] >= min_docs
        )
        removed = self.doubled_headlines + self.repeated_lines + boilerplate
        return {
            "documents in": self.pages,
            "lines in": self.lines,
            "duplicate lines, adjacent": self.doubled_headlines,
            "duplicate lines, elsewhere in the document": self.repeated_lines,
            "boilerplate lines": boilerplate,
            "exact duplicate documents": self.exact_copies,
            "near duplicate documents": self.near_copies,
            "clusters": self.syndicated_articles,
            "documents kept": self.pages - self.copies,
            "lines kept": self.lines - removed - (self.copy_lines - copy_boilerplate),
        }

    def summary(self, min_docs: int) -> dict[str, object]:
        return {
            "pages": self.pages,
            "lines": self.lines,
            "megabytes": round(self.bytes / 1e6, 2),
            "articles": self.articles,
            "syndicated_articles": self.syndicated_articles,
            "syndicated_copies": self.copies,
            "exact_copies": self.exact_copies,
            "near_copies": self.near_copies,
            "doubled_headlines": self.doubled_headlines,
            "repeated_lines_in_page": self.repeated_lines,
            "template_and_source_lines": len(self.recurring),
            "recurring_min_pages": self.recurring_min_pages,
            "boilerplate_min_docs": min_docs,
            "expected": self.expected(min_docs),
        }


# --- words and sentences ----------------------------------------------------------------------


class Words:
    """The vocabulary: the seed page's words with their frequencies (the
    common words) and pyarabic's words (the topic words)."""

    TOPIC_SHARE = 0.3
    TOPIC_SIZE = 60

    def __init__(self) -> None:
        text = SEED_FILE.read_text(encoding="utf-8")
        tokens = re.findall("[\u0621-\u064a]+", text)
        counts = Counter(tokens).most_common()
        common = [w for w, _ in counts]
        weights = np.array([n for _, n in counts], dtype=np.float64)
        self.cdf = np.cumsum(weights) / weights.sum()
        self.common = common
        self.cum_weights = self.cdf.tolist()
        self.n_common = len(common)
        seen = set(common)
        topic = [w for w in arabic_words() if w not in seen]
        self.n_topic = len(topic)
        self.vocab = common + topic
        self.vocab_array = np.array(self.vocab, dtype=object)

    def bodies(self, rng: np.random.Generator, count: int) -> list[tuple[list[str], list[str]]]:
        """The words of ``count`` article bodies (180-900 words, 260 on average)
        and each one's topic words, in one numpy pass. Each word is a common
        word (by its seed frequency) or, 30% of the time, a topic word with a
        steep preference for the first ones."""
        totals = np.clip(rng.lognormal(5.5, 0.35, count).astype(np.int64), 180, 900)
        topics = self.n_common + rng.integers(0, self.n_topic, (count, self.TOPIC_SIZE))
        n = int(totals.sum())
        owner = np.repeat(np.arange(count), totals)
        rank = np.minimum(rng.exponential(10.0, n).astype(np.int64), self.TOPIC_SIZE - 1)
        common = np.searchsorted(self.cdf, rng.random(n))
        chosen = np.where(rng.random(n) < self.TOPIC_SHARE, topics[owner, rank], common)
        words = self.vocab_array[chosen].tolist()
        topic_words = self.vocab_array[topics].tolist()
        out = []
        start = 0
        for total, topic in zip(totals.tolist(), topic_words, strict=True):
            out.append((words[start : start + total], topic))
            start += total
        return out

    def few(self, r: random.Random, topic: list[str], n: int) -> list[str]:
        """``n`` words drawn as in :meth:`bodies`, for a headline or a sentence."""
        out = r.choices(self.common, cum_weights=self.cum_weights, k=n)
        last = len(topic) - 1
        for i in range(n):
            if r.random() < self.TOPIC_SHARE:
                out[i] = topic[min(int(r.expovariate(0.1)), last)]
        return out

    def topic(self, r: random.Random) -> list[str]:
        return [self.vocab[self.n_common + r.randrange(self.n_topic)] for _ in range(60)]


@functools.lru_cache(maxsize=1 << 16)
def vowelled(word: str) -> str:
    """``word`` with a haraka on each consonant, the same marks every time
    (picked by a CRC of the word): a vowelled page spells a word one way."""
    h = zlib.crc32(word.encode())
    out = []
    for i, c in enumerate(word):
        out.append(c)
        if c in VOWELLED_LETTERS:
            out.append(HARAKAT_BY_NIBBLE[(h >> (4 * (i % 8))) & 15])
    return "".join(out)


def _vowel_words(text: str, r: random.Random, share: float) -> str:
    words = text.split(" ")
    return " ".join(vowelled(w) if r.random() < share else w for w in words)


def _tatweel(text: str, r: random.Random, share: float) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        if r.random() < share and len(w) >= 4 and w[1] in JOINING:
            words[i] = w[:2] + TATWEEL * r.randint(1, 3) + w[2:]
    return " ".join(words)


def _zwnj_nbsp(text: str, r: random.Random, share: float) -> str:
    """ZWNJ inside some words, NBSP for some spaces: invisible to a reader."""
    out = []
    for w in text.split(" "):
        if r.random() < share and len(w) >= 3:
            w = w[:2] + ZWNJ + w[2:]
        out.append(w)
        out.append(NBSP if r.random() < share else " ")
    return "".join(out[:-1])


# --- the generator ----------------------------------------------------------------------------


@dataclass(order=True)
class _Due:
    at: int
    seq: int
    article: Article = field(compare=False)
    topic: list[str] = field(compare=False)
    original: str = field(compare=False)
    sites: list[int] = field(compare=False)  # sites already holding the article


class Generator:
    """Pages one at a time; ``truth`` counts them as they are made. Word
    draws come from a numpy generator, every other choice from a
    ``random.Random``: both seeded with ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.r = random.Random(seed)
        self.words = Words()
        self.truth = Truth()
        self.bodies: list[tuple[list[str], list[str]]] = []  # drawn ahead, in batches
        self.related = [
            [site.related_prefix + self._headline(self.words.topic(self.r)) for _ in range(12)]
            for site in SITES
        ]
        self.due: list[_Due] = []
        self.seq = 0

    # -- text --

    def _headline(self, topic: list[str]) -> str:
        return " ".join(self.words.few(self.r, topic, self.r.randint(6, 11)))

    def _source(self) -> str:
        return self.r.choices(SOURCE_LINES, SOURCE_WEIGHTS)[0]

    def _sentence(self, topic: list[str]) -> str:
        r = self.r
        words = self.words.few(r, topic, r.randint(7, 18))
        if r.random() < 0.15:
            words.insert(r.randrange(1, len(words)), str(r.randint(2, 1999)))
        return " ".join(words) + ("." if r.random() < 0.85 else "،")

    def article(self) -> tuple[Article, list[str]]:
        r = self.r
        if not self.bodies:
            self.bodies = self.words.bodies(self.rng, 256)[::-1]
        words, topic = self.bodies.pop()
        total = len(words)
        bounds = [0]  # sentences of 7-18 words
        while total - bounds[-1] >= 23:
            bounds.append(bounds[-1] + 7 + int(r.random() * 12))
        bounds.append(total)
        random_ = r.random
        for a, b in itertools.pairwise(bounds):
            if random_() < 0.15:  # a number in the sentence
                words[a + int(random_() * (b - a - 1))] += f" {2 + int(random_() * 1998)}"
            words[b - 1] += "." if random_() < 0.85 else "،"
        sentences = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
        paragraphs = [sentences[:1]]
        for sentence in sentences[1:]:
            if random_() < 0.45:
                paragraphs.append([sentence])
            else:
                paragraphs[-1].append(sentence)
        subheadings: set[str] = set()
        for j in range(int(len(paragraphs) * random_() * 0.16)):
            words = self.words.few(r, topic, r.randint(2, 3))
            # topic words only: two common words ("في التحالف") would recur on
            # 20+ of a million pages and count as boilerplate
            words = [w if w in topic else topic[3 * j + k] for k, w in enumerate(words)]
            subheading = " ".join(words)
            if subheading in subheadings:  # once per page
                subheading += " " + topic[-1 - j]
            subheadings.add(subheading)
            paragraphs.insert(r.randint(1, len(paragraphs) - 1), [subheading])
        headline = self._headline(topic)
        if random_() < 0.1:  # a partly vowelled article: its copies may strip the marks
            headline = _vowel_words(headline, r, 0.3)
            paragraphs = [[_vowel_words(s, r, 0.2) for s in p] for p in paragraphs]
        source = self._source() if random_() < SOURCE_SHARE else None
        return Article(headline, paragraphs, source), topic

    def copy(self, article: Article, topic: list[str]) -> tuple[Article, tuple[str, ...]]:
        """A republished copy: noise that the keys undo, and at most one word edit."""
        r = self.r
        edits: list[str] = []
        headline = article.headline
        paragraphs = [list(p) for p in article.paragraphs]

        def each(fn: Callable[[str], str]) -> None:
            nonlocal headline, paragraphs
            headline = fn(headline)
            paragraphs = [[fn(s) for s in p] for p in paragraphs]

        if r.random() < 0.4:
            edits.append("diacritics")
            if MARKS.search(headline) or any(MARKS.search(p[0]) for p in paragraphs):
                each(lambda s: MARKS.sub("", s))
            else:
                each(lambda s: _vowel_words(s, r, 0.15))
        if r.random() < 0.5:
            edits.append("letters")  # the site's spelling
            kind = r.randrange(3)
            if kind == 0:
                each(lambda s: s.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا"))
            elif kind == 1:
                each(lambda s: FINAL_YEH.sub("ي", s))
            else:
                each(lambda s: FINAL_TEH.sub("ه", s))
        if r.random() < 0.3:
            edits.append("tatweel")
            each(lambda s: _tatweel(s, r, 0.05))
        if r.random() < 0.3:
            edits.append("zwnj-nbsp")
            each(lambda s: _zwnj_nbsp(s, r, 0.03))
        source = article.source
        if r.random() < 0.5:
            edits.append("source")
            source = None if r.random() < 0.3 else self._source()
        word_edit = r.random()
        body = [i for i, p in enumerate(paragraphs) if p[0][-1] in ".،"]
        long = [i for i in body if len(paragraphs[i]) > 1]
        if word_edit < 0.2 and long:
            edits.append("sentence-cut")
            p = paragraphs[r.choice(long)]
            del p[r.randrange(len(p))]
        elif word_edit < 0.4:
            edits.append("sentence-added")
            p = paragraphs[r.choice(body)]
            p.insert(r.randint(0, len(p)), self._sentence(topic))
        elif word_edit < 0.5:
            edits.append("headline")
            headline = self._headline(topic)
        elif word_edit < 0.6:
            edits.append("dateline")
            first = paragraphs[body[0]]
            first[0] = r.choice(DATELINES) + first[0]
        return Article(headline, paragraphs, source), tuple(edits)

    # -- pages --

    def render(self, article: Article, site_index: int, *, copy: bool) -> list[str]:
        """The page's lines; counts its doubled headline, repeated and recurring lines."""
        r = self.r
        site = SITES[site_index]
        related = [*r.sample(self.related[site_index], site.related_count)]
        if related and site.related_title:
            related.insert(0, site.related_title)
        top = list(site.header)
        if site.share and site.share_twice:
            top.append(site.share)
        if site.related_twice:
            top += related
        lines = list(top)
        doubled = r.random() < DOUBLED_SHARE
        if doubled:
            lines.append(self._caption(article.headline))
            if r.random() < 0.25:
                lines.append("" if r.random() < 0.7 else NBSP)
        lines += [article.headline, ""]
        for p in article.paragraphs:
            lines += [" ".join(p), ""]
            if r.random() < 0.05:
                lines += [NBSP, ""]
        source = [article.source] if article.source is not None else []
        lines += [s + (" " if r.random() < 0.3 else "") for s in source]
        bottom = related + ([site.share] if site.share else []) + list(site.footer)
        lines += ["", *bottom]
        recurring = top + source + bottom  # every template or source line printed
        distinct = set(recurring)
        repeated = len(recurring) - len(distinct)
        truth = self.truth
        truth.doubled_headlines += doubled
        truth.repeated_lines += repeated
        truth.recurring.update(distinct)
        if copy:
            truth.copy_recurring.update(distinct)
            truth.copy_lines += len(lines) - doubled - repeated
        return lines

    def _caption(self, headline: str) -> str:
        """The image caption: the headline, as is or with invisible differences."""
        r = self.r
        kind = r.random()
        if kind < 0.5:
            return headline
        if kind < 0.7:
            return _vowel_words(headline, r, 0.5)
        if kind < 0.85:
            return headline.replace(" ", NBSP, 1) + (NBSP if r.random() < 0.5 else "")
        if kind < 0.93:
            return _tatweel(headline, r, 0.3)
        return _zwnj_nbsp(headline, r, 0.2)

    def page(self, index: int) -> Page:
        """The page at position ``index``: a copy that is due, else a new article."""
        r = self.r
        truth = self.truth
        page_id = f"p{index:07d}"
        if self.due and self.due[0].at <= index:
            due = heapq.heappop(self.due)
            site = r.choice([i for i in range(len(SITES)) if i not in due.sites])
            due.sites.append(site)
            article, edits = self.copy(due.article, due.topic)
            lines = self.render(article, site, copy=True)
            exact = WORD_EDITS.isdisjoint(edits)
            truth.copies += 1
            truth.exact_copies += exact
            truth.near_copies += not exact
            truth.syndicated_articles += len(due.sites) == 2
            original: str | None = due.original
        else:
            article, topic = self.article()
            site = r.randrange(len(SITES))
            lines = self.render(article, site, copy=False)
            truth.articles += 1
            edits, exact, original = (), False, None
            if r.random() < SYNDICATED_SHARE:
                sites = [site]
                for _ in range(r.randint(1, MAX_COPIES)):
                    self.seq += 1
                    at = index + 1 + int(r.expovariate(1 / COPY_DELAY))
                    heapq.heappush(self.due, _Due(at, self.seq, article, topic, page_id, sites))
        text = "\n".join(lines)
        truth.pages += 1
        truth.lines += len(lines)
        truth.bytes += len(text.encode())
        url = f"https://{SITES[site].domain}/news/{2017 + index % 7}/{index:07d}.html"
        return Page(page_id, url, SITES[site].name, text, original, edits, exact)


WORD_EDITS = frozenset({"sentence-cut", "sentence-added", "headline", "dateline"})


def pages(count: int, *, seed: int = 0, truth: Truth | None = None) -> Iterator[Page]:
    """``count`` pages, lazily; ``truth`` (if given) is filled in as they go."""
    gen = Generator(seed)
    if truth is not None:
        gen.truth = truth
    for index in range(count):
        yield gen.page(index)


# --- output -----------------------------------------------------------------------------------


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=3)
    return path.open("w", encoding="utf-8")


def write(items: Iterable[Page], out: str | Path, *, labels: str | Path | None = None) -> int:
    """Write pages as JSONL (``.jsonl``, ``.jsonl.gz``) or, for any other
    path, a folder of ``.txt`` pages (``DIR/0000/p0000000.txt``, 1,000 per
    subfolder). ``labels``: JSONL of the copies' ``{"id", "original",
    "edits", "exact"}``. Returns the number of pages."""
    out = Path(out)
    jsonl = out.name.endswith((".jsonl", ".jsonl.gz", ".json", ".json.gz"))
    stream = _open_text(out) if jsonl else None
    label_stream = _open_text(Path(labels)) if labels is not None else None
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    n = 0
    try:
        for n, page in enumerate(items, 1):
            if stream is not None:
                stream.write(dumps(page.record()) + "\n")
            else:
                folder = out / f"{(n - 1) // 1000:04d}"
                if (n - 1) % 1000 == 0:
                    folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{page.id}.txt").write_text(page.text + "\n", encoding="utf-8")
            if label_stream is not None and page.original is not None:
                label: dict[str, object] = {"id": page.id, "original": page.original}
                label["edits"] = list(page.edits)
                label["exact"] = page.exact
                label_stream.write(dumps(label) + "\n")
    finally:
        for s in (stream, label_stream):
            if s is not None:
                s.close()
    return n


def generate(
    count: int, out: str | Path, *, seed: int = 0, labels: str | Path | None = None
) -> Truth:
    """Write ``count`` pages to ``out`` (see :func:`write`); their ground truth."""
    truth = Truth()
    write(pages(count, seed=seed, truth=truth), out, labels=labels)
    return truth


def check_template_keys(min_chars: int = 10) -> list[str]:
    """Template and source lines whose dedup key is shorter than ``min_chars``
    (``BoilerplateFilter`` would not count them): should be none."""
    key = Normalizer("dedup").normalize
    lines = [line for line, _ in SOURCES]
    for site in SITES:
        lines += [*site.header, *site.footer, site.share or "x" * min_chars]
        lines += [site.related_title or "x" * min_chars]
    return [line for line in lines if len(key(line)) < min_chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("-o", "--output", required=True, help="FILE.jsonl[.gz] or a folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--labels", help="also write the copies' labels (JSONL)")
    parser.add_argument(
        "--boilerplate-min-docs",
        type=int,
        default=20,
        help="the N the expected counts are for (tanqiya clean --boilerplate-min-docs N)",
    )
    parser.add_argument("--json", action="store_true", help="print the truth as JSON only")
    args = parser.parse_args()
    if bad := check_template_keys():
        parser.error(f"template lines too short to count as boilerplate: {bad}")
    start = time.perf_counter()
    truth = generate(args.pages, args.output, seed=args.seed, labels=args.labels)
    seconds = time.perf_counter() - start
    summary = truth.summary(args.boilerplate_min_docs)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    print(
        f"wrote {truth.pages:,} pages ({truth.bytes / 1e6:.1f} MB, {truth.lines:,} lines) "
        f"to {args.output} in {seconds:.1f} s"
    )
    expected = truth.expected(args.boilerplate_min_docs)
    rows = [(k, v) for k, v in summary.items() if k != "expected"]
    width = max(len(k) for k in [*dict(rows), *expected])
    for k, v in rows:
        print(f"  {k:<{width}}  {v:>12,}" if isinstance(v, int) else f"  {k:<{width}}  {v:>12}")
    n = args.boilerplate_min_docs
    print(f"expected from tanqiya clean --boilerplate-min-docs {n}:")
    if not MAX_COPIES + 1 < n <= truth.recurring_min_pages:
        print(f"  (not exact: needs {MAX_COPIES + 1} < N <= {truth.recurring_min_pages})")
    for k, count in expected.items():
        print(f"  {k:<{width}}  {count:>12,}")


if __name__ == "__main__":
    main()
