"""Arabic text normalization: :class:`Normalizer` and :func:`normalize`.

A :class:`Normalizer` compiles :class:`~normalize.options.NormalizeOptions`
once into a numpy lookup table over UTF-16 code units (every one-to-one
mapping and deletion, composed in order) plus a few string passes that only run
when a cheap C-level check says they have something to do. ``normalize_many``
joins a whole batch into one string so each pass runs once per batch.

A slow, obvious per-character implementation of the same steps lives in
:mod:`normalize._reference`; ``TANQIYA_IMPLEMENTATION=python`` selects it and
the tests check that both give the same output.

>>> normalize("أَهْلًا وَسَهْلًا")
'اهلا وسهلا'
>>> Normalizer("light").normalize("\\ufef7\\u0640\\u0640")
'\\u0644\\u0623'
"""

from __future__ import annotations

import functools
import html
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from normalize import chars
from normalize.options import NormalizeOptions, resolve

_SEP = "\x00"  # joins a batch; no pass maps it or matches across it
_DELETED = "\uffff"  # table value for a deleted code unit
_DELETED_UNIT = 0xFFFF
_UTF16 = "utf-16-le"
_BATCH_CHARS = 1 << 20

TextPass = Callable[[str], str]


def _char_class(chars_: Iterable[str]) -> str:
    """A regex character class matching exactly ``chars_``."""
    return "[" + "".join(sorted(re.escape(c) for c in chars_)) + "]"


# --- the steps, as data --------------------------------------------------------


