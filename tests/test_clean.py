"""The cleaning pass as a library: stages, counts, streaming == in memory."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize import Normalizer
from normalize.clean import (
    CleanConfig,
    Cleaner,
    clean,
    document_key,
    keys_are_line_local,
    line_count,
)
from normalize.dedup import DocumentDeduper
from normalize.lines import BoilerplateFilter, line_keys
from normalize.options import DEDUP

SEED = (Path(__file__).parent.parent / "seeds" / "000_c0df1516230a6e23.txt").read_text("utf-8")
HEADLINES = (
    "مقاتلة فرنسية مشاركة في عمليات التحالف ضد داعش لحظة انطلاقها في إحدى المهمات",
    "داعش يستخدم مدنيين دروعا بشرية",
)
BOILERPLATE = "اقرأ أيضا: آخر الأخبار من موقعنا الإخباري"


def _reconciles(result) -> None:
    t = result.tally
    assert len(result.keep) + len(result.documents.duplicate_of) == t.documents
    assert t.kept_documents == len(result.keep)
    kept_lines = sum(line_count(text) for text in result.texts)
    assert t.kept_lines == kept_lines
    stages = t.stages(boilerplate=True)
    assert stages[-1].documents_in - stages[-1].documents_removed == len(result.keep)


def test_seed_loses_exactly_the_doubled_headlines() -> None:
    result = clean([SEED])
    removed = result.lines_removed[0]
    assert [r.text for r in removed] == list(HEADLINES)
    assert all(r.reason == "line-adjacent" for r in removed)
    assert [r.line for r in removed] == [2, 29]
    assert [r.duplicate_of for r in removed] == [1, 28]
    repaired = SEED.split("\n")
    assert line_count(result.texts[0]) == line_count(SEED) - 2
    assert result.texts[0].split("\n")[0] == repaired[0]
    _reconciles(result)


def test_adjacent_and_document_reasons() -> None:
    doc = "سطر أول للخبر\n\nسطر أول للخبر\nسطر ثان مختلف\nسطر أول للخبر"
    result = clean([doc])
    assert [(r.line, r.reason, r.duplicate_of) for r in result.lines_removed[0]] == [
        (3, "line-adjacent", 1),
        (5, "line-document", 1),
    ]
    only_adjacent = clean([doc], CleanConfig(lines="adjacent"))
    assert [r.line for r in only_adjacent.lines_removed[0]] == [3]
    off = clean([doc], CleanConfig(lines="off"))
    assert off.lines_removed == [[]]
    assert off.texts == [doc]


def _corpus() -> list[str]:
    base = [
        "الحكومة تعلن خطة جديدة للتنمية في المناطق الريفية خلال العام المقبل",
        "ارتفاع أسعار النفط في الأسواق العالمية بعد قرار خفض الإنتاج الأخير",
        "فريق كرة القدم الوطني يفوز بالمباراة النهائية للبطولة الإقليمية",
        "افتتاح معرض الكتاب الدولي بمشاركة مئات دور النشر من أنحاء العالم",
    ]
    docs = [f"{text} وهذا نص طويل يكمل الخبر بتفاصيل إضافية\n{BOILERPLATE}" for text in base]
    docs.append(docs[0].replace("الحكومة", "الحكومه"))  # near/exact copy of 0
    docs.append(f"{base[1]} وهذا نص طويل يكمل الخبر بتفاصيل إضافية")  # 1 without boilerplate
    return docs


def test_boilerplate_second_pass_and_document_stage() -> None:
    docs = _corpus()
    result = clean(docs, CleanConfig(boilerplate_min_docs=3, threshold=0.7))
    corpus_lines = [r for removed in result.lines_removed for r in removed]
    assert {r.reason for r in corpus_lines} == {"line-corpus"}
    assert all(r.line == 2 and r.duplicate_of is None for r in corpus_lines)
    assert len(corpus_lines) == 5
    assert result.documents.duplicate_of == {4: 0, 5: 1}
    assert all(BOILERPLATE not in text for text in result.texts)
    _reconciles(result)
    stages = result.tally.stages(boilerplate=True)
    assert [s.stage for s in stages] == [
        "duplicate lines",
        "boilerplate lines",
        "exact duplicates",
        "near duplicates",
    ]
    assert stages[1].lines_removed == 5


def test_boilerplate_line_numbers_refer_to_the_repaired_text() -> None:
    docs = [f"عنوان الخبر رقم {i}\nعنوان الخبر رقم {i}\n{BOILERPLATE}\nنص" for i in range(4)]
    result = clean(docs, CleanConfig(boilerplate_min_docs=3, documents=False))
    for removed in result.lines_removed:
        assert [(r.line, r.reason) for r in removed] == [(2, "line-adjacent"), (3, "line-corpus")]
    assert result.keep == [0, 1, 2, 3]


def test_streaming_equals_in_memory() -> None:
    docs = _corpus() * 3
    config = CleanConfig(boilerplate_min_docs=3, threshold=0.7)
    expected = clean(docs, config)
    cleaner = Cleaner(config)
    first = [d for i in range(0, len(docs), 4) for d in cleaner.clean_lines(docs[i : i + 4])]
    second = cleaner.remove_boilerplate(first)
    for i in range(0, len(second), 5):
        cleaner.add(d.text for d in second[i : i + 5])
    assert cleaner.result() == expected.documents
    assert [second[i].text for i in expected.keep] == expected.texts


def test_normalize_output_and_repair() -> None:
    doc = "مرحبا\u200c بكم في ﻷ\u00a0الموقع"
    assert clean([doc], CleanConfig(documents=False)).texts == ["مرحبا بكم في لأ الموقع"]
    searched = clean([doc], CleanConfig(documents=False, normalize_output="search"))
    assert searched.texts == ["مرحبا بكم في لا الموقع"]


@pytest.mark.parametrize("field", ["repair", "normalize_output"])
def test_a_profile_that_joins_lines_still_keeps_the_documents_lines(field: str) -> None:
    """The dedup profile turns newlines into spaces in its keys; as the
    text a document keeps or is written with, it runs line by line, as
    ``tanqiya normalize -p dedup`` does: the lines stay, and the doubled
    headlines still go."""
    result = clean([SEED, SEED], CleanConfig(**{field: "dedup"}))  # type: ignore[arg-type]
    dedup = Normalizer("dedup")
    kept = [line for i, line in enumerate(SEED.split("\n")) if i not in (1, 28)]
    assert result.texts == ["\n".join(dedup.normalize_many(kept))]
    assert [r.line for r in result.lines_removed[0]] == [2, 29]
    assert result.documents.duplicate_of == {1: 0}
    _reconciles(result)
    crlf = clean(["قالَ\r\nالرئيسُ\r\n"], CleanConfig(**{field: "dedup"}))  # type: ignore[arg-type]
    assert crlf.texts == ["قال\r\nالرييس\r\n"]  # line endings as they were


def test_empty_documents_are_kept_and_never_cluster() -> None:
    result = clean(["", "...", "", "نص"])
    assert result.keep == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("threshold", 0.0, "threshold"),
        ("threshold", 1.5, "threshold"),
        ("num_perm", 0, "num_perm"),
        ("ngram", 0, "ngram"),
        ("lines", "page", "lines"),
        ("fuzzy", 120, "fuzzy"),
        ("line_min_chars", 0, "line_min_chars must be an int of at least 1, not 0"),
        ("line_min_chars", 2.5, "line_min_chars"),
        ("boilerplate_min_docs", 1, "min_docs"),
        ("repair", "nope", "unknown profile"),
        ("keep", "last", "keep"),
        ("workers", 0, "workers"),
        ("documents", "yes", "documents must be True or False"),
    ],
)
def test_bad_config_fails_at_construction(field: str, value: object, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        CleanConfig(**{field: value})  # type: ignore[arg-type]


@given(
    st.lists(
        st.lists(
            st.sampled_from(["خبر عاجل اليوم", "نص", "", "خَبَر عاجل اليوم", "سطر آخر هنا"])
        ).map("\n".join),
        max_size=6,
    )
)
def test_counts_reconcile(docs: list[str]) -> None:
    result = clean(docs, CleanConfig(threshold=0.5, ngram=2))
    _reconciles(result)
    t = result.tally
    assert t.lines == sum(line_count(d) for d in docs)


# --- keys made once: the line stage's keys serve the later stages ---------------------------

_KEY_ALPHABET = st.sampled_from(
    [
        *"ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
        *"أإآٱؤئءىة",  # letter variants and hamza carriers
        *"\u064b\u064e\u0650\u0651\u0652\u0654\u0655\u0670",  # marks, combining hamza
        *"\u0640\u06a9\u06cc\u06c1\ufefb\ufdf2",  # tatweel, Persian letters, ligatures
        *"٠١٢٣٤٥٦٧٨٩0123",
        *".,:;!?-\u060c\u061f\u066b\u066c*|()",
        *"abcXYZ",
        *" \t\u00a0\u2009\u200b\u200c\u200d\u200f\u2028\ufeff\x85",
        "\n",
        "\r\n",
        "\r",
    ]
)


@given(st.lists(_KEY_ALPHABET, max_size=40).map("".join))
def test_document_key_from_line_keys_equals_normalizing_the_text(text: str) -> None:
    dedup = Normalizer("dedup")
    repaired = Normalizer("light").normalize(text)
    for doc in (text, repaired):
        assert document_key(line_keys([doc], profile="dedup")[0]) == dedup.normalize(doc)


def test_profiles_whose_keys_are_line_local() -> None:
    assert keys_are_line_local("dedup")
    assert not keys_are_line_local("light")  # newlines stay newlines
    assert not keys_are_line_local(DEDUP.replace(name="html", html=True))  # a tag spans lines


def test_filter_keyed_equals_filter_many() -> None:
    docs = [d.replace("\n", "\r\n", i % 2) for i, d in enumerate(_corpus() * 3)]
    docs += [f"{BOILERPLATE}\n\u200f{BOILERPLATE}\nنص رقم {i}" for i in range(4)]
    made, given_keys = (BoilerplateFilter(min_docs=3, min_chars=5) for _ in range(2))
    made.count(docs)
    given_keys.count_keys(line_keys(docs))
    assert given_keys.filter_keyed(docs, line_keys(docs)) == made.filter_many(docs)
    with pytest.raises(ValueError, match="keys for a document"):
        given_keys.filter_keyed(["a\nb"], [["a"]])


@pytest.mark.parametrize("keep", ["first", "longest"])
def test_add_keys_equals_add(keep: str) -> None:
    docs = _corpus() * 2 + ["", "...", "نص قصير"]
    by_text = DocumentDeduper(threshold=0.6, ngram=3, keep=keep)  # type: ignore[arg-type]
    by_key = DocumentDeduper(threshold=0.6, ngram=3, keep=keep)  # type: ignore[arg-type]
    by_text.add(docs)
    keys = Normalizer("dedup").normalize_many(docs)
    by_key.add_keys(keys[:5])
    by_key.add_keys(iter(keys[5:]))
    assert by_key.result() == by_text.result()


@pytest.mark.parametrize(
    "config",
    [
        CleanConfig(boilerplate_min_docs=3, threshold=0.7),
        CleanConfig(boilerplate_min_docs=3, threshold=0.7, lines="off"),
        CleanConfig(threshold=0.7, lines="adjacent", keep="longest"),
        CleanConfig(boilerplate_min_docs=3, threshold=0.7, key_profile="search"),
    ],
)
def test_documents_by_line_keys_equal_documents_by_text(config: CleanConfig) -> None:
    docs = _corpus() * 3 + [f"{BOILERPLATE}\n{BOILERPLATE}", ""]
    result = clean(docs, config)
    cleaner = Cleaner(config)
    cleaned = cleaner.remove_boilerplate(cleaner.clean_lines(docs))
    cleaner.add(d.text for d in cleaned)  # the document stage normalizes the texts
    assert cleaner.result() == result.documents
    assert [cleaned[i].text for i in result.keep] == [cleaner.output_text(t) for t in result.texts]


@pytest.mark.parametrize("lines", ["document", "off"])
def test_workers_give_the_same_result(lines: str) -> None:
    docs = [d.replace("\n", "\r\n", i % 2) for i, d in enumerate(_corpus() * 3)]
    docs += [f"{BOILERPLATE}\n{BOILERPLATE}", "", SEED] * 2
    config = CleanConfig(boilerplate_min_docs=3, threshold=0.7, lines=lines)  # type: ignore[arg-type]
    one = clean(docs, config)
    cleaner = Cleaner(dataclasses.replace(config, workers=2))
    try:
        batches = ((i, docs[i : i + 3]) for i in range(0, len(docs), 3))
        out = list(cleaner.clean_batches(batches))
    finally:
        cleaner.close()
    assert [i for i, _ in out] == list(range(0, len(docs), 3))
    cleaned = [doc for _, batch in out for doc in batch]
    assert [d.text for d in cleaned] == [d.text for d in Cleaner(config).clean_lines(docs)]
    two = clean(docs, dataclasses.replace(config, workers=2))
    assert (two.texts, two.keep, two.documents, two.lines_removed, two.tally) == (
        one.texts,
        one.keep,
        one.documents,
        one.lines_removed,
        one.tally,
    )


def _built() -> tuple[int, int]:
    from normalize import _plan, dedup

    return _plan.plan_for.cache_info().currsize, dedup._tools.cache_info().currsize


@pytest.mark.parametrize(
    ("config", "built"),
    [
        (CleanConfig(), (2, 0)),  # light, dedup; the documents' keys come from the lines'
        (CleanConfig(key_profile="light", normalize_output="search"), (2, 1)),
    ],
)
def test_workers_build_their_tables_before_the_first_batch(
    config: CleanConfig, built: tuple[int, int]
) -> None:
    from normalize import _plan, dedup

    # else forked workers would inherit this process's plans and normalizers
    for cache in (_plan.plan_for, dedup._tools, sys.modules["normalize.text"]._normalizer):
        cache.cache_clear()
    cleaner = Cleaner(dataclasses.replace(config, workers=2))
    try:
        cleaner.start_workers()
        pool = cleaner.workers.start()
        assert pool is not None
        assert pool.get().apply(_built) == built
    finally:
        cleaner.close()


def test_every_field_is_checked_whatever_stage_is_off() -> None:
    """Document-stage settings are checked even with documents=False (the
    docstring says every field is checked), and a dict is no config."""
    for field, value in [("keep", "last"), ("threshold", 7), ("workers", 0)]:
        with pytest.raises(ValueError, match=field):
            CleanConfig(documents=False, **{field: value})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config must be a CleanConfig, not dict"):
        clean(["نص"], {"threshold": 0.5})  # type: ignore[arg-type]
