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
