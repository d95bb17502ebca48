"""Normalization: golden cases as data, properties, fast path == reference."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize import PROFILES, NormalizeOptions, Normalizer, normalize, strip_diacritics

CASES = json.loads((Path(__file__).parent / "cases" / "normalize.json").read_text("utf-8"))
IMPLEMENTATIONS = ["fast", "numpy", "python"]
#: The engines that must equal the reference: native (where built) and numpy.
FAST = ["fast", "numpy"]


def _made_with(options: str | NormalizeOptions, implementation: str) -> Normalizer:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TANQIYA_IMPLEMENTATION", implementation)
        return Normalizer(options)


def _normalizer(case: dict, implementation: str, monkeypatch: pytest.MonkeyPatch) -> Normalizer:
    monkeypatch.setenv("TANQIYA_IMPLEMENTATION", implementation)
    options = PROFILES[case["profile"]]
    if "options" in case:
        options = options.replace(name="custom", **case["options"])
    return Normalizer(options)


def _run(case: dict, implementation: str, monkeypatch: pytest.MonkeyPatch) -> str:
    if case.get("function") == "strip_diacritics":
        return strip_diacritics(case["original"])
    return _normalizer(case, implementation, monkeypatch).normalize(case["original"])


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c["label"], marks=[pytest.mark.xfail] if c["expect"] == "fail" else [])
        for c in CASES
    ],
)
def test_golden_case(case: dict, implementation: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(case, implementation, monkeypatch) == case["expected"]


@pytest.mark.parametrize("implementation", FAST)
@pytest.mark.parametrize(
    "case", [c for c in CASES if "function" not in c], ids=lambda c: c["label"]
)
def test_golden_case_in_a_batch(
    case: dict, implementation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch path gives the same answer with the case among other texts."""
    normalizer = _normalizer(case, implementation, monkeypatch)
    expected = normalizer.normalize(case["original"])
    filler = ["نص عادي " * 40, "", " ", case["original"] * 3]
    batch = normalizer.normalize_many([*filler, case["original"], *filler])
    assert batch[len(filler)] == expected


def test_golden_cases_are_escaped() -> None:
    """Invisible and look-alike characters are written as escapes in the data."""
    raw = (Path(__file__).parent / "cases" / "normalize.json").read_text("utf-8")
    for char in raw:
        category = unicodedata.category(char)
        assert category not in ("Cf", "Mn", "Zs") or char == " ", f"raw U+{ord(char):04X}"
        assert not "\ufb50" <= char <= "\ufeff", f"raw presentation form U+{ord(char):04X}"


def test_every_profile_is_listed_and_versioned() -> None:
    assert set(PROFILES) == {"light", "search", "dedup", "web"}
    versions = {p.version for p in PROFILES.values()}
    assert len(versions) == len(PROFILES)
    changed = PROFILES["search"].replace(casefold=True)
    assert changed.version != PROFILES["search"].version


def test_unknown_profile_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown profile 'serch'; valid profiles: dedup, light"):
        Normalizer("serch")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("harakat", "yes", TypeError),
        ("whitespace", "tabs", ValueError),
        ("superscript_alef", "drop", ValueError),
        ("laughter", None, ValueError),
        ("name", "", ValueError),
    ],
)
def test_invalid_options_fail_at_construction(field: str, value: object, error: type) -> None:
    with pytest.raises(error, match=field):
        NormalizeOptions(**{field: value})


def test_options_are_frozen() -> None:
    with pytest.raises(AttributeError):
        PROFILES["search"].harakat = False  # type: ignore[misc]


def test_default_options_change_nothing() -> None:
    text = "أَهْلًا\u200c وَسَهْلًا\u00a0ﻷ ١٢"
    assert normalize(text, NormalizeOptions()) == text


