"""Duplicate-line removal: golden cases, the seed page, reference checks, properties."""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from normalize import lines as lines_mod
from normalize.lines import BoilerplateFilter, LineDedup, dedup_lines
from normalize.text import Normalizer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_c0df1516230a6e23.txt"
CASES = json.loads((Path(__file__).parent / "cases" / "lines_dedup.json").read_text("utf-8"))
WORD = re.compile(r"[^\W_]")


def seed_text() -> str:
    return SEED.read_bytes().decode("utf-8")


def without(text: str, *line_numbers: int) -> str:
    parts = text.split("\n")
    return "\n".join(p for i, p in enumerate(parts, 1) if i not in line_numbers)


def keepends(text: str) -> list[str]:
    """The lines of a text with their endings (only "\n" breaks a line)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def rejoin(result: LineDedup) -> str:
    """Kept lines and removed lines put back in line-number order."""
    removed = {r.line: r.text + r.ending for r in result.removed}
    kept = iter(keepends(result.text))
    return "".join(removed[n] if n in removed else next(kept) for n in range(1, result.lines + 1))


def count_lines(text: str) -> int:
    return len(text.split("\n")) - text.endswith("\n") if text else 0


def check_accounting(text: str, result: LineDedup) -> None:
    lines_in = count_lines(text)
    assert result.lines == lines_in
    assert result.kept == count_lines(result.text)
    assert result.kept + len(result.removed) == lines_in
    assert rejoin(result) == text


# --- golden cases ----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_golden_case(case: dict[str, object]) -> None:
    text = str(case["original"])
    result = dedup_lines(text, scope=case["scope"], fuzzy=case.get("fuzzy"))  # type: ignore[arg-type]
    got = (result.text, [[r.line, r.duplicate_of] for r in result.removed])
    if case["expect"] == "fail":
        pytest.xfail(str(case["label"]))
    assert got == (case["expected"], case["removed"])
    check_accounting(text, result)


# --- the bundled seed page ---------------------------------------------------------


def test_seed_loses_exactly_the_two_repeated_headlines() -> None:
    text = seed_text()
    result = dedup_lines(text)
    assert [(r.line, r.duplicate_of, r.reason) for r in result.removed] == [
        (2, 1, "line-adjacent"),
        (29, 28, "line-adjacent"),
    ]
    assert result.text == without(text, 2, 29)
    assert "\n\u00a0\n" in result.text
    assert result.text.count("\n\n") == text.count("\n\n")
    check_accounting(text, result)


def _diacritics(line: str) -> str:
    return "".join(c + "\u064e" if "\u0621" <= c <= "\u064a" else c for c in line)


def _tatweel(line: str) -> str:
    return line.replace("ش", "شـــ", 1)


def _nbsp(line: str) -> str:
    return line.replace(" ", "\u00a0", 2) + "\u00a0"


def _zwnj(line: str) -> str:
    return line.replace(" ", "\u200c ", 1)


@pytest.mark.parametrize("change", [_diacritics, _tatweel, _nbsp, _zwnj])
@pytest.mark.parametrize("scope", ["adjacent", "document"])
@pytest.mark.parametrize("fuzzy", [None, 90])
def test_seed_second_copy_changed(change, scope, fuzzy) -> None:  # type: ignore[no-untyped-def]
    parts = seed_text().split("\n")
    parts[1], parts[28] = change(parts[1]), change(parts[28])
    assert parts[1] != parts[0]
    text = "\n".join(parts)
    result = dedup_lines(text, scope=scope, fuzzy=fuzzy)
    assert [(r.line, r.duplicate_of) for r in result.removed] == [(2, 1), (29, 28)]
    assert result.text == without(text, 2, 29)


def test_seed_line_repeated_far_away() -> None:
    parts = seed_text().split("\n")
    parts.insert(40, parts[3])  # a paragraph from the first article, again in the second
    text = "\n".join(parts)
    assert [r.line for r in dedup_lines(text).removed] == [2, 29]
    document = dedup_lines(text, scope="document")
    assert [(r.line, r.duplicate_of, r.reason) for r in document.removed] == [
        (2, 1, "line-document"),
        (29, 28, "line-document"),
        (41, 4, "line-document"),
    ]


def test_other_profile_and_options() -> None:
    text = "مُحَمَّد رسول\nمحمد رسول\n"
    assert dedup_lines(text, profile="search").kept == 1
    assert dedup_lines(text, profile="light").kept == 2
    assert dedup_lines(text, profile=Normalizer("search").options).kept == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "corpus"}, "scope must be one of"),
        ({"fuzzy": 0}, "fuzzy must be a score from 1 to 100"),
        ({"fuzzy": 101}, "fuzzy must be a score"),
        ({"min_fuzzy_chars": 0}, "min_fuzzy_chars"),
        ({"min_fuzzy_chars": 30, "max_fuzzy_chars": 20}, "max_fuzzy_chars"),
        ({"workers": 0}, "workers"),
        ({"profile": "nope"}, "unknown profile"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dedup_lines("a", **kwargs)  # type: ignore[arg-type]


def test_not_a_string() -> None:
    with pytest.raises(TypeError, match="expected a str"):
        dedup_lines(b"a\na")  # type: ignore[arg-type]


# --- fuzzy against a naive double loop over fuzz.ratio ------------------------------


def naive(
    text: str, scope: str, cutoff: float, lo: int, hi: int, min_chars: int = 1
) -> list[tuple[int, int]]:
    """The obvious reference: each non-blank line against every kept one (in
    the document scope; the last kept one in the adjacent scope, and for a
    key shorter than ``min_chars``)."""
    normalizer = Normalizer("dedup")
    lines = text.split("\n")
    keys = [normalizer.normalize(line.removesuffix("\r")) for line in lines]

    def score(a: str, b: str) -> float:
        if a == b:
            return 100.0
        if min(len(a), len(b)) < min_chars and scope == "document":
            return 0.0  # a short line only goes as an exact adjacent repeat
        if lo <= len(a) <= hi and lo <= len(b) <= hi:
            return fuzz.ratio(a, b)
        return 0.0

    kept: list[int] = []
    removed = []
    for j, key in enumerate(keys):
        if not WORD.search(key):
            continue
        pool = kept[-1:] if scope == "adjacent" or len(key) < min_chars else kept
        best, best_score = -1, -1.0
        for i in pool:
            s = score(keys[i], key)
            if s >= cutoff and s > best_score:
                best, best_score = i, s
        if best >= 0:
            removed.append((j + 1, best + 1))
        else:
            kept.append(j)
    return removed


def random_document(rng: random.Random, size: int) -> str:
    """Lines built from a few templates with small edits, so near copies abound."""
    words = ["داعش", "يستخدم", "مدنيين", "دروعا", "بشرية", "في", "الموصل", "أعلنت", "نعم"]
    templates = [" ".join(rng.choices(words, k=rng.randint(1, 9))) for _ in range(6)]
    out = []
    for _ in range(size):
        r = rng.random()
        if r < 0.15:
            out.append(rng.choice(["", "\u00a0", "* * *"]))
            continue
        line = rng.choice(templates) if r < 0.8 else " ".join(rng.choices(words, k=4))
        for _ in range(rng.randint(0, 2)):
            at = rng.randint(0, len(line))
            edit = rng.random()
            if edit < 0.4:
                line = line[:at] + rng.choice("ابتمن ") + line[at:]
            elif edit < 0.7:
                line = line[:at] + line[at + 1 :]
            else:
                line = line[:at] + rng.choice(["\u064e", "\u0640", "\u200c", "!"]) + line[at:]
        out.append(line)
    return "\n".join(out)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny chunks and cdist blocks, so every blocking path runs on small inputs."""
    monkeypatch.setattr(lines_mod, "_CHUNK", 7)
    monkeypatch.setattr(lines_mod, "_GROUP", 3)
    monkeypatch.setattr(lines_mod, "_PAIRS", 2)
    monkeypatch.setattr(lines_mod, "_SMALL_BLOCK", 0)


