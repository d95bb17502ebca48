"""Every code point tanqiya treats specially, named and commented.

This is the only module that spells out code points. Other modules build their
tables from the sets and maps here. Invisible and look-alike characters are
always written as escapes.

Sets are ``frozenset[str]`` of single characters; maps are ``dict[str, str]``
from one character to its replacement (possibly several characters, possibly
empty). Ranges are inclusive.

>>> "\\u064e" in HARAKAT
True
>>> ALEF_VARIANTS["\\u0623"]
'\\u0627'
"""

from __future__ import annotations

import array
import functools
import itertools
import sys
import unicodedata
from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

#: Bump whenever a table below changes what any profile outputs. It is part of
#: every profile's ``version`` so dedup keys made by older tables are refused.
TABLES_VERSION: Final = "2"


def _span(first: int, last: int) -> frozenset[str]:
    """The characters from ``first`` to ``last`` inclusive."""
    return frozenset(chr(cp) for cp in range(first, last + 1))


def _union(*parts: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*parts)


# --- Letters -----------------------------------------------------------------

ALEF: Final = "\u0627"
ALEF_MAKSURA: Final = "\u0649"  # ى
YEH: Final = "\u064a"  # ي
WAW: Final = "\u0648"  # و
HEH: Final = "\u0647"  # ه
TEH_MARBUTA: Final = "\u0629"  # ة
KAF: Final = "\u0643"  # ك
LAM: Final = "\u0644"  # ل
TATWEEL: Final = "\u0640"  # ـ (kashida)
FARSI_YEH: Final = "\u06cc"  # ی: dotted inside a word, dotless at its end

#: The presentation forms of Farsi yeh say where in the word they stand:
#: isolated and final forms are ى, initial and medial forms ي.
FARSI_YEH_FORMS: Final = MappingProxyType(
    {
        "\ufbfc": ALEF_MAKSURA,  # isolated
        "\ufbfd": ALEF_MAKSURA,  # final
        "\ufbfe": YEH,  # initial
        "\ufbff": YEH,  # medial
    }
)

#: Alef with a hamza, madda or wasla on it, and the wavy-hamza and high-hamza
#: alefs, all to bare alef (U+0627).
ALEF_VARIANTS: Final = MappingProxyType(
    {
        "\u0622": ALEF,  # آ alef with madda above
        "\u0623": ALEF,  # أ alef with hamza above
        "\u0625": ALEF,  # إ alef with hamza below
        "\u0671": ALEF,  # ٱ alef wasla
        "\u0672": ALEF,  # ٲ alef with wavy hamza above
        "\u0673": ALEF,  # ٳ alef with wavy hamza below
        "\u0675": ALEF,  # ٵ high hamza alef
    }
)

#: Hamza on a waw or yeh seat, to the bare seat.
HAMZA_CARRIERS: Final = MappingProxyType(
    {
        "\u0624": WAW,  # ؤ waw with hamza above
        "\u0676": WAW,  # ٶ high hamza waw
        "\u0626": YEH,  # ئ yeh with hamza above
        "\u0678": YEH,  # ٸ high hamza yeh
    }
)

#: Persian, Urdu and Kurdish letters that are glyph variants of an Arabic letter.
#: Letters with a sound of their own (پ چ ژ گ ڤ ڨ) are left alone. Farsi yeh
#: (U+06CC) is not here: it is ي inside a word and ى at its end (the final-yeh
#: rule, applied in text.py with :data:`ARABIC_LETTERS`).
PERSIAN_VARIANTS: Final = MappingProxyType(
    {
        "\u06a9": KAF,  # ک keheh
        "\u06aa": KAF,  # ڪ swash kaf
        "\u06c1": HEH,  # ہ heh goal
        "\u06be": HEH,  # ھ heh doachashmee
        "\u06d5": HEH,  # ە ae (Kurdish, Uyghur)
        "\u06c0": HEH,  # ۀ heh with yeh above (ezafe)
        "\u06c2": HEH,  # ۂ heh goal with hamza above
        "\u06c3": TEH_MARBUTA,  # ۃ teh marbuta goal
        "\u06d2": YEH,  # ے yeh barree
        "\u06d3": YEH,  # ۓ yeh barree with hamza above
        "\u06cd": YEH,  # ۍ yeh with tail
        "\u06d0": YEH,  # ې e
    }
)

