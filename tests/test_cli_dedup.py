"""``tanqiya dedup`` end to end, through a subprocess as a user runs it."""

from __future__ import annotations

import gzip
import json
import random

import numpy as np
import pytest
from cli_util import SEED, error_line, interrupt, jsonl, read_jsonl, run, summary

from normalize._workers import Workers
from normalize.dedup import DocumentDeduper
from normalize.dedup_files import sign_inputs, write_kept_records
from normalize.io import InputError, ReadOptions, ReadStats, resolve_inputs

PARAGRAPHS = [p for p in SEED.read_text(encoding="utf-8").split("\n") if len(p.split()) >= 25]
P0, P1, P2, P3 = PARAGRAPHS[:4]
SOURCE = "\nالمصدر: رويترز"


def with_diacritics(text: str) -> str:
    changed = text.replace("الوزارة", "الوِزارةُ").replace("داعش", "دَاعِشٌ")
    assert changed != text
    return changed


def with_letter_variants(text: str) -> str:
    changed = text.replace("أ", "ا").replace("ة ", "ه ").replace("إ", "ا")
    assert changed != text
    return changed


# id, text; the expected fate in the comment
DOCUMENTS = [
    ("d0", P0),  # kept
    ("d1", P1),  # kept
    ("d2", with_diacritics(P0)),  # exact duplicate of d0 (same dedup key)
    ("d3", P2),  # kept
    ("d4", with_letter_variants(P1)),  # exact duplicate of d1
    ("d5", P2 + SOURCE),  # near duplicate of d3: a source line added
    ("d6", ""),  # empty: kept, never a duplicate
    ("d7", "..."),  # punctuation only: kept, never a duplicate of d8
    ("d8", "؟!"),
    ("d9", P3),  # kept
    ("d10", "مقدمة: " + P3.replace("ى", "ي")),  # near duplicate of d9
]
KEPT = ["d0", "d1", "d3", "d6", "d7", "d8", "d9"]


def raw_lines() -> list[bytes]:
    """One record per document, in an unusual but valid JSON layout, so that
    re-serializing would show."""
    return [
        f'{{"id":"{i}" ,  "text":{json.dumps(t, ensure_ascii=False)},"n":1e2}}\n'.encode()
        for i, t in DOCUMENTS
    ]


def test_jsonl_exact_and_near_duplicates_with_audit_and_summary(tmp_path):
    src = tmp_path / "news.jsonl"
    lines = raw_lines()
    src.write_bytes(b"".join(lines))
    out, audit = tmp_path / "unique.jsonl", tmp_path / "removed.jsonl"
    result = run("dedup", src, "--id-field", "id", "-o", out, "--audit", audit)
    assert result.returncode == 0, result.stderr
    ids = [i for i, _ in DOCUMENTS]
    assert out.read_bytes() == b"".join(lines[ids.index(i)] for i in KEPT)  # unchanged bytes
    records = read_jsonl(audit)
    assert [list(r) for r in records] == [
        ["id", "reason", "duplicate_of", "similarity", "cluster"]
    ] * 4
    assert [(r["id"], r["reason"], r["duplicate_of"], r["cluster"]) for r in records] == [
        ("d2", "exact", "d0", 0),
        ("d4", "exact", "d1", 1),
        ("d5", "near", "d3", 2),
        ("d10", "near", "d9", 3),
    ]
    assert [r["similarity"] for r in records[:2]] == [1.0, 1.0]
    assert all(0.8 <= float(str(r["similarity"])) < 1 for r in records[2:])
    assert summary(result) == {
        "documents in": 11,
        "exact duplicates": 2,
        "near duplicates": 2,
        "clusters": 4,
        "kept": 7,
    }
    assert "7 kept + 4 removed = 11 documents in" in result.stderr.decode()

    # the longest key: d2's diacritics and d4's letters do not count, so ties go to the first
    longest = run("dedup", src, "--keep", "longest", "-q")
    assert [json.loads(line)["id"] for line in longest.stdout.splitlines()] == [
        "d0",
        "d1",
        "d5",
        "d6",
        "d7",
        "d8",
        "d10",
    ]
    exact_only = run("dedup", src, "--threshold", "1", "-q")
    assert [json.loads(line)["id"] for line in exact_only.stdout.splitlines()] == [
        i for i in ids if i not in ("d2", "d4")
    ]


