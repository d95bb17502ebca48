"""tanqiya: Arabic text normalization and corpus deduplication.

>>> from normalize import normalize
>>> normalize("السَّلَامُ عَلَيْكُمْ")
'السلام عليكم'
"""

from normalize.options import PROFILES, NormalizeOptions
from normalize.text import Normalizer, normalize, strip_diacritics

__version__ = "0.1.0"

__all__ = [
    "PROFILES",
    "NormalizeOptions",
    "Normalizer",
    "__version__",
    "normalize",
    "strip_diacritics",
]
