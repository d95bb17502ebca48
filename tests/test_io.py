"""Readers and writers of normalize.io: formats, every bad-input case, atomic output."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import pickle
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalize.io import (
    DecodeError,
    InputError,
    InputSpec,
    JsonlBlock,
    OutputError,
    ReadOptions,
    ReadStats,
    Record,
    RecordError,
    RecordFormat,
    RecordWriter,
    batched,
    copy_spans,
    detect_format,
    json_line,
    open_output,
    output_format_for,
    read_blocks,
    read_inputs,
    read_records,
    resolve_inputs,
)
from normalize.minhash import text_batches

ARABIC = "السَّلَامُ عَلَيْكُمْ"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def jsonl(*objs: object) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objs)


def records(paths: list[Path], **options: object) -> list[Record]:
    return list(read_records(paths, ReadOptions(**options)))  # type: ignore[arg-type]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- formats -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", ("text", "none")),
        ("a", ("text", "none")),
        ("a.JSONL", ("jsonl", "none")),
        ("a.ndjson.gz", ("jsonl", "gzip")),
        ("a.json.zst", ("jsonl", "zstd")),
        ("dir.v2/a.parquet", ("parquet", "none")),
        ("a.txt.gz", ("text", "gzip")),
    ],
)
def test_detect_format(name, expected):
    assert detect_format(name) == expected


def test_text_lines_keep_endings_and_positions(tmp_path):
    path = write(tmp_path / "a.txt", f"{ARABIC}\r\nسطر\n\nlast".encode())
    got = records([path])
    assert [(r.text, r.ending, r.line) for r in got] == [
        (ARABIC, "\r\n", 1),
        ("سطر", "\n", 2),
        ("", "\n", 3),
        ("last", "", 4),
    ]
    assert got[0].id == f"{path}:1"
    assert got[0].fields is None
    assert got[1].where == f"{path}:2"


def test_text_one_document_per_file(tmp_path):
    a = write(tmp_path / "a.txt", "سطر\nآخر\n".encode())
    b = write(tmp_path / "b.txt", b"")
    got = records([a, b], text_unit="file")
    assert [(r.id, r.text, r.line) for r in got] == [
        (str(a), "سطر\nآخر\n", None),
        (str(b), "", None),
    ]


def test_jsonl_fields_order_and_ids(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        jsonl({"z": 1, "text": ARABIC, "a": [1, {"b": None}]}, {"text": "x", "uid": 7})
        + b"\n   \n",
    )
    got = records([path])
    assert [r.text for r in got] == [ARABIC, "x"]
    assert list(got[0].fields) == ["z", "text", "a"]  # type: ignore[arg-type]
    assert got[0].fields == {"z": 1, "text": ARABIC, "a": [1, {"b": None}]}
    assert got[1].id == f"{path}:2"
    by_id = records([write(tmp_path / "b.jsonl", jsonl({"text": "x", "uid": 7}))], id_field="uid")
    assert by_id[0].id == "7"


def test_jsonl_bom_and_custom_field(tmp_path):
    path = write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + jsonl({"body": "نص"}))
    assert [r.text for r in records([path], text_field="body")] == ["نص"]


def test_format_override(tmp_path):
    path = write(tmp_path / "data.txt", jsonl({"text": "x"}))
    assert records([path])[0].text == '{"text": "x"}'
    assert records([path], format="jsonl")[0].text == "x"


def test_gzip_and_zstd_inputs(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    data = jsonl({"text": ARABIC}, {"text": "ب"})
    gz = write(tmp_path / "a.jsonl.gz", gzip.compress(data))
    frames = zstandard.ZstdCompressor().compress(data[:10]) + zstandard.ZstdCompressor().compress(
        data[10:]
    )
    zst = write(tmp_path / "a.jsonl.zst", frames)  # two frames, split mid-line
    assert [r.text for r in records([gz, zst])] == [ARABIC, "ب", ARABIC, "ب"]


def test_stdin(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("أ\nب".encode())))
    got = records([])
    assert [(r.id, r.text) for r in got] == [("<stdin>:1", "أ"), ("<stdin>:2", "ب")]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl({"text": "ج"}))))
    assert [r.text for r in records(["-"], format="jsonl")] == ["ج"]


def test_stats_and_batches(tmp_path):
    path = write(tmp_path / "a.txt", b"a\nbb\nccc\n")
    stats = ReadStats()
    batches = list(batched(read_records([path], stats=stats), max_records=2))
    assert [[r.text for r in b] for b in batches] == [["a", "bb"], ["ccc"]]
    assert (stats.files, stats.records, stats.bad, stats.bytes_read) == (1, 3, 0, 9)


def test_stats_name_the_inputs_that_held_nothing(tmp_path):
    write(tmp_path / "a.jsonl", b"")
    write(tmp_path / "b.jsonl.gz", gzip.compress(b""))
    write(tmp_path / "c.jsonl", b"\n")  # a blank line: no record, but not empty
    write(tmp_path / "d.txt", b"")
    jsonl_inputs = resolve_inputs([tmp_path / n for n in ("a.jsonl", "b.jsonl.gz", "c.jsonl")])
    for read in (read_inputs, read_blocks):
        stats = ReadStats()
        list(read(jsonl_inputs, stats=stats))
        assert stats.empty == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl.gz")]
    stats = ReadStats()
    document = read_inputs(
        resolve_inputs([tmp_path / "d.txt"]), ReadOptions(text_unit="file"), stats=stats
    )
    assert [r.text for r in document] == [""]  # an empty document, still named
    assert stats.empty == [str(tmp_path / "d.txt")]


@given(st.lists(st.integers(0, 300), max_size=60), st.integers(1, 500))
def test_a_batch_of_records_is_one_batch_of_texts(lengths, chars):
    # the CLI hands each batch of records to DocumentDeduper.add, which
    # splits by the same count: a split would make a task of a record or two
    texts = ["x" * n for n in lengths]
    got = list(batched((Record(id=str(i), text=t) for i, t in enumerate(texts)), max_chars=chars))
    assert [r.text for b in got for r in b] == texts
    for batch in got:
        assert list(text_batches([r.text for r in batch], chars)) == [[r.text for r in batch]]


# --- Parquet -----------------------------------------------------------------


def write_parquet(path: Path, rows: list[dict[str, object]]) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_parquet_in_record_batches(tmp_path):
    rows = [{"id": i, "text": f"نص {i}", "lang": "ar"} for i in range(5)]
    path = write_parquet(tmp_path / "a.parquet", rows)
    got = list(read_records([path], ReadOptions(id_field="id", parquet_batch_rows=2)))
    assert [r.fields for r in got] == rows
    assert [r.id for r in got] == ["0", "1", "2", "3", "4"]
    assert got[4].line == 5


def test_parquet_bad_rows_and_columns(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", [{"text": "a"}, {"text": None}])
    with pytest.raises(RecordError, match=r"a\.parquet:2: text field 'text' is null"):
        records([path])
    got = records([path], skip_bad=True)
    assert got[1].error is not None
    assert got[1].fields == {"text": None}
    with pytest.raises(InputError, match=r"no column 'body' \(columns: text\)"):
        records([path], text_field="body")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        records([write(tmp_path / "b.parquet", b"not parquet")])


def test_missing_optional_packages(tmp_path, monkeypatch):
    pq = write(tmp_path / "a.parquet", b"")
    zst = write(tmp_path / "a.txt.zst", b"")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(InputError, match=r'pip install "tanqiya\[parquet\]"'):
        resolve_inputs([pq])
    with pytest.raises(InputError, match=r'pip install "tanqiya\[zstd\]"'):
        resolve_inputs([zst])
    with pytest.raises(InputError, match=r"tanqiya\[zstd\]"), open_output(tmp_path / "o.zst"):
        pass
    assert leftovers(tmp_path) == ["a.parquet", "a.txt.zst"]


# --- bad input ---------------------------------------------------------------


def test_invalid_utf8_names_file_line_and_offset(tmp_path):
    path = write(tmp_path / "a.txt", b"ok\nab\xffcd\n")
    with pytest.raises(DecodeError) as info:
        records([path])
    assert (info.value.path, info.value.line, info.value.offset) == (str(path), 2, 5)
    assert str(info.value) == f"{path}:2: invalid UTF-8: byte 0xFF at byte offset 5"


def test_invalid_utf8_replace_counts_bytes(tmp_path):
    # \xff\xfe: two bad bytes; \xe2\x82 (a cut 3-byte sequence): two bytes, one U+FFFD
    path = write(tmp_path / "a.txt", b"a\xff\xfeb\n\xe2\x82c\n\xef\xbf\xbd\n")
    stats = ReadStats()
    got = list(read_records([path], ReadOptions(errors="replace"), stats=stats))
    assert [r.text for r in got] == ["a\ufffd\ufffdb", "\ufffdc", "\ufffd"]
    assert stats.replaced_bytes == 4


def test_invalid_utf8_in_jsonl(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "\xd8"}\n')
    with pytest.raises(
        DecodeError, match=r"a\.jsonl:1: invalid UTF-8: byte 0xD8 at byte offset 10"
    ):
        records([path])
    assert records([path], errors="replace")[0].text == "\ufffd"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"text": "a"', r"a\.jsonl:2: malformed JSON: Expecting ',' delimiter \(column 13\)"),
        (b"[1, 2]", r"a\.jsonl:2: a JSON line must be an object, not an array"),
        (b'"text"', r"a\.jsonl:2: a JSON line must be an object, not a string"),
        (b'{"body": "a"}', r"a\.jsonl:2: no text field 'text'"),
        (b'{"text": 3}', r"a\.jsonl:2: text field 'text' is a number, not a string"),
        (b'{"text": null}', r"a\.jsonl:2: text field 'text' is null, not a string"),
        (b"[" * 100_000, r"a\.jsonl:2: malformed JSON: nested too deeply"),
    ],
)
def test_malformed_jsonl(tmp_path, line, message):
    path = write(tmp_path / "a.jsonl", b'{"text": "ok"}\n' + line + b"\n")
    with pytest.raises(RecordError, match=message):
        records([path])


def test_bad_id_field(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"text": "a"}, {"text": "b", "id": [1]}))
    with pytest.raises(RecordError, match=r":1: no id field 'id'"):
        records([path], id_field="id")
    path = write(tmp_path / "b.jsonl", jsonl({"text": "b", "id": True}))
    with pytest.raises(RecordError, match=r":1: id field 'id' is a boolean"):
        records([path], id_field="id")
    with pytest.raises(InputError, match="id field needs JSONL or Parquet"):
        records([write(tmp_path / "c.txt", b"x")], id_field="id")


def test_skip_bad_passes_records_through_unchanged(tmp_path):
    bad_json = b'{"text": \r\n'
    bad_bytes = b'{"text": "\xff"}\n'
    path = write(tmp_path / "a.jsonl", jsonl({"text": "a"}) + bad_json + bad_bytes + b"[]")
    stats = ReadStats()
    got = list(read_records([path], ReadOptions(skip_bad=True), stats=stats))
    assert [r.error is None for r in got] == [True, False, False, False]
    assert [r.raw for r in got[1:]] == [bad_json, bad_bytes, b"[]"]
    assert got[1].error is not None
    assert got[1].error.startswith("malformed JSON")
    assert (stats.records, stats.bad) == (4, 3)
    out = io.BytesIO()
    writer = RecordWriter(out, "jsonl")
    writer.write_many(got, ["A", None, None, None])
    assert out.getvalue() == b'{"text": "A"}\n' + bad_json + bad_bytes + b"[]"


def test_skip_bad_invalid_utf8_in_text(tmp_path):
    path = write(tmp_path / "a.txt", b"a\n\xff\n")
    got = records([path], skip_bad=True)
    assert got[1].raw == b"\xff\n"
    assert got[1].error == "invalid UTF-8: byte 0xFF at byte offset 2"


def test_missing_file_and_directory_are_checked_before_reading(tmp_path):
    good = write(tmp_path / "a.txt", b"a\n")
    with pytest.raises(InputError, match=r"nope\.txt: no such file$"):
        read_records([good, tmp_path / "nope.txt"])  # raises before any record
    with pytest.raises(InputError, match="is a directory"):
        read_records([tmp_path])
    with pytest.raises(InputError, match="Parquet cannot be read from standard input"):
        read_records(["-"], ReadOptions(format="parquet"))


def test_truncated_and_corrupt_gzip(tmp_path):
    data = gzip.compress(b"".join(b"line %d\n" % i for i in range(5000)))
    path = write(tmp_path / "a.txt.gz", data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        records([path])
    assert "compressed file ended before the end-of-stream marker" in str(info.value)
    assert str(info.value).startswith(f"{path}:")
    assert info.value.line is not None
    assert info.value.line > 1
    with pytest.raises(InputError, match=r"not a valid gzip file"):
        records([write(tmp_path / "b.txt.gz", b"plain text\n")])
    with pytest.raises(InputError, match="end-of-stream marker"):
        records([path], text_unit="file")


def test_truncated_and_corrupt_zstd(tmp_path):
    zstandard = pytest.importorskip("zstandard")
    data = zstandard.ZstdCompressor().compress(b"".join(b"line %d\n" % i for i in range(5000)))
    path = write(tmp_path / "a.txt.zst", data[:-5])
    with pytest.raises(InputError, match="truncated zstd file: compressed file ended"):
        records([path])
    with pytest.raises(InputError, match="not a valid zstd file"):
        records([write(tmp_path / "b.txt.zst", b"plain text\n")])


def test_line_longer_than_the_limit(tmp_path):
    path = write(tmp_path / "a.jsonl", b"x" * 10 + b"\n" + b"y" * 50_000)
    first = next(read_records([path], ReadOptions(format="text", max_record_bytes=10)))
    assert first.text == "x" * 10
    with pytest.raises(InputError, match=r"a\.jsonl:2: line longer than the limit of 10 bytes"):
        records([path], max_record_bytes=10, skip_bad=True)
    with pytest.raises(InputError, match=r"a\.jsonl: document longer than the limit of 10 bytes"):
        records([path], format="text", text_unit="file", max_record_bytes=10)


@pytest.mark.parametrize(
    "options",
    [
        {"errors": "ignore"},
        {"format": "csv"},
        {"text_field": ""},
        {"max_record_bytes": 0},
        {"id_field": ""},
        {"text_unit": "page"},
    ],
)
def test_read_options_are_checked(options):
    with pytest.raises(ValueError, match=r"ReadOptions\.\w+ must be"):
        ReadOptions(**options)


def test_output_format_for_mixed_inputs():
    text = InputSpec("a.txt", "a.txt", "text", "none", 1)
    rows = InputSpec("b.jsonl", "b.jsonl", "jsonl", "none", 1)
    assert output_format_for([text]) == "text"
    assert output_format_for([rows]) == "jsonl"
    with pytest.raises(ValueError, match=r"cannot mix plain text and JSONL/Parquet"):
        output_format_for([text, rows])


# --- writers -----------------------------------------------------------------


def test_atomic_output_replaces_only_on_success(tmp_path):
    target = write(tmp_path / "out.txt", b"old\n")
    target.chmod(0o640)
    with open_output(target) as out:
        out.write(b"new\n")
        assert target.read_bytes() == b"old\n"  # not replaced until the end
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt, InputError])
def test_atomic_output_leaves_nothing_on_error(tmp_path, error):
    existing = write(tmp_path / "kept.txt", b"old\n")
    exc = error("x.txt", 3, "bad") if error is InputError else error("stop")

    def fail_midway(target: Path) -> None:
        with open_output(target) as out:
            out.write(b"partial\n" * 1000)
            raise exc

    for target in (existing, tmp_path / "new.txt.gz"):
        with pytest.raises(error):
            fail_midway(target)
    assert leftovers(tmp_path) == ["kept.txt"]
    assert existing.read_bytes() == b"old\n"


@pytest.mark.parametrize("name", ["out.txt", "out.txt.gz"])
@pytest.mark.parametrize("fail", [False, True])
def test_large_outputs_sync_in_the_background(tmp_path, monkeypatch, name, fail):
    """Every few bytes (here 100) the data goes to the disk from a background
    thread while the writing goes on; the file is whole, or (on an error)
    gone, and the thread is stopped either way."""
    import normalize.io as io_module

    synced: list[int] = []
    real_fdatasync = os.fdatasync

    def fdatasync(fd: int) -> None:
        synced.append(fd)
        real_fdatasync(fd)

    monkeypatch.setattr(io_module, "_SYNC_EVERY", 100)
    monkeypatch.setattr(os, "fdatasync", fdatasync)
    threads = threading.active_count()
    chunks = [os.urandom(4096) for _ in range(100)]  # gzip writes as much
    target = tmp_path / name
    with contextlib.suppress(ValueError), open_output(target) as out:
        for chunk in chunks:
            out.write(chunk)
        if fail:
            msg = "stop"
            raise ValueError(msg)
        deadline = time.monotonic() + 10
        while not synced and time.monotonic() < deadline:  # the thread's first turn
            time.sleep(0.01)
        assert synced
    assert threading.active_count() == threads
    if fail:
        assert leftovers(tmp_path) == []
        return
    data = target.read_bytes()
    assert (gzip.decompress(data) if name.endswith(".gz") else data) == b"".join(chunks)


def test_new_output_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        with open_output(tmp_path / "out.txt") as out:
            out.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644


def test_compressed_outputs(tmp_path):
    for name in ("out.txt.gz", "again.txt.gz"):
        with open_output(tmp_path / name) as out:
            out.write("سطر\n".encode())
    assert gzip.decompress((tmp_path / "out.txt.gz").read_bytes()) == "سطر\n".encode()
    assert (tmp_path / "out.txt.gz").read_bytes() == (tmp_path / "again.txt.gz").read_bytes()
    pytest.importorskip("zstandard")
    with open_output(tmp_path / "out.jsonl.zst") as out:
        out.write(jsonl({"text": "x"}))
    assert [r.text for r in records([tmp_path / "out.jsonl.zst"])] == ["x"]


def test_output_errors(tmp_path):
    with pytest.raises(OutputError, match="is a directory"), open_output(tmp_path):
        pass
    with (
        pytest.raises(OutputError, match="cannot create a file in"),
        open_output(tmp_path / "missing" / "out.txt"),
    ):
        pass


def test_stdout_output(capfdbinary):
    with open_output("-") as out:
        out.write("نص\n".encode())
    assert capfdbinary.readouterr().out == "نص\n".encode()


def test_text_writer_keeps_endings_and_separates_files(tmp_path):
    a = write(tmp_path / "a.txt", b"one\r\ntwo")
    b = write(tmp_path / "b.txt", b"three\n\nfour")
    out = io.BytesIO()
    writer = RecordWriter(out, "text")
    for record in records([a, b]):
        writer.write(record, record.text.upper())
    assert out.getvalue() == b"ONE\r\nTWO\nTHREE\n\nFOUR"
    assert writer.count == 5


def test_jsonl_writer_round_trip(tmp_path):
    objs = [
        {"meta": {"b": 1, "a": [True, None, 1.5]}, "text": ARABIC, "id": "x"},
        {"text": "سلام", "zwnj": "می\u200cخواهم", "emoji": "\U0001f600"},
    ]
    path = write(tmp_path / "a.jsonl", jsonl(*objs))
    out = io.BytesIO()
    writer = RecordWriter(out, "jsonl")
    for record in records([path]):
        writer.write(record, record.text + "!")
    data = out.getvalue()
    assert "سلام!".encode() in data  # not \u-escaped
    back = [json.loads(line) for line in data.splitlines()]
    assert back == [{**o, "text": o["text"] + "!"} for o in objs]
    assert [list(o) for o in back] == [list(o) for o in objs]


def test_numbers_json_has_not_are_written_as_null(tmp_path):
    """1e400 reads as an infinity, a Parquet float may be NaN: JSON has no
    number for them, and strict parsers refuse the bare NaN / Infinity."""
    path = write(tmp_path / "a.jsonl", b'{"text": "x", "big": 1e400, "v": [NaN, -Infinity, 2.5]}\n')
    out = io.BytesIO()
    for record in records([path]):
        RecordWriter(out, "jsonl").write(record, "y")
    line = out.getvalue()
    assert line == b'{"text": "y", "big": null, "v": [null, null, 2.5]}\n'
    json.loads(line, parse_constant=lambda name: pytest.fail(f"bare {name}"))


def test_jsonl_writer_plain_records_and_surrogates():
    out = io.BytesIO()
    writer = RecordWriter(out, "jsonl", text_field="body")
    writer.write(Record(id="a.txt:1", text="x", ending="\n"))
    writer.write(Record(id="2", text="\ud800", fields={"body": "\ud800"}))
    assert out.getvalue() == b'{"id": "a.txt:1", "body": "x"}\n{"body": "\\ud800"}\n'
    assert json_line({"t": "\ud800"}).decode("ascii") == '{"t": "\\ud800"}\n'
    with pytest.raises(ValueError, match="'text' or 'jsonl'"):
        RecordWriter(out, "csv")  # type: ignore[arg-type]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)  # JSON's numbers
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(st.text(min_size=1), json_values, max_size=5),
    text=st.text(),
    position=st.integers(min_value=0, max_value=5),
)
def test_jsonl_round_trip_property(tmp_path_factory, fields, text, position):
    fields.pop("text", None)
    items = list(fields.items())
    items.insert(min(position, len(items)), ("text", text))
    obj = dict(items)
    path = tmp_path_factory.mktemp("rt") / "a.jsonl"
    with open_output(path) as out:
        RecordWriter(out, "jsonl").write(Record(id="1", text=text, fields=obj))
    (record,) = records([path])
    assert record.text == text
    assert list(record.fields.items()) == list(obj.items())


def naive_lines(data: bytes) -> list[tuple[int, str, str]]:
    """The obvious reference: split on b"\\n", peel "\\r", decode with replace."""
    pieces = data.split(b"\n")
    out = []
    for number, piece in enumerate(pieces, 1):
        last = number == len(pieces)
        if last and not piece:
            break
        ending = "" if last else "\n"
        if not last and piece.endswith(b"\r"):
            piece, ending = piece[:-1], "\r\n"
        out.append((number, piece.decode("utf-8", "replace"), ending))
    return out


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(
        st.lists(
            st.sampled_from([b"a", "س".encode(), b"\r", b"\xff", b"\xe2\x82", b" ", b"\n"]),
            max_size=12,
        ).map(b"".join),
        max_size=12,
    ).map(b"".join),
    slack=st.integers(min_value=0, max_value=3),
)
def test_line_reader_matches_naive_split(tmp_path_factory, lines, slack):
    # the smallest limit that accepts every line forces reads of a few bytes,
    # so lines and multi-byte characters cross block boundaries
    longest = max(len(p) for p in lines.split(b"\n"))
    limit = max(longest, 1) + slack
    path = tmp_path_factory.mktemp("lines") / "a.txt"
    path.write_bytes(lines)
    options = ReadOptions(errors="replace", max_record_bytes=limit)
    stats = ReadStats()
    got = [(r.line, r.text, r.ending) for r in read_records([path], options, stats=stats)]
    assert got == naive_lines(lines)
    assert stats.bytes_read == len(lines)
    escaped = lines.decode("utf-8", "surrogateescape")
    assert stats.replaced_bytes == sum("\udc80" <= c <= "\udcff" for c in escaped)
    if longest > 1:
        with pytest.raises(InputError, match="line longer than the limit"):
            records([path], max_record_bytes=longest - 1, errors="replace")


def test_jsonl_lines_across_small_blocks(tmp_path):
    objs = [{"text": "س" * i, "i": i} for i in range(30)]
    data = jsonl(*objs)
    path = write(tmp_path / "a.jsonl", data)
    longest = max(len(line) for line in data.split(b"\n"))
    got = records([path], max_record_bytes=longest)
    assert [r.fields for r in got] == objs
    assert [r.line for r in got] == list(range(1, 31))


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_copied_spans_are_the_bytes_the_records_write(tmp_path: Path, suffix: str) -> None:
    """Copying the spans of some records (merged where adjacent) writes the
    bytes that writing those records does; blank, BOM, CRLF, bad and
    unterminated lines, for a file read twice in a row."""
    lines = [
        '\ufeff{"text": "a", "id": 1}\n',
        "\n",
        f'  {{"text": "{ARABIC}"}}\r\n',
        "   \t\n",
        '{"text": 5}\n',
        "[1]\n",
        '{"text": "b", "x": {"y": [1, 2]}}\n',
        '{"text": "no newline"}',
    ]
    data = "".join(lines).encode("utf-8")
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    elif suffix.endswith(".zst"):
        data = pytest.importorskip("zstandard").ZstdCompressor().compress(data)
    path = write(tmp_path / f"a{suffix}", data)
    options = ReadOptions(skip_bad=True, keep_raw=True)
    inputs = resolve_inputs([path, path], options)
    for wanted in (set(), {0, 3}, {1, 2, 5}, set(range(12))):
        written, copied = io.BytesIO(), io.BytesIO()
        records = RecordWriter(written, "jsonl")
        lines_out = RecordWriter(copied, "jsonl")
        number = 0
        for spec in inputs:
            chosen = [
                r for r in read_inputs([spec], options) if (number := number + 1) - 1 in wanted
            ]
            records.write_many(chosen, [None] * len(chosen))
            spans = [r.span for r in chosen if r.span is not None]
            assert len(spans) == len(chosen)
            stats = ReadStats()
            copy_spans(spec, spans, lines_out.write_lines, stats=stats)
            lines_out.end_lines()
            assert stats.bytes_read == (spans[-1][1] if spans else 0)
        assert number == 12
        assert copied.getvalue() == written.getvalue()


def test_copying_spans_past_the_end_means_the_input_changed(tmp_path: Path) -> None:
    (spec,) = resolve_inputs([write(tmp_path / "a.jsonl", b'{"text": "a"}\n')])
    copy_spans(spec, [(0, 14)], [].append)
    with pytest.raises(InputError, match="changed"):
        copy_spans(spec, [(0, 14), (20, 30)], [].append)


@pytest.mark.parametrize("unread", [False, True])
@pytest.mark.parametrize("size", [1, 200, 1 << 20])
def test_blocks_parsed_elsewhere_give_the_records_of_read_inputs(tmp_path, size, unread):
    """read_blocks + JsonlBlock.parse (what clean's workers do) against
    read_inputs: same records, line numbers, bad records and counts, for
    blocks of one line, of a few lines and of the whole file, sent with
    their bytes or (``unread``) read again where they are parsed."""
    lines = [
        "\ufeff" + json.dumps({"id": "a", "text": ARABIC}),
        "",
        json.dumps({"id": "b", "text": "x\r\ny"}) + "\r",
        "{broken",
        json.dumps({"id": "c", "text": "نص"}),
    ]
    data = "\n".join(lines).encode() + b"\n" + b'{"id": "d", "text": "\xff"}'
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    text = tmp_path / "plain.txt"
    text.write_text("سطر\nآخر\n", encoding="utf-8")
    options = ReadOptions(skip_bad=True, errors="replace")  # ids: file:line
    inputs = resolve_inputs([source, text], options)
    expected_stats = ReadStats()
    expected = list(read_inputs(inputs, options, stats=expected_stats))
    stats, parsed = ReadStats(), ReadStats()
    got: list[Record] = []
    for item in read_blocks(inputs, options, stats=stats, size=size, unread=unread):
        if isinstance(item, JsonlBlock):
            assert (item.data is None) == unread
            got += pickle.loads(pickle.dumps(item)).parse(options, parsed)
        else:
            got += item
    assert [(r.id, r.text, r.line, r.error, r.raw) for r in got] == [
        (r.id, r.text, r.line, r.error, r.raw) for r in expected
    ]
    assert stats.bytes_read == expected_stats.bytes_read
    assert stats.records + parsed.records == expected_stats.records
    assert stats.bad + parsed.bad == expected_stats.bad == 1  # {broken
    assert stats.replaced_bytes + parsed.replaced_bytes == expected_stats.replaced_bytes == 1


def test_input_errors_pickle_with_their_fields():
    """A worker's error reaches the main process whole (file, line, offset)."""
    for error in (
        InputError("a.jsonl", 3, "malformed JSON"),
        RecordError("a.jsonl", None, "missing field"),
        DecodeError("a.jsonl", 7, "invalid UTF-8", 120),
        OutputError("out.jsonl", "disk full"),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error)
        assert str(back) == str(error)
        assert vars(back) == vars(error)


@pytest.mark.parametrize("form", ["text", "jsonl"])
def test_appended_fragments_equal_records_written_one_by_one(form):
    """RecordWriter.append of files other writers filled (a worker's share
    of the output) gives the bytes of writing every record here."""
    records = [
        Record(id="1", text="سطر", ending="\n"),
        Record(id="2", text="بلا نهاية", ending=""),  # no newline: the next starts one
        Record(id="3", text="x", ending="\r\n", fields={"id": "3", "text": "x", "n": 1}),
        Record(id="4", text="", ending="", error="bad", raw=b"{bad"),
        Record(id="5", text="آخر", ending=""),
    ]
    texts = ["سطر معدل", None, "y", None, "أخير"]
    whole = io.BytesIO()
    RecordWriter(whole, form).write_many(records, texts)
    out = io.BytesIO()
    writer = RecordWriter(out, form)
    formatting = RecordFormat(form)
    for part in ([0, 1], [], [2, 3], [4]):
        fragment = io.BytesIO()
        RecordWriter(fragment, form).write_many(
            [formatting(records[i], texts[i]) for i in part], [None] * len(part)
        )
        path = Path(tempfile.mkdtemp()) / "fragment"
        path.write_bytes(fragment.getvalue())
        writer.append(path, len(part))
    assert out.getvalue() == whole.getvalue()
    assert writer.count == len(records)


def test_unread_blocks_only_of_regular_uncompressed_files(tmp_path, monkeypatch):
    """``unread`` leaves the bytes of a plain file's blocks to the parser;
    a compressed file's blocks and standard input's still carry them."""
    line = json.dumps({"id": "a", "text": ARABIC}).encode() + b"\n"
    plain = tmp_path / "a.jsonl"
    plain.write_bytes(line * 3)
    packed = tmp_path / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(line * 3))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line * 3)))
    options = ReadOptions(format="jsonl")
    blocks = list(read_blocks(resolve_inputs([plain, packed, "-"], options), options, unread=True))
    assert [b.data is None for b in blocks] == [True, False, False]
    assert [len(b.parse(options, ReadStats())) for b in blocks] == [3, 3, 3]


