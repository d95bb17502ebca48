"""The fast path: whole batches as numpy arrays of code points.

A batch of texts is joined with U+0000 into one string, encoded to UTF-32 (a
copy when the string holds any astral character, a widening otherwise) and
mapped through the plan's table in one gather. Expansions are spliced in,
deletions compressed out, lone ZWJs and whitespace runs squeezed, all as array
operations; the few passes that need context (Farsi yeh, tanween order, case)
then run once over the decoded batch, guarded by ``in`` checks. Elongation runs
its regex only on the items numpy flags. UTF-32 units are code points, so an
array index is a string index.

Short strings skip numpy and use ``str.translate`` with the same map.

>>> from normalize.options import PROFILES
>>> from normalize._plan import plan_for
>>> normalize_batch(plan_for(PROFILES["search"]), ["أَهْلًا", "ﻷ"])
(['اهلا', 'لا'], True)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from codecs import charmap_decode as _charmap_decode
from codecs import charmap_encode as _charmap_encode

import numpy as np
import numpy.typing as npt

from normalize import chars
from normalize._plan import DELETED, EXPANDED, SEP, CodePage, Mask, Plan, Units

_UTF32 = "utf-32-le"
_SHORT = 256  # characters: below this, str.translate beats numpy's fixed costs
_HAMZA_MARKS = tuple(chars.HAMZA_MARKS)


def web(plan: Plan, text: str) -> str:
    """The HTML, URL, e-mail and mention passes the options turn on."""
    for web_pass in plan.web:
        text = web_pass(text)
    return text


def web_many(plan: Plan, texts: list[str]) -> list[str]:
    """:func:`web` on each text; where every pass acts on one character
    (``Plan.web_triggers``), a batch with none of them is one scan of the
    joined texts, not a call per text (line keys come in batches of lines)."""
    triggers = plan.web_triggers
    if triggers is None:
        return [web(plan, text) for text in texts]
    joined = "".join(texts)
    if not any(c in joined for c in triggers):
        return texts
    return [web(plan, t) if any(c in t for c in triggers) else t for t in texts]


def compose(plan: Plan, text: str) -> str:
    """NFC where it can change the result (see ``Plan.deletes_marks``); in a
    joined batch, only on the items that need it."""
    if not plan.options.compose:
        return text
    hamza = any(mark in text for mark in _HAMZA_MARKS)
    # When every Arabic mark is deleted, their order cannot matter and only a
    # decomposed hamza needs composing first; anything else not in NFC is
    # composed by settle() after the table. A presentation form before a
    # hamza mark is NFC as it stands, but not once it is a letter.
    if not (hamza or not plan.deletes_marks):
        return text
    if not (hamza and plan.forms) and unicodedata.is_normalized("NFC", text):
        return text
    if SEP in text:
        return SEP.join(_compose_one(plan, part) for part in text.split(SEP))
    return _compose_one(plan, text)


def _compose_one(plan: Plan, text: str) -> str:
    hamza = any(mark in text for mark in _HAMZA_MARKS)
    if hamza and plan.forms:
        # A presentation form may carry a following decomposed hamza: expand
        # the forms first so composition sees the real letters.
        text = "".join(plan.forms.get(c, c) for c in text)
    if (hamza or not plan.deletes_marks) and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _shorten(match: re.Match[str], laughter: str) -> str:
    letter = match.group(1)
    if letter == chars.HEH and laughter != "collapse":
        return match.group(0) if laughter == "keep" else chars.HEH * 3
    return letter


def elongate(plan: Plan, text: str) -> str:
    """Runs of three or more of one Arabic letter -> one (ه per ``laughter``)."""
    if plan.elongation_re is None:
        return text
    laughter = plan.options.laughter
    return plan.elongation_re.sub(lambda m: _shorten(m, laughter), text)


def late(plan: Plan, text: str) -> str:
    """The hamza carriers, after elongation: ئ -> ي, ؤ -> و, except in a run
    of three or more it would make of one letter (بيئي stays: elongation
    would take ييي for a stretched yeh, now or on the next call)."""
    for char, letter in plan.late.items():
        if char in text:
            folded = text.replace(char, letter)
            if plan.elongation_re is not None and letter * 3 in folded:
                parts = _runs_with(char, letter).split(text)  # runs at odd indices
                parts[::2] = [p.replace(char, letter) for p in parts[::2]]
                folded = "".join(parts)
            text = folded
    return text


@functools.cache
def _runs_with(char: str, letter: str) -> re.Pattern[str]:
    return re.compile(f"((?:{letter}|{char}){{3,}})")


def contextual(plan: Plan, text: str) -> str:
    """Farsi yeh by position, tanween before alef: after the table."""
    if plan.farsi_re is not None and chars.FARSI_YEH in text:
        text = plan.farsi_re.sub(plan.farsi_final, text)
        text = text.replace(chars.FARSI_YEH, plan.farsi_inside)
    if plan.tanween is not None and plan.tanween[0] in text:
        text = _fathatan_first(text, plan.tanween[0])
    return text


def _fathatan_first(text: str, pair: str) -> str:
    """Each run of alef and fathatan (``pair``: the two) that holds a
    fathatan after an alef, written fathatan first: what swapping the pairs
    until none is left gives, in one pass (a run of alefs is not swept once
    per alef)."""
    alef, fathatan = pair[0], pair[1]
    out: list[str] = []
    done = 0
    at = text.find(pair)
    while at != -1:
        start, end = at, at + 2
        while start > done and text[start - 1] in pair:
            start -= 1
        while end < len(text) and text[end] in pair:
            end += 1
        run = text[start:end]
        out += (text[done:start], fathatan * run.count(fathatan), alef * run.count(alef))
        done = end
        at = text.find(pair, done)
    out.append(text[done:])
    return "".join(out)


def _tidy_spaces(text: str, breaks: tuple[str, ...] = ("\n", "\r")) -> str:
    """Runs of U+0020 -> one, none at either end of a line (or of a batch item,
    with ``SEP`` among the ``breaks``) or of the text."""
    while "  " in text:
        text = text.replace("  ", " ")
    for brk in breaks:
        if " " + brk in text:
            text = text.replace(" " + brk, brk)
        if brk + " " in text:
            text = text.replace(brk + " ", brk)
    return text.strip(" ")


def tidy_whitespace(plan: Plan, text: str) -> str:
    """The ``whitespace`` option on one string."""
    mode = plan.options.whitespace
    if mode == "all":
        return " ".join(text.split())
    if mode == "spaces":
        return _tidy_spaces(text)
    return text


def _untidy(mode: str, page_spaces: bytes | None, mapped: bytes) -> bool:
    """Whether the whitespace option has anything to change in ``mapped``."""
    if mapped[:1] == b" " or mapped[-1:] == b" " or b"  " in mapped:
        return True
    if mode == "all":
        return page_spaces is not None and len(mapped.translate(None, page_spaces)) != len(mapped)
    return b" \n" in mapped or b"\n " in mapped or b" \r" in mapped or b"\r " in mapped


def _encode_pieces(page: CodePage, text: str) -> tuple[list[bytes], list[str]] | None:
    """``text`` cut into code-page bytes and the runs of characters between
    them that the code page lacks (``len(encoded) == len(foreign) + 1``), or
    None when a piece holds a byte a contextual pass needs to see."""
    encoded: list[bytes] = []
    foreign: list[str] = []
    rest: str | None = text
    while rest is not None:
        try:
            raw, rest = _charmap_encode(rest, "strict", page.encoding)[0], None
        except UnicodeEncodeError as e:
            assert rest is not None
            raw = _charmap_encode(rest[: e.start], "strict", page.encoding)[0]
            foreign.append(rest[e.start : e.end])
            rest = rest[e.end :]
        if page.special and len(raw.translate(None, page.special)) != len(raw):
            return None
        encoded.append(raw)
    return encoded, foreign


def normalize_short(plan: Plan, text: str) -> str:
    """One short string: its characters in the plan's one-byte code page go
    through ``bytes.translate``, the few others through ``str.translate``;
    a string a contextual pass has work in takes the general path."""
    page = plan.codepage
    cut = _encode_pieces(page, text) if plan.deletes_marks or text.isascii() else None
    if cut is None:
        if plan.deletes_marks:
            return _normalize_general(plan, text)
        try:  # marks kept: composition and mark order need the whole text
            cut = [_charmap_encode(text, "strict", page.encoding)[0]], []
        except UnicodeEncodeError:
            return _normalize_general(plan, text)
        raw = cut[0][0]
        if page.special and len(raw.translate(None, page.special)) != len(raw):
            return _normalize_general(plan, text)
    encoded, foreign = cut
    mapped = encoded[0].translate(page.table, page.delete)
    if foreign:
        text = "".join(
            piece
            for raw, other in zip(encoded, [*foreign, ""], strict=True)
            for piece in (
                _charmap_decode(raw.translate(page.table, page.delete), "strict", page.decoding)[0],
                other.translate(plan.translation),
            )
        )
        try:  # presentation forms become letters: most such strings now encode
            mapped = _charmap_encode(text, "strict", page.encoding)[0]
        except UnicodeEncodeError:
            return tidy_whitespace(plan, late(plan, elongate(plan, contextual(plan, text))))
    text = _charmap_decode(mapped, "strict", page.decoding)[0]
    if plan.elongation_re is not None and page.runs.search(mapped.translate(page.letters)):
        text = elongate(plan, text)
    if plan.late:
        text = late(plan, text)
    mode = plan.options.whitespace
    if mode != "keep" and _untidy(mode, page.other_spaces, mapped):
        text = tidy_whitespace(plan, text)
    return text


def _normalize_general(plan: Plan, text: str) -> str:
    """One string through ``str.translate`` and every string pass."""
    text = compose(plan, text)
    if not (plan.ascii_identity and text.isascii()):
        text = text.translate(plan.translation)
    if plan.zwj_re is not None and chars.ZWJ in text:
        text = plan.zwj_re.sub("", text)
    return tidy_whitespace(plan, late(plan, elongate(plan, contextual(plan, text))))


# --- arrays ----------------------------------------------------------------------


def _splice(plan: Plan, units: Units) -> Units:
    """Replace each EXPANDED unit by its expansion (the originals in ``units``)."""
    mapped = plan.table[units]
    where = np.flatnonzero(mapped == EXPANDED)
    if len(where):
        pieces = []
        start = 0
        for pos, cp in zip(where.tolist(), units[where].tolist(), strict=True):
            pieces += [mapped[start:pos], plan.expansions[cp]]
            start = pos + 1
        pieces.append(mapped[start:])
        mapped = np.concatenate(pieces)
    return mapped


def _squeeze(units: Units, breaks: Mask) -> Units:
    """Each run of U+0020 -> one, or none where the run touches either end or
    a ``breaks`` unit. (With ``whitespace="all"`` the table has already made
    every whitespace character a U+0020.) Works on the positions of spaces."""
    where = np.flatnonzero(units == 0x20)
    if not len(where):
        return units
    n = len(units)
    first = np.empty(len(where), dtype=np.bool_)
    first[0] = True
    np.not_equal(np.diff(where), 1, out=first[1:])
    last = np.empty(len(where), dtype=np.bool_)
    last[-1] = True
    last[:-1] = first[1:]
    starts, ends = where[first], where[last]
    at_edge = (starts == 0) | (ends == n - 1)
    at_edge |= breaks[units[np.maximum(starts - 1, 0)]] | breaks[units[np.minimum(ends + 1, n - 1)]]
    keep = np.ones(n, dtype=np.bool_)
    keep[where] = False
    keep[starts[~at_edge]] = True
    squeezed: Units = units[keep]
    return squeezed


def _run_starts(plan: Plan, units: Units) -> npt.NDArray[np.intp]:
    """Where three equal Arabic letters may start once the string passes ran: a
    superset found with numpy, so the regex runs only on the flagged items.
    Code points those passes change (ZWJ, Farsi yeh, fathatan) match anything."""
    same = units[1:] == units[:-1]
    if plan.wildcards is not None:
        wild = plan.wildcards[units]
        if wild.any():
            same |= wild[1:] | wild[:-1]
    starts = np.flatnonzero(same[1:] & same[:-1])
    return starts[plan.run_letters[units[starts]]]


def _touches(units: Units, code: int, neighbours: tuple[int, ...]) -> bool:
    """Whether some ``code`` unit is at either end or next to one of ``neighbours``
    (only the units around each ``code`` are looked at)."""
    where = np.flatnonzero(units == code)
    if not len(where):
        return False
    if where[0] == 0 or where[-1] == len(units) - 1:
        return True
    return bool(np.isin(units[where - 1], neighbours).any()) or bool(
        np.isin(units[where + 1], neighbours).any()
    )


_BREAKS = (0x20, 0x0A, 0x0D, 0)  # space, line feed, carriage return, SEP


def normalize_joined(plan: Plan, joined: str) -> tuple[list[str], bool]:
    """The texts joined by :data:`SEP`, each normalized once (before settle),
    and whether the result is all NFC (checked only when ``compose`` is on)."""
    text = compose(plan, joined)
    compose_on = plan.options.compose
    if plan.ascii_identity and text.isascii():
        parts = tidy_whitespace_joined(plan, contextual(plan, text))
        return [elongate(plan, p) for p in parts] if plan.elongation_re else parts, True
    units = np.frombuffer(text.encode(_UTF32, "surrogatepass"), dtype=np.uint32)
    units = _splice(plan, units)
    if plan.deletes:
        units = units[units != DELETED]
    mode = plan.options.whitespace
    if plan.breaks is not None and _touches(units, 0x20, _BREAKS):
        units = _squeeze(units, plan.breaks)
    text = units.tobytes().decode(_UTF32, "surrogatepass")
    if plan.zwj_re is not None and chars.ZWJ in text:
        untidy = mode != "keep" and _touches(units, ord(chars.ZWJ), _BREAKS)
        text = plan.zwj_re.sub("", text)
        if untidy and mode == "all":
            text = SEP.join(" ".join(part.split()) for part in text.split(SEP))
        elif untidy:
            text = _tidy_spaces(text, ("\n", "\r", SEP))
    text = contextual(plan, text)
    nfc = not compose_on or unicodedata.is_normalized("NFC", text)
    parts = text.split(SEP)
    if plan.elongation_re is not None and len(units) > 2:
        starts = _run_starts(plan, units)
        if len(starts):
            seps = np.flatnonzero(units == 0)
            for item in np.unique(np.searchsorted(seps, starts)).tolist():
                parts[item] = elongate(plan, parts[item])
    if plan.late:
        parts = [late(plan, p) for p in parts]
    return parts, nfc


def tidy_whitespace_joined(plan: Plan, text: str) -> list[str]:
    """Split a joined ASCII batch and tidy each item's whitespace."""
    parts = text.split(SEP)
    if plan.options.whitespace == "keep":
        return parts
    return [tidy_whitespace(plan, p) for p in parts]


def normalize_batch(plan: Plan, texts: list[str]) -> tuple[list[str], bool]:
    """Each text normalized once (before settle): joined, or one by one when a
    text holds the separator or the batch is small; and whether all is NFC."""
    joined = SEP.join(texts)
    if len(joined) < _SHORT or joined.count(SEP) != len(texts) - 1:
        parts = [normalize_core(plan, web(plan, t)) for t in texts]
        nfc = not plan.options.compose or unicodedata.is_normalized("NFC", "".join(parts))
        return parts, nfc
    return normalize_joined(plan, web(plan, joined))


def normalize_core(plan: Plan, text: str) -> str:
    """One text through every pass but the web ones, once (before settle)."""
    if len(text) < _SHORT or SEP in text:
        return normalize_short(plan, text)
    return normalize_joined(plan, text)[0][0]