def test_type_errors() -> None:
    with pytest.raises(TypeError, match="takes a str"):
        normalize(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes strings"):
        Normalizer().normalize_many(["a", 1])  # type: ignore[list-item]


def test_implementation_env_var_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANQIYA_IMPLEMENTATION", "rust")
    with pytest.raises(ValueError, match="TANQIYA_IMPLEMENTATION"):
        Normalizer()


def test_long_text_takes_the_array_path() -> None:
    """Texts past the short-string cut-off go through numpy; same answer."""
    line = "قالَ الرئيسُ إنّ الحكومةَ ستعلنُ ﷺ ١٢٣ \u200cخطةً\u00a0جديدة ـــ جميييل"
    text = "\n".join([line] * 50)
    expected = "\n".join([normalize(line, "light")] * 50)
    assert normalize(text, "light") == expected
    assert normalize(text, "dedup") == " ".join([normalize(line, "dedup")] * 50)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("repeat", [1, 100])  # short strings and the whole-array path
def test_astral_and_lone_surrogates_pass_through(implementation: str, repeat: int) -> None:
    """A half-cut emoji (``\\ud83d`` in scraped JSON) is a lone surrogate."""
    text = " ".join(["\U0001d400 \U00020000 \udc80 نص \ud83d"] * repeat)
    normalizer = _made_with("search", implementation)
    assert normalizer.normalize(text) == text
    assert normalizer.normalize_many([text] * 3) == [text] * 3


@pytest.mark.parametrize("implementation", FAST)
def test_fathatan_crosses_a_long_run_of_alefs(implementation: str) -> None:
    """In one step, not one sweep of the text per alef (a spam line of
    100,000 alefs took a minute)."""
    normalizer = _made_with("light", implementation)
    text = "\u0628" + "\u0627" * 50_000 + "\u064b\u0627\u064b \u0627\u064b"
    expected = "\u0628" + "\u064b" * 2 + "\u0627" * 50_001 + " \u064b\u0627"
    assert normalizer.normalize(text) == expected
    assert normalizer.normalize_many([text, text]) == [expected, expected]


def test_text_holding_the_batch_separator() -> None:
    texts = ["أ\x00ب", "جـد", "ا \x00 ب"]
    assert Normalizer().normalize_many(texts) == ["ا\x00ب", "جد", "ا \x00 ب"]
    assert normalize("\x00 " * 200, "light") == ("\x00 " * 200).strip()


# --- properties ---------------------------------------------------------------------

ARABIC_ALPHABET = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x0620, 0x0670)]
    + ["\u0670", "\u0671", "\u06a9", "\u06af", "\u06be", "\u06c0", "\u06c1", "\u06cc", "\u06d2"]
    + ["\u06d4", "\u06d5", "\u06d6", "\u06dd", "\u06e5", "\u06f0", "\u06f5", "\u08f0"]
    + ["\ufdf2", "\ufdfa", "\ufdfd", "\ufe70", "\ufe8d", "\ufef7", "\ufefb", "\ufbfc", "\ufbfe"]
    + ["\ufb8e", "\ufc5e", "\U0001ee00", "\U0001f600", "\U0001f3fd", "\ufe0f", "\u2764"]
    + ["\u200b", "\u200c", "\u200d", "\u200e", "\u202e", "\u202c", "\u2066", "\ufeff", "\u00ad"]
    + ["\u00a0", "\u2009", "\u3000", " ", " ", " ", "\n", "\r", "\t", "\x00"]
    + list("aZ09.,!?-'\"<>&@/:")
    + ["\u00e9", "e\u0301", "\u00df", "\u0130", "\u4e2d"]
    + [
        "&amp;",
        "<b>",
        "</p>",
        "http://x.y/z",
        "a@b.co",
        "@user",
        "\u0627\u0654",
        "\u0647\u0647\u0647",
    ]
)
arabic_text = st.lists(st.sampled_from(ARABIC_ALPHABET), max_size=40).map("".join)
#: the combining marks (canonical class > 0) among ARABIC_ALPHABET's characters
COMBINING_IN_ALPHABET = (
    "\u0301\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8"
    "\u06ea-\u06ed\u08f0"
)
any_text = st.one_of(arabic_text, st.text(max_size=30))
PROFILE_NAMES = sorted(PROFILES)


@settings(deadline=None)
@given(text=any_text, profile=st.sampled_from(PROFILE_NAMES))
def test_idempotent(text: str, profile: str) -> None:
    once = normalize(text, profile)
    assert normalize(once, profile) == once


