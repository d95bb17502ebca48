"""Compile :class:`NormalizeOptions` into the tables both implementations use.

The one-to-one steps (and deletions and expansions) are composed into a
single character map, so each character is looked up once however many
options are on. The fast path reads it as a numpy table over code points;
short strings use it through ``str.translate``; the reference path as a dict.

>>> from normalize.options import PROFILES
>>> plan = compile_plan(PROFILES["search"])
>>> plan.charmap["\\u0623"], plan.charmap["\\u064e"]
('\\u0627', '')
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

import numpy as np
import numpy.typing as npt

from normalize import chars
from normalize.options import NormalizeOptions
from normalize.web import decode_entities, remove_emails, remove_mentions, remove_urls, strip_tags

if TYPE_CHECKING:
    from _codecs import _EncodingMap

TextPass = Callable[[str], str]
Units = npt.NDArray[np.uint32]
Mask = npt.NDArray[np.bool_]

CODE_POINTS = 0x110000
DELETED = 0xFFFFFFFF  # table value: the code point is deleted
EXPANDED = 0xFFFFFFFE  # table value: the code point becomes several
SEP = "\x00"  # joins a batch; no pass maps it or matches across it


def char_class(members: Iterable[str]) -> str:
    """A regex character class matching exactly ``members``, as ranges.

    >>> char_class("abcx")
    '[a-cx]'
    """
    points = sorted({ord(c) for c in members})
    parts = []
    start = prev = points[0]
    for cp in [*points[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        first, last = re.escape(chr(start)), re.escape(chr(prev))
        parts.append(first if start == prev else f"{first}-{last}")
        start = prev = cp
    return "[" + "".join(parts) + "]"


def mask_of(members: Iterable[str]) -> Mask:
    """A boolean table over all code points, true for ``members``."""
    mask = np.zeros(CODE_POINTS, dtype=np.bool_)
    mask[[ord(c) for c in members]] = True
    return mask


def char_steps(options: NormalizeOptions) -> list[Mapping[str, str]]:
    """The character maps the options turn on, in the order they apply.

    Presentation forms come first so their letters go through every later step.

    >>> len(char_steps(NormalizeOptions()))
    0
    """
    o = options
    steps: list[Mapping[str, str]] = []
    if o.presentation_forms:
        forms = dict(chars.presentation_map())
        if o.persian:
            forms.update(chars.FARSI_YEH_FORMS)
        steps.append(forms)
    if o.word_breaks:
        steps.append({chars.ZWSP: " "})
    if o.invisible:
        steps.append(dict.fromkeys(chars.INVISIBLE, ""))
    if o.odd_spaces:
        steps.append(dict.fromkeys(chars.ODD_SPACES, " "))
    if o.tatweel:
        steps.append({chars.TATWEEL: ""})
    marks: set[str] = set()
    if o.harakat:
        marks |= chars.HARAKAT
    if o.other_marks:
        marks |= chars.OTHER_MARKS
    if o.quranic_marks:
        marks |= chars.QURANIC_MARKS
    if o.superscript_alef == "delete":
        marks.add(chars.SUPERSCRIPT_ALEF)
    if marks:
        steps.append(dict.fromkeys(marks, ""))
    if o.superscript_alef == "alef":
        steps.append({chars.SUPERSCRIPT_ALEF: chars.ALEF})
    for on, table in (
        (o.persian, chars.PERSIAN_VARIANTS),
        (o.alef, chars.ALEF_VARIANTS),
        (o.hamza_carriers, chars.HAMZA_CARRIERS),
        (o.alef_maksura, {chars.ALEF_MAKSURA: chars.YEH}),
        (o.teh_marbuta, {chars.TEH_MARBUTA: chars.HEH}),
        (o.digits, chars.DIGITS),
        (o.arabic_punctuation, chars.ARABIC_PUNCTUATION),
        (o.punctuation, dict.fromkeys(chars.PUNCTUATION, " ")),
    ):
        if on:
            steps.append(table)
    if o.casefold:
        steps.append(chars.casefold_map())
    if o.whitespace == "all":  # every whitespace character -> U+0020, then runs -> one
        steps.append(dict.fromkeys(chars.WHITESPACE - {" "}, " "))
    return steps


def compose_steps(steps: list[Mapping[str, str]]) -> dict[str, str]:
    """Run every character any step touches through all steps, in order.

    Built from the last step back: ``after`` maps each character to what the
    steps after the current one make of it, so each step costs one lookup per
    character it maps, and a copy of ``after`` in C.

    >>> compose_steps([{"a": "b"}, {"b": "c"}])
    {'a': 'c', 'b': 'c'}
    """
    after: dict[str, str] = {}
    for step in reversed(steps):
        through = after.get
        after = dict(after)
        for key, value in step.items():
            if len(value) == 1:
                after[key] = through(value, value)
            else:
                after[key] = "".join([through(c, c) for c in value])
    return {key: after[key] for key in sorted(after) if after[key] != key}


@dataclass(frozen=True, eq=False)
class CodePage:
    """A private one-byte encoding of ASCII and :data:`chars.CODEPAGE_REPERTOIRE`
    with the plan's map as a ``bytes.translate`` table."""

    encoding: _EncodingMap | dict[int, int]  # codecs.charmap_build() of ``decoding``
    decoding: str  # byte -> character (U+FFFE marks unused bytes)
    table: bytes  # byte -> mapped byte
    delete: bytes  # bytes the map deletes
    special: bytes  # input bytes that need the general path
    letters: bytes  # translate table: Arabic letters kept, every other byte -> 0
    runs: re.Pattern[bytes]  # on those bytes: three equal letters in a row
    other_spaces: bytes | None  # whitespace bytes other than U+0020 ("all" mode)


