"""``tanqiya normalize`` end to end, through a subprocess as a user runs it."""

from __future__ import annotations

import gzip
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from normalize.cli import _only_the_command, app

ARABIC = "السَّلَامُ عَلَيْكُمْ"
NORMALIZED = "السلام عليكم"  # the search profile


def run(*args: object, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "normalize.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert b"Traceback" not in result.stderr, result.stderr.decode()
    return result


def error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The one stderr line of a failed run."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def jsonl(*objs: object) -> bytes:
    return b"".join(json.dumps(o, ensure_ascii=False).encode() + b"\n" for o in objs)


def test_text_file_to_stdout_keeps_line_endings(tmp_path):
    path = write(tmp_path / "page.txt", f"{ARABIC}\r\n\nمُحَمَّد".encode())
    result = run("normalize", path)
    assert result.returncode == 0
    assert result.stdout == f"{NORMALIZED}\r\n\nمحمد".encode()
    assert "normalize: 3 lines in, 3 out" in result.stderr.decode()
    assert "profile search" in result.stderr.decode()


def test_stdin_to_stdout_with_dash_profile_and_quiet():
    data = "ﻷ\u200cحمد\u0640\u0640 ١٢\n".encode()
    result = run("normalize", "-p", "light", "-", stdin=data)
    assert result.stdout == "لأحمد ١٢\n".encode()
    quiet = run("normalize", "--profile", "search", "--quiet", stdin=data)
    assert (quiet.stdout, quiet.stderr, quiet.returncode) == ("لاحمد 12\n".encode(), b"", 0)


def test_jsonl_normalizes_one_field_and_keeps_the_rest(tmp_path):
    rows = [
        {"id": 7, "body": ARABIC, "title": ARABIC, "meta": {"z": 1, "a": [None, 1.5]}},
        {"body": "إسلام", "title": "x"},
    ]
    path = write(tmp_path / "news.jsonl", jsonl(*rows))
    result = run("normalize", path, "--text-field", "body")
    assert result.returncode == 0, result.stderr
    assert NORMALIZED.encode() in result.stdout  # written as UTF-8, not \u escapes
    back = [json.loads(line) for line in result.stdout.splitlines()]
    assert back == [{**rows[0], "body": NORMALIZED}, {**rows[1], "body": "اسلام"}]
    assert [list(o) for o in back] == [list(o) for o in rows]
    assert "2 records in, 2 out" in result.stderr.decode()


@pytest.mark.parametrize("lead", [b"", b"\n \t\n", b"\xef\xbb\xbf"])
def test_jsonl_on_stdin_is_told_by_its_first_character(lead):
    """Standard input has no extension: JSONL when it starts with ``{``
    (after whitespace or a byte order mark), else text; --format decides
    when given."""
    data = lead + jsonl({"text": ARABIC})
    for args in ([], ["--format", "jsonl"]):
        result = run("normalize", *args, "-q", "-", stdin=data)
        assert json.loads(result.stdout) == {"text": NORMALIZED}
    as_text = run("normalize", "--format", "text", "-p", "light", "-q", "-", stdin=data)
    assert as_text.stdout.strip().endswith(b"}")  # the JSON line, as text
    plain = f"{ARABIC}\n{{not json}}\n".encode()
    assert run("normalize", "-q", "-", stdin=plain).stdout.splitlines()[0] == NORMALIZED.encode()


def test_stdin_is_told_by_its_first_character_however_late_it_comes(tmp_path):
    """Blank lines or a BOM first, written apart from the rest: the format
    is told by the first other character, whenever it comes; the bytes read
    to tell are read again."""
    script = (
        "import sys, time; out = sys.stdout.buffer;"
        " out.write(b'\\xef'); out.flush(); time.sleep(0.3);"
        " out.write(b'\\xbb\\xbf' + b' ' * 5000 + b'\\n\\n'); out.flush(); time.sleep(0.3);"
        f" out.write({jsonl({'text': ARABIC})!r}); out.flush()"
    )
    producer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    result = subprocess.run(
        [sys.executable, "-m", "normalize.cli", "normalize", "-q", "-"],
        stdin=producer.stdout,
        capture_output=True,
        timeout=60,
        check=False,
    )
    producer.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"text": NORMALIZED}
    late = run("lines", "-q", "-", stdin=b"\n\n" + jsonl({"text": "a"}))
    assert late.stdout == b'{"text": "a"}\n'  # the blank lines before are not records


