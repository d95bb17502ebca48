"""Hypothesis profiles: ``ci`` (the default) and ``stress`` for long local runs.

HYPOTHESIS_PROFILE=stress python -m pytest tests/test_text.py
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True)
settings.register_profile("stress", max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