def char_steps(options: NormalizeOptions) -> list[Mapping[str, str]]:
    """The one-to-one (or deleting) character maps the options turn on, in order.

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
        (o.alef, chars.ALEF_VARIANTS),
        (o.hamza_carriers, chars.HAMZA_CARRIERS),
        (o.alef_maksura, {chars.ALEF_MAKSURA: chars.YEH}),
        (o.teh_marbuta, {chars.TEH_MARBUTA: chars.HEH}),
        (o.persian, chars.PERSIAN_VARIANTS),
        (o.digits, chars.DIGITS),
        (o.arabic_punctuation, chars.ARABIC_PUNCTUATION),
        (o.punctuation, dict.fromkeys(chars.PUNCTUATION, " ")),
    ):
        if on:
            steps.append(table)
    return steps


def compose_steps(steps: list[Mapping[str, str]]) -> dict[str, str]:
    """Run every character any step touches through all steps, in order.

    >>> compose_steps([{"a": "b"}, {"b": "c"}])
    {'a': 'c', 'b': 'c'}
    """
    keys = sorted(set().union(*steps)) if steps else []
    result: dict[str, str] = {}
    for key in keys:
        value = key
        for step in steps:
            value = "".join(step.get(c, c) for c in value)
        if value != key:
            result[key] = value
    return result


# --- string passes ---------------------------------------------------------------

_TAG_RE = re.compile(
    r"<(script|style)\b[^\x00]*?</\1\s*>|<!--[^\x00]*?-->|</?[A-Za-z][^<>\x00]*>", re.I
)
_URL_RE = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s\x00<>\"]+", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?")


def _until_stable(fn: TextPass, text: str, limit: int = 8) -> str:
    for _ in range(limit):
        new = fn(text)
        if new == text:
            break
        text = new
    return text


def strip_html(text: str) -> str:
    """Decode entities (repeatedly: ``&amp;lt;`` -> ``<``), then drop tags,
    comments and script/style blocks, each replaced by one space.

    >>> strip_html("<p>أهلا&nbsp;بكم</p>")
    ' أهلا\\xa0بكم '
    """
    if "&" in text:
        text = _until_stable(html.unescape, text)
    if "<" in text:
        text = _until_stable(lambda t: _TAG_RE.sub(" ", t), text)
    return text


def remove_urls(text: str) -> str:
    """Delete web addresses (``scheme://...`` and ``www....``).

    >>> remove_urls("المصدر: https://example.com/a?b=1 اليوم")
    'المصدر:  اليوم'
    """
    return _URL_RE.sub("", text) if ("://" in text or "www." in text.lower()) else text


def remove_emails(text: str) -> str:
    """Delete e-mail addresses.

    >>> remove_emails("راسلونا على info@example.com")
    'راسلونا على '
    """
    return _EMAIL_RE.sub("", text) if "@" in text else text


def remove_mentions(text: str) -> str:
    """Delete @mentions (a word right after ``@``), e-mail addresses left alone.

    >>> remove_mentions("شكرا @user_1 و @علي")
    'شكرا  و '
    """
    return _MENTION_RE.sub("", text) if "@" in text else text


def strip_diacritics(text: str) -> str:
    """Delete harakat (U+064B–U+0652), the marks U+0653–U+065F and superscript
    alef U+0670. A decomposed hamza or madda (U+0653–U+0655) is first composed
    with its letter, so ا + U+0654 stays أ. Letters, hamza forms, tatweel and
    Quranic pause marks are left alone.

    >>> strip_diacritics("هٰذَا الْقُرْآنُ")
    'هذا القرآن'
    >>> strip_diacritics("\\u0627\\u0654") == "\\u0623"
    True
    """
    if _HAMZA_MARK_RE.search(text):
        text = unicodedata.normalize("NFC", text)
    return _DIACRITICS_RE.sub("", text)


_DIACRITICS_RE = re.compile(
    _char_class(chars.HARAKAT | chars.OTHER_MARKS | {chars.SUPERSCRIPT_ALEF})
)
_HAMZA_MARK_RE = re.compile(_char_class(chars.HAMZA_MARKS))


def _web_passes(o: NormalizeOptions) -> list[TextPass]:
    passes: list[TextPass] = []
    if o.html:
        passes.append(strip_html)
    if o.urls:
        passes.append(remove_urls)
    if o.emails:
        passes.append(remove_emails)
    if o.mentions:
        passes.append(remove_mentions)
    return passes


def _collapse_spaces(text: str) -> str:
    """Runs of U+0020 -> one; none at the start or end of a line (or text)."""
    if "  " in text:
        text = _SPACE_RUN_RE.sub(" ", text)
    if " \n" in text or "\n " in text or " \r" in text or " \x00" in text or "\x00 " in text:
        text = _SPACE_AROUND_BREAK_RE.sub(r"\1", text)
    return text.strip(" ")


def _collapse_whitespace(text: str) -> str:
    """Every whitespace run -> one space; none at either end (of each batch item)."""
    text = " ".join(text.split())
    if _SEP in text:
        text = text.replace(" " + _SEP, _SEP).replace(_SEP + " ", _SEP)
    return text


_SPACE_RUN_RE = re.compile(" {2,}")
_SPACE_AROUND_BREAK_RE = re.compile(" *(\r\n|[\n\r\x00]) *")


# --- compiled plan -----------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything a Normalizer needs, derived once from the options."""

    options: NormalizeOptions
    web: tuple[TextPass, ...]
    expand_re: re.Pattern[str] | None  # characters the table cannot map 1:1
    expand: Mapping[str, str]  # character -> its composed expansion
    forms: Mapping[str, str]  # presentation character -> its letters (raw)
    table: npt.NDArray[np.uint16]
    ascii_identity: bool  # the table leaves every ASCII character alone
    charmap: Mapping[str, str]  # the composed map, for the reference path
    farsi_re: re.Pattern[str] | None
    farsi_inside: str
    farsi_final: str
    tanween: tuple[str, str] | None
    zwj_re: re.Pattern[str] | None
    elongation_re: re.Pattern[str] | None
    laughter: str


def _compile(options: NormalizeOptions) -> _Plan:
    o = options
    steps = char_steps(o)
    charmap = compose_steps(steps)
    table = np.arange(0x10000, dtype=np.uint16)
    expand: dict[str, str] = {}
    for key, value in charmap.items():
        if len(value) <= 1 and ord(key) < 0x10000 and (not value or ord(value) < 0x10000):
            table[ord(key)] = ord(value) if value else _DELETED_UNIT
        else:
            expand[key] = value
    forms: Mapping[str, str] = steps[0] if o.presentation_forms else {}
    farsi_re = None
    if o.persian:
        skip = chars.COMBINING_MARKS | {chars.TATWEEL, "\u200c", chars.ZWJ}
        farsi_re = re.compile(
            chars.FARSI_YEH + f"(?!{_char_class(skip)}*{_char_class(chars.ARABIC_LETTERS)})"
        )
    tanween = None
    if o.tanween_alef and not o.harakat:
        alef = charmap.get(chars.ALEF, chars.ALEF)
        tanween = (alef + chars.FATHATAN, chars.FATHATAN + alef)
    zwj_re = None
    if o.invisible:
        emoji = _char_class(chars.EMOJI)
        zwj_re = re.compile(f"(?<!{emoji}){chars.ZWJ}|{chars.ZWJ}(?!{emoji})")
    elongation_re = None
    if o.elongation:
        elongation_re = re.compile(f"({_char_class(chars.ARABIC_LETTERS)})\\1\\1+")
    return _Plan(
        options=o,
        web=tuple(_web_passes(o)),
        expand_re=re.compile(_char_class(expand)) if expand else None,
        expand=expand,
        forms=forms,
        table=table,
        ascii_identity=bool((table[:128] == np.arange(128)).all()),
        charmap=charmap,
        farsi_re=farsi_re,
        farsi_inside=charmap.get(chars.YEH, chars.YEH),
        farsi_final=charmap.get(chars.ALEF_MAKSURA, chars.ALEF_MAKSURA),
        tanween=tanween,
        zwj_re=zwj_re,
        elongation_re=elongation_re,
        laughter=o.laughter,
    )


@functools.lru_cache(maxsize=32)
def _plan_for(options: NormalizeOptions) -> _Plan:
    return _compile(options)


def _implementation() -> str:
    impl = os.environ.get("TANQIYA_IMPLEMENTATION", "fast").strip().lower() or "fast"
    if impl not in ("fast", "python"):
        msg = f"TANQIYA_IMPLEMENTATION must be 'fast' or 'python', not {impl!r}"
        raise ValueError(msg)
    return impl


# --- the fast path -------------------------------------------------------------------


def _shorten(match: re.Match[str], laughter: str) -> str:
    letter = match.group(1)
    if letter == chars.HEH:
        if laughter == "shorten":
            return chars.HEH * 3
        if laughter == "keep":
            return match.group(0)
    return letter


def _after_table(plan: _Plan, text: str) -> str:
    """The contextual passes, on text the table has mapped."""
    if plan.farsi_re is not None and chars.FARSI_YEH in text:
        text = plan.farsi_re.sub(plan.farsi_final, text).replace(chars.FARSI_YEH, plan.farsi_inside)
    if plan.tanween is not None and plan.tanween[0] in text:
        text = text.replace(*plan.tanween)
    if plan.zwj_re is not None and chars.ZWJ in text:
        text = plan.zwj_re.sub("", text)
    if plan.options.casefold:
        text = text.casefold()
    if plan.elongation_re is not None:
        laughter = plan.laughter
        text = plan.elongation_re.sub(lambda m: _shorten(m, laughter), text)
    mode = plan.options.whitespace
    if mode == "spaces":
        text = _collapse_spaces(text)
    elif mode == "all":
        text = _collapse_whitespace(text)
    return text


def _expand_forms(plan: _Plan, text: str) -> str:
    """Replace every presentation form by its letters (before composition)."""
    forms = plan.forms
    return "".join(forms.get(c, c) for c in text) if forms else text


def _fast_once(plan: _Plan, text: str) -> str:
    if plan.options.compose:
        if plan.forms and _HAMZA_MARK_RE.search(text):
            # A presentation form may carry a following decomposed hamza:
            # expand the forms first so composition sees the real letters.
            text = _expand_forms(plan, text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    if plan.expand_re is not None:
        expand = plan.expand
        text = plan.expand_re.sub(lambda m: expand[m.group()], text)
    if not (plan.ascii_identity and text.isascii()):
        units = np.frombuffer(text.encode(_UTF16, "surrogatepass"), dtype=np.uint16)
        text = plan.table[units].tobytes().decode(_UTF16, "surrogatepass")
        if _DELETED in text:
            text = text.replace(_DELETED, "")
    return _after_table(plan, text)


def _settle(plan: _Plan, text: str, once: Callable[[_Plan, str], str]) -> str:
    """Repeat the core passes while a deletion leaves marks to compose or reorder."""
    for _ in range(4):
        if not plan.options.compose or unicodedata.is_normalized("NFC", text):
            break
        text = once(plan, text)
    return text


def _web(plan: _Plan, text: str) -> str:
    for web_pass in plan.web:
        text = web_pass(text)
    return text


class Normalizer:
    """Normalize text by a profile name or :class:`NormalizeOptions`.

    Compiles the options once; reuse one Normalizer for many calls.

    >>> Normalizer("dedup").normalize("الإسلام، والمسلمون!")
    'الاسلام والمسلمون'
    >>> Normalizer("search").normalize_many(["مُحَمَّد", "مدرسة"])
    ['محمد', 'مدرسه']
    """

    __slots__ = ("_once", "_plan", "options")

    def __init__(self, profile: str | NormalizeOptions = "search") -> None:
        self.options = resolve(profile)
        self._plan = _plan_for(self.options)
        if _implementation() == "python":
            from normalize._reference import reference_once

            self._once: Callable[[_Plan, str], str] = reference_once
        else:
            self._once = _fast_once

    def __repr__(self) -> str:
        return f"Normalizer({self.options.name!r})"

    def __call__(self, text: str) -> str:
        return self.normalize(text)

    def normalize(self, text: str) -> str:
        """The normalized form of one string."""
        if not isinstance(text, str):
            msg = f"normalize() takes a str, not {type(text).__name__}"
            raise TypeError(msg)
        plan = self._plan
        text = _web(plan, text)
        return _settle(plan, self._once(plan, text), self._once)

    def normalize_many(self, texts: Iterable[str]) -> list[str]:
        """The normalized form of each string; the same as ``normalize`` on each,
        but the passes run over whole batches at a time.
        """
        out: list[str] = []
        for batch in _batches(texts):
            out.extend(self._normalize_batch(batch))
        return out

    def _normalize_batch(self, batch: list[str]) -> list[str]:
        plan = self._plan
        joined = _SEP.join(batch)
        if joined.count(_SEP) != len(batch) - 1 or _DELETED in joined:
            return [self.normalize(t) for t in batch]
        joined = _web(plan, joined)
        parts = self._once(plan, joined).split(_SEP)
        if plan.options.compose:
            parts = [_settle(plan, p, self._once) for p in parts]
        return parts


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for text in texts:
        if not isinstance(text, str):
            msg = f"normalize_many() takes strings, got {type(text).__name__}"
            raise TypeError(msg)
        batch.append(text)
        size += len(text) + 1
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def normalize(text: str, profile: str | NormalizeOptions = "search") -> str:
    """Normalize one string with a profile (``light``, ``search``, ``dedup``,
    ``web``) or :class:`NormalizeOptions`.

    >>> normalize("الـــعَرَبِيَّة")
    'العربيه'
    >>> normalize("على", "search")
    'علي'
    """
    return Normalizer(profile).normalize(text)
