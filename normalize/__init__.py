"""tanqiya: Arabic text normalization and corpus deduplication.

>>> from normalize import normalize
>>> normalize("السَّلَامُ عَلَيْكُمْ")
'السلام عليكم'
"""

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
