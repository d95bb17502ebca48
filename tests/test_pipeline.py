"""The cleaning pass over files: the spills between passes change nothing."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.audit import AuditWriter
from normalize.clean import CleanConfig, clean
from normalize.io import InputError, ReadOptions, Record, resolve_inputs
from normalize.pipeline import _dump, _load, expand_directories, run_clean

MENU = "الرئيسية | أخبار | رياضة | اقتصاد | اتصل بنا"
FOOTER = "جميع الحقوق محفوظة للموقع الإخباري"


@given(
    st.lists(
        st.text(st.characters(exclude_categories=[]))  # surrogate code points included
        | st.sampled_from(["", "\x00", "نص عربي\n", "\ud83d\ude00", "\ud800", "\U0001f600"])
    )
)
def test_batch_files_give_back_their_rows_and_texts(texts: list[str]) -> None:
    """Texts go as UTF-16 (UTF-32 when one holds a surrogate code point): a
    pair of surrogate code points stays two, never one astral character."""
    rows = [(len(t), [(1, "x", "\n", None, 100.0, "line-corpus")]) for t in texts]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch"
        _dump(path, rows, texts)
        assert _load(path) == (rows, texts)
        _dump(path, rows)
        assert _load(path) == (rows, [])


def _docs() -> list[str]:
    docs = []
    for i in range(12):
        body = f"خبر رقم {i % 5} عن موضوع مختلف تماما عن غيره في هذا اليوم {'ب' * (i % 5)}"
        docs.append(f"{MENU}\n{body}\n{body}\n\n{FOOTER}\n" if i % 2 else f"{MENU}\r\n{body}")
    docs.append(f"{MENU}\n{FOOTER}")  # every line is boilerplate
    docs.append("")
    return docs


@pytest.mark.parametrize(
    "config",
    [
        CleanConfig(boilerplate_min_docs=3, threshold=0.7),
        CleanConfig(boilerplate_min_docs=3, threshold=0.7, keep="longest"),
        CleanConfig(boilerplate_min_docs=3, threshold=0.7, key_profile="search"),
        CleanConfig(boilerplate_min_docs=3, lines="off", documents=False),
        CleanConfig(threshold=0.7),
    ],
)
def test_run_clean_writes_what_clean_keeps(tmp_path, config: CleanConfig) -> None:
    docs = _docs()
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": d}) + "\n" for d in docs), "utf-8")
    options = ReadOptions(text_unit="file")
    written: list[str | None] = []

    def write(record: Record, text: str | None) -> None:
        written.append(text)

    def progress(stage: str, total: int | None):
        return lambda done: None

    expected = clean(docs, config)
    for workers in (1, 2):
        written.clear()
        auditor = AuditWriter(io.BytesIO())
        run = run_clean(
            resolve_inputs([source], options),
            options,
            dataclasses.replace(config, workers=workers),
            write,
            auditor,
            progress,
        )
        assert written == expected.texts
        assert run.tally == expected.tally
        assert run.result == expected.documents
        removed = sum(map(len, expected.lines_removed)) + len(expected.documents.duplicate_of)
        assert auditor.count == removed


def test_a_folder_that_cannot_be_read_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """Not a silent gap in the corpus (root reads any folder: the denial is
    simulated where os.walk lists it)."""
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.jsonl").write_text('{"text": "y"}\n')
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.jsonl").write_text('{"text": "z"}\n')
    assert expand_directories([str(tmp_path)]) == [str(tmp_path / "a.jsonl"), str(sub / "b.jsonl")]
    listing = os.scandir

    def scandir(path: str) -> object:
        if os.fspath(path) == str(sub):
            raise PermissionError(13, "Permission denied", str(sub))
        return listing(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError, match="sub: cannot read the folder: Permission denied"):
        expand_directories([str(tmp_path)])