#: Arabic-script letters: what counts as "inside a word" for the final-yeh
#: rule and for letter elongation. Hamza (U+0621) is included, tatweel is not.
ARABIC_LETTERS: Final = _union(
    _span(0x0620, 0x063F),
    _span(0x0641, 0x064A),
    _span(0x066E, 0x066F),
    _span(0x0671, 0x06D3),
    "\u06d5",
    _span(0x06EE, 0x06EF),
    _span(0x06FA, 0x06FC),
    "\u06ff",
    _span(0x0750, 0x077F),
    _span(0x0870, 0x0887),
    _span(0x0889, 0x088E),
    _span(0x08A0, 0x08C9),
)

# --- Marks -------------------------------------------------------------------

#: Harakat: tanween, short vowels, shadda, sukun (U+064B–U+0652).
HARAKAT: Final = _span(0x064B, 0x0652)

#: Other Arabic combining marks (U+0653–U+065F): madda, hamza above/below,
#: subscript alef, inverted damma, small marks. U+0654/U+0655 first compose
#: with their letter (ا + U+0654 is أ) when composition is on.
OTHER_MARKS: Final = _span(0x0653, 0x065F)

#: Superscript (dagger) alef, U+0670, as in هٰذا.
SUPERSCRIPT_ALEF: Final = "\u0670"

#: Quranic annotation: honorific and pause marks above letters (U+0610–U+061A),
#: small high letters, pause marks and signs (U+06D6–U+06ED), the Arabic
#: Extended-B marks (U+0898–U+089F, Unicode 14: small high word al-juz, madda
#: waajib ...) and the Extended-A marks (U+08CA–U+08FF, including the disputed
#: end of ayah U+08E2).
QURANIC_MARKS: Final = _union(
    _span(0x0610, 0x061A),
    _span(0x06D6, 0x06ED),
    _span(0x0898, 0x089F),
    _span(0x08CA, 0x08FF),
)

#: Every Arabic mark with a non-zero canonical combining class: the runs whose
#: order canonical ordering fixes (shadda + fatha == fatha + shadda).
COMBINING_MARKS: Final = frozenset(
    c
    for c in _union(HARAKAT, OTHER_MARKS, SUPERSCRIPT_ALEF, QURANIC_MARKS)
    if unicodedata.combining(c)
)

#: The combining hamza above (U+0654).
HAMZA_ABOVE: Final = "\u0654"

#: A dotless yeh (ى, Farsi ی) with hamza above, which NFC leaves apart though
#: it is drawn as yeh with hamza above: ``compose`` writes ئ.
YEH_HAMZA: Final = MappingProxyType(
    {ALEF_MAKSURA + HAMZA_ABOVE: "\u0626", FARSI_YEH + HAMZA_ABOVE: "\u0626"}
)

#: Marks that compose with the letter before them under NFC: madda and hamza
#: above/below (ا + U+0654 -> أ, و + U+0654 -> ؤ, ي + U+0654 -> ئ, ...).
HAMZA_MARKS: Final = frozenset({"\u0653", HAMZA_ABOVE, "\u0655"})

FATHATAN: Final = "\u064b"

# --- Invisible characters and spaces ------------------------------------------

ZWJ: Final = "\u200d"

