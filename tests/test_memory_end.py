"""What the end of a run holds (issue 9: flat memory at a million claims).

A 1,000,000-claim run peaked above 100 MB after its fix pass, not during it: the output check
built sets of every changed claim's edges (~160,000 ints each). These tests pin that the
per-issue answers that replaced them are the same as the sets gave, and that the compact list of
failing claims the report keeps reads back exactly what was put in.
"""

from __future__ import annotations

import pickle

import pytest

from edi_scrub._spans import SpanTable
from edi_scrub.report.model import ClaimRef, ClaimRefs
from edi_scrub.x12.partial import _at_changed_edge
from tests.test_span_blocks import _make


@pytest.mark.parametrize("block", [1, 3, 64, 4096])
def test_changed_edge_answers_like_the_sets_of_edges(block: int) -> None:
    spans = _make(400, seed=block + 9)
    table = SpanTable(block)
    for span in spans:
        table.add(span)
    # What ChangedClaims.result built before: every changed claim's first input position and
    # the position after its last.
    changed_first = {s.in_first for s in spans if s.changed}
    after_changed = {s.in_last + 1 for s in spans if s.changed}
    assert changed_first and after_changed
    for at in range(-1, spans[-1].in_last + 3):
        expected = at in changed_first or at in after_changed
        assert _at_changed_edge(at, table) is expected, at


def test_claim_refs_read_back_what_was_put_in() -> None:
    refs = (
        ClaimRef(0, "PCN1", 12),
        ClaimRef(7, "", 40),  # an empty CLM01
        ClaimRef(9, "ÄÖ\udcff\ud800x", 2**40),  # non-ASCII and lone surrogates
        ClaimRef(2**40, "PCN1", 99),  # a repeated CLM01
    )
    compact = ClaimRefs(refs)
    assert len(compact) == 4 and tuple(compact) == refs and list(compact) == list(refs)
    assert compact == refs and refs == compact and compact == list(refs)
    assert compact != refs[:3] and compact != "PCN1"
    assert [compact[i] for i in range(-4, 4)] == [*refs, *refs]
    assert compact[1:3] == refs[1:3] and compact[::-1] == refs[::-1]
    with pytest.raises(IndexError):
        compact[4]
    assert pickle.loads(pickle.dumps(compact)) == refs
    assert type(pickle.loads(pickle.dumps(compact))) is tuple
    assert ClaimRefs() == () and not ClaimRefs() and len(ClaimRefs()) == 0
    assert repr(ClaimRefs(refs[:1])) == f"ClaimRefs({refs[:1]!r})"
