"""The native engine: :mod:`normalize._cmap` (C) behind the engine calls.

One C pass per text maps every character through the plan's composed table
(deleting and expanding), drops lone ZWJs and squeezes spaces; it flags the
texts that may hold a run of three equal letters, may have left NFC, or hold
a character a contextual pass rewrites (Farsi yeh, tanween). Only those texts then
go through the string passes of :mod:`normalize._engine`. The extension is
optional: :data:`AVAILABLE` is false where it was not built, and
:mod:`normalize.text` then uses the numpy engine.

>>> from normalize.options import PROFILES
>>> from normalize._plan import plan_for
>>> AVAILABLE and normalize_batch(plan_for(PROFILES["search"]), ["أَهْلًا", "ﻷ"])
(['اهلا', 'لا'], True)
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from normalize import chars
from normalize._engine import compose, contextual, elongate, late, web, web_many
from normalize._plan import CODE_POINTS, Plan, mask_of

try:
    from normalize._cmap import map_text, map_texts
except ImportError:  # built without a C compiler: the numpy engine serves
    AVAILABLE = False
else:
    AVAILABLE = True

# Character classes (see _cmap.c) and the flags each text gets back.
_LETTER, _WILD, _EMOJI, _NFC_RISK, _PASS, _JOINER = 1, 2, 4, 8, 16, 32
_RUN, _NOT_NFC, _PASSES = 1, _NFC_RISK, _PASS
_ABORTING = 0xFFFFFFFD  # table value: deleted, but compose the text first
_MODES = {"keep": 0, "spaces": 1, "all": 2}


@dataclass(frozen=True)
class Tables:
    """A plan in the form the C functions read."""

    table: bytes  # code point -> native uint32 (DELETED, EXPANDED, _ABORTING)
    classes: bytes  # code point -> class bits
    expansions: dict[int, str]
    mode: int
    abort: bool  # leave a text to compose first: a decomposed hamza, or (ccc) not NFC
    ccc: bytes | None  # marks kept: their classes, to put them in order (see _cmap.c)

    def args(self, *, abort: bool) -> tuple[bytes, bytes, dict[int, str], int, bool, bytes | None]:
        return (
            self.table,
            self.classes,
            self.expansions,
            self.mode,
            abort and self.abort,
            self.ccc,
        )


@functools.lru_cache(maxsize=8)
def tables(plan: Plan, *, folded: bool = True) -> Tables:
    """The native form of ``plan`` (built once per plan). ``folded``: the
    hamza carriers (``Plan.late``) folded in the table too, right for every
    text without a run of three letters (elongation cannot tell a folded
    carrier from the letter); the others are mapped again unfolded."""
    o = plan.options
    classes = np.zeros(CODE_POINTS, dtype=np.uint8)

    def mark(members: frozenset[str] | set[str], bit: int) -> None:
        classes[[ord(c) for c in members]] |= bit

    if plan.zwj_re is not None:  # lone ZWJs go in the C pass
        mark({chars.ZWJ}, _JOINER)
        mark(chars.EMOJI, _EMOJI)
    if plan.elongation_re is not None:
        mark(chars.ARABIC_LETTERS, _LETTER)
        if plan.wildcards is not None:
            wild = {chr(cp) for cp in np.flatnonzero(plan.wildcards).tolist()} - {chars.ZWJ}
            mark(wild, _WILD)
    marks_deleted = o.compose and plan.deletes_marks
    ccc = None
    if marks_deleted:
        classes[_nfc_risk_mask()] |= _NFC_RISK
    elif o.compose:
        ccc = _combining_classes()
    contextual_chars = {
        c
        for on, c in ((plan.farsi_re, chars.FARSI_YEH), (plan.tanween, chars.FATHATAN))
        if on is not None
    }
    if contextual_chars:
        mark(contextual_chars, _PASS)
    table = plan.table.astype("=u4")
    expansions = {cp: "".join(map(chr, units.tolist())) for cp, units in plan.expansions.items()}
    if folded:  # a carrier, and what maps to one (a presentation form, a ligature)
        for char, letter in plan.late.items():
            table[table == ord(char)] = ord(letter)
            expansions = {cp: e.replace(char, letter) for cp, e in expansions.items()}
    if marks_deleted:  # a decomposed hamza must compose first
        table[[ord(c) for c in chars.HAMZA_MARKS]] = _ABORTING
    return Tables(
        table=table.tobytes(),
        classes=classes.tobytes(),
        expansions=expansions,
        mode=_MODES[o.whitespace],
        abort=o.compose,
        ccc=ccc,
    )


@functools.cache
def _nfc_risk_mask() -> npt.NDArray[np.bool_]:
    """Every code point that can take a text out of NFC: :func:`chars.nfc_risk`
    in the BMP, the astral planes but :data:`chars.NFC_SAFE_ASTRAL` (built once)."""
    risky = mask_of(chars.nfc_risk())
    risky[0x10000:] = True
    for first, last in chars.NFC_SAFE_ASTRAL:
        risky[first : last + 1] = False
    risky.flags.writeable = False
    return risky


@functools.cache
def _combining_classes() -> bytes:
    """The ``ccc`` table of _cmap.c: the class of each mark NFC only reorders,
    0 for what NFC leaves alone, 255 for the rest (built once)."""
    ccc = np.zeros(CODE_POINTS, dtype=np.uint8)
    ccc[_nfc_risk_mask()] = 255
    marks = chars.reorderable_marks()
    ccc[[ord(c) for c in marks]] = list(marks.values())
    return ccc.tobytes()


def _string_passes(plan: Plan, text: str, flags: int) -> tuple[str, int]:
    """What the C pass left to do on one text: Farsi yeh and tanween, then
    elongation. Moving fathatan past alef can put it after another mark, out
    of canonical order: the flags then say the text may not be NFC."""
    if flags & _PASSES:
        moved = contextual(plan, text)
        if moved != text:
            flags |= _NOT_NFC
        text = moved
    if flags & _RUN:
        text = elongate(plan, text)
    return text, flags


def _finish(plan: Plan, text: str, flags: int, source: str) -> tuple[str, int]:
    """:func:`_string_passes` on a text the folded table mapped; one that
    may hold a run is mapped again unfolded, its carriers folded after
    elongation."""
    if plan.late and flags & _RUN:
        text, flags = _map_one(plan, tables(plan, folded=False), source, folded=False)
        return late(plan, text), flags
    return _string_passes(plan, text, flags)


def _map_composed(plan: Plan, t: Tables, text: str) -> tuple[str, int]:
    """The C pass on a text it handed back: composed first, no hand-back."""
    out, flags = map_text(compose(plan, text), *t.args(abort=False))
    assert out is not None
    return out, flags


def _map_one(plan: Plan, t: Tables, text: str, *, folded: bool = True) -> tuple[str, int]:
    """The C pass on one text (composing it first where it needs it)."""
    out, flags = map_text(text, *t.args(abort=True))
    if out is None:
        out, flags = _map_composed(plan, t, text)
    if folded:
        return _finish(plan, out, flags, text)
    return _string_passes(plan, out, flags)


def normalize_one(plan: Plan, text: str) -> tuple[str, bool]:
    """One text through every pass but settle, and whether it may not be NFC."""
    out, flags = _map_one(plan, tables(plan), web(plan, text))
    return out, bool(flags & _NOT_NFC)


def normalize_core(plan: Plan, text: str) -> str:
    """One text through every pass but the web ones, once (before settle)."""
    return _map_one(plan, tables(plan), text)[0]


def normalize_batch(plan: Plan, texts: list[str]) -> tuple[list[str], bool]:
    """Each text normalized once (before settle), and whether all are NFC."""
    t = tables(plan)
    if plan.web:
        if not all(map(str.__instancecheck__, texts)):
            msg = "normalize_batch() takes strings"
            raise TypeError(msg)
        texts = web_many(plan, texts)
    mapped, marks = map_texts(texts, *t.args(abort=True))
    outs = cast("list[str]", mapped)  # None only where a flag says so, replaced below
    nfc = True
    for i in np.flatnonzero(np.frombuffer(marks, dtype=np.uint8)).tolist():
        out, flags = mapped[i], marks[i]
        if out is None:
            out, flags = _map_composed(plan, t, texts[i])
        out, flags = _finish(plan, out, flags, texts[i])
        outs[i] = out
        if nfc and flags & _NOT_NFC:
            nfc = unicodedata.is_normalized("NFC", out)
    return outs, nfc