def generated_corpus(n: int) -> bytes:
    """``n`` documents of seed words, about one in five an exact or near copy."""
    rng = random.Random(7)
    words = SEED.read_text(encoding="utf-8").split()
    docs: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if docs and roll < 0.1:
            docs.append(rng.choice(docs) + SOURCE)
        elif docs and roll < 0.2:
            docs.append(rng.choice(docs).replace("ا", "أ", 1) + "ً")
        else:
            docs.append(" ".join(rng.choices(words, k=rng.randint(20, 60))))
    return jsonl(*({"text": d, "k": i} for i, d in enumerate(docs)))


def test_workers_give_byte_identical_output_and_audit(tmp_path):
    src = tmp_path / "big.jsonl.gz"
    src.write_bytes(gzip.compress(generated_corpus(2500)))  # 3 batches of records
    outputs = []
    for workers in ("1", "2"):
        out, audit = tmp_path / f"out{workers}.jsonl", tmp_path / f"audit{workers}.jsonl"
        result = run("dedup", src, "--workers", workers, "-o", out, "--audit", audit)
        assert result.returncode == 0, result.stderr
        outputs.append((out.read_bytes(), audit.read_bytes(), summary(result)))
    assert outputs[0] == outputs[1]
    kept_bytes, audit_bytes, counts = outputs[0]
    assert counts["exact duplicates"] > 100
    assert counts["near duplicates"] > 100
    assert counts["kept"] == len(kept_bytes.splitlines())
    assert counts["exact duplicates"] + counts["near duplicates"] == len(audit_bytes.splitlines())
    assert counts["kept"] + len(audit_bytes.splitlines()) == counts["documents in"] == 2500
    originals = gzip.decompress(src.read_bytes()).splitlines(keepends=True)
    removed = {
        int(str(r["id"]).rsplit(":", 1)[1]) for r in map(json.loads, audit_bytes.splitlines())
    }
    assert kept_bytes == b"".join(line for n, line in enumerate(originals, 1) if n not in removed)


def test_kept_lines_are_copied_as_they_were_across_files(tmp_path):
    """The second pass copies kept lines byte for byte: CRLF endings, blank
    lines left out, a bad line passed through, and a last line without a
    newline followed by the next file's first record on a line of its own.
    A byte order mark is the file's, not its first record's: it stays
    behind (in the middle of the output it would break the JSONL)."""
    lines = raw_lines()
    first = [b"\xef\xbb\xbf" + lines[0], b"\r\n", *(x.replace(b"\n", b"\r\n") for x in lines[1:6])]
    first += [b"  \n", b"{broken\n", lines[6].rstrip(b"\n")]  # no newline at the end
    second = [lines[7], b"\n", *lines[8:]]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    a.write_bytes(b"".join(first))
    b.write_bytes(gzip.compress(b"".join(second)))
    out, audit = tmp_path / "out.jsonl", tmp_path / "audit.jsonl"
    result = run("dedup", a, b, "--id-field", "id", "--skip-bad", "-o", out, "--audit", audit)
    assert result.returncode == 0, result.stderr
    removed = {r["id"] for r in read_jsonl(audit)}
    assert removed == {"d2", "d4", "d5", "d10"}
    expected = [lines[0], first[2], first[4], first[8], first[9] + b"\n", *lines[7:10]]
    assert out.read_bytes() == b"".join(expected)
    assert summary(result)["documents in"] == len(DOCUMENTS) + 1


