"""Which implementation runs, as ``TANQIYA_IMPLEMENTATION`` says.

``fast`` (the default) runs the C cores where they were built and numpy
elsewhere; ``numpy`` runs numpy even where they were; ``python`` runs the
slow reference normalization (:mod:`normalize._reference`), and numpy for the
shingle hashes and MinHash, which have no other reference.

>>> implementation() in IMPLEMENTATIONS
True
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType
from typing import Final

IMPLEMENTATIONS: Final = ("fast", "numpy", "python")


def implementation() -> str:
    """``TANQIYA_IMPLEMENTATION`` (``fast`` when unset or empty); ValueError
    naming it when it is something else."""
    impl = os.environ.get("TANQIYA_IMPLEMENTATION", "fast").strip().lower() or "fast"
    if impl not in IMPLEMENTATIONS:
        msg = (
            "TANQIYA_IMPLEMENTATION must be one of "
            f"{', '.join(map(repr, IMPLEMENTATIONS))}, not {impl!r}"
        )
        raise ValueError(msg)
    return impl


def hash_core() -> ModuleType | None:
    """:mod:`normalize._chash` (word shingle hashes and MinHash minimums in C)
    when it was built and ``TANQIYA_IMPLEMENTATION`` is ``fast``; else None,
    and numpy computes the same values."""
    return _built_hash_core() if implementation() == "fast" else None


@functools.cache
def _built_hash_core() -> ModuleType | None:
    try:
        return importlib.import_module("normalize._chash")
    except ImportError:  # built without a C compiler
        return None
