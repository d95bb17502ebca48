"""Document dedup: invariants, exact stage, streaming, workers, params, and
recall/precision on a labelled near-duplicate corpus of real Arabic words."""

from __future__ import annotations

import itertools
import sys
import threading
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neardup_data import make_corpus, plain_documents

from normalize._workers import BackgroundPool, start_pool
from normalize.dedup import DedupResult, DocumentDeduper, dedup_documents
from normalize.options import PROFILES
from normalize.shingles import shingle_strings
from normalize.text import Normalizer

CORPUS = make_corpus(150, seed=7)


def check_invariants(result: DedupResult, n: int) -> None:
    removed = set(result.duplicate_of)
    assert sorted(result.keep) == result.keep
    assert set(result.keep).isdisjoint(removed)
    assert len(result.keep) + len(removed) == n  # kept + removed = input
    assert set(result.reason) == removed == set(result.similarity)
    assert set(result.reason.values()) <= {"exact", "near"}
    kept = set(result.keep)
    assert all(target in kept for target in result.duplicate_of.values())
    in_clusters = [i for c in result.clusters for i in c]
    assert len(in_clusters) == len(set(in_clusters))
    assert removed <= set(in_clusters)
    for cluster in result.clusters:
        assert cluster == sorted(cluster)
        assert len(cluster) >= 2
        assert sum(i in kept for i in cluster) == 1
    numbered = {i: c for c, cluster in enumerate(result.clusters) for i in cluster}
    assert result.cluster_of == numbered
    assert list(result.cluster_of) == sorted(numbered)


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = set(shingle_strings(a)), set(shingle_strings(b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def test_labelled_corpus_recall_and_precision() -> None:
    """Threshold 0.8: recall >= 0.95 over same-family pairs with exact J >= 0.85,
    precision >= 0.99 over pairs put in one cluster."""
    texts, family = CORPUS.texts, CORPUS.family
    keys = Normalizer("dedup").normalize_many(texts)
    result = dedup_documents(texts, threshold=0.8)
    check_invariants(result, len(texts))
    label = list(range(len(texts)))
    for cluster in result.clusters:
        for i in cluster:
            label[i] = cluster[0]
    members = defaultdict(list)
    for i, f in enumerate(family):
        members[f].append(i)
    found = positives = 0
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            if exact_jaccard(keys[a], keys[b]) >= 0.85:
                positives += 1
                found += label[a] == label[b]
    predicted = correct = 0
    for cluster in result.clusters:
        for a, b in itertools.combinations(cluster, 2):
            predicted += 1
            correct += family[a] == family[b]
    assert positives > 300
    assert found / positives >= 0.95
    assert correct / predicted >= 0.99


def test_exact_verification_uses_true_jaccard() -> None:
    texts = CORPUS.texts[:200]
    keys = Normalizer("dedup").normalize_many(texts)
    result = dedup_documents(texts, verify="exact")
    check_invariants(result, len(texts))
    for removed, kept in result.duplicate_of.items():
        assert result.similarity[removed] == pytest.approx(exact_jaccard(keys[removed], keys[kept]))
    # the estimate and the exact value differ only on pairs near the threshold
    estimated = dedup_documents(texts)
    assert len(set(result.keep) ^ set(estimated.keep)) <= 0.05 * len(texts)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=25))
def test_exact_duplicates_keep_the_first_copy(picks: list[int]) -> None:
    pool = plain_documents(6, seed=2, doc_chars=120)
    # each copy differs only in what the dedup profile erases
    texts = [pool[p] + "\u0640" * (i % 3) + " ." * (i % 2) for i, p in enumerate(picks)]
    result = dedup_documents(texts)
    check_invariants(result, len(texts))
    first: dict[int, int] = {}
    for i, p in enumerate(picks):
        first.setdefault(p, i)
    assert result.keep == sorted(first.values())
    assert result.duplicate_of == {i: first[p] for i, p in enumerate(picks) if first[p] != i}
    assert set(result.reason.values()) <= {"exact"}
    assert all(s == 1.0 for s in result.similarity.values())


BLANK = ["", " ... ", "\u200b", "!!", "\U0001f44d", "\u2605 \u2605", "\u0640\u064e", "\u00a0"]


@pytest.mark.parametrize("profile", ["dedup", "search", "light"])
def test_documents_without_a_letter_or_digit_are_kept_and_never_cluster(profile: str) -> None:
    text = "نص طويل بما يكفي ليكون له شينغلز كثيرة هنا"
    texts = [*BLANK, text, *BLANK, text, "2024", "\u0662\u0660\u0662\u0664"]
    result = dedup_documents(texts, profile=profile)
    n = len(BLANK)
    assert result.duplicate_of == {
        2 * n + 1: n,
        **({2 * n + 3: 2 * n + 2} if profile != "light" else {}),  # digits are content
    }
    assert [i for i in range(len(texts)) if i not in result.keep] == list(result.duplicate_of)


