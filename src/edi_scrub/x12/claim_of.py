"""Which claim a structural issue belongs to.

An issue names the segment where the validator noticed it. For most issues that segment is the
defect. A *missing* mandatory segment or loop (IK304 = 3) is noticed only at the segment that
arrives instead of it: a claim with no service line (loop 2400, at least one required) is
reported at whatever follows its CLM, the next claim's CLM, the next HL or the SE. Filed by
that position, the issue named the next claim (which ``--rejects`` then moved, sending the
broken claim on) or no claim at all (so the broken claim was never rejected).

A missing item belongs to what came before the segment that reported it: the claim holding the
previous segment, when one does. Nothing of a claim comes before its own CLM, so a missing
issue reported at a claim's CLM is the previous claim's when that claim ends just before it,
else (the 2000B/2010 context above the CLM was incomplete) the reporting claim's, as before.
"""

from __future__ import annotations

from typing import Protocol

from edi_scrub.x12._issues import StructuralIssue, StructuralLevel


class _Spans(Protocol):
    def find(self, segment: int, output: bool) -> int | None: ...


def is_missing(issue: StructuralIssue) -> bool:
    """Whether ``issue`` reports a mandatory segment or loop that is not there (IK304 = 3)."""
    return issue.level is StructuralLevel.SEGMENT and issue.code == "3"


def claim_of(issue: StructuralIssue, spans: _Spans, output: bool = False) -> int | None:
    """Index in ``spans`` of the claim ``issue`` belongs to, or ``None`` (outside any claim)."""
    if is_missing(issue) and issue.segment > 1:
        before = spans.find(issue.segment - 1, output)
        if before is not None:
            return before
    return spans.find(issue.segment, output)
