"""MinHash: bit-for-bit datasketch interop, estimation error, batching, validation."""

from __future__ import annotations

import random

import datasketch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neardup_data import plain_documents

from normalize import _implementation
from normalize.minhash import (
    EMPTY_VALUE,
    MinHasher,
    _numpy_affine_min,
    signature_similarity,
    to_lean_minhash,
)
from normalize.shingles import Shingles, shingle_hashes, shingle_strings

DOCS = [*plain_documents(40, seed=3, doc_chars=300), "", " \n ", "كلمة", "كلمتان اثنتان"]


def datasketch_digest(shingles: list[bytes], num_perm: int, seed: int, scheme: str) -> np.ndarray:
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, scheme=scheme)
    m.update_batch(shingles)
    return m.hashvalues


@pytest.mark.parametrize(
    ("mode", "scheme"), [("datasketch", "affine32"), ("datasketch-legacy", "legacy")]
)
@pytest.mark.parametrize(
    ("num_perm", "seed", "ngram", "unit"), [(128, 1, 5, "word"), (33, 7, 4, "char")]
)
def test_datasketch_mode_is_bit_for_bit(
    mode: str, scheme: str, num_perm: int, seed: int, ngram: int, unit: str
) -> None:
    hasher = MinHasher(num_perm=num_perm, ngram=ngram, unit=unit, seed=seed, mode=mode)  # type: ignore[arg-type]
    signatures = hasher.signatures(DOCS)
    for text, signature in zip(DOCS, signatures, strict=True):
        shingles = [s.encode() for s in shingle_strings(text, ngram=ngram, unit=unit)]  # type: ignore[arg-type]
        expected = datasketch_digest(shingles, num_perm, seed, scheme)
        assert signature.tolist() == expected.tolist()
        assert hasher.from_shingles(shingles).tolist() == expected.tolist()


def test_datasketch_default_scheme_is_the_one_matched() -> None:
    shingles = [b"a", b"b", "\u0643\u062a\u0628".encode()]
    default = datasketch.MinHash(num_perm=16)
    default.update_batch(shingles)
    assert MinHasher(num_perm=16, mode="datasketch").from_shingles(shingles).tolist() == (
        default.hashvalues.tolist()
    )


def test_empty_document_signature_is_an_empty_minhash() -> None:
    for mode in ("fast", "datasketch", "datasketch-legacy"):
        signature = MinHasher(num_perm=8, mode=mode).signatures([""])[0]  # type: ignore[arg-type]
        assert signature.tolist() == [EMPTY_VALUE] * 8
    assert datasketch.MinHash(num_perm=8).hashvalues.tolist() == [EMPTY_VALUE] * 8


def test_fast_from_shingles_agrees_with_signatures() -> None:
    hasher = MinHasher(num_perm=64)
    signatures = hasher.signatures(DOCS)
    for text, signature in zip(DOCS, signatures, strict=True):
        shingles = [s.encode() for s in shingle_strings(text)]
        assert hasher.from_shingles(shingles).tolist() == signature.tolist()


def test_batching_does_not_change_signatures() -> None:
    hasher = MinHasher(num_perm=32, ngram=3)
    many = plain_documents(400, seed=5)  # several 64K-character batches
    huge = " ".join(f"w{i}" for i in range(70_000))  # one document over a kernel block
    texts = [*many[:200], huge, *many[200:]]
    together = hasher.signatures(texts)
    alone = np.stack([hasher.signatures([t])[0] for t in texts[195:206]])
    assert together.shape == (401, 32)
    assert np.array_equal(together[195:206], alone)
    assert np.array_equal(together, hasher.signatures(iter(texts)))


def test_deterministic_and_seeded() -> None:
    a = MinHasher(seed=3).signatures(DOCS[:5])
    assert np.array_equal(a, MinHasher(seed=3).signatures(DOCS[:5]))
    assert not np.array_equal(a, MinHasher(seed=4).signatures(DOCS[:5]))


def _pairs_with_known_jaccard(
    count: int, seed: int
) -> list[tuple[list[bytes], list[bytes], float]]:
    """Pairs of shingle sets with exact Jaccard spread over [0.3, 0.95]."""
    rng = random.Random(seed)
    out = []
    serial = 0
    for _ in range(count):
        size = rng.randint(40, 400)
        target = rng.uniform(0.3, 0.95)
        common = round(2 * size * target / (1 + target))  # |A∩B| for |A| = |B| = size
        items = [f"shingle {serial + k}".encode() for k in range(2 * size - common)]
        serial += len(items)
        a, b = items[:size], items[size - common :]
        exact = len(set(a) & set(b)) / len(set(a) | set(b))
        out.append((a, b, exact))
    return out