#: Characters that change nothing visible in Arabic text and break matching:
#: zero-width space/non-joiner, marks that steer bidi, BOM, soft hyphen.
#: ZWJ (U+200D) is handled apart: it is kept inside emoji sequences.
INVISIBLE: Final = _union(
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner
    "\u061c",  # ALM arabic letter mark
    "\u115f\u1160\u3164\uffa0",  # hangul fillers (render as nothing)
    "\u180e",  # mongolian vowel separator
    "\u200b",  # ZWSP zero width space
    "\u200c",  # ZWNJ zero width non-joiner
    "\u200e\u200f",  # LRM, RLM
    _span(0x202A, 0x202E),  # LRE RLE PDF LRO RLO embeddings and overrides
    _span(0x2060, 0x2064),  # word joiner, invisible operators
    _span(0x2066, 0x2069),  # LRI RLI FSI PDI isolates
    "\ufeff",  # BOM, zero width no-break space
)

#: Zero width space: a word boundary in Unicode's word segmentation (UAX #29),
#: where ZWNJ and ZWJ are not; ``word_breaks`` makes it a space.
ZWSP: Final = "\u200b"

#: Emoji that a ZWJ may join (Extended_Pictographic blocks, the variation
#: selector and skin-tone modifiers that end an emoji before a ZWJ).
EMOJI: Final = _union(
    "\u00a9\u00ae\u203c\u2049\u2122\u2139",
    _span(0x2194, 0x21AA),
    _span(0x231A, 0x23FF),
    _span(0x2600, 0x27BF),
    _span(0x2934, 0x2935),
    _span(0x2B05, 0x2B55),
    "\u3030\u303d\u3297\u3299\ufe0f",
    _span(0x1F000, 0x1FAFF),
    _span(0xE0020, 0xE007F),  # emoji tag sequences (subdivision flags)
)

#: Everything ``str.split()`` splits on (``str.isspace``): the whitespace runs
#: collapsed by ``whitespace="all"``.
WHITESPACE: Final = _union(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680",
    _span(0x2000, 0x200A),
    "\u2028\u2029\u202f\u205f\u3000",
)

#: Spaces that look like U+0020 but are not it.
ODD_SPACES: Final = _union(
    "\u00a0",  # no-break space
    "\u1680",  # ogham space mark
    _span(0x2000, 0x200A),  # en quad .. hair space, including thin space
    "\u202f",  # narrow no-break space
    "\u205f",  # medium mathematical space
    "\u3000",  # ideographic space
)

#: The non-ASCII characters most Arabic text is made of. With ASCII they form a
#: private one-byte code page, so short strings of only these characters are
#: mapped with ``bytes.translate`` (text.py falls back to ``str.translate``).
CODEPAGE_REPERTOIRE: Final = "".join(
    [
        "\u060c\u061b\u061f",  # ، ؛ ؟
        *map(chr, range(0x0621, 0x063B)),  # hamza .. ghain
        *map(chr, range(0x0640, 0x0656)),  # tatweel, feh .. yeh, harakat, madda, hamza marks
        *map(chr, range(0x0660, 0x066D)),  # Arabic-Indic digits, percent, separators
        "\u0670\u0671\u067e\u0686\u0698\u06a9\u06af\u06be\u06c1\u06cc\u06d2",
        *map(chr, range(0x06F0, 0x06FA)),  # Extended Arabic-Indic digits
        "\u00a0\u00ab\u00bb\u00ad",  # NBSP « » soft hyphen
        "\u200b\u200c\u200d\u200e\u200f\u061c\ufeff",  # invisible
        "\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026",  # dashes, quotes
    ]
)

# --- Digits and punctuation ----------------------------------------------------

#: Arabic-Indic (U+0660–0669) and Extended Arabic-Indic (U+06F0–06F9) digits
#: to ASCII, with the Arabic decimal and thousands separators and percent sign.
DIGITS: Final = MappingProxyType(
    {
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        "\u066b": ".",  # ٫ arabic decimal separator
        "\u066c": ",",  # ٬ arabic thousands separator
        "\u066a": "%",  # ٪ arabic percent sign
        "\u0609": "\u2030",  # ؉ arabic-indic per mille
    }
)

