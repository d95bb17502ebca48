"""The slow, obvious implementation of the normalization passes.

One character at a time, no regular expressions, no numpy: the yardstick the
fast path in :mod:`normalize.text` is tested against, and the implementation
``TANQIYA_IMPLEMENTATION=python`` selects.

>>> from normalize._plan import plan_for
>>> from normalize.options import PROFILES
>>> reference_core(plan_for(PROFILES["search"]), "إِلَى")
'الي'
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import TYPE_CHECKING

from normalize import chars

if TYPE_CHECKING:
    from normalize._plan import Plan

_BREAKS = ("\r\n", "\n", "\r")


def reference_core(plan: Plan, text: str) -> str:
    """One run of every pass after the web passes, in the documented order."""
    options = plan.options
    if options.presentation_forms:
        text = "".join(plan.forms.get(c, c) for c in text)
    if options.compose:
        text = unicodedata.normalize("NFC", text)
    text = "".join(plan.charmap.get(c, c) for c in text)
    if options.invisible:
        text = _drop_lone_zwj(text)
    if options.persian:
        text = _farsi_yeh(text, plan.farsi_inside, plan.farsi_final)
    if plan.tanween is not None:
        while plan.tanween[0] in text:
            text = _swap_pairs(text, *plan.tanween)
    if options.elongation:
        text = _shorten_runs(text, options.laughter)
    for char, letter in plan.late.items():  # hamza carriers, once runs are settled
        text = _fold_carrier(text, char, letter, keep_runs=options.elongation)
    if options.whitespace == "spaces":
        text = _tidy_spaces(text)
    elif options.whitespace == "all":
        text = " ".join(text.split())
    return text


def _farsi_yeh(text: str, inside: str, final: str) -> str:
    skip = chars.COMBINING_MARKS | {chars.TATWEEL, "\u200c", chars.ZWJ}
    out = []
    for i, c in enumerate(text):
        if c == chars.FARSI_YEH:
            j = i + 1
            while j < len(text) and text[j] in skip:
                j += 1
            c = inside if j < len(text) and text[j] in chars.ARABIC_LETTERS else final
        out.append(c)
    return "".join(out)


def _swap_pairs(text: str, pair: str, swapped: str) -> str:
    out = []
    i = 0
    while i < len(text):
        if text[i : i + 2] == pair:
            out.append(swapped)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _drop_lone_zwj(text: str) -> str:
    out = []
    for i, c in enumerate(text):
        if c == chars.ZWJ:
            before = text[i - 1] if i > 0 else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            if before not in chars.EMOJI or after not in chars.EMOJI or not before or not after:
                continue
        out.append(c)
    return "".join(out)


def _shorten_runs(text: str, laughter: str) -> str:
    out = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        run = text[i:j]
        if len(run) >= 3 and text[i] in chars.ARABIC_LETTERS:
            if text[i] != chars.HEH or laughter == "collapse":
                run = text[i]
            elif laughter == "shorten":
                run = text[i] * 3
        out.append(run)
        i = j
    return "".join(out)


def _tidy_spaces(text: str) -> str:
    lines = []
    line: list[str] = []
    i = 0
    while i < len(text):
        brk = next((b for b in _BREAKS if text.startswith(b, i)), None)
        if brk is None:
            line.append(text[i])
            i += 1
            continue
        lines.append(("".join(line), brk))
        line = []
        i += len(brk)
    lines.append(("".join(line), ""))
    out = []
    for body, brk in lines:
        words = [w for w in body.split(" ") if w]
        out.append(" ".join(words) + brk)
    return "".join(out)


def _fold_carrier(text: str, char: str, letter: str, *, keep_runs: bool) -> str:
    """``char`` -> ``letter``, but in a run of 3+ of the two (with
    ``keep_runs``): there it stays, else the run would read as elongation."""
    out: list[str] = []
    for is_run, group in itertools.groupby(text, lambda c: c in (char, letter)):
        piece = "".join(group)
        if is_run and not (keep_runs and len(piece) >= 3):
            piece = piece.replace(char, letter)
        out.append(piece)
    return "".join(out)
