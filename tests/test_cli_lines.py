"""``tanqiya lines`` end to end, through a subprocess as a user runs it."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from cli_util import SEED, error_line, interrupt, jsonl, read_jsonl, run, summary

SEED_LINES = SEED.read_bytes().splitlines(keepends=True)
HEADLINES = (2, 29)  # the second copy of each doubled headline (1-based)
EXPECTED = b"".join(line for n, line in enumerate(SEED_LINES, 1) if n not in HEADLINES)

BOILERPLATE = "قائمة أخبار اليوم العاجلة"
RELATED = "اقرأ أيضا: تقارير من الموصل"


def with_second_copies(change) -> bytes:
    """The seed with ``change`` applied to the second copy of each headline."""
    lines = [line.decode() for line in SEED_LINES]
    for n in HEADLINES:
        assert lines[n - 1] == lines[n - 2]  # really the doubled headline
        lines[n - 1] = change(lines[n - 1].removesuffix("\n")) + "\n"
    return "".join(lines).encode()


def test_seed_loses_exactly_the_two_repeated_headlines(tmp_path):
    audit = tmp_path / "removed.jsonl"
    result = run("lines", SEED, "--audit", audit)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    for kind in (b"\n", b"\xc2\xa0\n"):  # blank and NBSP-only lines all stay
        assert result.stdout.splitlines(keepends=True).count(kind) == SEED_LINES.count(kind) > 0
    assert summary(result) == {
        "documents": 1,
        "lines in": 49,
        "removed: line-adjacent": 2,
        "lines out": 47,
    }
    assert "47 kept + 2 removed = 49 lines in" in result.stderr.decode()
    records = read_jsonl(audit)
    assert [list(r) for r in records] == [
        ["id", "line", "reason", "text", "duplicate_of", "similarity"]
    ] * 2
    assert records == [
        {
            "id": str(SEED),
            "line": n,
            "reason": "line-adjacent",
            "text": SEED_LINES[n - 1].decode().removesuffix("\n"),
            "duplicate_of": n - 1,
            "similarity": 1.0,
        }
        for n in HEADLINES
    ]
    assert "داعش يستخدم" in audit.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    document = run("lines", "--scope", "document", "-q", "-", stdin=SEED.read_bytes())
    assert (document.stdout, document.stderr) == (EXPECTED, b"")


def test_second_copy_with_marks_tatweel_nbsp_or_zwnj_is_still_a_copy(tmp_path):
    changes = {
        "diacritics": lambda s: s.replace("داعش", "دَاعِشٌ").replace("مقاتلة", "مُقَاتِلَةٌ"),
        "tatweel": lambda s: s.replace("فرنسية", "فرنسـية").replace("يستخدم", "يستـــخدم"),
        "nbsp": lambda s: s.replace(" ", "\u00a0", 2),
        "zwnj": lambda s: s.replace("مشاركة", "مشار\u200cكة").replace("مدنيين", "مدني\u200cين"),
    }
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, change in changes.items():
        data = with_second_copies(change)
        assert data != SEED.read_bytes()
        (pages / f"{name}.txt").write_bytes(data)
    inputs = sorted(pages.iterdir())
    out, audit = tmp_path / "out", tmp_path / "removed.jsonl"
    result = run("lines", *inputs, "-o", out, "--audit", audit)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in inputs]
    for path in inputs:
        assert (out / path.name).read_bytes() == EXPECTED, path.name
    records = read_jsonl(audit)
    assert [(r["id"], r["line"]) for r in records] == [
        (str(p), n) for p in inputs for n in HEADLINES
    ]
    for r in records:  # the audit holds the copy as it was written
        page = Path(str(r["id"])).read_text(encoding="utf-8").splitlines()
        assert r["text"] == page[int(str(r["line"])) - 1] != SEED_LINES[0].decode()
    assert summary(result)["removed: line-adjacent"] == 8


def test_adjacent_document_and_fuzzy_scopes():
    page = "خبر أول عن المدينة\nخبر ثان\n\nخبرٌ أوّل عن المدينة\n".encode()
    adjacent = run("lines", "-q", stdin=page)
    assert adjacent.stdout == page  # a line in between: not adjacent
    document = run("lines", "--scope", "document", "-q", stdin=page)
    assert document.stdout == "خبر أول عن المدينة\nخبر ثان\n\n".encode()
    title = "داعش يستخدم مدنيين دروعا بشرية"
    page = f"{title}\n{title} صور\nنص\n".encode()
    assert run("lines", "-q", stdin=page).stdout == page  # not the same key: kept
    answers = "س: هل وصل الوفد؟\nج: نعم\nس: هل عاد؟\nج: نعم\nج: نعم\n".encode()
    short = run("lines", "--scope", "document", "--min-chars", "8", "-q", stdin=answers)
    assert short.stdout == answers[: -len("ج: نعم\n".encode())]  # only the adjacent copy
    every = run("lines", "--scope", "document", "-q", stdin=answers)  # every line
    assert every.stdout == "س: هل وصل الوفد؟\nج: نعم\nس: هل عاد؟\n".encode()


def test_fuzzy_audit_similarity(tmp_path):
    title = "داعش يستخدم مدنيين دروعا بشرية"
    out, audit = tmp_path / "out.txt", tmp_path / "a.jsonl"
    result = run(
        "lines",
        "--fuzzy",
        "90",
        "-o",
        out,
        "--audit",
        audit,
        "-",
        stdin=f"{title}\n{title} صور\n".encode(),
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == f"{title}\n"
    assert read_jsonl(audit) == [
        {
            "id": "<stdin>",
            "line": 2,
            "reason": "line-adjacent",
            "text": f"{title} صور",
            "duplicate_of": 1,
            "similarity": 0.9375,
        }
    ]


def corpus_documents() -> list[str]:
    """BOILERPLATE in 3 documents (once with diacritics), RELATED in 2."""
    return [
        f"نص خاص بالوثيقة الأولى\n{BOILERPLATE}\n{RELATED}\n",
        f"{RELATED}\nنص خاص بالوثيقة الثانية\n{BOILERPLATE}\n",
        "نص خاص بالوثيقة الثالثة\nقائمةُ أخبارِ اليومِ العاجلة\n",
        "نص خاص بالوثيقة الرابعة\n",
    ]


def test_corpus_scope_removes_a_line_in_min_docs_documents(tmp_path):
    docs = corpus_documents()
    for i, doc in enumerate(docs):
        (tmp_path / f"d{i}.txt").write_text(doc, encoding="utf-8")
    inputs = [tmp_path / f"d{i}.txt" for i in range(len(docs))]
    out, audit = tmp_path / "out", tmp_path / "removed.jsonl"
    result = run(
        "lines", "--scope", "corpus", "--min-docs", "3", *inputs, "-o", out, "--audit", audit
    )
    assert result.returncode == 0, result.stderr
    kept = [(out / p.name).read_text(encoding="utf-8") for p in inputs]
    assert kept == [
        f"نص خاص بالوثيقة الأولى\n{RELATED}\n",  # RELATED is in 2 documents only
        f"{RELATED}\nنص خاص بالوثيقة الثانية\n",
        "نص خاص بالوثيقة الثالثة\n",
        "نص خاص بالوثيقة الرابعة\n",
    ]
    records = read_jsonl(audit)
    assert [(r["id"], r["line"], r["reason"], r["duplicate_of"]) for r in records] == [
        (str(inputs[0]), 2, "line-corpus", None),
        (str(inputs[1]), 3, "line-corpus", None),
        (str(inputs[2]), 2, "line-corpus", None),
    ]
    counts = summary(result)
    lines_in = sum(doc.count("\n") for doc in docs)
    assert counts["lines in"] == lines_in
    assert counts["removed: line-corpus"] == len(records) == 3
    assert counts["lines out"] == sum(k.count("\n") for k in kept) == lines_in - 3
    assert counts["documents"] == 4


def test_corpus_scope_over_jsonl_on_standard_input():
    rows = [{"id": f"r{i}", "text": doc, "n": i} for i, doc in enumerate(corpus_documents())]
    result = run(
        "lines",
        "--scope",
        "corpus",
        "--min-docs",
        "2",
        "--format",
        "jsonl",
        "-",
        stdin=jsonl(*rows),
    )
    assert result.returncode == 0, result.stderr
    back = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in back] == [
        "نص خاص بالوثيقة الأولى\n",
        "نص خاص بالوثيقة الثانية\n",
        "نص خاص بالوثيقة الثالثة\n",
        "نص خاص بالوثيقة الرابعة\n",
    ]
    assert [{k: v for k, v in r.items() if k != "text"} for r in back] == [
        {"id": r["id"], "n": r["n"]} for r in rows
    ]
    assert summary(result)["removed: line-corpus"] == 5


def test_jsonl_keeps_every_other_field_and_unchanged_records_byte_for_byte(tmp_path):
    changed = '{"meta":{"z":1,"a":[null,1.5]},"body":"عنوان\\nعُنوان\\n\\nنص","id":"n1","n":7}\n'
    untouched = '{ "id" : "n2",  "body":"نص \\u0641ريد" }\n'
    src = tmp_path / "news.jsonl"
    src.write_text(changed + untouched, encoding="utf-8")
    audit = tmp_path / "a.jsonl"
    result = run(
        "lines",
        src,
        "--text-field",
        "body",
        "--id-field",
        "id",
        "--audit",
        audit,
        "-o",
        tmp_path / "out.jsonl",
    )
    assert result.returncode == 0, result.stderr
    first, second = (tmp_path / "out.jsonl").read_bytes().splitlines(keepends=True)
    assert second == untouched.encode()
    obj = json.loads(first)
    assert list(obj) == ["meta", "body", "id", "n"]
    assert obj == {"meta": {"z": 1, "a": [None, 1.5]}, "body": "عنوان\n\nنص", "id": "n1", "n": 7}
    assert [(r["id"], r["line"], r["text"]) for r in read_jsonl(audit)] == [("n1", 2, "عُنوان")]
    assert summary(result) == {
        "documents": 2,
        "lines in": 5,
        "removed: line-adjacent": 1,
        "lines out": 4,
    }


def test_text_files_to_stdout_or_to_an_output_directory(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, two = tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"
    one.write_text("سطر\nسطر\nآخر", encoding="utf-8")  # no final newline
    two.write_text("ثان\nثان\n", encoding="utf-8")
    cat = run("lines", "-q", one, two)
    assert cat.stdout.decode() == "سطر\nآخر\nثان\n"  # one after another, never run together
    out = tmp_path / "out"
    assert run("lines", "-q", one, two, "-o", out).returncode == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.txt")) == ["a/x.txt", "b/x.txt"]
    assert (out / "a" / "x.txt").read_text(encoding="utf-8") == "سطر\nآخر"
    (out / "old.txt").write_text("old")
    refused = error_line(run("lines", one, two, "-o", out))
    assert refused == (
        f"tanqiya: error: {out}: directory is not empty; use --force to replace it and all it holds"
    )
    assert (out / "old.txt").exists()
    assert run("lines", "-q", one, two, "-o", out, "--force").returncode == 0
    assert not (out / "old.txt").exists()
    assert (out / "b" / "x.txt").read_text(encoding="utf-8") == "ثان\n"
    single = run("lines", "-q", one, "-o", f"{tmp_path / 'single'}/")  # a trailing / is a directory
    assert single.returncode == 0
    assert (tmp_path / "single" / "x.txt").read_text(encoding="utf-8") == "سطر\nآخر"
    assert "standard input has no file name" in error_line(
        run("lines", "-", one, "-o", out, "--force")
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "out", "single"]


@pytest.mark.parametrize(
    ("name", "data", "args", "message"),
    [
        (
            "a.jsonl",
            jsonl({"text": "x"}) + b'{"text": \n',
            ("--scope", "corpus"),
            "{src}:2: malformed JSON: Expecting value (column 10); use --skip-bad",
        ),
        (
            "b.jsonl",
            jsonl({"text": "x"}, {"text": "y"}, {"body": "z"}),
            (),
            "{src}:3: no text field 'text' (the record's fields: 'body'); name the field"
            " with --text-field, or use --skip-bad",
        ),
        (
            "c.txt",
            b"ok\nab\xffcd\n",
            (),
            "{src}:2: invalid UTF-8: byte 0xFF at byte offset 5; use --errors replace",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, name, data, args, message):
    src = tmp_path / name
    src.write_bytes(data)
    result = run("lines", src, *args, "-o", tmp_path / "out", "--audit", tmp_path / "audit.jsonl")
    assert error_line(result).startswith("tanqiya: error: " + message.format(src=src))
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_missing_file_directory_and_bad_options(tmp_path):
    missing = tmp_path / "nope.txt"
    assert error_line(run("lines", missing, "--audit", tmp_path / "a.jsonl")) == (
        f"tanqiya: error: {missing}: no such file"
    )
    assert error_line(run("lines", tmp_path)) == (
        f"tanqiya: error: {tmp_path}: is a directory; give the files in it"
    )
    assert error_line(run("lines", SEED, "--min-docs", "3")) == (
        "tanqiya: error: --min-docs applies to --scope corpus only"
    )
    assert error_line(run("lines", SEED, "--min-chars", "3")) == (
        "tanqiya: error: --min-chars applies to --scope document and corpus, not adjacent"
    )
    assert error_line(run("lines", SEED, "--scope", "document", "--min-chars", "0")) == (
        "tanqiya: error: --min-chars must be at least 1, not 0"
    )
    assert error_line(run("lines", SEED, "--fuzzy", "101")) == (
        "tanqiya: error: --fuzzy must be at least 1 and at most 100, not 101.0"
    )
    assert "unknown profile 'arabic'" in error_line(run("lines", SEED, "-p", "arabic"))
    assert error_line(run("lines", SEED, "--audit", "-")) == (
        "tanqiya: error: --audit - needs -o OUT: standard output already carries the output"
    )
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_exits_130_and_leaves_the_old_output(tmp_path):
    out, audit = tmp_path / "out.txt", tmp_path / "removed.jsonl"
    out.write_bytes(b"old\n")
    code, stderr = interrupt(
        ["lines", "-", "-o", str(out), "--audit", str(audit)],
        lambda: len(list(tmp_path.glob(".*.tmp"))) == 2,  # both outputs started
    )
    assert code == 130
    assert stderr == f"tanqiya: interrupted; {out} and {audit} were not written\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert out.read_bytes() == b"old\n"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_kill_is_handled_as_ctrl_c(tmp_path, signum):
    """``kill``, ``timeout`` or a closed terminal: no temporary file left,
    the old output kept, exit code 128 + the signal's number."""
    out, audit = tmp_path / "out.txt", tmp_path / "removed.jsonl"
    out.write_bytes(b"old\n")
    code, stderr = interrupt(
        ["lines", "-", "-o", str(out), "--audit", str(audit)],
        lambda: len(list(tmp_path.glob(".*.tmp"))) == 2,
        signum=signum,
    )
    assert code == 128 + signum
    assert stderr == f"tanqiya: terminated; {out} and {audit} were not written\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    assert out.read_bytes() == b"old\n"


def test_help_states_the_document_rule():
    text = " ".join(run("lines", "--help").stdout.decode().split())
    assert "a plain-text file is one document (the whole file; standard input too)" in text
    assert "--scope" in text
    assert "--min-docs" in text


def test_replaced_bytes_are_written_as_u_fffd_and_counted(tmp_path):
    """--errors replace: a record whose lines all stay is written with U+FFFD,
    not its invalid bytes, and the summary counts them."""
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": 1, "text": "\xd8\xb0\xd9\x87\xd8\xa8"}\n{"id": 2, "text": "a\xffb"}\n')
    out = tmp_path / "out.jsonl"
    result = run("lines", src, "--errors", "replace", "-o", out)
    assert result.returncode == 0, result.stderr
    assert [r["text"] for r in read_jsonl(out)] == ["ذهب", "a\ufffdb"]
    assert summary(result)["invalid bytes replaced"] == 1


def test_the_cli_states_cleans_line_minimum():
    """The CLI keeps its own copy of the default (it does not import
    normalize.lines for the other commands)."""
    from normalize.clean import LINE_MIN_CHARS as LIBRARY
    from normalize.cli import LINE_MIN_CHARS as CLI

    assert CLI == LIBRARY