def test_stdin_guessed_as_jsonl_says_so_and_a_closed_stdin_is_named():
    assert error_line(run("normalize", "-", stdin=b"{1, 2}\n")) == (
        "tanqiya: error: <stdin>:1: malformed JSON: Expecting property name enclosed in double"
        " quotes (column 2) (read as JSONL as it starts with {; --format text reads it as text);"
        " use --skip-bad to pass malformed records through unchanged"
    )
    news = "[فيديو] عاجل: خبر\n".encode()  # a bracket is not JSON's business
    assert run("normalize", "-q", "-", stdin=news).stdout == "[فيديو] عاجل: خبر\n".encode()
    closed = subprocess.run(
        [sys.executable, "-m", "normalize.cli", "dedup", "-q"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.close(0),
    )
    assert closed.returncode == 2
    assert closed.stderr == b"tanqiya: error: <stdin>: standard input is closed; give the files\n"


def test_output_file_is_written_atomically(tmp_path):
    src = write(tmp_path / "in.txt", f"{ARABIC}\n".encode())
    out = write(tmp_path / "out.txt", b"old\n")
    result = run("normalize", src, "-o", out)
    assert result.returncode == 0
    assert result.stdout == b""
    assert out.read_bytes() == f"{NORMALIZED}\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]


def test_outputs_that_are_not_files_are_written_in_place(tmp_path):
    """A rename would replace a device, a FIFO or a symbolic link: the
    output goes into it (a link's target is replaced, the link stays)."""
    src = write(tmp_path / "in.txt", f"{ARABIC}\n".encode())
    expected = f"{NORMALIZED}\n".encode()
    assert run("normalize", src, "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)
    target = write(tmp_path / "target.txt", b"old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    assert run("normalize", src, "-o", link).returncode == 0
    assert link.is_symlink()
    assert target.read_bytes() == expected
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert run("normalize", src, "-o", fifo).returncode == 0
    reader.join(timeout=60)
    assert got == [expected]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fifo",
        "in.txt",
        "link.txt",
        "target.txt",
    ]


def test_gzip_input_and_output(tmp_path):
    src = write(tmp_path / "in.jsonl.gz", gzip.compress(jsonl({"text": ARABIC, "n": 1})))
    result = run("normalize", src, "-o", tmp_path / "out.jsonl.gz")
    assert result.returncode == 0, result.stderr
    out = gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes())
    assert json.loads(out) == {"text": NORMALIZED, "n": 1}


def test_parquet_input_becomes_jsonl(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist([{"text": ARABIC, "k": 1}]), path)
    result = run("normalize", path, "-q")
    assert json.loads(result.stdout) == {"text": NORMALIZED, "k": 1}


def test_invalid_utf8_is_one_line_error_and_no_output_file(tmp_path):
    src = write(tmp_path / "bad.txt", b"ok\nab\xffcd\n")
    out = tmp_path / "out.txt"
    line = error_line(run("normalize", src, "-o", out))
    assert line.startswith(f"tanqiya: error: {src}:2: invalid UTF-8: byte 0xFF at byte offset 5")
    assert "--errors replace" in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


def test_errors_replace_continues_and_reports_bytes(tmp_path):
    src = write(tmp_path / "bad.txt", b"a\xff\xfeb\nok\n")
    result = run("normalize", src, "--errors", "replace")
    assert result.returncode == 0
    assert result.stdout == "a\ufffd\ufffdb\nok\n".encode()
    assert "2 invalid bytes replaced" in result.stderr.decode()


def test_malformed_jsonl_and_missing_field_name_file_and_line(tmp_path):
    src = write(tmp_path / "a.jsonl", jsonl({"text": "x"}) + b'{"text": \n')
    assert error_line(run("normalize", src)) == (
        f"tanqiya: error: {src}:2: malformed JSON: Expecting value (column 10);"
        " use --skip-bad to pass malformed records through unchanged"
    )
    src = write(tmp_path / "b.jsonl", jsonl({"text": "x"}, {"text": "y"}, {"body": "z"}))
    assert error_line(run("normalize", src)) == (
        f"tanqiya: error: {src}:3: no text field 'text' (the record's fields: 'body');"
        " name the field with --text-field, or use --skip-bad to pass malformed records"
        " through unchanged"
    )
    many = {"text": "y", **{f"k{i}": i for i in range(9)}}
    src = write(tmp_path / "c.jsonl", jsonl({"id": "a", "text": "x"}, many))
    assert error_line(run("dedup", src, "--id-field", "id")) == (
        f"tanqiya: error: {src}:2: no id field 'id' (the record's fields: 'text', 'k0', 'k1',"
        " 'k2', 'k3', 'k4', 'k5', 'k6' and 2 more); name the field with --id-field, or use"
        " --skip-bad to pass malformed records through unchanged"
    )


def test_skip_bad_passes_malformed_records_through(tmp_path):
    bad = b'{"text": oops}\n'
    src = write(tmp_path / "a.jsonl", jsonl({"text": ARABIC}) + bad + b'{"text": 1}\n')
    result = run("normalize", src, "--skip-bad")
    assert result.returncode == 0
    assert result.stdout == jsonl({"text": NORMALIZED}) + bad + b'{"text": 1}\n'
    assert "3 records in, 3 out (2 bad passed through unchanged" in result.stderr.decode()


def test_empty_input_gives_empty_output(tmp_path):
    result = run("normalize", "-")
    assert (result.returncode, result.stdout) == (0, b"")
    assert result.stderr.decode().splitlines()[0] == "tanqiya: warning: <stdin> is empty"
    assert "0 lines in, 0 out" in result.stderr.decode()
    src = write(tmp_path / "empty.jsonl", b"")
    quiet = run("normalize", src, "-o", tmp_path / "out.jsonl", "-q")
    assert quiet.returncode == 0
    assert quiet.stderr.decode() == f"tanqiya: warning: {src} is empty\n"  # even with -q
    assert (tmp_path / "out.jsonl").read_bytes() == b""


def test_directory_missing_file_and_bad_options(tmp_path):
    assert error_line(run("normalize", tmp_path)) == (
        f"tanqiya: error: {tmp_path}: is a directory; give the files in it"
    )
    missing = tmp_path / "nope.txt"
    assert error_line(run("normalize", missing)) == f"tanqiya: error: {missing}: no such file"
    assert "unknown profile 'arabic'; valid profiles:" in error_line(
        run("normalize", "-p", "arabic")
    )
    assert "is a directory" in error_line(run("normalize", "-o", tmp_path))
    usage = run("normalize", "--errors", "ignore")
    assert usage.returncode == 2
    assert b"Invalid value" in usage.stderr


def test_help_and_version():
    app_help = run("--help")
    assert app_help.returncode == 0
    assert b"Examples:" in app_help.stdout
    assert b"normalize" in app_help.stdout
    command_help = run("normalize", "--help").stdout.decode()
    assert "tanqiya normalize page.txt" in command_help
    assert "--text-field" in command_help
    assert run("--version").stdout.decode().startswith("tanqiya ")


@pytest.mark.parametrize("args", [["--help"], ["--threshold", "7"], ["--bogus"]])
@pytest.mark.parametrize("command", ["normalize", "lines", "dedup", "clean"])
def test_a_command_alone_parses_as_in_the_whole_app(command: str, args: list[str]) -> None:
    """The console script builds only the command it runs: same help, same errors."""
    argv = [command, *args]
    alone = CliRunner().invoke(_only_the_command(argv), argv, prog_name="tanqiya")
    whole = CliRunner().invoke(app, argv, prog_name="tanqiya")
    assert _only_the_command(argv) is not app
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)
    assert _only_the_command(["--help"]) is app
    assert _only_the_command(["nosuch"]) is app