def _code_page(o: NormalizeOptions, charmap: Mapping[str, str]) -> CodePage:
    """The code page for ``charmap``; characters it maps outside the code page
    are left out, so strings holding them take the ``str.translate`` path.

    Strings with a character a contextual pass looks at (a hamza mark to
    compose, ZWJ, Farsi yeh, fathatan) also take the general path."""
    members = [chr(c) for c in range(128)] + list(chars.CODEPAGE_REPERTOIRE)
    members = [c for c in members if len(charmap.get(c, c)) <= 1]
    members = [c for c in members if charmap.get(c, c) in members or not charmap.get(c, c)]
    decoding = "".join(members).ljust(256, "\ufffe")
    index = {c: i for i, c in enumerate(members)}
    table = bytearray(range(256))
    delete = bytearray()
    for char, value in charmap.items():
        if char in index:
            if value:
                table[index[char]] = index[value]
            else:
                delete.append(index[char])
    special = {
        c
        for on, c in (
            (o.invisible, chars.ZWJ),
            (o.persian, chars.FARSI_YEH),
            (o.tanween_alef and charmap.get(chars.FATHATAN) != "", chars.FATHATAN),
        )
        if on
    }
    if o.compose:
        special |= chars.HAMZA_MARKS
        if not all(charmap.get(c) == "" for c in chars.COMBINING_MARKS):
            special |= chars.COMBINING_MARKS
    letters = bytearray(256)
    for char in chars.ARABIC_LETTERS & index.keys():
        letters[index[char]] = index[char]
    other_spaces = None
    if o.whitespace == "all":
        other_spaces = bytes(sorted(index[c] for c in chars.WHITESPACE - {" "} if c in index))
    return CodePage(
        encoding=codecs.charmap_build(decoding),
        decoding=decoding,
        table=bytes(table),
        delete=bytes(delete),
        special=bytes(sorted(index[c] for c in special if c in index)),
        letters=bytes(letters),
        runs=re.compile(rb"([^\x00])\1\1"),
        other_spaces=other_spaces,
    )


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything a Normalizer needs, derived once from the options."""

    options: NormalizeOptions
    web: tuple[TextPass, ...]
    web_triggers: str | None  # a web pass changes only texts holding one of these (None: any)
    forms: Mapping[str, str]  # presentation form -> its letters, before other steps
    charmap: Mapping[str, str]  # every character step, composed
    table: Units  # charmap over code points, with DELETED / EXPANDED
    deletes: bool  # the charmap deletes some characters
    expansions: Mapping[int, Units]  # code point -> the units it becomes
    ascii_identity: bool  # the charmap leaves every ASCII character alone
    deletes_marks: bool  # the charmap deletes every Arabic combining mark
    farsi_re: re.Pattern[str] | None  # a Farsi yeh that ends its word
    farsi_inside: str
    farsi_final: str
    tanween: tuple[str, str] | None  # (alef + fathatan, fathatan + alef)
    zwj_re: re.Pattern[str] | None  # a ZWJ not between two emoji
    elongation_re: re.Pattern[str] | None  # three or more of one Arabic letter
    late: Mapping[str, str]  # after elongation: hamza carriers -> letters
    run_letters: Mask  # code points elongation may apply to (wildcards too)
    wildcards: Mask | None  # code points the later string passes change
    breaks: Mask | None  # code points a run of spaces must not survive next to

    @functools.cached_property
    def entities(self) -> bool:
        """Whether an output can hold an entity to decode: entities are
        decoded (``html`` or ``entities``) and ``&`` is kept."""
        o = self.options
        return (o.html or o.entities) and self.charmap.get("&", "&") == "&"

    @functools.cached_property
    def yeh_hamza(self) -> bool:
        """Whether an output can hold ى or ی + U+0654 to compose: ``compose``
        is on and the hamza mark is kept."""
        hamza = chars.HAMZA_ABOVE
        return self.options.compose and self.charmap.get(hamza, hamza) == hamza

    # The string engine's forms of the charmap, built on first use (a run on
    # the native core never needs them).

    @functools.cached_property
    def translation(self) -> list[int | str | None]:
        """The charmap for ``str.translate``."""
        return _translation(self.charmap)

    @functools.cached_property
    def codepage(self) -> CodePage:
        """The charmap as ``bytes.translate``, for common short strings."""
        return _code_page(self.options, self.charmap)


def _web_passes(
    o: NormalizeOptions,
    charmap: Mapping[str, str],
    forms: Mapping[str, str],
    zwj_re: re.Pattern[str] | None,
) -> tuple[TextPass, ...]:
    """Entities, a yeh with hamza NFC leaves apart, then for the patterns:
    presentation forms, the characters the options delete or turn
    into ASCII signs, then the patterns: so no ligature, invisible mark, tatweel
    or Arabic full stop hides a tag, URL, address or mention from the patterns,
    or makes one appear on a second run. (An entity that a mapped character
    completes, ``&#\u0666\u0660;``, is the Normalizer's: it normalizes again.)"""
    chosen = [
        fn
        for on, fn in (
            (o.html, strip_tags),
            (o.urls, remove_urls),
            (o.emails, remove_emails),
            (o.mentions, remove_mentions),
        )
        if on
    ]
    first: tuple[TextPass, ...] = (decode_entities,) if o.entities or o.html else ()
    if o.compose:
        first += (compose_yeh_hamza,)
    if o.superscript_alef == "alef":
        first += (_no_alef_after_maksura,)
    if o.punctuation:
        first += (_keycap_signs,)
    if not chosen:
        return first
    deleted = [c for c, v in charmap.items() if not v]
    if deleted:
        deleted_re = re.compile(char_class(deleted))
        chosen.insert(0, lambda text: deleted_re.sub("", text))
    if zwj_re is not None:
        chosen.insert(0, lambda text: zwj_re.sub("", text) if chars.ZWJ in text else text)
    ascii_signs = [
        (k, v) for k, v in charmap.items() if not k.isascii() and v.isascii() and not v.isalnum()
    ]
    if ascii_signs:  # ، ۔ ٫ NBSP ... -> , . . space: what the patterns split on

        def to_ascii(text: str) -> str:
            for char, sign in ascii_signs:
                if char in text:
                    text = text.replace(char, sign)
            return text

        chosen.insert(0, to_ascii)
    if forms:
        forms_re = re.compile(char_class(forms))
        chosen.insert(0, lambda text: forms_re.sub(lambda m: forms[m.group()], text))
    return first + tuple(chosen)


def _triggers(passes: tuple[TextPass, ...]) -> str | None:
    """The characters without which none of ``passes`` changes a text, when
    each pass has such a character (None otherwise)."""
    found = [_TRIGGERS.get(p) for p in passes]
    return None if None in found else "".join(cast("list[str]", found))


_KEYCAP_SIGN = re.compile("([#*])\ufe0f?\u20e3")


def _keycap_signs(text: str) -> str:
    """``punctuation``: the keycap emoji #️⃣ *️⃣ are their sign, which becomes
    a space, not a sign whose variation selector and keycap mark stay behind
    (digit keycaps are content and stay)."""
    return _KEYCAP_SIGN.sub(r"\1", text) if "\u20e3" in text else text


_MAKSURA_DAGGER = re.compile("([\u0649\u06cc][\u064b-\u0652]*)\u0670")


def _no_alef_after_maksura(text: str) -> str:
    """``superscript_alef="alef"``: the dagger alef on ى (عَلَىٰ, مُوسَىٰ) says
    how ى is read, it is no missing letter: deleted, not written ا."""
    return _MAKSURA_DAGGER.sub(r"\1", text) if "\u0670" in text else text


def compose_yeh_hamza(text: str) -> str:
    """ى or ی + hamza above -> ئ (:data:`~normalize.chars.YEH_HAMZA`)."""
    if chars.HAMZA_ABOVE in text:
        for spelled, letter in chars.YEH_HAMZA.items():
            text = text.replace(spelled, letter)
    return text


def _tables(charmap: Mapping[str, str]) -> tuple[Units, dict[int, Units]]:
    table = np.arange(CODE_POINTS, dtype=np.uint32)
    expansions: dict[int, Units] = {}
    for key, value in charmap.items():
        if not value:
            table[ord(key)] = DELETED
        elif len(value) == 1:
            table[ord(key)] = ord(value)
        else:
            table[ord(key)] = EXPANDED
            expansions[ord(key)] = np.array([ord(c) for c in value], dtype=np.uint32)
    table.flags.writeable = False
    return table, expansions


def _translation(charmap: Mapping[str, str]) -> list[int | str | None]:
    size = max(map(ord, charmap), default=-1) + 1
    translation: list[int | str | None] = list(range(size))
    for key, value in charmap.items():
        translation[ord(key)] = value or None
    return translation


def compile_plan(options: NormalizeOptions) -> Plan:
    """Build the :class:`Plan` for ``options`` (cached by :func:`plan_for`)."""
    o = options
    steps = char_steps(o)
    charmap = compose_steps(steps)
    late: dict[str, str] = {}
    if o.hamza_carriers:
        # after elongation: ي + ئ + ي are three letters as written (بيئي), not
        # a stretched yeh, so the carriers are written as ي and و last
        late = {c: charmap[c] for c in chars.HAMZA_CARRIERS}
        charmap = compose_steps([s for s in steps if s is not chars.HAMZA_CARRIERS])
    for value in charmap.values():
        if len(value) > 1 and (value != value.strip() or "  " in value):
            msg = f"an expansion must not start, end or double whitespace: {value!r}"
            raise AssertionError(msg)
    table, expansions = _tables(charmap)
    farsi_re = None
    if o.persian:
        skip = char_class(chars.COMBINING_MARKS | {chars.TATWEEL, "\u200c", chars.ZWJ})
        letters = char_class(chars.ARABIC_LETTERS)
        farsi_re = re.compile(f"{chars.FARSI_YEH}(?!{skip}*{letters})")
    tanween = None
    if o.tanween_alef and charmap.get(chars.FATHATAN) != "":
        alef = charmap.get(chars.ALEF, chars.ALEF)
        tanween = (alef + chars.FATHATAN, chars.FATHATAN + alef)
    zwj_re = None
    if o.invisible:
        emoji = char_class(chars.EMOJI)
        # Starts with the literal, so the engine scans for ZWJ, not every position.
        zwj_re = re.compile(f"{chars.ZWJ}(?:(?!{emoji})|(?<!{emoji}{chars.ZWJ}))")
    wild = {c for on, c in ((zwj_re, chars.ZWJ), (farsi_re, chars.FARSI_YEH)) if on}
    if tanween:
        wild.add(chars.FATHATAN)
    breaks = None
    if o.whitespace == "all":
        breaks = mask_of(SEP)
    elif o.whitespace == "spaces":
        breaks = mask_of(SEP + "\n\r")
    web = _web_passes(o, charmap, steps[0] if o.presentation_forms else {}, zwj_re)
    return Plan(
        options=o,
        web=web,
        web_triggers=_triggers(web),
        forms=steps[0] if o.presentation_forms else {},
        charmap=charmap,
        table=table,
        deletes="" in charmap.values(),
        expansions=expansions,
        ascii_identity=all(chr(c) not in charmap for c in range(128)),
        deletes_marks=all(charmap.get(c) == "" for c in chars.COMBINING_MARKS),
        farsi_re=farsi_re,
        farsi_inside=charmap.get(chars.YEH, chars.YEH),
        farsi_final=charmap.get(chars.ALEF_MAKSURA, chars.ALEF_MAKSURA),
        tanween=tanween,
        zwj_re=zwj_re,
        elongation_re=(
            re.compile(f"({char_class(chars.ARABIC_LETTERS)})\\1\\1+") if o.elongation else None
        ),
        late=late,
        run_letters=mask_of(chars.ARABIC_LETTERS | wild),
        wildcards=mask_of(wild) if wild else None,
        breaks=breaks,
    )


@functools.lru_cache(maxsize=8)
def plan_for(options: NormalizeOptions) -> Plan:
    """The compiled plan for ``options``, built once per distinct options."""
    return compile_plan(options)


#: the one character each cheap early pass acts on
_TRIGGERS: Final[dict[TextPass, str]] = {
    decode_entities: "&",
    compose_yeh_hamza: chars.HAMZA_ABOVE,
    _no_alef_after_maksura: "\u0670",
    _keycap_signs: "\u20e3",
}
