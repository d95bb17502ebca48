"""What to normalize: one frozen option per operation, and the named profiles.

>>> opts = PROFILES["search"]
>>> opts.harakat, opts.casefold
(True, False)
>>> opts.replace(casefold=True).casefold
True
>>> resolve("dedup").name
'dedup'
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

from normalize.chars import TABLES_VERSION

SuperscriptAlef = Literal["keep", "delete", "alef"]
Whitespace = Literal["keep", "spaces", "all"]
Laughter = Literal["keep", "shorten", "collapse"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class NormalizeOptions:
    """One field per operation; every default is off, so ``NormalizeOptions()``
    changes nothing. Code points for each operation live in :mod:`normalize.chars`.

    Fields, in the order they apply:

    - ``html``: drop HTML tags, decode entities (``&nbsp;`` -> U+00A0).
    - ``entities``: decode HTML entities only (``&quot;`` -> ``"``, ``&#1575;``
      -> ا), tags left as text; on its own, the first step, and cheap on a
      text without ``&``.
    - ``urls`` / ``emails`` / ``mentions``: delete web addresses, e-mail
      addresses and @mentions (then spaces are tidied if ``whitespace`` is on).
    - ``compose``: NFC (canonical order of marks, a decomposed hamza or madda
      composed with its letter: ا + U+0654 -> أ), and ى or ی + U+0654 -> ئ,
      drawn alike, which NFC leaves apart.
    - ``presentation_forms``: presentation forms A/B, lam-alef ligatures
      (keeping the hamza: ﻷ -> لأ), word ligatures expanded (ﷺ -> صلى الله عليه
      وسلم; never deleted), Arabic math letters.
    - ``word_breaks``: ZWSP (U+200B) -> a space: it separates words in
      Unicode's word segmentation (UAX #29), unlike ZWNJ and ZWJ, and a page
      may use it between words (``قال\u200bالرئيس`` is two words).
    - ``invisible``: delete ZWSP, ZWNJ, LRM, RLM, ALM, bidi embeddings,
      overrides and isolates, BOM, soft hyphen; ZWJ too, except inside emoji.
    - ``odd_spaces``: NBSP, thin, narrow, ideographic ... spaces -> U+0020.
    - ``tatweel``: delete kashida U+0640.
    - ``harakat``: delete U+064B–U+0652.
    - ``other_marks``: delete U+0653–U+065F (after ``compose`` has used them).
    - ``superscript_alef``: U+0670 ``"keep"``, ``"delete"`` or ``"alef"`` (ا;
      on ى or ی, which it only says how to read, it is deleted: عَلَىٰ -> على).
    - ``quranic_marks``: delete U+0610–U+061A, U+06D6–U+06ED, U+08CA–U+08FF.
    - ``tanween_alef``: write fathatan before the alef (اً -> ًا).
    - ``persian``: ک -> ك, ہ ھ ە ۀ -> ه, ۃ -> ة, ے -> ي ...; Farsi yeh ی is
      ي inside a word and ى at its end.
    - ``alef``: أ إ آ ٱ ٲ ٳ ٵ -> ا.
    - ``hamza_carriers``: ؤ -> و, ئ -> ي (last, after ``elongation``; with it,
      a carrier is kept where folding would write one letter three times:
      البيئية is not a stretched البيه).
    - ``alef_maksura``: ى -> ي.
    - ``teh_marbuta``: ة -> ه.
    - ``digits``: Arabic-Indic and Extended digits -> 0-9, ٫ -> ".", ٬ -> ",",
      ٪ -> "%".
    - ``arabic_punctuation``: ، ؛ ؟ ۔ -> , ; ? .
    - ``punctuation``: punctuation -> a space (for keys): the P* characters of
      the Latin, Greek, Armenian, Hebrew and Arabic blocks, of general and
      supplemental punctuation, brackets, CJK and full-width forms
      (:data:`normalize.chars.PUNCTUATION`; Syriac, Indic ... are kept).
    - ``casefold``: what ``str.casefold`` does (Latin, Greek, Cyrillic ...;
      Arabic has no case), as one more character map.
    - ``elongation``: an Arabic letter written 3+ times in a row -> once.
    - ``laughter``: with ``elongation``, what runs of ه become: ``"shorten"``
      (three: ههه), ``"collapse"`` (one, like any letter) or ``"keep"``.
    - ``whitespace``: ``"spaces"`` collapses runs of U+0020 and trims lines;
      ``"all"`` turns every whitespace run, newlines included, into one space.

    ``name`` labels the options in ``version``; it does not change output.
    """

    name: str = "custom"
    html: bool = False
    entities: bool = False
    urls: bool = False
    emails: bool = False
    mentions: bool = False
    compose: bool = False
    presentation_forms: bool = False
    word_breaks: bool = False
    invisible: bool = False
    odd_spaces: bool = False
    tatweel: bool = False
    harakat: bool = False
    other_marks: bool = False
    superscript_alef: SuperscriptAlef = "keep"
    quranic_marks: bool = False
    tanween_alef: bool = False
    persian: bool = False
    alef: bool = False
    hamza_carriers: bool = False
    alef_maksura: bool = False
    teh_marbuta: bool = False
    digits: bool = False
    arabic_punctuation: bool = False
    punctuation: bool = False
    casefold: bool = False
    elongation: bool = False
    laughter: Laughter = "shorten"
    whitespace: Whitespace = "keep"

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.type == "bool" and not isinstance(value, bool):
                msg = f"NormalizeOptions.{field.name} must be True or False, not {value!r}"
                raise TypeError(msg)
        _check_choice("superscript_alef", self.superscript_alef, SuperscriptAlef)
        _check_choice("laughter", self.laughter, Laughter)
        _check_choice("whitespace", self.whitespace, Whitespace)
        if not isinstance(self.name, str) or not self.name:
            msg = f"NormalizeOptions.name must be a non-empty string, not {self.name!r}"
            raise ValueError(msg)

    def replace(self, **changes: object) -> NormalizeOptions:
        """A copy with some fields changed (validated like the original).

        >>> PROFILES["light"].replace(name="mine", harakat=True).harakat
        True
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def version(self) -> str:
        """Changes whenever the output can change: the name, the tables' version
        and a digest of every field. Dedup indexes store it and refuse a mismatch.

        >>> PROFILES["dedup"].version.startswith("dedup-t")
        True
        """
        fields = dataclasses.asdict(self)
        del fields["name"]
        digest = hashlib.sha1(repr(sorted(fields.items())).encode(), usedforsecurity=False)
        return f"{self.name}-t{TABLES_VERSION}-{digest.hexdigest()[:10]}"


