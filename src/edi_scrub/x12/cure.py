"""Which of the input's structural (X12001) issues the fixes cured, judged on the output.

A fix can remove the cause of a TR3 finding: X12003 rewrites a wrong SE01, a JW split renumbers
LX. Such a finding is reported as fixed (status applied) and does not fail the run -- but only
when the *output's* validation proves it gone. An input issue is cured when the output has no
issue of the same kind (code, level, segment id, element) at the same place:

* inside a claim the fixes left alone, at the same offset from the claim's first segment;
* inside a changed claim (segments may have been added), anywhere in that claim's output span;
* outside claims (envelope, headers), at the input position shifted by the segments the
  changed claims before it gained.

An output that could not be validated cures nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol

from edi_scrub.x12._issues import StructuralIssue, StructuralResult


class Spans(Protocol):
    """Claims' segment ranges in the input and the output (``_spans.SpanTable``)."""

    @property
    def in_first(self) -> Sequence[int]: ...

    @property
    def in_last(self) -> Sequence[int]: ...

    @property
    def out_first(self) -> Sequence[int]: ...

    @property
    def out_last(self) -> Sequence[int]: ...

    def find(self, segment: int, output: bool) -> int | None: ...

    def changed(self, i: int) -> bool: ...

    def __len__(self) -> int: ...


def _kind(issue: StructuralIssue) -> tuple[str, str, str, str]:
    return (issue.code, issue.level.value, issue.segment_id, issue.element)


def cured(before: StructuralResult, after: StructuralResult | None, spans: Spans) -> frozenset[int]:
    """Indices into ``before.issues`` of the issues the output no longer has."""
    if after is None or not after.validated or not before.validated:
        return frozenset()
    at: set[tuple[int, tuple[str, str, str, str]]] = {(i.segment, _kind(i)) for i in after.issues}
    positions = sorted((o.segment, n) for n, o in enumerate(after.issues))
    keys = [p for p, _ in positions]

    def present_in(i: int, kind: tuple[str, str, str, str]) -> bool:
        lo = bisect.bisect_left(keys, spans.out_first[i])
        hi = bisect.bisect_right(keys, spans.out_last[i])
        return any(_kind(after.issues[n]) == kind for _, n in positions[lo:hi])

    in_first = spans.in_first
    found: set[int] = set()
    for n, issue in enumerate(before.issues):
        kind = _kind(issue)
        if issue.segment <= 0:
            if (issue.segment, kind) not in at:
                found.add(n)
            continue
        c = spans.find(issue.segment, output=False)
        if c is not None:
            if spans.changed(c):
                if not present_in(c, kind):
                    found.add(n)
            elif (spans.out_first[c] + issue.segment - in_first[c], kind) not in at:
                found.add(n)
            continue
        i = bisect.bisect_right(in_first, issue.segment) - 1
        shift = spans.out_last[i] - spans.in_last[i] if i >= 0 else 0
        if (issue.segment + shift, kind) not in at:
            found.add(n)
    return frozenset(found)