def test_estimation_error_against_exact_jaccard_and_datasketch() -> None:
    """Fast-mode estimates: every pair within 0.2 of the exact Jaccard (4.5 standard
    deviations at num_perm=128), and the mean absolute error over 1500 pairs with
    J in [0.3, 0.95] no worse than 1.1x datasketch's MinHash on the same pairs."""
    pairs = _pairs_with_known_jaccard(1500, seed=11)
    fast = MinHasher(num_perm=128)
    errors_fast, errors_ds = [], []
    for a, b, exact in pairs:
        estimate = float(signature_similarity(fast.from_shingles(a), fast.from_shingles(b))[0])
        assert abs(estimate - exact) <= 0.2
        errors_fast.append(abs(estimate - exact))
        ma, mb = datasketch.MinHash(num_perm=128), datasketch.MinHash(num_perm=128)
        ma.update_batch(a)
        mb.update_batch(b)
        errors_ds.append(abs(ma.jaccard(mb) - exact))
    assert np.mean(errors_fast) <= 1.1 * np.mean(errors_ds)
    assert np.mean(errors_fast) < 0.04  # sqrt(J(1-J)/128) * sqrt(2/pi) is at most 0.035


@settings(max_examples=50, deadline=None)
@given(st.sets(st.text(max_size=6), max_size=50), st.sets(st.text(max_size=6), max_size=50))
def test_identical_sets_estimate_one_and_disjoint_low(a: set[str], b: set[str]) -> None:
    hasher = MinHasher(num_perm=64)
    sa = hasher.from_shingles([s.encode("utf-8", "surrogatepass") for s in a])
    assert signature_similarity(sa, sa)[0] == 1.0
    if a and b and not (a & b):
        sb = hasher.from_shingles([s.encode("utf-8", "surrogatepass") for s in b])
        assert signature_similarity(sa, sb)[0] < 0.2


def test_lean_minhash_round_trip_and_lsh() -> None:
    hasher = MinHasher(num_perm=64, mode="datasketch")
    texts = ["a b c d e f g h", "a b c d e f g i", "z y x w v u t s"]
    signatures = hasher.signatures(texts)
    lean = [to_lean_minhash(s, seed=1) for s in signatures]
    reference = datasketch.MinHash(num_perm=64)
    reference.update_batch([s.encode() for s in shingle_strings(texts[0])])
    assert lean[0] == datasketch.LeanMinHash(reference)
    lsh = datasketch.MinHashLSH(threshold=0.5, num_perm=64)
    for k, m in enumerate(lean):
        lsh.insert(k, m)
    assert sorted(lsh.query(lean[0])) == [0, 1]
    legacy = MinHasher(num_perm=8, mode="datasketch-legacy")
    lean_legacy = to_lean_minhash(legacy.signatures(["a"])[0], scheme=legacy.params.scheme)
    assert lean_legacy.scheme == "legacy"
    with pytest.raises(ValueError, match="one non-empty signature"):
        to_lean_minhash(signatures)
    with pytest.raises(ValueError, match="32-bit hash values, not float64"):
        to_lean_minhash(np.array([1.5, 2.0]))
    seeded = MinHasher(num_perm=64, mode="datasketch", seed=7)
    sketch = seeded.to_lean_minhash(seeded.signatures(texts[:1])[0])
    assert sketch == datasketch.LeanMinHash(
        _updated(datasketch.MinHash(num_perm=64, seed=7), shingle_strings(texts[0]))
    )
    assert lean_legacy == legacy.to_lean_minhash(legacy.signatures(["a"])[0])


