"""The code point tables: each set is what its name says, checked against Unicode data."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize import chars
from normalize._plan import char_steps, compose_steps
from normalize.options import PROFILES

ASSIGNED_SINCE_PY310 = {"\u061d", "\ufdfe", "\ufdff", "\ufdcf", *map(chr, range(0xFD40, 0xFD50))}


def test_harakat_and_marks_are_combining_marks() -> None:
    for char in chars.HARAKAT | chars.OTHER_MARKS | {chars.SUPERSCRIPT_ALEF}:
        assert unicodedata.category(char) == "Mn", hex(ord(char))
    assert {chr(c) for c in range(0x064B, 0x0653)} == chars.HARAKAT
    assert chars.HAMZA_MARKS <= chars.OTHER_MARKS


ARABIC_BLOCKS = [(0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x089F), (0x08A0, 0x08FF)]


def test_search_deletes_every_arabic_mark() -> None:
    """Every non-spacing mark of the Arabic blocks is a table's: none is
    left on a letter by ``search`` (U+0898–U+089F are Unicode 14)."""
    tables = chars.HARAKAT | chars.OTHER_MARKS | {chars.SUPERSCRIPT_ALEF} | chars.QURANIC_MARKS
    for low, high in ARABIC_BLOCKS:
        for char in map(chr, range(low, high + 1)):
            if unicodedata.category(char) == "Mn":
                assert char in tables, hex(ord(char))
    assert {chr(c) for c in range(0x0898, 0x08A0)} <= chars.QURANIC_MARKS


def test_punctuation_is_unicode_punctuation() -> None:
    for char in chars.PUNCTUATION:
        category = unicodedata.category(char)
        if category == "Cn" and char in ASSIGNED_SINCE_PY310:
            continue
        assert category.startswith("P"), (hex(ord(char)), category)
    ascii_punct = {c for c in map(chr, range(128)) if unicodedata.category(c).startswith("P")}
    assert ascii_punct <= chars.PUNCTUATION


def test_whitespace_is_what_str_split_splits_on() -> None:
    assert {chr(c) for c in range(0x110000) if chr(c).isspace()} == chars.WHITESPACE


def test_odd_spaces_are_spaces_and_invisible_are_format_characters() -> None:
    for char in chars.ODD_SPACES:
        assert unicodedata.category(char) == "Zs", hex(ord(char))
    for char in chars.INVISIBLE:
        assert unicodedata.category(char) in ("Cf", "Mn", "Lo"), hex(ord(char))
    assert chars.ZWJ not in chars.INVISIBLE


def test_digits_map_to_their_values() -> None:
    for char, ascii_digit in chars.DIGITS.items():
        if ascii_digit.isdigit():
            assert unicodedata.digit(char) == int(ascii_digit)


def test_casefold_table_equals_str_casefold_everywhere() -> None:
    folded = chars.casefold_map()
    for code in range(0x110000):
        char = chr(code)
        assert folded.get(char, char) == char.casefold(), hex(code)


def test_presentation_forms_keep_the_hamza_and_lose_no_ligature() -> None:
    forms = chars.presentation_map()
    assert forms["\ufef7"] == "\u0644\u0623"
    assert forms["\ufef9"] == "\u0644\u0625"
    assert forms["\ufdfa"] == "صلى الله عليه وسلم"
    assert forms["\ufdf2"] == "الله"
    for char, letters in forms.items():
        assert letters, hex(ord(char))
        if chars.FARSI_YEH in letters:  # by position when persian is on
            assert char in chars.FARSI_YEH_FORMS, hex(ord(char))
        assert unicodedata.is_normalized("NFC", letters), hex(ord(char))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="U+FDFE.. named from Unicode 14")
def test_word_ligatures_without_a_decomposition_are_spelled_out() -> None:
    for char in chars.WORD_LIGATURES:
        assert unicodedata.normalize("NFKC", char) in (char, "ریال"), hex(ord(char))


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_map_is_a_fixed_point(profile: str) -> None:
    """A mapped character is never mapped again: one table lookup is enough."""
    charmap = compose_steps(char_steps(PROFILES[profile]))
    for value in charmap.values():
        for char in value:
            assert charmap.get(char, char) == char, (profile, hex(ord(char)))


_STEP_CHARS = st.sampled_from(["a", "b", "c", "\u0627", "\u0623", "\u064b", "\U0001f600"])
_STEPS = st.lists(
    st.dictionaries(_STEP_CHARS, st.text(_STEP_CHARS, max_size=3), max_size=4), max_size=5
)


@given(_STEPS)
def test_composed_steps_are_the_steps_one_after_another(steps: list[dict[str, str]]) -> None:
    composed = compose_steps(steps)
    for char in {c for step in steps for c in step} | {"z"}:
        value = char
        for step in steps:
            value = "".join(step.get(c, c) for c in value)
        assert composed.get(char, char) == value
    assert all(key != value for key, value in composed.items())


def test_code_page_repertoire() -> None:
    assert len(set(chars.CODEPAGE_REPERTOIRE)) == len(chars.CODEPAGE_REPERTOIRE) <= 128
    assert all(ord(c) >= 128 for c in chars.CODEPAGE_REPERTOIRE)


def _composition_seconds() -> set[str]:
    """The second half of every canonical pair, from the Unicode database."""
    seconds = set()
    for cp in range(sys.maxunicode + 1):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    return seconds


def test_nfc_risk_covers_every_way_out_of_nfc() -> None:
    """A string of BMP characters outside ``nfc_risk()`` is NFC: each is a
    starter NFC keeps and none composes with what precedes it."""
    risky = chars.nfc_risk()
    for char in map(chr, range(0x10000)):
        if char not in risky:
            assert unicodedata.combining(char) == 0, f"U+{ord(char):04X}"
            assert unicodedata.normalize("NFC", char) == char, f"U+{ord(char):04X}"
    bmp_seconds = {c for c in _composition_seconds() if ord(c) < 0x10000}
    assert bmp_seconds <= risky
    assert risky >= chars.HANGUL_SECOND_JAMO
    assert unicodedata.normalize("NFC", "\u1100\u1161") == "\uac00"  # why jamo are listed


def test_nfc_safe_astral_ranges_hold_nothing_nfc_changes() -> None:
    seconds = _composition_seconds()
    for first, last in chars.NFC_SAFE_ASTRAL:
        assert first >= 0x10000
        for char in map(chr, range(first, last + 1)):
            assert unicodedata.combining(char) == 0, f"U+{ord(char):04X}"
            assert unicodedata.normalize("NFD", char) == char, f"U+{ord(char):04X}"
            assert char not in seconds, f"U+{ord(char):04X}"


def _sort_mark_runs(text: str, classes: dict[str, int]) -> str:
    out: list[str] = []
    run: list[str] = []
    for char in [*text, ""]:
        if char and classes.get(char, 0):
            run.append(char)
            continue
        out += sorted(run, key=classes.__getitem__)  # stable
        run = []
        out.append(char)
    return "".join(out)


_MARKS = sorted(chars.reorderable_marks())
_SAFE = sorted(c for c in map(chr, range(0x20, 0x3000)) if c not in chars.nfc_risk())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_MARKS), st.sampled_from(_SAFE)), max_size=24))
def test_sorting_reorderable_marks_is_nfc(parts: list[str]) -> None:
    """For text of characters outside nfc_risk() and reorderable marks, NFC is
    sorting each run of marks by class: what the native core does."""
    text = "".join(parts)
    assert _sort_mark_runs(text, dict(chars.reorderable_marks())) == unicodedata.normalize(
        "NFC", text
    )
