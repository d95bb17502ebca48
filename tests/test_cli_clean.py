"""``tanqiya clean`` end to end, through a subprocess as a user runs it."""

from __future__ import annotations

import json
import shutil

from cli_util import SEED, error_line, interrupt, jsonl, read_jsonl, run, summary

from normalize import normalize

HEADLINE_LINES = (2, 29)  # the second copies of the two doubled headlines


def _repaired_seed_minus_headlines() -> str:
    lines = normalize(SEED.read_text("utf-8"), "light").split("\n")
    return "\n".join(line for n, line in enumerate(lines, 1) if n not in HEADLINE_LINES)


def test_seed_folder_to_folder(tmp_path):
    out = tmp_path / "cleaned"
    audit = tmp_path / "removed.jsonl"
    result = run("clean", SEED.parent, "-o", out, "--audit", audit)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == [SEED.name]
    assert (out / SEED.name).read_text("utf-8") == _repaired_seed_minus_headlines()
    removed = read_jsonl(audit)
    assert [(r["line"], r["reason"], r["duplicate_of"]) for r in removed] == [
        (2, "line-adjacent", 1),
        (29, "line-adjacent", 28),
    ]
    counts = summary(result)
    assert counts["documents in"] == 1
    assert counts["lines in"] == 49
    assert counts["duplicate lines, adjacent"] == 2
    assert counts["lines kept"] == 47
    assert "47 kept + 2 removed = 49 lines in" in result.stderr.decode()


def _article(i: int) -> str:
    text = SEED.read_text("utf-8").split("\n")
    body = [line for line in text if len(line) > 80]
    return (
        f"عنوان الخبر رقم {i}\nعنوان الخبر رقم {i}\n\n"
        + body[i % len(body)]
        + "\n"
        + body[(i + 3) % len(body)]
    )


def _records() -> list[dict[str, object]]:
    records: list[dict[str, object]] = [
        {"id": f"a{i}", "site": "s1", "text": _article(i)} for i in range(6)
    ]
    records.append({"id": "copy0", "site": "s2", "text": _article(0).replace("أ", "ا")})
    near = _article(1) + "\nالمصدر: وكالات الأنباء العالمية"
    records.append({"id": "near1", "site": "s3", "text": near})
    records.append({"id": "xss", "site": "s4", "text": "<script>alert(1)</script> " + _article(5)})
    return records


def test_jsonl_documents_audit_and_report(tmp_path):
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(jsonl(*_records()))
    out, audit, report = tmp_path / "clean.jsonl", tmp_path / "removed.jsonl", tmp_path / "r.html"
    result = run(
        "clean",
        source,
        "-o",
        out,
        "--audit",
        audit,
        "--report",
        report,
        "--threshold",
        "0.6",
        "--id-field",
        "id",
    )
    assert result.returncode == 0, result.stderr
    kept = read_jsonl(out)
    assert [r["id"] for r in kept] == ["a0", "a1", "a2", "a3", "a4", "a5"]
    assert all(list(r) == ["id", "site", "text"] for r in kept)
    assert all(r["text"].count(f"عنوان الخبر رقم {i}") == 1 for i, r in enumerate(kept[:6]))
    removed = read_jsonl(audit)
    documents = {r["id"]: r for r in removed if "cluster" in r}
    assert documents["copy0"]["reason"] == "exact"
    assert documents["copy0"]["duplicate_of"] == "a0"
    assert documents["near1"]["reason"] == "near"
    assert documents["near1"]["duplicate_of"] == "a1"
    assert documents["xss"]["duplicate_of"] == "a5"  # one added tag is a near duplicate
    lines = [r for r in removed if "line" in r]
    assert len(lines) == 8
    assert {r["reason"] for r in lines} == {"line-adjacent"}
    counts = summary(result)
    assert counts["documents in"] == 9
    assert counts["documents kept"] == 6
    assert counts["exact duplicate documents"] == 1
    assert counts["near duplicate documents"] == 2
    assert counts["clusters"] == 3
    page = report.read_text("utf-8")
    assert page.count('<section class="cluster"') == 3
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_boilerplate_and_normalized_output(tmp_path):
    menu = "الرئيسية | أخبار | رياضة | اقتصاد | اتصل بنا"
    records = [
        {"id": str(i), "text": f"{menu}\nخبر رقم {i} عن موضوع مختلف تماما عن غيره {'ب' * i}"}
        for i in range(5)
    ]
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(*records))
    out = tmp_path / "out.jsonl"
    audit = tmp_path / "audit.jsonl"
    result = run(
        "clean",
        source,
        "-o",
        out,
        "--audit",
        audit,
        "--boilerplate-min-docs",
        "3",
        "--normalize-output",
        "search",
        "--no-documents",
    )
    assert result.returncode == 0, result.stderr
    kept = read_jsonl(out)
    assert len(kept) == 5
    assert all(menu not in r["text"] and "خبر رقم" in r["text"] for r in kept)
    corpus = [r for r in read_jsonl(audit) if r["reason"] == "line-corpus"]
    assert len(corpus) == 5
    assert all(r["line"] == 1 for r in corpus)
    assert summary(result)["boilerplate lines"] == 5


