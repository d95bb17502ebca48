"""Arabic text normalization: :class:`Normalizer`, :func:`normalize`, and
:func:`strip_diacritics`.

A :class:`Normalizer` compiles :class:`~normalize.options.NormalizeOptions`
once (:mod:`normalize._plan`) and runs it with the fastest engine there is:
the native one (:mod:`normalize._native`, a C pass over the whole text or
batch) where the extension was built, else the numpy one
(:mod:`normalize._engine`: numpy over whole batches, a one-byte code page for
short strings). A slow, obvious per-character implementation of the same
passes lives in :mod:`normalize._reference`. ``TANQIYA_IMPLEMENTATION``
(``fast``, ``numpy`` or ``python``) picks one, and the tests check that all
agree.

The passes, in order: web clean-up; NFC; every character map (presentation
forms, invisible characters, spaces, tatweel, marks, letters, digits,
punctuation); lone ZWJ; Farsi yeh by position; tanween order; case;
elongation; whitespace. When a deletion leaves marks out of canonical order or
a hamza to compose, the core passes run again until the text is stable, so
every profile is idempotent.

>>> normalize("أَهْلًا وَسَهْلًا")
'اهلا وسهلا'
>>> Normalizer("light").normalize("\\ufef7\\u0640\\u0640")
'\\u0644\\u0623'
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator

from normalize import _engine, _native, chars
from normalize._checks import check_texts
from normalize._implementation import implementation
from normalize._plan import Plan, char_class, compose_yeh_hamza, plan_for
from normalize._reference import reference_core
from normalize.options import NormalizeOptions, resolve
from normalize.web import decode_entities

_BATCH_CHARS = 1 << 21
_BATCH_ITEMS = 1 << 14

_DIACRITICS_RE = re.compile(
    char_class(chars.HARAKAT | chars.OTHER_MARKS | {chars.SUPERSCRIPT_ALEF})
)


def strip_diacritics(text: str) -> str:
    """Delete harakat (U+064B–U+0652), the marks U+0653–U+065F and superscript
    alef U+0670. A decomposed hamza or madda (U+0653–U+0655) is first composed
    with its letter, so ا + U+0654 stays أ (and ى + U+0654, drawn as ئ, is ئ).
    Letters, hamza forms, tatweel and Quranic pause marks are left alone, and
    so is everything else: only a letter with such a mark is composed (NFC).

    >>> strip_diacritics("هٰذَا الْقُرْآنُ")
    'هذا القرآن'
    >>> strip_diacritics("\\u0627\\u0654") == "\\u0623"
    True
    """
    if not isinstance(text, str):
        msg = f"strip_diacritics() takes a str, not {type(text).__name__}"
        raise TypeError(msg)
    if any(mark in text for mark in chars.HAMZA_MARKS):
        text = compose_yeh_hamza(_compose_hamza_clusters(text))
    return _DIACRITICS_RE.sub("", text)


_HAMZA_MARK_RE = re.compile(char_class(chars.HAMZA_MARKS))


def _compose_hamza_clusters(text: str) -> str:
    """``text`` with each letter whose marks hold a decomposed hamza or
    madda put in NFC (the letter and all its marks), the rest untouched.

    >>> _compose_hamza_clusters("e\\u0301 \\u0627\\u064e\\u0654") == "e\\u0301 \\u0623\\u064e"
    True
    """
    pieces = []
    done = 0
    for found in _HAMZA_MARK_RE.finditer(text):
        if found.start() < done:
            continue  # in the letter just composed
        start = found.start()
        while start > done and unicodedata.combining(text[start - 1]):
            start -= 1
        if start > done:
            start -= 1  # the letter the marks sit on
        end = found.end()
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        pieces += [text[done:start], unicodedata.normalize("NFC", text[start:end])]
        done = end
    return "".join([*pieces, text[done:]])


Core = Callable[[Plan, str], str]
One = Callable[[Plan, str], "tuple[str, bool]"]
#: Texts -> each batch's normalized texts (before settle) and whether all are NFC.
Many = Callable[[Plan, Iterable[str]], Iterator["tuple[list[str], bool]"]]


def _implementation() -> str:
    """``native``, ``numpy`` or ``python``, from ``TANQIYA_IMPLEMENTATION``."""
    impl = implementation()
    if impl == "fast":
        return "native" if _native.AVAILABLE else "numpy"
    return impl


def _whole(core: Core) -> One:
    """A core as a one-text call: web passes first; the result may not be NFC."""

    def one(plan: Plan, text: str) -> tuple[str, bool]:
        return core(plan, _engine.web(plan, text)), True

    return one


def _native_many(plan: Plan, texts: Iterable[str]) -> Iterator[tuple[list[str], bool]]:
    """The native engine takes texts one by one: batches of any size."""
    for chunk in _chunks(texts):
        try:
            done = _native.normalize_batch(plan, chunk)
        except TypeError:
            _check_strings(chunk)
            raise
        yield done


def _numpy_many(plan: Plan, texts: Iterable[str]) -> Iterator[tuple[list[str], bool]]:
    """The numpy engine joins each batch: batches bounded in characters."""
    for batch in _batches(texts):
        yield _engine.normalize_batch(plan, batch)


def _reference_many(plan: Plan, texts: Iterable[str]) -> Iterator[tuple[list[str], bool]]:
    """One text at a time, the web passes first."""
    for chunk in _chunks(texts):
        _check_strings(chunk)
        yield [reference_core(plan, _engine.web(plan, t)) for t in chunk], False


_ENGINES: dict[str, tuple[Core, One, Many]] = {
    "native": (_native.normalize_core, _native.normalize_one, _native_many),
    "numpy": (_engine.normalize_core, _whole(_engine.normalize_core), _numpy_many),
    "python": (reference_core, _whole(reference_core), _reference_many),
}


def _settle(plan: Plan, text: str, core: Core) -> str:
    """Run the core passes again while a deletion left marks to compose or reorder."""
    for _ in range(4):
        if not plan.options.compose or _composed(text):
            break
        text = core(plan, compose_yeh_hamza(unicodedata.normalize("NFC", text)))
    return text


def _composed(text: str) -> bool:
    """NFC, and no yeh + hamza mark that ``compose`` writes as one letter."""
    return unicodedata.is_normalized("NFC", text) and not (
        chars.HAMZA_ABOVE in text and any(spelled in text for spelled in chars.YEH_HAMZA)
    )


class Normalizer:
    """Normalize text by a profile name or :class:`NormalizeOptions`.

    Compiles the options once; reuse one Normalizer for many calls.

    >>> Normalizer("dedup").normalize("الإسلام، والمسلمون!")
    'الاسلام والمسلمون'
    >>> Normalizer("search").normalize_many(["مُحَمَّد", "مدرسة"])
    ['محمد', 'مدرسه']
    """

    __slots__ = ("_core", "_impl", "_many", "_one", "_plan", "options")

    def __init__(self, profile: str | NormalizeOptions = "search") -> None:
        self.options = resolve(profile)
        self._plan = plan_for(self.options)
        self._impl = _implementation()
        self._core, self._one, self._many = _ENGINES[self._impl]

    def __repr__(self) -> str:
        return f"Normalizer({self.options.name!r})"

    @property
    def engine(self) -> str:
        """``native`` (the C core), ``numpy`` (where it was not built) or
        ``python`` (the reference), as ``TANQIYA_IMPLEMENTATION`` chose."""
        return self._impl

    def __call__(self, text: str) -> str:
        return self.normalize(text)

    def normalize(self, text: str) -> str:
        """The normalized form of one string."""
        if not isinstance(text, str):
            msg = f"normalize() takes a str, not {type(text).__name__}"
            raise TypeError(msg)
        text = self._once(text)
        if self._plan.entities and "&" in text:
            text = self._without_entities(text)
        return text

    def _once(self, text: str) -> str:
        plan = self._plan
        text, risky = self._one(plan, text)
        unsettled = risky and plan.options.compose
        unsettled = unsettled or (plan.yeh_hamza and chars.HAMZA_ABOVE in text)
        if unsettled and not _composed(text):
            text = _settle(plan, text, self._core)
        return text

    def _without_entities(self, text: str) -> str:
        """Normalize again while the result holds an entity that a mapped or
        deleted character completed (``&#\u0666\u0660;`` -> ``&#60;``), so
        that normalizing the result changes nothing."""
        for _ in range(8):
            if "&" not in text or decode_entities(text) == text:
                break
            text = self._once(text)
        return text

    def normalize_many(self, texts: Iterable[str]) -> list[str]:
        """The normalized form of each string: the same as ``normalize`` on each,
        with the passes run over whole batches.
        """
        check_texts(texts, "normalize_many")
        plan = self._plan
        out: list[str] = []
        for parts, nfc in self._many(plan, texts):
            if not nfc:
                parts = [_settle(plan, p, self._core) for p in parts]
            elif plan.yeh_hamza:  # a deletion may leave a yeh and a hamza mark
                hamza = chars.HAMZA_ABOVE
                parts = [_settle(plan, p, self._core) if hamza in p else p for p in parts]
            if plan.entities:
                parts = [self._without_entities(p) if "&" in p else p for p in parts]
            out += parts
        return out


def _check_strings(texts: list[str]) -> None:
    if not all(map(str.__instancecheck__, texts)):
        bad = next(t for t in texts if not isinstance(t, str))
        msg = f"normalize_many() takes strings, not {type(bad).__name__}"
        raise TypeError(msg)


def _chunks(texts: Iterable[str]) -> Iterator[list[str]]:
    """Lists of up to ``_BATCH_ITEMS`` texts (the native engine takes them one
    by one, so their size does not matter)."""
    items = iter(texts)
    while chunk := list(itertools.islice(items, _BATCH_ITEMS)):
        yield chunk


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    """Lists of up to ``_BATCH_ITEMS`` texts and about ``_BATCH_CHARS`` characters."""
    for chunk in _chunks(texts):
        _check_strings(chunk)
        ends = list(itertools.accumulate(map(len, chunk)))
        start = 0
        while start < len(chunk):
            done = ends[start - 1] if start else 0
            end = bisect.bisect_left(ends, done + _BATCH_CHARS, lo=start) + 1
            yield chunk[start:end]
            start = end


_WORD = re.compile(r"[^\W_]")  # a letter or a digit (``str.isalnum``)


def is_blank(key: str) -> bool:
    """Whether a key says nothing of its text's content: it has no letter and
    no digit (empty, spaces, punctuation, symbols, emoji). Line dedup treats
    such lines as blank; document dedup keeps such documents unclustered.

    >>> is_blank(" ... \U0001f44d "), is_blank("2024"), is_blank("خبر")
    (True, False, False)
    """
    return not key or _WORD.search(key) is None


def normalize(text: str, profile: str | NormalizeOptions = "search") -> str:
    """Normalize one string with a profile (``light``, ``search``, ``dedup``,
    ``web``) or :class:`NormalizeOptions`.

    >>> normalize("الـــعَرَبِيَّة")
    'العربيه'
    >>> normalize("على", "search")
    'علي'
    """
    return shared_normalizer(profile).normalize(text)


def shared_normalizer(profile: str | NormalizeOptions) -> Normalizer:
    """One Normalizer per profile, shared by every call that takes a profile
    (building one costs as much as a page's dedup); TypeError for what is no
    profile, before the cache hashes it. ``TANQIYA_IMPLEMENTATION`` is read
    when a profile is first used: build a Normalizer to switch later."""
    if not isinstance(profile, (str, NormalizeOptions)):
        resolve(profile)
    return _normalizer(profile)


@functools.lru_cache(maxsize=16)
def _normalizer(profile: str | NormalizeOptions) -> Normalizer:
    return Normalizer(profile)