def test_records_longer_than_a_read_block_are_copied_whole(tmp_path):
    """The second pass reads 1 MiB at a time: a longer line comes out whole,
    with no newline where a block ended, also as the last line of a file."""
    words = P0.split() + P1.split()

    def record(seed: int, size: int) -> bytes:
        pick = random.Random(seed).choice
        text = " ".join(pick(words) for _ in range(size // 8))
        return json.dumps({"id": f"r{seed}", "text": text}, ensure_ascii=False).encode()

    first = [record(1, 3_000_000) + b"\n", record(2, 100) + b"\n", record(3, 2_500_000)]
    second = [record(4, 1_500_000) + b"\n", record(5, 100) + b"\n"]
    assert all(len(line) > 1 << 20 for line in (first[0], first[2], second[0]))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    a.write_bytes(b"".join(first))
    b.write_bytes(gzip.compress(b"".join(second)))
    out = tmp_path / "out.jsonl"
    for workers in ("1", "2"):
        result = run("dedup", a, b, "-o", out, "-q", "--workers", workers)
        assert result.returncode == 0, result.stderr
        assert out.read_bytes() == b"".join([*first, b"\n", *second])


def test_an_input_changed_between_the_passes_stops_the_second(tmp_path):
    """The second pass reads each input again: one that changed since the
    first (size or time stamp, or fewer records) is an error naming it."""
    a = tmp_path / "a.jsonl"
    a.write_bytes(b"".join(raw_lines()))
    t = tmp_path / "t.parquet"
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist([{"text": x} for _, x in DOCUMENTS]), t)
    options = ReadOptions(text_field="text")
    for path, grow in ((a, lambda: a.write_bytes(a.read_bytes() + raw_lines()[0])), (t, None)):
        inputs = resolve_inputs([path], options)
        with Workers(1) as workers:
            deduper = DocumentDeduper(workers=workers)
            seen = sign_inputs(inputs, options, deduper, workers, ReadStats(), lambda _: None)
        count = len(seen.ids)
        assert count == len(DOCUMENTS)
        if grow is not None:
            grow()
        else:  # same file, same stamp, fewer records than counted
            seen.counts[0] += 1
            count += 1
        keep = np.ones(count, dtype=bool)
        out = tmp_path / "out.jsonl"
        with pytest.raises(InputError, match="changed between the two passes"):
            write_kept_records(inputs, options, keep, seen, str(out), "text", lambda _: None)
        assert not out.exists()


def test_text_files_are_documents(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    files = {
        "a.txt": P0,
        "b.txt": with_diacritics(P0),
        "c.txt": P2 + "\n",
        "d.txt": P2 + SOURCE + "\n",
        "e.txt": "",
        "f.txt": "...\n",
        "g.txt": "؟!\n",
    }
    for name, text in files.items():
        (pages / name).write_text(text, encoding="utf-8")
    inputs = [pages / name for name in files]
    audit = tmp_path / "removed.jsonl"
    listed = run("dedup", *inputs, "--audit", audit)
    assert listed.returncode == 0, listed.stderr
    kept = ["a.txt", "c.txt", "e.txt", "f.txt", "g.txt"]
    assert listed.stdout.decode() == "".join(f"{pages / n}\n" for n in kept)
    assert [(r["id"], r["reason"], r["duplicate_of"]) for r in read_jsonl(audit)] == [
        (str(pages / "b.txt"), "exact", str(pages / "a.txt")),
        (str(pages / "d.txt"), "near", str(pages / "c.txt")),
    ]
    out = tmp_path / "unique"
    copied = run("dedup", *inputs, "-o", out, "-q")
    warning = f"tanqiya: warning: {pages / 'e.txt'} is empty\n".encode()  # an empty page, kept
    assert (copied.returncode, copied.stdout, copied.stderr) == (0, b"", warning)
    assert sorted(p.name for p in out.iterdir()) == kept
    assert all((out / n).read_bytes() == (pages / n).read_bytes() for n in kept)
    again = error_line(run("dedup", *inputs, "-o", out))
    assert again.endswith("directory is not empty; use --force to replace it and all it holds")


def test_standard_input_is_read_twice(tmp_path):
    data = b"".join(raw_lines())
    from_stdin = run("dedup", "--id-field", "id", "-q", "-", stdin=data)  # JSONL: it starts with {
    src = tmp_path / "news.jsonl"
    src.write_bytes(data)
    from_file = run("dedup", src, "--id-field", "id", "-q")
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout
    assert len(from_stdin.stdout.splitlines()) == len(KEPT)
    text = run("dedup", "-", stdin=P0.encode())
    assert text.stdout == b"-\n"  # one plain-text document: kept, named as given
    assert summary(text)["documents in"] == 1


def test_parquet_rows_come_out_as_jsonl_with_the_same_fields(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "rows.parquet"
    rows = [{"k": n, "text": t, "lang": "ar"} for n, (_, t) in enumerate(DOCUMENTS)]
    pq.write_table(pa.Table.from_pylist(rows), path)
    result = run("dedup", path, "-q")
    back = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(r) for r in back] == [["k", "text", "lang"]] * len(KEPT)
    assert [r["k"] for r in back] == [n for n, (i, _) in enumerate(DOCUMENTS) if i in KEPT]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--threshold", "0"), "--threshold must be greater than 0 and at most 1, not 0.0"),
        (("--threshold", "1.5"), "--threshold must be greater than 0 and at most 1, not 1.5"),
        (("--num-perm", "0"), "--num-perm must be at least 1 and at most 4096, not 0"),
        (("--ngram", "0"), "--ngram must be at least 1, not 0"),
        (("--workers", "0"), "--workers must be at least 1, not 0"),
        (("--text-field", ""), "--text-field must name a field, not ''"),
    ],
)
def test_parameters_out_of_range_fail_before_reading(args, message):
    assert error_line(run("dedup", *args, "-")) == f"tanqiya: error: {message}"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.jsonl", jsonl({"text": "x"}) + b'{"text": \n', "{src}:2: malformed JSON"),
        ("b.jsonl", jsonl({"text": "x"}, {"body": "z"}), "{src}:2: no text field 'text'"),
        ("c.jsonl", jsonl({"text": "x"}) + b'{"text": "\xff"}\n', "{src}:2: invalid UTF-8"),
        ("d.txt", "سطر\nسطر\n".encode() + b"\xff\n", "{src}:3: invalid UTF-8"),  # one document
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, name, data, message):
    src = tmp_path / name
    src.write_bytes(data)
    result = run("dedup", src, "-o", tmp_path / "out.jsonl", "--audit", tmp_path / "audit.jsonl")
    assert error_line(result).startswith("tanqiya: error: " + message.format(src=src))
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.jsonl"
    out = tmp_path / "out.jsonl"
    assert (
        error_line(run("dedup", missing, "-o", out)) == f"tanqiya: error: {missing}: no such file"
    )
    assert error_line(run("dedup", tmp_path, "-o", out)) == (
        f"tanqiya: error: {tmp_path}: is a directory; give the files in it"
    )
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_exits_130_and_removes_the_copy_of_standard_input(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    code, stderr = interrupt(
        ["dedup", "--format", "jsonl", "-", "-o", str(out)],
        lambda: any(scratch.iterdir()),  # copying standard input
        env={"TMPDIR": str(scratch)},
    )
    assert code == 130
    assert stderr == f"tanqiya: interrupted; {out} was not written\n"
    assert list(scratch.iterdir()) == []
    assert out.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "scratch"]