def test_stdin_and_workers_give_identical_output(tmp_path):
    data = jsonl(*_records())
    one = run("clean", "--format", "jsonl", "-", "--threshold", "0.6", stdin=data)
    two = run("clean", "-", "--threshold", "0.6", "--workers", "2", stdin=data)  # JSONL: {...
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 6


def test_bad_input_leaves_no_output(tmp_path):
    source = tmp_path / "crawl.jsonl"
    source.write_bytes(jsonl(*_records()[:2]) + b'{"id": "x", "text": "\xff\xfe"}\n')
    out, audit, report = tmp_path / "o.jsonl", tmp_path / "a.jsonl", tmp_path / "r.html"
    result = run("clean", source, "-o", out, "--audit", audit, "--report", report)
    assert "crawl.jsonl:3" in error_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crawl.jsonl"]
    skipped = run("clean", source, "-o", out, "--skip-bad")
    assert skipped.returncode == 0
    assert out.read_bytes().splitlines()[-1] == b'{"id": "x", "text": "\xff\xfe"}'
    assert summary(skipped)["bad records, passed through"] == 1

    missing = run("clean", tmp_path / "nope.jsonl")
    assert "nope.jsonl" in error_line(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no file" in error_line(run("clean", empty, "-o", tmp_path / "x"))
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    assert "-o DIR" in error_line(run("clean", folder))
    bad = run("clean", folder, "-o", tmp_path / "y", "--threshold", "2")
    assert "threshold" in error_line(bad)
    # the same --fuzzy option and check as tanqiya lines
    assert error_line(run("clean", folder, "-o", tmp_path / "y", "--fuzzy", "101")) == (
        "tanqiya: error: --fuzzy must be at least 1 and at most 100, not 101.0"
    )
    assert not (tmp_path / "y").exists()


def test_empty_input_and_mixed_formats(tmp_path):
    empty = run("clean", "--format", "jsonl", "-", stdin=b"")
    assert empty.returncode == 0
    assert empty.stdout == b""
    assert "tanqiya: warning: <stdin> is empty" in empty.stderr.decode().splitlines()
    (tmp_path / "a.txt").write_text("نص", "utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": "نص"}), "utf-8")
    mixed = run("clean", tmp_path, "-o", tmp_path / "out")
    assert "a.txt" in error_line(mixed) or "b.jsonl" in error_line(mixed)


def test_ctrl_c_leaves_previous_output(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code, stderr = interrupt(
        ["clean", "-", "-o", str(out)],
        lambda: any(scratch.iterdir()),  # the spill folder exists: reading has begun
        env={"TMPDIR": str(scratch)},
    )
    assert code == 130
    assert "interrupted" in stderr
    assert out.read_bytes() == b"old\n"
    assert list(scratch.iterdir()) == []


def test_document_whose_every_line_is_removed_is_not_written_back(tmp_path):
    menu = "الرئيسية | أخبار | رياضة | اقتصاد | اتصل بنا"
    footer = "جميع الحقوق محفوظة للموقع الإخباري"
    records = [
        {"id": str(i), "text": f"{menu}\nخبر رقم {i} عن موضوع مختلف {'ب' * i}\n{footer}"}
        for i in range(4)
    ]
    records.append({"id": "empty", "text": f"{menu}\n{menu}\n{footer}\n", "lang": "ar"})
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(*records))
    out = tmp_path / "out.jsonl"
    for workers in ("1", "2"):
        result = run(
            "clean",
            source,
            "-o",
            out,
            "--id-field",
            "id",
            "--boilerplate-min-docs",
            "3",
            "--workers",
            workers,
            "--force",
        )
        assert result.returncode == 0, result.stderr
        kept = {r["id"]: r for r in read_jsonl(out)}
        assert kept["empty"] == {"id": "empty", "text": "", "lang": "ar"}
        assert all(menu not in r["text"] and footer not in r["text"] for r in kept.values())