def test_keep_longest_and_reasons() -> None:
    base = CORPUS.texts[0]
    longer = base + "\nالمصدر: رويترز"
    texts = [base, longer, base]
    first = dedup_documents(texts)
    assert first.duplicate_of == {1: 0, 2: 0}
    assert first.reason == {1: "near", 2: "exact"}
    assert 0.8 <= first.similarity[1] < 1.0
    longest = dedup_documents(texts, keep="longest")
    assert longest.keep == [1]
    assert longest.duplicate_of == {0: 1, 2: 1}
    assert longest.reason == {0: "near", 2: "near"}


def test_keep_longest_counts_the_key_not_the_marks() -> None:
    """The most text once normalized: a vowelled, stretched or punctuated copy
    is no longer than the plain one, and a cut copy is shorter whatever its
    marks."""
    base = CORPUS.texts[0]
    vowelled = base.replace("ل", "\u0644\u064e").replace("م", "\u0645\u0640\u0640\u064f")
    assert len(vowelled) > len(base)
    assert dedup_documents([base, vowelled], keep="longest").keep == [0]  # same key: the first
    cut = " ".join(vowelled.split()[:-3]) + " !!! ..."
    assert len(cut) > len(base)
    assert dedup_documents([cut, base], keep="longest", threshold=0.7).keep == [1]


def test_streaming_equals_one_call_and_is_deterministic() -> None:
    texts = CORPUS.texts
    whole = dedup_documents(texts)
    with DocumentDeduper() as deduper:
        for start in range(0, len(texts), 97):
            deduper.add(texts[start : start + 97])
        assert len(deduper) == len(texts)
        assert deduper.result() == whole
        assert deduper.result() == whole  # result() does not consume the state
    assert dedup_documents(texts) == whole