@pytest.mark.parametrize("scope", ["adjacent", "document"])
@pytest.mark.parametrize("blocks", ["default", "small"])
def test_fuzzy_equals_naive_double_loop(scope: str, blocks: str, request) -> None:  # type: ignore[no-untyped-def]
    if blocks == "small":
        request.getfixturevalue("small_blocks")
    rng = random.Random(1234)
    for trial in range(40):
        text = random_document(rng, rng.randint(0, 60))
        cutoff = rng.choice([70, 85, 90, 95.5, 100])
        lo, hi = rng.choice([(1, 2000), (8, 2000), (20, 2000), (5, 30)])
        got = dedup_lines(
            text,
            scope=scope,  # type: ignore[arg-type]
            fuzzy=cutoff,
            min_fuzzy_chars=lo,
            max_fuzzy_chars=hi,
        )
        expected = naive(text, scope, cutoff, lo, hi)
        assert [(r.line, r.duplicate_of) for r in got.removed] == expected, (trial, text)
        for r in got.removed:
            assert r.score >= cutoff
        check_accounting(text, got)


def test_fuzzy_equals_naive_on_a_longer_document() -> None:
    """Large enough for the grouped, per-bin path with the default block sizes."""
    rng = random.Random(77)
    text = random_document(rng, 400)
    for scope in ("adjacent", "document"):
        got = dedup_lines(text, scope=scope, fuzzy=85, min_fuzzy_chars=5)  # type: ignore[arg-type]
        assert [(r.line, r.duplicate_of) for r in got.removed] == naive(text, scope, 85, 5, 2000)