def test_a_bad_line_a_worker_parses_stops_the_run_with_file_and_line(tmp_path):
    """JSONL is parsed in the worker processes: a malformed line far into the
    input still names file:line, exits 2, and leaves no output; with
    --skip-bad it is passed through, the same for one worker or two."""
    good = [
        {"id": str(i), "text": f"خبر رقم {i} عن موضوع {'ب' * (i % 7)}\nسطر"} for i in range(3000)
    ]
    source = tmp_path / "in.jsonl"
    lines = jsonl(*good).splitlines(keepends=True)
    lines.insert(2500, b'{"id": "bad", "text": \n')
    source.write_bytes(b"".join(lines))
    out = tmp_path / "out.jsonl"
    for workers in ("1", "2"):
        result = run("clean", source, "-o", out, "--id-field", "id", "--workers", workers)
        assert error_line(result).startswith(f"tanqiya: error: {source}:2501: malformed JSON")
        assert not out.exists()
    outputs = []
    for workers in ("1", "2"):
        target = tmp_path / f"out-{workers}.jsonl"
        result = run(
            "clean", source, "-o", target, "--id-field", "id", "--skip-bad", "--workers", workers
        )
        assert result.returncode == 0, result.stderr
        assert summary(result)["bad records, passed through"] == 1
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'{"id": "bad", "text": \n' in outputs[0]


def test_an_output_that_would_replace_an_input_or_another_output_is_refused(tmp_path):
    src = tmp_path / "news.jsonl"
    data = jsonl({"id": "a", "text": "خبر عاجل"}, {"id": "b", "text": "خبر عاجل"})
    src.write_bytes(data)
    out, audit = tmp_path / "o.jsonl", tmp_path / "a.jsonl"
    for args, message in [
        (("-o", out, "--audit", src), f"--audit {src} is an input"),
        (("-o", out, "--report", src), f"--report {src} is an input"),
        (("-o", out, "--report", out), f"--report {out} and -o {out} are the same file"),
        (("-o", out, "--audit", audit, "--report", audit), f"--report {audit} and --audit {audit}"),
        (("-o", f"{tmp_path}/folder/"), "the output is one file, not a folder"),
    ]:
        result = run("clean", src, *args, "-q")
        assert result.returncode == 2
        assert message in error_line(result)
    assert [p.name for p in tmp_path.iterdir()] == ["news.jsonl"]
    assert src.read_bytes() == data
    # -o may name the input, as sort -o does: it is replaced once read
    assert run("clean", src, "-o", src, "-q").returncode == 0
    assert [r["id"] for r in read_jsonl(src)] == ["a"]


def test_options_are_named_in_their_errors(tmp_path):
    for args, message in [
        (("--boilerplate-min-docs", "1"), "--boilerplate-min-docs must be at least 2, not 1"),
        (("--boilerplate-min-chars", "0"), "--boilerplate-min-chars must be at least 1, not 0"),
        (("--text-field", ""), "--text-field must name a field, not ''"),
        (("--lines-min-chars", "0"), "--lines-min-chars must be at least 1, not 0"),
        (
            ("--lines", "adjacent", "--lines-min-chars", "3"),
            "--lines-min-chars applies to --lines document, not adjacent",
        ),
        (
            ("--repair", "foo"),
            "--repair: unknown profile 'foo'; valid profiles: dedup, light, search, web",
        ),
        (
            ("--normalize-output", "bar"),
            "--normalize-output: unknown profile 'bar'; valid profiles: dedup, light, search, web",
        ),
    ]:
        assert error_line(run("clean", "-", *args)) == f"tanqiya: error: {message}"


def test_short_lines_repeated_further_down_are_content(tmp_path):
    """--lines document removes a later copy of a line anywhere, but one
    shorter than --lines-min-chars (an answer, a score) only next to its copy."""
    page = tmp_path / "qa.txt"
    page.write_text("س: هل وصل الوفد؟\nج: نعم\n١٠\nس: هل عاد؟\nج: نعم\n١٠\n", encoding="utf-8")
    kept = run("clean", page, "-q")
    assert kept.returncode == 0
    assert kept.stdout == page.read_bytes()
    every = run("clean", page, "--lines-min-chars", "1", "-q")
    assert every.stdout == "س: هل وصل الوفد؟\nج: نعم\n١٠\nس: هل عاد؟\n".encode()
