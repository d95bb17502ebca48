"""A labelled near-duplicate corpus built from real Arabic words.

The words come from the text that the installed ``pyarabic`` package ships
(its word lists, number names, proper nouns and example sentences). Base
documents are a headline line plus sentences of topic-weighted words, about
``doc_chars`` characters long, some with diacritics. Each base gets variants
perturbed the way scrapers do (doubled headline, an added source line,
diacritics added or removed, letter variants, tatweel, presentation forms,
zero-width marks, a sentence cut or added) and the corpus also holds
different documents on the same topic, some sharing a sentence with a base.

``family[i]`` names the base document i derives from; two documents are true
duplicates when they share a family. The tests and benchmarks measure
recall and precision against these labels.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pyarabic

HARAKAT = [chr(c) for c in range(0x064B, 0x0653)]
TATWEEL = "\u0640"
ZERO_WIDTH = ["\u200b", "\u200c"]
SOURCE_LINE = "المصدر: رويترز"
_LETTER_SWAPS = {"أ": "ا", "ا": "أ", "إ": "ا", "ى": "ي", "ي": "ى", "ة": "ه", "ه": "ة"}
_WORD_RE = re.compile("[\u0621-\u064a]{2,12}")
_MARKS_RE = re.compile("[\u064b-\u0652\u0670]")
PERTURBATIONS = (
    "doubled_headline",
    "source_line",
    "diacritics",
    "letter_variants",
    "tatweel",
    "presentation_forms",
    "zero_width",
    "sentence_cut",
    "sentence_added",
)


@functools.cache
def arabic_words() -> tuple[str, ...]:
    """Distinct Arabic words (diacritics stripped) from pyarabic's source files."""
    words: set[str] = set()
    for path in sorted(Path(pyarabic.__file__).parent.glob("*.py")):
        text = _MARKS_RE.sub("", path.read_text(encoding="utf-8"))
        words.update(_WORD_RE.findall(text))
    return tuple(sorted(words))


@functools.cache
def _isolated_forms() -> dict[str, str]:
    """Letter -> its isolated (or final) presentation form, from Unicode data."""
    forms: dict[str, str] = {}
    for code in range(0xFE70, 0xFF00):
        decomposition = unicodedata.decomposition(chr(code)).split()
        if len(decomposition) == 2 and decomposition[0] in ("<isolated>", "<final>"):
            forms.setdefault(chr(int(decomposition[1], 16)), chr(code))
    return forms


@dataclass(frozen=True)
class Corpus:
    """Texts with their labels: ``family`` (base index) and ``kind``."""

    texts: list[str]
    family: list[int]
    kind: list[str]


