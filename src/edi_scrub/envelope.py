"""Envelope bookkeeping while streaming: SE01/GE01/IEA01 checks and recounts.

The writer asks this tracker what each trailer should say. A trailer that was right in the input
is rewritten only when fixes changed the segment count; a trailer that was already wrong is the
X12003 finding, recounted only when that fix is allowed. A trailer that never comes (a file cut
short: an ST with no SE, a GS with no GE, an ISA with no IEA) is recorded in ``missing``; pyx12
reports those too, so the pipeline makes findings of them only when it skips pyx12
(``--no-structure``), where a truncated file would otherwise pass as clean.
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


@dataclass(frozen=True, slots=True)
class MissingTrailer:
    """An envelope opened (ISA, GS, ST at ``loc``) and never closed by its trailer."""

    loc: Loc
    opener: str
    trailer: str


_TRAILERS = {"ISA": "IEA", "GS": "GE", "ST": "SE"}


@dataclass(slots=True)
class EnvelopeTracker:
    """Counts segments, transaction sets and groups as the output is written."""

    recount: bool
    problems: list[CountProblem] = field(default_factory=list)
    missing: list[MissingTrailer] = field(default_factory=list)
    #: The ISA, GS and ST segments (input positions) still waiting for their trailer.
    _open: dict[str, int] = field(default_factory=dict)
    _st_in: int = 0
    _st_out: int = 0
    _st_in_group: int = 0
    _gs_in_isa: int = 0

    def trailer(self, seg: Segment, out_position: int) -> Segment:
        """``seg`` as it should be written at output position ``out_position`` (1-based)."""
        sid = seg.seg_id
        self._nest(seg)
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

    def close(self) -> None:
        """The input ended: every envelope still open lost its trailer."""
        self._close_down_to("ISA")

    def _nest(self, seg: Segment) -> None:
        sid = seg.seg_id
        if sid in _TRAILERS:
            # Whatever is still open at this level or below lost its trailer (an ST after an ST
            # with no SE between them).
            self._close_down_to(sid)
            self._open[sid] = seg.index
        elif sid in ("IEA", "GE", "SE"):
            opener = next(o for o, t in _TRAILERS.items() if t == sid)
            # Closing a level also closes what is left open inside it (a GE after an ST with
            # no SE); a trailer with no opener is left to the count checks and pyx12.
            if opener in self._open:
                self._close_down_to(opener, inner_only=True)
                del self._open[opener]

    def _close_down_to(self, level: str, inner_only: bool = False) -> None:
        levels = ("ST", "GS", "ISA")
        for opener in levels[: levels.index(level) + (0 if inner_only else 1)]:
            index = self._open.pop(opener, None)
            if index is not None:
                loc = Loc(-1, index, _TRAILERS[opener])
                self.missing.append(MissingTrailer(loc, opener, _TRAILERS[opener]))

    def _check(self, seg: Segment, expected_in: int, actual_out: int, ref: str) -> Segment:
        found = seg.element(1)
        if found != str(expected_in):
            self.problems.append(CountProblem(Loc(-1, seg.index, ref), expected_in, found, ref))
            if not self.recount:
                return seg
        if found == str(actual_out):
            return seg
        # A trailer with no element 01 at all ("GE~", or one whose delimiter was damaged) gets
        # one: indexing blindly was an IndexError (exit 3) the fuzzer found.
        parts = [*seg.elements, ""][: max(2, len(seg.elements))]
        parts[1] = str(actual_out)
        return seg.with_text(seg.delimiters.element.join(parts))