@pytest.mark.parametrize("implementation", FAST)
@settings(deadline=None)
@given(text=any_text, profile=st.sampled_from(PROFILE_NAMES))
def test_fast_path_equals_reference(text: str, profile: str, implementation: str) -> None:
    fast = _made_with(profile, implementation)
    reference = _made_with(profile, "python")
    assert fast.normalize(text) == reference.normalize(text)
    long_text = (text + " ") * 20
    assert fast.normalize(long_text) == reference.normalize(long_text)


@pytest.mark.parametrize("implementation", FAST)
@settings(deadline=None)
@given(texts=st.lists(any_text, max_size=12), profile=st.sampled_from(PROFILE_NAMES))
def test_normalize_many_equals_map(texts: list[str], profile: str, implementation: str) -> None:
    normalizer = _made_with(profile, implementation)
    assert normalizer.normalize_many(texts) == [normalizer.normalize(t) for t in texts]
    assert normalizer.normalize_many(iter(texts)) == normalizer.normalize_many(texts)


@pytest.mark.parametrize("implementation", FAST)
@settings(deadline=None)
@given(
    flags=st.fixed_dictionaries(
        {
            name: st.booleans()
            for name in (
                *("compose", "presentation_forms", "invisible", "harakat", "alef", "persian"),
                *(
                    "alef_maksura",
                    "tanween_alef",
                    "elongation",
                    "punctuation",
                    "casefold",
                    "tatweel",
                    "entities",
                ),
            )
        }
    ),
    whitespace=st.sampled_from(["keep", "spaces", "all"]),
    text=arabic_text,
)
def test_custom_options_fast_equals_reference_and_idempotent(
    flags: dict[str, bool], whitespace: str, text: str, implementation: str
) -> None:
    options = NormalizeOptions(whitespace=whitespace, **flags)  # type: ignore[arg-type]
    fast = _made_with(options, implementation)
    reference = _made_with(options, "python")
    once = fast.normalize(text)
    assert once == reference.normalize(text)
    assert fast.normalize(once) == once
    assert fast.normalize_many([text, text * 30]) == [once, fast.normalize(text * 30)]


@settings(deadline=None)
@given(text=any_text, profile=st.sampled_from(PROFILE_NAMES))
def test_deterministic(text: str, profile: str) -> None:
    assert normalize(text, profile) == Normalizer(profile).normalize(text)
    assert Normalizer(profile).normalize_many([text, text]) == [normalize(text, profile)] * 2


LATIN_WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F).filter(
        lambda c: unicodedata.is_normalized("NFC", c)
    ),
    min_size=1,
    max_size=8,
)
EMOJI = st.sampled_from(
    [
        "\U0001f600",
        "\U0001f44d\U0001f3fd",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\u2764\ufe0f",
        "\U0001f1ee\U0001f1f6",
    ]
)


@settings(deadline=None)
@given(
    words=st.lists(
        st.one_of(LATIN_WORDS, EMOJI, st.sampled_from(["123", "3.14", "(a)", "a,b", "x!", "$5"])),
        min_size=1,
        max_size=10,
    )
)
def test_latin_emoji_digits_untouched_by_search(words: list[str]) -> None:
    text = " ".join(words)
    assert normalize(text, "search") == text
    assert normalize(text, "light") == text


@settings(deadline=None)
@given(text=arabic_text)
def test_strip_diacritics_only_deletes_marks(text: str) -> None:
    stripped = strip_diacritics(text)
    assert strip_diacritics(stripped) == stripped
    marks = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}
    assert not marks & set(stripped)
    # each letter with its marks: NFC where the marks hold a hamza or madda, else as it is
    clusters = re.findall(f".[{COMBINING_IN_ALPHABET}]*", text, re.DOTALL)
    composed = "".join(
        unicodedata.normalize("NFC", c) if set(c) & set("\u0653\u0654\u0655") else c
        for c in clusters
    )
    composed = composed.replace("\u0649\u0654", "\u0626").replace("\u06cc\u0654", "\u0626")
    assert stripped == "".join(c for c in composed if c not in marks)