def test_the_console_script_exits_quickly_but_completely():
    """The console script ends the process with ``os._exit``: the exit
    handlers must still run, buffered output still come out, and exit codes
    stay. It runs with one OpenBLAS thread unless told otherwise."""
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '\ntanqiya = "normalize.__main__:main"\n' in pyproject
    program = (
        "import atexit, os, sys\n"
        "from normalize.__main__ import main\n"
        "atexit.register(lambda: print('handler ran', os.environ['OPENBLAS_NUM_THREADS'],"
        " file=sys.stderr))\n"
        "sys.stdout.write('buffered, not flushed')\n"
        "sys.argv = ['tanqiya', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    for args, code, threads in (
        (["--version"], 0, None),
        (["normalize", "--errors", "ignore"], 2, None),
        (["--version"], 0, "3"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", program, *args],
            capture_output=True,
            check=False,
            timeout=60,
            env=env if threads is None else {**env, "OPENBLAS_NUM_THREADS": threads},
        )
        assert result.returncode == code, result.stderr
        assert result.stdout.startswith(b"buffered, not flushed")
        assert result.stderr.endswith(f"handler ran {threads or 1}\n".encode())
    normalized = subprocess.run(
        [sys.executable, "-c", program, "normalize", "-"],
        input=f"{ARABIC}\n".encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    expected = run("normalize", "-", stdin=f"{ARABIC}\n".encode()).stdout
    assert normalized.stdout == b"buffered, not flushed" + expected


def test_ctrl_c_exits_130_and_leaves_no_file(tmp_path):
    out = tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalize.cli", "normalize", "-", "-o", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(f"{ARABIC}\n".encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 30
        while not any(tmp_path.iterdir()):  # the temporary output: the run has started
            assert time.monotonic() < deadline
            assert proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert stderr.decode() == f"tanqiya: interrupted; {out} was not written\n"
    assert list(tmp_path.iterdir()) == []


def test_closed_stdout_pipe_is_quiet(tmp_path):
    src = write(tmp_path / "big.txt", f"{ARABIC}\n".encode() * 50_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "normalize.cli", "normalize", str(src)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == f"{NORMALIZED}\n".encode()
    proc.stdout.close()
    stderr = proc.stderr.read() if proc.stderr else b""
    assert proc.wait(timeout=60) == 141
    assert stderr == b""


@pytest.mark.skipif(
    not os.access(Path(sys.executable).with_name("tanqiya"), os.X_OK),
    reason="the tanqiya script is not installed next to this Python",
)
def test_console_script():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("tanqiya")), "normalize", "-q"],
        input=f"{ARABIC}\n".encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, f"{NORMALIZED}\n".encode())


@pytest.mark.parametrize("command", ["normalize", "lines", "dedup", "clean"])
def test_a_parquet_output_name_is_refused(tmp_path, command):
    """Records are written as JSONL: a .parquet name would hold JSONL."""
    src = write(tmp_path / "a.jsonl", jsonl({"text": ARABIC}))
    out = tmp_path / "out.parquet"
    assert error_line(run(command, src, "-o", out)) == (
        f"tanqiya: error: -o {out}: tanqiya does not write Parquet;"
        " records go out as JSONL (.jsonl)"
    )
    assert not out.exists()