#: Arabic punctuation to its ASCII counterpart.
ARABIC_PUNCTUATION: Final = MappingProxyType(
    {
        "\u060c": ",",  # ، arabic comma
        "\u061b": ";",  # ؛ arabic semicolon
        "\u061f": "?",  # ؟ arabic question mark
        "\u06d4": ".",  # ۔ arabic full stop (Urdu)
        "\u066d": "*",  # ٭ arabic five pointed star
        "\u060d": ",",  # ؍ arabic date separator
    }
)

#: Punctuation removed from dedup keys (replaced by a space): every code point
#: of general category P* in these blocks. Symbols ($ + = ...) are kept.
PUNCTUATION: Final = (
    _union(
        "!\"#%&'()*,-./:;?@[\\]_{}",
        "\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf",
        "\u037e\u0387",
        "\u055a\u055b\u055c\u055d\u055e\u055f\u0589\u058a",
        "\u05be\u05c0\u05c3\u05c6\u05f3\u05f4",
        "\u0609\u060a\u060c\u060d\u061b\u061d\u061e\u061f",
        "\u066a\u066b\u066c\u066d\u06d4",
        _span(0x2010, 0x2027),
        _span(0x2030, 0x2043),
        _span(0x2045, 0x2051),
        _span(0x2053, 0x205E),
        "\u207d\u207e\u208d\u208e",
        _span(0x2308, 0x230B),
        "\u2329\u232a",
        _span(0x2768, 0x2775),
        _span(0x27C5, 0x27C6),
        _span(0x27E6, 0x27EF),
        _span(0x2983, 0x2998),
        _span(0x29D8, 0x29DB),
        "\u29fc\u29fd",
        _span(0x2E00, 0x2E2E),
        _span(0x2E30, 0x2E4F),
        _span(0x3001, 0x3003),
        _span(0x3008, 0x3011),
        _span(0x3014, 0x301F),
        "\u3030\u303d\u30a0\u30fb",
        "\ufd3e\ufd3f",  # ornate parentheses
        _span(0xFE10, 0xFE19),
        _span(0xFE30, 0xFE52),
        _span(0xFE54, 0xFE61),
        "\ufe63\ufe68\ufe6a\ufe6b",
        _span(0xFF01, 0xFF03),
        _span(0xFF05, 0xFF0A),
        _span(0xFF0C, 0xFF0F),
        "\uff1a\uff1b\uff1f\uff20",
        _span(0xFF3B, 0xFF3D),
        "\uff3f\uff5b\uff5d",
        _span(0xFF5F, 0xFF65),
    )
    - {"\u2028", "\u2029"}
    - set(_span(0x200B, 0x200F))
    - set(_span(0x202A, 0x202F))
)

# --- Case ----------------------------------------------------------------------

#: The blocks holding every character ``str.casefold`` changes (Latin, Greek,
#: Cyrillic, Armenian, Georgian, Cherokee, Glagolitic, Coptic, Deseret ...,
#: fullwidth Latin, Latin ligatures). Arabic has no case. A test checks that
#: folding these equals ``str.casefold`` on every code point.
CASED: Final = _union(
    _span(0x0041, 0x024F),
    _span(0x0345, 0x058F),
    _span(0x10A0, 0x10FF),
    _span(0x13A0, 0x13FF),
    _span(0x1C80, 0x1CBF),
    _span(0x1E00, 0x1FFF),
    _span(0x2100, 0x218F),
    _span(0x24B6, 0x24E9),
    _span(0x2C00, 0x2D2F),
    _span(0xA640, 0xA69F),
    _span(0xA720, 0xA7FF),
    _span(0xAB70, 0xABBF),
    _span(0xFB00, 0xFB17),
    _span(0xFF21, 0xFF3A),
    _span(0x10400, 0x104FF),
    _span(0x10570, 0x105BF),
    _span(0x10C80, 0x10CFF),
    _span(0x118A0, 0x118FF),
    _span(0x16E40, 0x16E9F),
    _span(0x1E900, 0x1E95F),
)


