"""Envelope bookkeeping while streaming: SE01/GE01/IEA01 checks and recounts.

The writer asks this tracker what each trailer should say. A trailer that was right in the input
is rewritten only when fixes changed the segment count; a trailer that was already wrong is the
X12003 finding, recounted only when that fix is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edi_scrub.model.claim import Loc
from edi_scrub.x12.lexer import Segment


@dataclass(frozen=True, slots=True)
class CountProblem:
    """A control count that was wrong in the input."""

    loc: Loc
    expected: int
    found: str
    what: str


@dataclass(slots=True)
class EnvelopeTracker:
    """Counts segments, transaction sets and groups as the output is written."""

    recount: bool
    problems: list[CountProblem] = field(default_factory=list)
    _st_in: int = 0
    _st_out: int = 0
    _st_in_group: int = 0
    _gs_in_isa: int = 0

    def trailer(self, seg: Segment, out_position: int) -> Segment:
        """``seg`` as it should be written at output position ``out_position`` (1-based)."""
        sid = seg.seg_id
        if sid == "ISA":
            self._gs_in_isa = 0
        elif sid == "GS":
            self._gs_in_isa += 1
            self._st_in_group = 0
        elif sid == "ST":
            self._st_in, self._st_out = seg.index, out_position
            self._st_in_group += 1
        elif sid == "SE":
            return self._check(
                seg, seg.index - self._st_in + 1, out_position - self._st_out + 1, "SE01"
            )
        elif sid == "GE":
            return self._check(seg, self._st_in_group, self._st_in_group, "GE01")
        elif sid == "IEA":
            return self._check(seg, self._gs_in_isa, self._gs_in_isa, "IEA01")
        return seg

    def _check(self, seg: Segment, expected_in: int, actual_out: int, ref: str) -> Segment:
        found = seg.element(1)
        if found != str(expected_in):
            self.problems.append(CountProblem(Loc(-1, seg.index, ref), expected_in, found, ref))
            if not self.recount:
                return seg
        if found == str(actual_out):
            return seg
        parts = seg.elements
        parts[1] = str(actual_out)
        return seg.with_text(seg.delimiters.element.join(parts))