def test_strip_diacritics_leaves_text_away_from_hamza_marks_alone() -> None:
    """Only the letter carrying a decomposed hamza is composed: Latin, CJK
    compatibility characters elsewhere stay as they are."""
    text = "\uf900 e\u0301 \u0627\u064e\u0654 \u0633\u0627\u0626\u0644\u0654"
    assert strip_diacritics(text) == "\uf900 e\u0301 \u0623 \u0633\u0627\u0626\u0644"


@pytest.mark.parametrize("implementation", FAST)
def test_expansions_far_longer_than_the_text(implementation: str) -> None:
    """Word ligatures expand to up to 18 characters each: the output buffer grows."""
    text = "\ufdfa" * 500 + " \ufdfb\u0640" * 300
    reference = _made_with("search", "python").normalize(text)
    normalizer = _made_with("search", implementation)
    assert normalizer.normalize(text) == reference
    assert normalizer.normalize_many(["", text, "\ufdfa"]) == [
        "",
        reference,
        normalizer.normalize("\ufdfa"),
    ]


def test_the_native_engine_is_used_where_it_was_built() -> None:
    from normalize import _native

    assert Normalizer()._impl == ("native" if _native.AVAILABLE else "numpy")


def test_without_the_native_core_the_numpy_engine_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    """An install without a C compiler has no normalize._cmap: same answers."""
    from normalize import _native

    monkeypatch.setattr(_native, "AVAILABLE", False)
    normalizer = Normalizer("search")
    assert normalizer._impl == "numpy"
    assert normalizer.normalize_many(["أَهْلًا", "ﻷ"]) == ["اهلا", "لا"]


@pytest.mark.parametrize("implementation", FAST)
@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_fast_engines_equal_the_reference_on_scraped_text(
    profile: str, implementation: str
) -> None:
    """Whole pages as scrapers leave them (the seed page, and copies with
    diacritics, letter variants, tatweel, presentation forms and invisible
    marks added), and each of their lines: the fast engines give the
    reference's answer, one call or one batch at a time."""
    from neardup_data import make_corpus

    seed = next((Path(__file__).parent.parent / "seeds").glob("*.txt")).read_text("utf-8")
    pages = [seed, *make_corpus(60, seed=5, doc_chars=400).texts]
    texts = pages + [line for page in pages for line in page.split("\n")]
    reference = _made_with(profile, "python")
    fast = _made_with(profile, implementation)
    expected = [reference.normalize(t) for t in texts]
    assert fast.normalize_many(texts) == expected
    assert [fast.normalize(t) for t in texts] == expected


def test_the_alphabets_combining_marks_are_listed() -> None:
    listed = re.compile(f"[{COMBINING_IN_ALPHABET}]")
    for char in {c for item in ARABIC_ALPHABET for c in item}:
        assert bool(listed.match(char)) == (unicodedata.combining(char) > 0), f"U+{ord(char):04X}"


def test_the_native_core_keeps_its_texts_while_python_code_runs() -> None:
    """A dict lookup may run a key's __eq__, which may empty the list of
    texts being mapped: the C core holds its own references (no crash, the
    same output)."""
    from normalize import _native

    if not _native.AVAILABLE:
        pytest.skip("normalize._cmap was not built (no C compiler)")
    from normalize._cmap import map_texts

    table = bytearray(np.arange(0x110000, dtype=np.uint32).tobytes())
    np.frombuffer(table, dtype=np.uint32)[ord("X")] = 0xFFFFFFFE  # expanded
    texts = ["X" + "a" * 100_000, "b" * 10]
    armed = [False]

    class Collides:
        def __hash__(self) -> int:
            return ord("X")

        def __eq__(self, other: object) -> bool:
            if armed[0]:
                texts.clear()
            return False

    expansions = {Collides(): "?", ord("X"): "x"}  # type: ignore[dict-item]
    armed[0] = True
    outs, _ = map_texts(texts, bytes(table), bytes(0x110000), expansions, 0, False, None)  # type: ignore[arg-type]
    assert outs == ["x" + "a" * 100_000, "b" * 10]
    with pytest.raises(KeyError, match="no expansion for U\\+0058"):
        map_texts(["X"], bytes(table), bytes(0x110000), {}, 0, False, None)
