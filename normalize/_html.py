"""Text blocks of the HTML report: escaping, direction, truncation, word diff, CSS.

Everything here returns escaped HTML (``html.escape(..., quote=True)``) or
plain strings; nothing reads or writes files.

>>> esc('<b id="x">')
'&lt;b id=&quot;x&quot;&gt;'
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher
from html import escape
from typing import Final, NamedTuple

MAX_TEXT_LINES: Final = 100

_SPACE: Final = re.compile(r"(\s+)")
_WORD: Final = re.compile(r"\S+")
_DIFF_SPAN: Final = 3  # how far past the limit the diff reads, to align the shown part
_DIRECTION_SAMPLE: Final = 400  # characters read to choose a block's direction
_DIFF_WORK: Final = 20_000  # word pairs SequenceMatcher may compare (~10 ms)


def esc(value: object) -> str:
    """``html.escape(str(value), quote=True)``."""
    return escape(str(value), quote=True)


def direction(text: str) -> str:
    """Direction attributes for a block of ``text``: right-to-left when its
    first characters hold more right-to-left letters than left-to-right ones.

    >>> direction("خبر عاجل: BBC"), direction("Breaking: خبر")
    (' dir="rtl" lang="ar"', ' dir="auto"')
    """
    classes = [unicodedata.bidirectional(c) for c in text[:_DIRECTION_SAMPLE]]
    arabic, hebrew, latin = classes.count("AL"), classes.count("R"), classes.count("L")
    if arabic + hebrew <= latin:
        return ' dir="auto"'
    return ' dir="rtl" lang="ar"' if arabic >= hebrew else ' dir="rtl"'


def shown_text(text: str, limit: int) -> tuple[str, str]:
    """The text as shown (cut to ``limit`` characters and :data:`MAX_TEXT_LINES`
    lines) and the note that says it was shortened, if it was.

    >>> shown_text("a\\nb\\nc", 3)
    ('a\\nb', '<p class="note">… shortened: 3 of 5 characters shown</p>')
    """
    shown = text[: _cap(text, limit)]
    if len(shown) == len(text):
        return text, ""
    return shown, _shortened(shown, text)


def _cap(text: str, limit: int) -> int:
    """Where ``text`` is cut: after ``limit`` characters or before the line
    after the first :data:`MAX_TEXT_LINES`, whichever comes first."""
    end = -1
    for _ in range(MAX_TEXT_LINES):
        end = text.find("\n", end + 1, limit)
        if end < 0:
            return min(limit, len(text))
    return end


def _shortened(shown: str, text: str) -> str:
    return f'<p class="note">… shortened: {len(shown):,} of {len(text):,} characters shown</p>'


KeyFunction = Callable[[list[str]], list[str]]
"""Words in, their comparison keys out (a Normalizer's ``normalize_many``)."""


class SideBySide(NamedTuple):
    """A kept and a removed document as escaped HTML (one ``<div class="ln">``
    per line, differing words in ``<del>``/``<ins>``), each side's note when
    it was shortened, and whether no shown word differs (``same_words``)."""

    kept: str
    removed: str
    kept_note: str
    removed_note: str
    same_words: bool


class _Words(NamedTuple):
    """The words of a text's first characters: their spans, their keys, and
    how many of them, from the start, fit the limits."""

    spans: tuple[tuple[int, int], ...]
    keys: tuple[str, ...]
    fit: int


def side_by_side(kept: str, removed: str, *, limit: int, keys: KeyFunction) -> SideBySide:
    """Word diff of two documents, compared on the words' ``keys`` and shown
    in their original spelling: a word is marked only when its key has no
    counterpart on the other side, so differences of diacritics, tatweel,
    letter variants or invisible marks (whatever the key removes) are not
    marked. Words whose key is empty (punctuation alone) are never marked.

    Both sides stop at the same point of the alignment: the first pair of
    aligned words of which one would pass ``limit`` characters or
    :data:`MAX_TEXT_LINES` lines on its side. So a shortened side never ends
    on words that look missing from the other one.

    >>> from normalize.text import Normalizer
    >>> keys = Normalizer("dedup").normalize_many
    >>> pair = side_by_side("قال الوزيرُ: «نعم»", "قال الوزير نعم!", limit=100, keys=keys)
    >>> pair.same_words, "<del>" in pair.kept + pair.removed
    (True, False)
    >>> side_by_side("a b <c>", "a x <c>", limit=100, keys=keys).kept
    '<div class="ln" dir="auto">a <del>b</del> &lt;c&gt;</div>'
    """
    a, b = _words(kept, limit, keys), _words(removed, limit, keys)
    keys_a, keys_b = a.keys, b.keys
    keyed_a = [i for i, k in enumerate(keys_a) if k]
    keyed_b = [i for i, k in enumerate(keys_b) if k]
    seq_a, seq_b = [keys_a[i] for i in keyed_a], [keys_b[i] for i in keyed_b]
    counts_b = Counter(seq_b)
    work = sum(n * counts_b[word] for word, n in Counter(seq_a).items())
    # autojunk ignores frequent words as anchors: coarser, but bounded on
    # degenerate texts (one word repeated a thousand times)
    matcher = SequenceMatcher(None, seq_a, seq_b, autojunk=work > _DIFF_WORK)
    marks_a, marks_b = [False] * len(keys_a), [False] * len(keys_b)
    shown_a, shown_b = a.fit, b.fit  # words shown, unless the alignment stops earlier
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            stop = next(
                (k for k in range(i2 - i1) if keyed_a[i1 + k] >= a.fit or keyed_b[j1 + k] >= b.fit),
                None,
            )
            if stop is not None:
                shown_a, shown_b = keyed_a[i1 + stop], keyed_b[j1 + stop]
                break
            continue
        for i in keyed_a[i1:i2]:
            marks_a[i] = True
        for j in keyed_b[j1:j2]:
            marks_b[j] = True
        if (i2 > i1 and keyed_a[i2 - 1] >= a.fit) or (j2 > j1 and keyed_b[j2 - 1] >= b.fit):
            # the limit falls inside a changed block: each side stops at its limit
            # or at the end of the block, whichever comes first
            shown_a = min(a.fit, keyed_a[i2] if i2 < len(keyed_a) else len(keys_a))
            shown_b = min(b.fit, keyed_b[j2] if j2 < len(keyed_b) else len(keys_b))
            break
    text_a, note_a = _cut(kept, a, shown_a, limit)
    text_b, note_b = _cut(removed, b, shown_b, limit)
    return SideBySide(
        _lines_html(_split(text_a), iter(marks_a), "del"),
        _lines_html(_split(text_b), iter(marks_b), "ins"),
        note_a,
        note_b,
        not any(marks_a[:shown_a]) and not any(marks_b[:shown_b]),
    )


@functools.lru_cache(maxsize=8)  # the kept text of a cluster, beside each removed one
def _words(text: str, limit: int, keys: KeyFunction) -> _Words:
    """The words of the first ``_DIFF_SPAN * limit`` characters of ``text``
    (enough to align the first ``limit`` of each side) and their keys."""
    spans = tuple(m.span() for m in _WORD.finditer(text, 0, _DIFF_SPAN * limit))
    fit = bisect.bisect_right([end for _, end in spans], _cap(text, limit))
    return _Words(spans, tuple(keys([text[i:j] for i, j in spans])), fit)


def _cut(text: str, words: _Words, shown: int, limit: int) -> tuple[str, str]:
    """The text up to its ``shown`` first words (never past the limits) and
    the note saying it was shortened, if it was."""
    cap = _cap(text, limit)
    if shown == 0 and words.fit == 0 and words.spans:
        end = cap  # a first word longer than the limit: cut inside it
    else:
        end = min(words.spans[shown][0] if shown < len(words.spans) else len(text), cap)
    if not text[end:].strip():  # nothing but blank space was left out
        return text[:end], ""
    shown_text = text[:end].rstrip()
    return shown_text, _shortened(shown_text, text)


def _split(text: str) -> list[list[str]]:
    """Lines (split at ``"\\n"``, ``"\\r\\n"`` included), each as alternating
    words and whitespace."""
    return [_SPACE.split(line.removesuffix("\r")) for line in text.split("\n")]


def _lines_html(lines: list[list[str]], marks: Iterator[bool], tag: str) -> str:
    """Each line in a ``<div class="ln">`` with its own direction (an Arabic
    line that starts with a Latin name stays right-to-left); each run of marked
    words, with the spaces inside it, in one ``<tag>``."""
    out = []
    for parts in lines:
        html: list[str] = []
        pending = run = ""  # whitespace not yet written; text of the open run
        for i, part in enumerate(parts):
            if i % 2 or not part:
                pending += part
            elif next(marks):
                if run:
                    run += pending
                else:
                    html.append(esc(pending))
                run += part
                pending = ""
            else:
                if run:
                    html.append(f"<{tag}>{esc(run)}</{tag}>")
                    run = ""
                html.append(esc(pending + part))
                pending = ""
        if run:
            html.append(f"<{tag}>{esc(run)}</{tag}>")
        html.append(esc(pending))
        out.append(f'<div class="ln"{direction("".join(parts))}>{"".join(html)}</div>')
    return "".join(out)


_ARABIC_FONTS: Final = (
    '"Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", "Geeza Pro", "Arial", "Tahoma", sans-serif'
)
CSS: Final = (
    ":root{color-scheme:light;--fg:#1d1d1f;--muted:#5f6368;--line:#d8d8de;--bg2:#f5f5f7;"
    "--del:#ffd7d5;--del-fg:#82071e;--ins:#ccf2d4;--ins-fg:#044317;--bar:#8c9bb0;"
    "--over:#d9622b}"
    "*{box-sizing:border-box}"
    'body{margin:0;font:16px/1.5 system-ui,"Segoe UI",' + _ARABIC_FONTS + ";color:var(--fg)}"
    "header,main,footer{max-width:1200px;margin:0 auto;padding:0 16px}"
    "h1{font-size:1.6rem;margin:.8em 0 .2em}h2{margin-top:1.6em;border-bottom:1px solid "
    "var(--line)}h3{font-size:1.05rem}"
    "nav a{margin-inline-end:1em}.summary,.note,.who,.check,footer{color:var(--muted)}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse}"
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:start;vertical-align:top}"
    ".counts td{text-align:end;font-variant-numeric:tabular-nums}.total{font-weight:bold}"
    "pre.command{white-space:pre-wrap;word-break:break-all;background:var(--bg2);padding:8px}"
    ".doc{white-space:pre-wrap;overflow-wrap:anywhere}.ln{text-align:start}"
    '.ln:empty::before{content:"\\a0"}'
    "[lang=ar]{font-family:" + _ARABIC_FONTS + ";font-size:1.15em;line-height:1.9}"
    "[lang=ar] [lang=ar]{font-size:inherit}"
    ".cluster{border:1px solid var(--line);border-radius:8px;padding:0 12px 12px;"
    "margin:16px 0}"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:12px}"
    ".side{background:var(--bg2);border-radius:6px;padding:4px 10px;min-width:0}"
    ".who{margin:.2em 0;font-size:.9em}.id{font-family:ui-monospace,monospace}"
    "del{background:var(--del);color:var(--del-fg);text-decoration:line-through}"
    "ins{background:var(--ins);color:var(--ins-fg);text-decoration:none}"
    ".lines .doc{max-width:40em}"
    ".chart{width:100%;min-width:520px;max-width:760px;height:auto;display:block;"
    "font:12px sans-serif}"
    ".chart .axis{stroke:#555}.chart .grid{stroke:#e4e4e8}.chart .bar{fill:var(--bar)}"
    ".chart .over{fill:var(--over)}.chart .threshold{stroke:#b3261e;stroke-width:2;"
    "stroke-dasharray:6 4}.chart .threshold-label{fill:#b3261e;font-weight:bold}"
    ".chart .label{font-size:13px;fill:#333}.chart .count{font-size:11px;fill:#333}"
    ".swatch,.swatch-over{display:inline-block;width:.8em;height:.8em;background:var(--bar)}"
    ".swatch-over{background:var(--over)}"
    "@media (max-width:700px){.pair{grid-template-columns:1fr}body{font-size:15px}}"
)
