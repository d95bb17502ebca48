"""Shingles: the vectorized hashes against the obvious per-shingle definition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize import _implementation
from normalize.shingles import (
    _numpy_shingle_hashes,
    _whitespace_table,
    polynomial_hash,
    shingle_hashes,
    shingle_strings,
    string_hashes,
)

# Arabic letters and marks, Latin, digits, every kind of whitespace the
# shingler must treat as a word boundary, an astral character and NUL.
ALPHABET = st.sampled_from(
    [
        "\u0628",
        "\u0627",
        "\u0644",
        "\u064e",
        "a",
        "Z",
        "7",
        " ",
        "\n",
        "\t",
        "\u00a0",
        "\u3000",
        "\u2028",
        "\u200b",
        "\U0001f600",
        "\x00",
        ".",
    ]
)
TEXTS = st.lists(st.text(ALPHABET, max_size=25), max_size=6)


def naive(texts: list[str], ngram: int, unit: str) -> list[list[int]]:
    return [
        [polynomial_hash(s) for s in shingle_strings(t, ngram=ngram, unit=unit)]  # type: ignore[arg-type]
        for t in texts
    ]


def as_lists(texts: list[str], ngram: int, unit: str) -> list[list[int]]:
    sh = shingle_hashes(texts, ngram=ngram, unit=unit)  # type: ignore[arg-type]
    assert sh.offsets[0] == 0
    assert sh.offsets[-1] == len(sh.hashes)
    return [sh.document(i).tolist() for i in range(len(texts))]


@given(TEXTS, st.integers(1, 6), st.sampled_from(["word", "char"]))
def test_vectorized_equals_naive(texts: list[str], ngram: int, unit: str) -> None:
    assert as_lists(texts, ngram, unit) == naive(texts, ngram, unit)


@given(TEXTS.filter(bool), st.integers(1, 6))
def test_numpy_word_shingles_equal_naive(texts: list[str], ngram: int) -> None:
    """The numpy path that runs where the C core was not built."""
    sh = _numpy_shingle_hashes(texts, ngram, "word")
    assert [sh.document(i).tolist() for i in range(len(texts))] == naive(texts, ngram, "word")


ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None))


@given(st.lists(ANY_TEXT | st.text(ALPHABET), min_size=1, max_size=6), st.integers(1, 6))
def test_native_word_shingles_equal_numpy(texts: list[str], ngram: int) -> None:
    """The C core against numpy on any code point, lone surrogates included."""
    core = _implementation._built_hash_core()
    if core is None:
        pytest.skip("normalize._chash was not built (no C compiler)")
    hashes, offsets = core.word_shingles(texts, ngram)
    expected = _numpy_shingle_hashes(texts, ngram, "word")
    assert np.frombuffer(offsets, np.int64).tolist() == expected.offsets.tolist()
    assert np.frombuffer(hashes, np.uint64).tolist() == expected.hashes.tolist()


def test_native_word_boundaries_are_str_isspace() -> None:
    """Every code point: the C core splits words where str.split() does."""
    core = _implementation._built_hash_core()
    if core is None:
        pytest.skip("normalize._chash was not built (no C compiler)")
    _, offsets = core.word_shingles([f"a{chr(c)}b" for c in range(0x110000)], 1)
    words = np.diff(np.frombuffer(offsets, np.int64))
    spaces = np.flatnonzero(words == 2).tolist()
    assert spaces == [c for c in range(0x110000) if chr(c).isspace()]
    assert set(words.tolist()) == {1, 2}


def test_the_native_core_is_used_where_it_was_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """shingle_hashes runs the C core by default and numpy when
    TANQIYA_IMPLEMENTATION asks; both give the same hashes."""
    built = _implementation._built_hash_core() is not None
    assert (_implementation.hash_core() is not None) == built
    texts = ["كتب الولد الدرس في البيت", "", "واحدة"]
    fast = shingle_hashes(texts, ngram=3)
    monkeypatch.setenv("TANQIYA_IMPLEMENTATION", "numpy")
    assert _implementation.hash_core() is None
    slow = shingle_hashes(texts, ngram=3)
    assert fast.hashes.tolist() == slow.hashes.tolist()
    assert fast.offsets.tolist() == slow.offsets.tolist() == [0, 3, 3, 4]


@given(st.lists(st.text(ALPHABET, max_size=30), max_size=8))
def test_string_hashes_equal_polynomial_hash(strings: list[str]) -> None:
    assert string_hashes(strings).tolist() == [polynomial_hash(s) for s in strings]


def test_whitespace_table_is_str_isspace() -> None:
    table = _whitespace_table()
    assert table.shape == (0x10000,)
    assert table.nonzero()[0].tolist() == [c for c in range(0x10000) if chr(c).isspace()]


def test_word_shingles_are_joined_by_one_space() -> None:
    assert shingle_strings("  a\tb\n\nc  d ", ngram=2) == ["a b", "b c", "c d"]
    assert as_lists(["a\u3000 b"], 2, "word") == [[polynomial_hash("a b")]]


def test_short_document_is_one_shingle() -> None:
    assert shingle_strings("كتب الولد", ngram=5) == ["كتب الولد"]
    assert shingle_strings("abc", ngram=5, unit="char") == ["abc"]
    sh = shingle_hashes(["كتب الولد"], ngram=5)
    assert sh.counts().tolist() == [1]


@pytest.mark.parametrize("text", ["", " ", "\n\t\u3000", "\u00a0"])
def test_empty_or_blank_document_has_no_shingles(text: str) -> None:
    for unit in ("word", "char"):
        sh = shingle_hashes(["a b", text, "c"], ngram=2, unit=unit)  # type: ignore[arg-type]
        assert sh.counts()[1] == 0
        assert shingle_strings(text, unit=unit) == []  # type: ignore[arg-type]


def test_empty_batch() -> None:
    sh = shingle_hashes([])
    assert len(sh) == 0
    assert sh.hashes.dtype == np.uint64


def test_hash_is_position_independent() -> None:
    a = shingle_hashes(["x y z w v", "q x y z w v"], ngram=5)
    assert a.document(0)[0] == a.document(1)[1]


def test_batch_longer_than_the_power_table() -> None:
    words = [f"w{i}" for i in range(60_000)]  # > 2**17 characters: powers computed on the spot
    text = " ".join(words)
    sh = shingle_hashes([text, "tail words here"], ngram=3)
    assert sh.counts().tolist() == [len(words) - 2, 1]
    assert sh.document(0)[-1] == polynomial_hash(" ".join(words[-3:]))
    assert sh.document(1)[0] == polynomial_hash("tail words here")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ngram": 0}, "ngram must be an integer >= 1, not 0"),
        ({"ngram": 2.5}, "ngram must be an integer >= 1, not 2.5"),
        ({"unit": "line"}, "unknown unit 'line'; valid units: word, char"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        shingle_hashes(["a"], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        shingle_strings("a", **kwargs)  # type: ignore[arg-type]