def _check_choice(field: str, value: object, choices: object) -> None:
    valid = typing.get_args(choices)
    if value not in valid:
        msg = (
            f"NormalizeOptions.{field} must be one of {', '.join(map(repr, valid))}, not {value!r}"
        )
        raise ValueError(msg)


LIGHT: Final = NormalizeOptions(
    name="light",
    compose=True,
    presentation_forms=True,
    invisible=True,
    odd_spaces=True,
    tatweel=True,
    tanween_alef=True,
    whitespace="spaces",
)
"""Safe for display: invisible marks, odd spaces, presentation forms, tatweel."""

SEARCH: Final = LIGHT.replace(
    name="search",
    word_breaks=True,
    harakat=True,
    other_marks=True,
    superscript_alef="delete",
    quranic_marks=True,
    alef=True,
    alef_maksura=True,
    teh_marbuta=True,
    persian=True,
    digits=True,
    arabic_punctuation=True,
    elongation=True,
)
"""For search keys and tokenizers: light plus diacritics, letter variants, digits."""

DEDUP: Final = SEARCH.replace(
    name="dedup",
    entities=True,
    hamza_carriers=True,
    punctuation=True,
    casefold=True,
    whitespace="all",
)
"""The most aggressive key: search plus entities, hamza carriers, punctuation, case, one-line
spacing."""

WEB: Final = SEARCH.replace(name="web", html=True, urls=True, emails=True, mentions=True)
"""Search plus removal of HTML tags and entities, URLs, e-mail addresses and @mentions."""

PROFILES: Final[Mapping[str, NormalizeOptions]] = MappingProxyType(
    {p.name: p for p in (LIGHT, SEARCH, DEDUP, WEB)}
)


def resolve(profile: str | NormalizeOptions) -> NormalizeOptions:
    """The options for a profile name, or the options themselves.

    >>> resolve("nope")
    Traceback (most recent call last):
    ...
    ValueError: unknown profile 'nope'; valid profiles: dedup, light, search, web
    """
    if isinstance(profile, NormalizeOptions):
        return profile
    if not isinstance(profile, str):
        msg = f"a profile is a name or NormalizeOptions, not {type(profile).__name__}"
        raise TypeError(msg)
    if profile in PROFILES:
        return PROFILES[profile]
    msg = f"unknown profile {profile!r}; valid profiles: {', '.join(sorted(PROFILES))}"
    raise ValueError(msg)
