"""The cleaning pass as a library: stages, counts, streaming == in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.clean import CleanConfig, Cleaner, clean, line_count

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
        ("boilerplate_min_docs", 1, "min_docs"),
        ("repair", "nope", "unknown profile"),
        ("keep", "last", "keep"),
        ("workers", 0, "workers"),
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
