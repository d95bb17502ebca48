"""The audit writer: the batch form writes the same bytes as one call per line."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from normalize.audit import AuditWriter
from normalize.lines import RemovedLine

_removed = st.builds(
    RemovedLine,
    line=st.integers(1, 10**6),
    text=st.text(st.characters(blacklist_categories=("Cs",)) | st.just("\ud800"), max_size=20),
    ending=st.sampled_from(["\n", "\r\n", ""]),
    duplicate_of=st.none() | st.integers(1, 10**6),
    score=st.floats(0, 100) | st.sampled_from([100.0, 93.75, 1 / 3]),
    reason=st.sampled_from(["line-adjacent", "line-document", "line-corpus"]),
)


@given(st.text(max_size=10), st.lists(_removed, max_size=5))
def test_lines_equals_one_line_at_a_time(doc_id: str, removed: list[RemovedLine]) -> None:
    batch, single = io.BytesIO(), io.BytesIO()
    fast, slow = AuditWriter(batch), AuditWriter(single)
    fast.lines(doc_id, removed)
    for r in removed:
        slow.line(
            doc_id,
            line=r.line,
            reason=r.reason,
            text=r.text,
            duplicate_of=r.duplicate_of,
            similarity=r.score / 100,
        )
    fast.flush()
    slow.flush()
    assert batch.getvalue() == single.getvalue()
    assert (fast.count, fast.reasons) == (slow.count, slow.reasons)