class _Writer:
    def __init__(self, rng: random.Random, words: tuple[str, ...]) -> None:
        self.rng = rng
        self.common = words[:: max(1, len(words) // 300)][:300]
        self.words = words

    def topic(self) -> list[str]:
        return self.rng.sample(self.words, 60)

    def sentence(self, topic: list[str]) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.randint(7, 14)):
            pool = topic if rng.random() < 0.35 else self.common
            out.append(pool[min(int(rng.expovariate(1 / 12)), len(pool) - 1)])
        if rng.random() < 0.3:
            out.append(str(rng.randint(2, 2030)))
        return " ".join(out) + rng.choice([".", "،", ".", "؟"])

    def document(self, topic: list[str], chars: int) -> tuple[str, list[str]]:
        headline = " ".join(self.rng.sample(topic, 6))
        sentences: list[str] = []
        while sum(len(s) + 1 for s in sentences) < chars:
            sentences.append(self.sentence(topic))
        return headline, sentences


def _join(headline: str, sentences: list[str]) -> str:
    return headline + "\n" + " ".join(sentences)


def _map_letters(text: str, rng: random.Random, rate: float, fn: dict[str, str]) -> str:
    return "".join(fn[c] if c in fn and rng.random() < rate else c for c in text)


def _add_diacritics(text: str, rng: random.Random, rate: float) -> str:
    return "".join(
        c + rng.choice(HARAKAT) if "\u0621" <= c <= "\u064a" and rng.random() < rate else c
        for c in text
    )


def _insert_inside_words(text: str, rng: random.Random, marks: list[str], rate: float) -> str:
    out = []
    for i, c in enumerate(text):
        out.append(c)
        nxt = text[i + 1] if i + 1 < len(text) else " "
        if "\u0621" <= c <= "\u064a" and "\u0621" <= nxt <= "\u064a" and rng.random() < rate:
            out.append(rng.choice(marks))
    return "".join(out)


def perturb(
    headline: str, sentences: list[str], kinds: list[str], rng: random.Random, extra: str
) -> str:
    """One scraped copy of a document: ``kinds`` applied in order."""
    sentences = list(sentences)
    head_lines = [headline]
    tail: list[str] = []
    if "sentence_cut" in kinds and len(sentences) > 3:
        del sentences[rng.randrange(1, len(sentences))]
    if "sentence_added" in kinds:
        sentences.insert(rng.randrange(len(sentences) + 1), extra)
    if "doubled_headline" in kinds:
        head_lines.append(headline)
    if "source_line" in kinds:
        tail.append(SOURCE_LINE)
    text = "\n".join([*head_lines, " ".join(sentences), *tail])
    if "diacritics" in kinds:
        if _MARKS_RE.search(text):
            text = _MARKS_RE.sub("", text)
        else:
            text = _add_diacritics(text, rng, 0.4)
    if "letter_variants" in kinds:
        text = _map_letters(text, rng, 0.3, _LETTER_SWAPS)
    if "tatweel" in kinds:
        text = _insert_inside_words(text, rng, [TATWEEL, TATWEEL * 3], 0.05)
    if "presentation_forms" in kinds:
        text = _map_letters(text, rng, 0.2, _isolated_forms())
    if "zero_width" in kinds:
        text = _insert_inside_words(text, rng, ZERO_WIDTH, 0.03)
    return text


def make_corpus(
    n_bases: int,
    *,
    seed: int = 0,
    doc_chars: int = 700,
    variants: int = 3,
    negatives: int = 1,
) -> Corpus:
    """``n_bases`` families of a base plus ``variants`` scraped copies, and
    ``negatives`` same-topic different documents per base (each its own family;
    half of them share one sentence with the base), shuffled together.
    """
    rng = random.Random(seed)
    writer = _Writer(rng, arabic_words())
    items: list[tuple[str, int, str]] = []
    family = 0
    for _ in range(n_bases):
        topic = writer.topic()
        headline, sentences = writer.document(topic, doc_chars)
        if rng.random() < 0.3:  # a vowelled original: its copies keep the marks
            headline = _add_diacritics(headline, rng, 0.3)
            sentences = [_add_diacritics(s, rng, 0.3) for s in sentences]
        items.append((_join(headline, sentences), family, "base"))
        for _ in range(variants):
            kinds = rng.sample(PERTURBATIONS, rng.randint(1, 3))
            text = perturb(headline, sentences, kinds, rng, writer.sentence(topic))
            items.append((text, family, "+".join(sorted(kinds))))
        family += 1
        for k in range(negatives):
            other_head, other = writer.document(topic, doc_chars)
            if k % 2 == 0 and len(other) > 2:
                other[rng.randrange(len(other))] = rng.choice(sentences)
            items.append((_join(other_head, other), family, "negative"))
            family += 1
    rng.shuffle(items)
    return Corpus([t for t, _, _ in items], [f for _, f, _ in items], [k for _, _, k in items])


def plain_documents(n: int, *, seed: int = 0, doc_chars: int = 700) -> list[str]:
    """``n`` distinct documents (no planted duplicates), for speed benchmarks."""
    rng = random.Random(seed)
    writer = _Writer(rng, arabic_words())
    out: list[str] = []
    while len(out) < n:
        topic = writer.topic()
        out.extend(_join(*writer.document(topic, doc_chars)) for _ in range(min(20, n - len(out))))
    return out