def _updated(m: datasketch.MinHash, shingles: list[str]) -> datasketch.MinHash:
    m.update_batch([s.encode() for s in shingles])
    return m


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_perm": 0}, "num_perm must be an integer >= 1, not 0"),
        ({"num_perm": "128"}, "num_perm must be an integer >= 1, not '128'"),
        ({"ngram": 0}, "ngram must be an integer >= 1, not 0"),
        ({"unit": "sentence"}, "unknown unit 'sentence'"),
        ({"mode": "quick"}, "unknown mode 'quick'; valid modes: fast, datasketch"),
        ({"seed": -1}, "seed must be an integer in"),
    ],
)
def test_bad_parameters_fail_eagerly(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MinHasher(**kwargs)  # type: ignore[arg-type]


def test_wrong_input_types() -> None:
    with pytest.raises(TypeError, match="takes bytes"):
        MinHasher().from_shingles(["text"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expected str documents"):
        MinHasher().signatures([b"bytes"])  # type: ignore[list-item]
    hashes = shingle_hashes(["a"])
    with pytest.raises(ValueError, match="needs mode='fast'"):
        MinHasher(mode="datasketch").signatures_from_hashes(hashes)


@pytest.mark.parametrize("num_perm", [1, 31, 32, 33, 128, 200])
@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_native_minimums_equal_numpy(num_perm: int, dtype: type) -> None:
    """The C core's minimums against numpy's: documents with no value, one,
    many; 32-bit values and 64-bit hashes (mixed first); any num_perm."""
    core = _implementation._built_hash_core()
    if core is None:
        pytest.skip("normalize._chash was not built (no C compiler)")
    rng = np.random.default_rng(num_perm)
    counts = np.array([0, 1, 0, 7, 300, 2, 0, 45_000, 3])
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = rng.integers(0, np.iinfo(dtype).max, offsets[-1], dtype=dtype, endpoint=True)
    perms = MinHasher(num_perm=num_perm)._perms
    out = np.empty((len(counts), num_perm), dtype=np.uint32)
    core.affine_min(values, offsets, perms[0], perms[1], out, dtype == np.uint64)
    assert np.array_equal(out, _numpy_affine_min(values, offsets, perms))
    assert (out[counts == 0] == EMPTY_VALUE).all()


def test_native_minimums_check_their_buffers() -> None:
    core = _implementation._built_hash_core()
    if core is None:
        pytest.skip("normalize._chash was not built (no C compiler)")
    a = b = np.ones(4, dtype=np.uint32)
    values = np.arange(5, dtype=np.uint32)
    out = np.empty((1, 4), dtype=np.uint32)
    with pytest.raises(ValueError, match="offsets"):
        core.affine_min(values, np.array([0, 6], dtype=np.int64), a, b, out, False)
    with pytest.raises(ValueError, match="offsets"):
        core.affine_min(values, np.array([3, 2], dtype=np.int64), a, b, out, False)
    with pytest.raises(ValueError, match="sizes"):
        core.affine_min(values, np.array([0, 5], dtype=np.int64), a, b[:3], out, False)
    with pytest.raises(ValueError, match="sizes"):
        core.affine_min(values, np.array([0, 5], dtype=np.int64), a, b, out[:, :2], False)


def test_signatures_are_the_same_without_the_native_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an install without a C compiler computes (TANQIYA_IMPLEMENTATION
    =numpy takes the same path): the same signatures, from texts, from
    shingle hashes and from shingles."""
    hasher = MinHasher(num_perm=64, ngram=3)
    shingles = [s.encode() for s in shingle_strings(DOCS[0], ngram=3)]
    fast = (hasher.signatures(DOCS), hasher.from_shingles(shingles))
    monkeypatch.setenv("TANQIYA_IMPLEMENTATION", "numpy")
    slow = (hasher.signatures(DOCS), hasher.from_shingles(shingles))
    assert np.array_equal(fast[0], slow[0])
    assert np.array_equal(fast[1], slow[1])


def test_values_of_another_type_are_refused_by_both_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shingle hashes are uint64 and 32-bit values uint32: int64 hashes would
    be read as something else by the C core."""
    hasher = MinHasher(num_perm=8, ngram=2)
    sh = shingle_hashes(["كتب الولد الدرس"], ngram=np.int64(2))  # numpy ints welcome
    signed = Shingles(sh.hashes.astype(np.int64), sh.offsets)  # type: ignore[arg-type]
    for implementation in ("fast", "numpy"):
        monkeypatch.setenv("TANQIYA_IMPLEMENTATION", implementation)
        with pytest.raises(TypeError, match="uint32 or uint64"):
            hasher.signatures_from_hashes(signed)
        assert hasher.signatures_from_hashes(sh).shape == (1, 8)


def test_a_huge_ngram_is_one_shingle_per_text_in_both_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = ["كتب الولد الدرس", "", "ا"]
    results = []
    for implementation in ("fast", "numpy"):
        monkeypatch.setenv("TANQIYA_IMPLEMENTATION", implementation)
        sh = shingle_hashes(texts, ngram=(1 << 63) - 1)
        results.append((sh.hashes.tolist(), sh.offsets.tolist()))
    assert results[0] == results[1]
    assert results[0][1] == [0, 1, 1, 2]