def test_empty_inputs_are_named_but_do_not_stop_the_run(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    packed = tmp_path / "packed.jsonl.gz"
    packed.write_bytes(gzip.compress(b""))
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(b"\n\n")  # no record, but not empty
    full = tmp_path / "full.jsonl"
    full.write_bytes(jsonl({"text": P0}))
    result = run("dedup", empty, full, packed, blank, "-q")
    assert result.returncode == 0
    assert result.stdout == full.read_bytes()
    assert result.stderr.decode().splitlines() == [
        f"tanqiya: warning: {empty} is empty",
        f"tanqiya: warning: {packed} is empty",
    ]


def test_bad_records_and_replaced_bytes_are_counted(tmp_path):
    src = tmp_path / "mixed.jsonl"
    data = (
        jsonl({"id": 1, "text": P0})
        + b'[1, 2]\n{"id": 3, "text": 5}\n{"id": 4, "text": "a\xffb"}\n'
    )
    src.write_bytes(data)
    result = run("dedup", src, "--skip-bad", "--errors", "replace", "-o", tmp_path / "out.jsonl")
    assert result.returncode == 0, result.stderr
    counts = summary(result)
    assert counts["documents in"] == counts["kept"] == 4
    assert counts["bad records, passed through"] == 2
    assert counts["invalid bytes replaced"] == 1
    assert (tmp_path / "out.jsonl").read_bytes() == data  # kept records copied byte for byte