@functools.cache
def casefold_map() -> MappingProxyType[str, str]:
    """Each character of :data:`CASED` that ``str.casefold`` changes -> its
    folding (built once, on first use). Folding is per character, so mapping
    each one equals ``str.casefold`` on a whole text.

    >>> casefold_map()["A"], casefold_map()["\u00df"]
    ('a', 'ss')
    """
    return MappingProxyType({c: f for c in sorted(CASED) if (f := c.casefold()) != c})


# --- Presentation forms and ligatures -----------------------------------------

#: The Arabic presentation-form blocks: A (U+FB50–U+FDFF) and B (U+FE70–U+FEFF).
PRESENTATION_FORMS: Final = _union(_span(0xFB50, 0xFDFF), _span(0xFE70, 0xFEFE))

#: Arabic Mathematical Alphabetic Symbols, NFKC-equivalent to plain letters.
ARABIC_MATH_LETTERS: Final = _span(0x1EE00, 0x1EEFF)

#: Word ligatures that have no Unicode decomposition, spelled out. Those that
#: have one (ﷲ ﷺ ﷻ ...) follow it. None is ever deleted.
WORD_LIGATURES: Final = MappingProxyType(
    {
        "\ufdfd": "بسم الله الرحمن الرحيم",  # ﷽ bismillah
        "\ufdfe": "سبحانه وتعالى",  # U+FDFE subhanahu wa taala
        "\ufdff": "عز وجل",  # U+FDFF azza wa jall
        "\ufdfc": "ريال",  # ﷼ rial sign (its NFKC form has Farsi yeh)
        "\ufd40": "رحمه الله",
        "\ufd41": "رحمها الله",
        "\ufd42": "رحمهما الله",
        "\ufd43": "رحمهم الله",
        "\ufd44": "حفظه الله",
        "\ufd45": "حفظها الله",
        "\ufd46": "حفظهما الله",
        "\ufd47": "رضي الله عنه",
        "\ufd48": "رضي الله عنها",
        "\ufd49": "رضي الله عنهما",
        "\ufd4a": "رضي الله عنهم",
        "\ufd4b": "رضي الله عنهن",
        "\ufd4c": "صلى الله عليه وآله",
        "\ufd4d": "عليه السلام",
        "\ufd4e": "عليهم السلام",
        "\ufd4f": "عليهما السلام",
        "\ufdcf": "عليه السلام",
    }
)


@functools.cache
def presentation_map() -> MappingProxyType[str, str]:
    """Each presentation form, Arabic math letter and word ligature -> its letters.

    Built once, on first use, from the compatibility decompositions of the
    blocks above (composed, so lam-alef with hamza gives لأ, never لا), with
    :data:`WORD_LIGATURES` for the forms Unicode does not decompose. The forms
    of isolated harakat (U+FE70–U+FE7F, U+FC5E–U+FC63) decompose to a space
    plus the mark; the space is dropped. Characters with no decomposition map
    to themselves and are left out.

    >>> presentation_map()["\\ufef7"] == "\\u0644\\u0623"
    True
    """
    table: dict[str, str] = {}
    for char in sorted(PRESENTATION_FORMS | ARABIC_MATH_LETTERS):
        if char in WORD_LIGATURES:
            table[char] = WORD_LIGATURES[char]
            continue
        target = unicodedata.normalize("NFKC", char)
        if target == char:
            continue
        if (
            target.startswith(" ")
            and target[1:]
            and all(unicodedata.combining(c) for c in target[1:])
        ):
            target = target[1:]
        table[char] = target
    return MappingProxyType(table)


# --- Composition ----------------------------------------------------------------

#: Hangul medial vowel and final consonant jamo: the second half of the
#: syllables NFC composes by rule (``unicodedata.decomposition`` lists none).
HANGUL_SECOND_JAMO: Final = _union(_span(0x1161, 0x1175), _span(0x11A8, 0x11C2))

