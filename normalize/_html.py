"""Text blocks of the HTML report: escaping, direction, truncation, word diff, CSS.

Everything here returns escaped HTML (``html.escape(..., quote=True)``) or
plain strings; nothing reads or writes files.

>>> esc('<b id="x">')
'&lt;b id=&quot;x&quot;&gt;'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from difflib import SequenceMatcher
from html import escape
from typing import Final

MAX_TEXT_LINES: Final = 100

_SPACE: Final = re.compile(r"(\s+)")
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
    lines) and the truncation note, if any.

    >>> shown_text("a\\nb\\nc", 3)
    ('a\\nb', '<p class="note">… (truncated, 5 characters)</p>')
    """
    shown = text[:limit]
    end = -1
    for _ in range(MAX_TEXT_LINES):
        end = shown.find("\n", end + 1)
        if end < 0:
            break
    else:
        if end + 1 < len(text):
            shown = shown[:end]
    if len(shown) == len(text):
        return text, ""
    return shown, f'<p class="note">… (truncated, {len(text):,} characters)</p>'


def diff_html(kept: str, removed: str) -> tuple[str, str]:
    """Word-level diff of two texts as escaped HTML: words only in ``kept``
    in ``<del>``, words only in ``removed`` in ``<ins>``; one block per line.

    >>> diff_html("a b <c>", "a x <c>")[0]
    '<div class="ln" dir="auto">a <del>b</del> &lt;c&gt;</div>'
    """
    a, b = _split(kept), _split(removed)
    words_a = [w for parts in a for w in parts[::2] if w]
    words_b = [w for parts in b for w in parts[::2] if w]
    marks_a, marks_b = [False] * len(words_a), [False] * len(words_b)
    counts_b = Counter(words_b)
    work = sum(n * counts_b[word] for word, n in Counter(words_a).items())
    # autojunk ignores frequent words as anchors: coarser, but bounded on
    # degenerate texts (one word repeated a thousand times)
    matcher = SequenceMatcher(None, words_a, words_b, autojunk=work > _DIFF_WORK)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            marks_a[i1:i2] = [True] * (i2 - i1)
            marks_b[j1:j2] = [True] * (j2 - j1)
    return _lines_html(a, iter(marks_a), "del"), _lines_html(b, iter(marks_b), "ins")


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