@pytest.mark.parametrize("change", ["shorter", "replaced", "rewritten"])
def test_an_unread_block_of_a_file_that_changed_is_an_error(tmp_path, change):
    """A block read again from a file that has since changed (lost its
    bytes, another file of the same size renamed into its place, the same
    size written again) names the file and the block's first line."""
    source = tmp_path / "a.jsonl"
    source.write_bytes(b'{"text": "x"}\n' * 2)
    spec = resolve_inputs([source])[0]
    [block] = read_blocks([spec], unread=True)
    if change == "shorter":
        source.write_bytes(b'{"text": "x"}\n')
    elif change == "replaced":
        other = tmp_path / "b.jsonl"
        other.write_bytes(b'{"text": "y"}\n' * 2)
        other.replace(source)
    else:
        time.sleep(0.01)  # a later time stamp
        source.write_bytes(b'{"text": "y"}\n' * 2)
    with pytest.raises(InputError, match="changed while it was read") as caught:
        block.parse(ReadOptions(), ReadStats())
    assert (caught.value.line, caught.value.path) == (1, spec.name)


def test_a_file_reached_through_a_descriptor_sends_its_bytes(tmp_path):
    """/dev/fd/N names nothing in a worker that was not forked: such a
    file's blocks carry their bytes."""
    source = tmp_path / "a.jsonl"
    source.write_bytes(b'{"text": "x"}\n')
    with source.open("rb") as fh:
        source.unlink()  # only the descriptor reaches it now
        spec = resolve_inputs([f"/dev/fd/{fh.fileno()}"], ReadOptions(format="jsonl"))[0]
        [block] = read_blocks([spec], ReadOptions(format="jsonl"), unread=True)
    assert block.data == b'{"text": "x"}\n'