@pytest.mark.parametrize("other_thread", [False, True], ids=["forked", "forkserver"])
def test_workers_do_not_change_the_result(other_thread: bool) -> None:
    """Workers forked from this process, or (while another thread runs, which
    makes a fork unsafe) from a forkserver: the one-process result."""
    texts = CORPUS.texts * 3  # several worker tasks
    expected = dedup_documents(texts, workers=1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    if other_thread:
        thread.start()
    try:
        with DocumentDeduper(workers=2) as deduper:
            pool = deduper.start_workers()
            assert pool is not None
            method = pool.get()._ctx.get_start_method()  # type: ignore[attr-defined]
            for start in range(0, len(texts), 50):
                deduper.add(texts[start : start + 50])
            assert deduper.result() == expected
    finally:
        stop.set()
    if sys.platform == "linux":
        assert method == ("forkserver" if other_thread else "fork")


def test_batches_done_here_while_workers_start_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first batches are signed in this process until the workers are
    up, the rest in the workers: the result is the one-process result."""
    answers = iter([False, False, False])  # three batches here, then wait for the pool
    here_and_there = []

    def ready(pool: BackgroundPool) -> bool:
        answer = next(answers, None)
        if answer is None:
            pool.get()
            answer = True
        here_and_there.append(answer)
        return answer

    monkeypatch.setattr(BackgroundPool, "ready", property(ready))
    texts = CORPUS.texts * 3
    with DocumentDeduper(workers=2) as deduper:
        assert deduper.start_workers() is deduper.start_workers()  # one pool
        for start in range(0, len(texts), 50):
            deduper.add(texts[start : start + 50])
        result = deduper.result()
    assert here_and_there[:3] == [False] * 3
    assert len(here_and_there) > 3
    assert all(here_and_there[3:])
    assert result == dedup_documents(texts, workers=1)
    assert DocumentDeduper().start_workers() is None  # one process: no pool


def _tables_built() -> int:
    from normalize import dedup

    return dedup._tools.cache_info().currsize


def _fail() -> None:
    msg = "cannot warm up"
    raise RuntimeError(msg)


def test_workers_build_their_tables_while_the_first_batch_is_read() -> None:
    from normalize import dedup

    dedup._tools.cache_clear()  # else forked workers would inherit this process's
    with DocumentDeduper(workers=2) as deduper:
        pool = deduper.start_workers()
        assert pool is not None
        assert pool.get().apply(_tables_built) == 1  # before any batch
    with start_pool(1, warm_up=_fail) as pool:
        assert pool.apply(abs, (-3,)) == 3  # a failed warm-up is harmless


def test_extend_joins_state_and_refuses_mixed_params() -> None:
    texts = CORPUS.texts
    half = len(texts) // 2
    a, b = DocumentDeduper(), DocumentDeduper()
    a.add(texts[:half])
    b.add(texts[half:])
    a.extend(b)
    assert a.result() == dedup_documents(texts)
    for other in (
        DocumentDeduper(num_perm=64),
        DocumentDeduper(threshold=0.7),
        DocumentDeduper(seed=2),
        DocumentDeduper(profile="search"),
        DocumentDeduper(profile=PROFILES["dedup"].replace(teh_marbuta=False)),
        DocumentDeduper(mode="datasketch"),
    ):
        with pytest.raises(ValueError, match="cannot mix dedup state"):
            a.extend(other)


def test_datasketch_mode_finds_the_same_duplicates() -> None:
    texts = CORPUS.texts[:200]
    fast = dedup_documents(texts)
    interop = dedup_documents(texts, mode="datasketch")
    check_invariants(interop, len(texts))
    assert len(set(interop.keep) ^ set(fast.keep)) <= 0.05 * len(texts)  # borderline pairs


def test_char_shingles() -> None:
    result = dedup_documents(CORPUS.texts[:150], ngram=7, unit="char")
    check_invariants(result, 150)
    assert result.clusters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 1.5}, "threshold must be a number greater than 0 and at most 1"),
        ({"threshold": 0}, "threshold must be a number greater than 0 and at most 1"),
        ({"verify": "both"}, "unknown verify mode 'both'"),
        ({"keep": "last"}, "unknown keep policy 'last'"),
        ({"workers": 0}, "workers must be an integer >= 1, not 0"),
        ({"num_perm": 0}, "num_perm must be an integer >= 1, not 0"),
        ({"ngram": -2}, "ngram must be an integer >= 1, not -2"),
        ({"profile": "nope"}, "unknown profile 'nope'"),
        ({"mode": "gpu"}, "unknown mode 'gpu'"),
    ],
)
def test_bad_parameters_fail_eagerly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DocumentDeduper(**kwargs)  # type: ignore[arg-type]


def test_bad_bands() -> None:
    with pytest.raises(ValueError, match="bands \\* rows must be between 1 and num_perm=128"):
        DocumentDeduper(bands=(20, 10))
    for bad in [(2.5, 4), (True, 8), 4, ("4", "4"), (1, 2, 3)]:
        with pytest.raises(ValueError, match="bands must be a \\(bands, rows\\) pair of ints"):
            DocumentDeduper(bands=bad)  # type: ignore[arg-type]
    numpy_made = DocumentDeduper(bands=(np.int64(8), np.int64(16)), threshold=np.float32(0.8))
    assert (numpy_made.params.bands, numpy_made.params.rows) == (8, 16)


def test_empty_input() -> None:
    assert dedup_documents([]) == DedupResult([], {}, {}, [], {})
    assert dedup_documents([]).cluster_of == {}


def test_cluster_of_numbers_documents_as_clusters_does() -> None:
    base = "اكتشف العلماء نوعا جديدا من النباتات في الصحراء الكبرى هذا العام"
    other = "هطلت أمطار غزيرة على المدينة طوال الليل وأغلقت الطرق الرئيسية فيها"
    result = dedup_documents(["وحيد", other, base, other, base, "آخر", base], ngram=2)
    assert result.clusters == [[1, 3], [2, 4, 6]]
    assert result.cluster_of == {1: 0, 2: 1, 3: 0, 4: 1, 6: 1}
    # built without it (positionally, as older callers do): derived from clusters
    rebuilt = DedupResult(
        result.keep, result.duplicate_of, result.similarity, result.clusters, result.reason
    )
    assert rebuilt == result


def test_threshold_one_keeps_only_identical_signatures():
    docs = ["نص عن الاقتصاد والأسواق العالمية اليوم", "نص عن الاقتصاد والأسواق العالمية اليوم جدا"]
    docs.append(docs[0] + " ")  # the same key
    result = dedup_documents(docs, threshold=1.0, ngram=2)
    assert result.duplicate_of == {2: 0}
    assert DocumentDeduper(threshold=1.0).params.bands == 1


def test_pair_similarity_lists_every_verified_candidate():
    base = "اكتشف العلماء نوعا جديدا من النباتات في الصحراء الكبرى هذا العام " * 3
    docs = [base, base + " المصدر رويترز", "هطلت أمطار غزيرة على المدينة طوال الليل"]
    with DocumentDeduper(threshold=0.9, bands=(32, 4)) as deduper:
        deduper.add(docs)
        result = deduper.result()
    assert len(result.pair_similarity) == 1  # a candidate, verified and found below 0.9
    assert 0.7 < result.pair_similarity[0] < 0.9
    assert result.duplicate_of == {}
