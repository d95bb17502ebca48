"""The package's public names, imported on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import normalize


@pytest.mark.parametrize("name", sorted(set(normalize.__all__) - {"__version__"}))
def test_each_public_name_comes_from_its_module(name: str) -> None:
    value = getattr(normalize, name)
    home = importlib.import_module(f"normalize.{normalize._HOMES[name]}")
    assert value is getattr(home, name)
    assert name in dir(normalize)


def test_public_names_are_listed_once() -> None:
    assert sorted(normalize.__all__) == sorted([*normalize._HOMES, "__version__"])
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = normalize.missing  # type: ignore[attr-defined]


def _fresh(program: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, check=True, text=True, timeout=60
    )
    return result.stdout.strip()


def test_the_clean_function_survives_importing_its_module() -> None:
    """``normalize.clean`` is both a module and the function it defines: the
    function wins, however the module was imported first."""
    program = (
        "import normalize.clean, normalize\n"
        "from normalize.clean import Cleaner\n"
        "from normalize import clean\n"
        "print(callable(normalize.clean), normalize.clean is clean, clean.__module__)\n"
    )
    assert _fresh(program) == "True True normalize.clean"


def test_a_command_loads_only_its_own_stages() -> None:
    program = (
        "import sys, normalize.cli\n"
        "print(sorted(m for m in ('normalize.clean', 'normalize.pipeline', 'normalize.report',"
        " 'normalize.lines', 'rapidfuzz') if m in sys.modules))\n"
    )
    assert _fresh(program) == "[]"


TEXT = "عاجل: خبر\nعاجل: خبر"
ONE_TEXT_CALLS = {
    "normalize_many": lambda t: normalize.Normalizer("search").normalize_many(t),
    "dedup_documents": lambda t: normalize.dedup_documents(t),
    "add": lambda t: normalize.DocumentDeduper().add(t),
    "add_keys": lambda t: normalize.DocumentDeduper().add_keys(t),
    "signatures": lambda t: normalize.MinHasher().signatures(t),
    "shingle_hashes": lambda t: normalize.shingle_hashes(t),
    "clean": lambda t: normalize.clean(t),
    "dedup_lines_many": lambda t: importlib.import_module("normalize.lines").dedup_lines_many(t),
    "line_keys": lambda t: importlib.import_module("normalize.lines").line_keys(t),
    "count": lambda t: normalize.BoilerplateFilter(min_docs=2).count(t),
    "filter_many": lambda t: normalize.BoilerplateFilter(min_docs=2).filter_many(t),
}


@pytest.mark.parametrize("call", sorted(ONE_TEXT_CALLS))
@pytest.mark.parametrize("one", [TEXT, TEXT.encode()])
def test_one_text_where_texts_are_expected_is_a_type_error(call: str, one: object) -> None:
    """A str is iterable: taken as texts, each character would be a document."""
    with pytest.raises(TypeError, match=rf"^{call}\(\) takes an iterable of str, not a"):
        ONE_TEXT_CALLS[call](one)


def test_wrong_argument_types_are_named() -> None:
    with pytest.raises(TypeError, match="strip_diacritics\\(\\) takes a str, not bytes"):
        normalize.strip_diacritics(b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a profile is a name or NormalizeOptions, not dict"):
        normalize.normalize("x", {"harakat": True})  # type: ignore[arg-type]
    lines = importlib.import_module("normalize.lines")
    with pytest.raises(TypeError, match="not dict"):
        lines.dedup_lines("a", profile={})
    with pytest.raises(TypeError, match=r"count\(\) takes documents as str, not list"):
        normalize.BoilerplateFilter(min_docs=2).count([["menu line", "x"]])  # type: ignore[list-item]
