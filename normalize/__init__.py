"""tanqiya: Arabic text normalization and corpus deduplication.

>>> from normalize import normalize
>>> normalize("السَّلَامُ عَلَيْكُمْ")
'السلام عليكم'

The names below are imported on first use, each from its own module, so a
program (or a ``tanqiya`` command) loads only the stages it calls.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from normalize.clean import CleanConfig, Cleaner, CleanResult, clean
    from normalize.dedup import DedupParams, DedupResult, DocumentDeduper, dedup_documents
    from normalize.lines import BoilerplateFilter, LineDedup, RemovedLine, dedup_lines
    from normalize.lsh import optimal_bands
    from normalize.minhash import MinHasher, to_lean_minhash
    from normalize.options import PROFILES, NormalizeOptions
    from normalize.report import ReportData, render_report, write_report
    from normalize.shingles import Shingles, shingle_hashes
    from normalize.text import Normalizer, normalize, strip_diacritics

__version__ = "0.1.0"

#: each public name -> the module that defines it
_HOMES: dict[str, str] = {
    **dict.fromkeys(["CleanConfig", "CleanResult", "Cleaner", "clean"], "clean"),
    **dict.fromkeys(["DedupParams", "DedupResult", "DocumentDeduper", "dedup_documents"], "dedup"),
    **dict.fromkeys(["BoilerplateFilter", "LineDedup", "RemovedLine", "dedup_lines"], "lines"),
    "optimal_bands": "lsh",
    **dict.fromkeys(["MinHasher", "to_lean_minhash"], "minhash"),
    **dict.fromkeys(["PROFILES", "NormalizeOptions"], "options"),
    **dict.fromkeys(["ReportData", "render_report", "write_report"], "report"),
    **dict.fromkeys(["Shingles", "shingle_hashes"], "shingles"),
    **dict.fromkeys(["Normalizer", "normalize", "strip_diacritics"], "text"),
}

__all__ = [
    "PROFILES",
    "BoilerplateFilter",
    "CleanConfig",
    "CleanResult",
    "Cleaner",
    "DedupParams",
    "DedupResult",
    "DocumentDeduper",
    "LineDedup",
    "MinHasher",
    "NormalizeOptions",
    "Normalizer",
    "RemovedLine",
    "ReportData",
    "Shingles",
    "__version__",
    "clean",
    "dedup_documents",
    "dedup_lines",
    "normalize",
    "optimal_bands",
    "render_report",
    "shingle_hashes",
    "strip_diacritics",
    "to_lean_minhash",
    "write_report",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


class _Package(types.ModuleType):
    """The package's own module type. Importing a submodule sets it as an
    attribute of the package; one whose name is also a public name (the
    module ``normalize.clean`` defines the function ``clean``) must not
    replace that name, which stays what ``from normalize import clean`` gives."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