#: Astral ranges that hold no character NFC can change or compose with (emoji
#: and pictographs, CJK Extension B onwards), so a text whose astral characters
#: are all in them needs no NFC check for their sake. Checked against
#: ``unicodedata`` by the tests.
NFC_SAFE_ASTRAL: Final = ((0x1F000, 0x1FBFF), (0x20000, 0x2F7FF), (0x2FA20, 0x10FFFF))


@functools.cache
def bmp_string() -> str:
    """Every BMP code point, in order (surrogates included)."""
    return (
        array.array("I", range(0x10000))
        .tobytes()
        .decode(f"utf-32-{sys.byteorder[0]}e", "surrogatepass")
    )


@functools.cache
def _canonical_decompositions() -> MappingProxyType[str, str]:
    """BMP characters with a canonical decomposition -> its code points, as
    ``unicodedata.decomposition`` gives them. Only a block of 256 code points
    that is not already in NFD can hold one (about 80 of the 256 blocks); in
    those, the characters with any decomposition are picked out in C by
    ``itertools.compress``."""
    bmp = bmp_string()
    blocks = (bmp[start : start + 256] for start in range(0, len(bmp), 256))
    candidates = itertools.chain.from_iterable(
        itertools.compress(block, map(unicodedata.decomposition, block))
        for block in blocks
        if not unicodedata.is_normalized("NFD", block)
    )
    return MappingProxyType(
        {
            char: parts
            for char in candidates
            if not (parts := unicodedata.decomposition(char)).startswith("<")
        }
    )


@functools.cache
def _combining_classes() -> MappingProxyType[str, int]:
    """BMP characters with a nonzero canonical combining class -> the class."""
    bmp = bmp_string()
    marks = itertools.compress(bmp, map(unicodedata.combining, bmp))
    return MappingProxyType({char: unicodedata.combining(char) for char in marks})


@functools.cache
def _composition_seconds() -> frozenset[str]:
    """BMP characters that are the second half of a canonical pair."""
    pairs = (parts.split() for parts in _canonical_decompositions().values())
    return frozenset(chr(int(parts[1], 16)) for parts in pairs if len(parts) == 2)


@functools.cache
def nfc_risk() -> frozenset[str]:
    """BMP characters that can make a string not NFC: combining marks, those
    NFC changes (singletons, excluded compositions) and the second half of a
    canonical pair (Hangul jamo included). A BMP string with none of them is
    in NFC (precomposed letters such as é and أ are not among them). Built
    once, on first use.

    NFC changes a character on its own only if it has a canonical
    decomposition (the rest are their own NFD, which composition leaves
    alone), so only those are normalized one by one.

    >>> sorted(c for c in "a\\u0301\\u00e9\\u0654\\u0627" if c in nfc_risk())
    ['\\u0301', '\\u0654']
    """
    changed = {
        char for char in _canonical_decompositions() if unicodedata.normalize("NFC", char) != char
    }
    return frozenset(
        changed | _combining_classes().keys() | _composition_seconds() | HANGUL_SECOND_JAMO
    )


@functools.cache
def reorderable_marks() -> MappingProxyType[str, int]:
    """BMP combining marks that NFC only ever puts in order (none composes with
    anything, none changes on its own) -> their canonical combining class.
    A text whose other characters are outside :func:`nfc_risk` is NFC once
    each run of these marks is sorted by class. Harakat are among them; the
    hamza and madda marks (U+0653–U+0655), which compose, are not.

    >>> marks = reorderable_marks()
    >>> marks["\\u064e"], marks["\\u0651"], "\\u0654" in marks
    (30, 33, False)
    """
    seconds = _composition_seconds()
    return MappingProxyType(
        {
            char: ccc
            for char, ccc in _combining_classes().items()
            if char not in seconds
            and unicodedata.normalize("NFD", char) == char
            and unicodedata.normalize("NFC", char) == char
        }
    )