def test_exact_equals_naive_at_cutoff_100() -> None:
    rng = random.Random(99)
    for _ in range(30):
        text = random_document(rng, 40)
        for scope in ("adjacent", "document"):
            exact = dedup_lines(text, scope=scope)  # type: ignore[arg-type]
            assert [(r.line, r.duplicate_of) for r in exact.removed] == naive(
                text, scope, 100, 1, 10**9
            )


def test_fuzzy_short_lines_only_exact() -> None:
    text = "نعم نعم\nنعم نعما\nنعم نعم\n"
    result = dedup_lines(text, scope="document", fuzzy=50, min_chars=1)
    assert [(r.line, r.duplicate_of) for r in result.removed] == [(3, 1)]
    assert dedup_lines(text, scope="document", fuzzy=50, min_fuzzy_chars=3, min_chars=1).kept == 1


@pytest.mark.parametrize("fuzzy", [None, 90])
def test_short_lines_go_only_as_adjacent_repeats_in_the_document_scope(
    fuzzy: float | None,
) -> None:
    """An answer or a score repeated further down the document is content;
    a long line is a copy wherever it is; any line right after its copy goes."""
    title = "داعش يستخدم مدنيين دروعا بشرية"
    text = f"س: هل وصل؟\nج: نعم\n١٠\n{title}\nس: هل عاد؟\nج: نعم\nج: نعم\n١٠\n\n{title}\n"
    result = dedup_lines(text, scope="document", fuzzy=fuzzy, min_chars=8)
    assert [(r.line, r.duplicate_of) for r in result.removed] == [(7, 6), (10, 4)]
    everything = dedup_lines(text, scope="document", fuzzy=fuzzy)  # min_chars=1: every line
    assert [(r.line, r.duplicate_of) for r in everything.removed] == [
        (6, 2),
        (7, 2),
        (8, 3),
        (10, 4),
    ]
    with pytest.raises(ValueError, match="min_chars must be at least 1, not 0"):
        dedup_lines(text, scope="document", min_chars=0)


# --- properties --------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    ["\n", "\n", "\r\n", "\r", " ", "\u00a0", "\u200c", "\u064e", "\u0640", "!", "أ", "ا", "ب", "x"]
)
TEXTS = st.lists(ALPHABET, max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    text=TEXTS,
    scope=st.sampled_from(["adjacent", "document"]),
    fuzzy=st.sampled_from([None, 60, 90]),
)
def test_kept_plus_removed_is_input(text: str, scope: str, fuzzy: float | None) -> None:
    result = dedup_lines(text, scope=scope, fuzzy=fuzzy, min_fuzzy_chars=2)  # type: ignore[arg-type]
    check_accounting(text, result)
    normalizer = Normalizer("dedup")
    for r in result.removed:
        assert WORD.search(normalizer.normalize(r.text)), "a blank line was removed"
        assert r.duplicate_of is not None
        assert r.duplicate_of < r.line


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_document_scope_keeps_first_copies_in_order(text: str) -> None:
    result = dedup_lines(text, scope="document", min_chars=1)
    normalizer = Normalizer("dedup")
    keys = [normalizer.normalize(line) for line in text.split("\n")]
    wanted = list(dict.fromkeys(k for k in keys if WORD.search(k)))
    kept = [normalizer.normalize(line) for line in result.text.split("\n")]
    assert [k for k in kept if WORD.search(k)] == wanted


# --- not quadratic --------------------------------------------------------------------


def _timed(text: str, **kwargs: object) -> float:
    start = time.perf_counter()
    dedup_lines(text, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - start


def test_single_huge_line_is_linear() -> None:
    unit = "أعلنت وزارة الدفاع العراقية السبت "
    small = unit * (1_000_000 // len(unit))
    big = small * 4
    for kwargs in ({}, {"scope": "document", "fuzzy": 90}):
        t_small = min(_timed(small, **kwargs) for _ in range(2))
        t_big = _timed(big, **kwargs)
        assert t_big < 12 * t_small + 0.5, (kwargs, t_small, t_big)
    two = big + "\n" + big[:-3] + "\n"  # two long near-copies: compared exactly only
    assert _timed(two, scope="document", fuzzy=90) < 10


def test_many_repeated_lines_are_fast() -> None:
    text = "\n".join(["سطر مكرر كثيرا في الصفحة", "", "\u00a0"] * 30_000 + ["آخر سطر"])
    start = time.perf_counter()
    result = dedup_lines(text, scope="document", fuzzy=90)
    assert time.perf_counter() - start < 10
    assert result.kept == 30_000 * 2 + 2


# --- corpus scope ---------------------------------------------------------------------------

BOILER = "اقرأ أيضا: آخر الأخبار والتقارير"


def corpus(n_with: int, total: int) -> list[str]:
    docs = []
    for d in range(total):
        body = [f"نص المقالة رقم {d} عن الأحداث", "", f"فقرة ثانية رقم {d} من المقالة"]
        if d < n_with:
            body.insert(1, BOILER if d % 2 else "إقرأ أيضاً: آخِر الأخبار والتقارير")
            body.append(BOILER)  # twice in one document still counts once
        docs.append("\n".join(body) + "\n")
    return docs


@pytest.mark.parametrize(("present", "removed"), [(5, True), (4, False)])
def test_corpus_line_in_n_documents(present: int, removed: bool) -> None:
    docs = corpus(present, 12)
    f = BoilerplateFilter(min_docs=5, min_chars=10)
    f.count(docs[:3])
    f.count(iter(docs[3:]))
    assert f.boilerplate_count == int(removed)
    for d, doc in enumerate(docs):
        result = f.filter(doc)
        check_accounting(doc, result)
        if removed and d < present:
            assert [(r.line, r.reason, r.duplicate_of) for r in result.removed] == [
                (2, "line-corpus", None),
                (5, "line-corpus", None),
            ]
            assert BOILER not in result.text
        else:
            assert result.text == doc


def test_corpus_min_chars_and_blank_lines() -> None:
    docs = [f"قصير\n* * * * * * * * * * * *\nنص فريد رقم {d}\n" for d in range(6)]
    f = BoilerplateFilter(min_docs=3, min_chars=5, profile="light")
    f.count(docs)
    assert f.boilerplate_count == 1  # the separator line (light keeps punctuation)
    assert f.filter(docs[0]).text == docs[0]  # ...but blank lines are never removed
    f = BoilerplateFilter(min_docs=3, min_chars=3)
    f.count(docs)
    assert f.filter(docs[0]).text == "* * * * * * * * * * * *\nنص فريد رقم 0\n"


def test_corpus_counts_equal_a_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_mod, "_MERGE_AT", 5)  # many merges
    monkeypatch.setattr(lines_mod, "_COUNT_BATCH_CHARS", 50)
    rng = random.Random(7)
    vocab = [f"سطر متكرر رقم {i}" for i in range(40)]
    docs = ["\n".join(rng.choices(vocab, k=rng.randint(0, 12))) for _ in range(120)]
    normalizer = Normalizer("dedup")
    per_doc = Counter(k for doc in docs for k in {normalizer.normalize(x) for x in doc.split("\n")})
    for min_docs in (2, 15, 30):
        f = BoilerplateFilter(min_docs=min_docs, min_chars=1)
        for start in range(0, len(docs), 17):
            f.count(docs[start : start + 17])
        assert f.distinct_keys == len([k for k in per_doc if k])
        common = {k for k, n in per_doc.items() if n >= min_docs and k}
        assert f.boilerplate_count == len(common)
        for doc in docs:
            kept = [x for x in keepends(doc) if normalizer.normalize(x) not in common]
            kept = [x.removesuffix("\n") for x in kept]
            result = f.filter(doc)
            assert [x.removesuffix("\n") for x in keepends(result.text)] == kept
            check_accounting(doc, result)


def test_corpus_two_passes_only() -> None:
    f = BoilerplateFilter(min_docs=2)
    f.count(["a\nb"])
    f.filter("a")
    with pytest.raises(RuntimeError, match="count\\(\\) after filter\\(\\)"):
        f.count(["a"])


@pytest.mark.parametrize("kwargs", [{"min_docs": 1}, {"min_docs": 3, "min_chars": 0}])
def test_corpus_bad_arguments(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be an int"):
        BoilerplateFilter(**kwargs)


def test_hash_counts_equal_numpy_unique(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_mod, "_MERGE_AT", 100)
    rng = np.random.default_rng(3)
    edges = np.arange(lines_mod._PARTS, dtype=np.uint64) << np.uint64(64 - lines_mod._PART_BITS)
    pool = np.concatenate(
        [rng.integers(0, 2**64, 3000, dtype=np.uint64), edges, edges - np.uint64(1)]
    )
    counts = lines_mod._HashCounts(cap=4)
    added = []
    for _ in range(40):
        batch = rng.choice(pool, rng.integers(0, 300))
        counts.add(batch)
        added.append(batch)
    values, times = np.unique(np.concatenate(added), return_counts=True)
    assert len(counts) == len(values)
    for at_least in (1, 3, 4, 5):
        assert np.array_equal(counts.at_least(at_least), values[np.minimum(times, 4) >= at_least])
