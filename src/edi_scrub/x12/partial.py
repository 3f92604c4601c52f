"""Validate only what the fixes changed: the output's changed claims in a stand-in interchange.

After the fix pass the pipeline needs two things from the output's TR3 validation: the issues
inside each *changed* claim (a claim whose structure got worse is reverted) and whether each
input issue is still there (:mod:`.cure`). Every segment outside a changed claim is written as
it was read (the envelope trailers aside, see below), so walking the whole output again mostly
repeats the input's validation.

:class:`ChangedClaims` watches the output as the fix pass writes it and keeps, for each changed
claim, the scaffolding it stands in: the interchange and group headers, its transaction set's
header (ST, BHT, loops 1000A/1000B) and its HL parent chain (each HL with the segments of its
loop up to the next HL or claim). It builds a *stand-in interchange*: the output with the
unchanged claims and the HL loops that lead to no changed claim left out, HL01/HL02 renumbered
so that the stand-in's hierarchy is consistent, ST02/SE02 made unique, trailers recounted. A
run of adjacent changed claims stays adjacent, so the stand-in is a faithful cut of the output.
It is validated in batches with :func:`.validate.validate_segments`, and every issue on a
claim segment is mapped back to that segment's output position. Issues on the scaffolding are
dropped: the input's validation judged those segments and they are unchanged.

**Exactness.** The validator's state when a claim's CLM opens loop 2300 does not depend on the
claims before it, except for what the walker reports *at* a claim's first segment and at the
segment after it (a required segment missing from the loops being closed is reported at the
next segment found). Those are the only places a cut can differ from the full walk, so the
result is trusted only when none of them carries an issue, neither in the stand-in (a changed
claim's CLM, the stand-in segment after a changed claim) nor in the input (a changed claim's
first segment, the segment after it), when no input issue sits on an envelope trailer whose
count or text the output changed, and when every stand-in batch was validated. Otherwise
:meth:`ChangedClaims.result` returns ``None`` and the caller walks the whole output, as before.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence
from typing import Final

from edi_scrub.x12._issues import StructuralIssue, StructuralLevel, StructuralResult
from edi_scrub.x12._normalise import ENVELOPE_PREFIXES, Plain
from edi_scrub.x12.cure import Spans
from edi_scrub.x12.lexer import Segment

#: Stand-in segments validated per call: bounds memory; each call costs one validator set-up.
_BATCH: Final = 5_000

Validate = Callable[[Sequence[Segment | Plain]], StructuralResult]

#: Segments outside claims that :meth:`ChangedClaims.outside` does more with than keep.
_SCAFFOLD_IDS: Final = frozenset({"HL", "ISA", "GS", "ST", "SE", "GE", "IEA"})


@dataclasses.dataclass(slots=True)
class _HlBlock:
    """One HL segment and the segments of its loop up to the next HL or claim."""

    hl01: str
    segments: list[Segment]


class ChangedClaims:
    """Collects the changed claims of one fix pass and validates them in stand-in interchanges.

    Feed it every written segment in output order: :meth:`outside` for a segment outside
    claims, :meth:`claim` for a whole claim; then :meth:`close` and :meth:`result`.
    """

    def __init__(self, validate: Validate) -> None:
        self._validate = validate
        # -- the output as written: the scaffolding of the claim to come
        self._isa: Segment | None = None
        self._gs: Segment | None = None
        self._header: list[Segment] = []  # ST up to the first HL
        self._path: list[_HlBlock] = []  # the open HL chain, top level first
        self._current: list[Segment] | None = None  # the block being filled
        self._in_st = False
        # -- the stand-in being built
        self._batch: list[Segment | Plain] = []
        #: per stand-in segment (index - 1): its output position, 0 for scaffolding
        self._targets: list[int] = []
        #: stand-in indices where an issue means the cut may differ from a full walk
        self._watched: set[int] = set()
        self._watch_next = False
        self._after_changed = False  # the last segment written ended a changed claim
        self._open_isa: Segment | None = None
        self._open_gs: Segment | None = None
        self._open_st: Segment | None = None  # the *output's* ST the stand-in's ST copies
        self._st_number = 0
        self._st_control = ""
        self._st_start = 0  # stand-in index of the open ST
        self._sts_in_gs = 0
        self._gss_in_isa = 0
        self._emitted: list[_HlBlock] = []  # the output HL blocks in the stand-in's open ST
        self._hl_numbers: list[int] = []  # their stand-in HL01s
        self._hl_count = 0
        # -- what was found
        self.issues: list[StructuralIssue] = []
        self._exact = True
        self.reason = ""
        #: output positions of SE/GE/IEA the output wrote differently or recounted
        self._trailers_moved: set[int] = set()
        #: output positions of SE/GE/IEA whose count element the envelope tracker rewrote
        self._recounted: dict[int, str] = {}
        #: an ISA/GS/ST inside a transaction set or a GE inside one: the tracker's counts may
        #: then differ from the validator's, so a recount proves nothing
        self._odd_envelope = False
        self._gs_open = False
        self._st_delta = 0  # output minus input segments in the current transaction

    # -- feeding ----------------------------------------------------------------------------

    def outside(self, seg: Segment, original: Segment, position: int) -> None:
        """A segment outside claims was written at ``position`` (``original``: as read)."""
        sid = seg.seg_id
        if sid not in _SCAFFOLD_IDS and not self._after_changed:
            # Most segments outside claims (NM1, N3, SBR ... of the HL loops): only kept.
            if self._current is not None:
                self._current.append(seg)
            return
        if self._after_changed:
            self._after_changed = False
            if sid not in ("HL", "SE"):
                # A changed claim closed by a GE, ST, GS or ISA (a broken envelope): the
                # stand-in does not model it.
                self._inexact("a changed claim is not followed by HL, CLM or SE")
        if sid == "HL":
            self._hl(seg)
            return
        if (sid in ("ISA", "GS", "ST") and self._in_st) or (sid == "ISA" and self._gs_open):
            self._odd_envelope = True
        if sid == "ISA":
            self._isa, self._gs, self._in_st = seg, None, False
            self._header, self._path, self._current = [], [], None
        elif sid == "GS":
            self._gs, self._in_st, self._gs_open = seg, False, True
            self._header, self._path, self._current = [], [], None
        elif sid == "ST":
            self._in_st, self._st_delta = True, 0
            self._header, self._path = [seg], []
            self._current = self._header
        elif sid in ("SE", "GE", "IEA"):
            if sid != "SE" and self._in_st:
                self._odd_envelope = True
            if sid == "GE":
                self._gs_open = False
            if seg is not original:
                self._recounted[position] = sid
            elif sid == "SE" and self._st_delta:
                self._trailers_moved.add(position)
            if sid == "SE":
                self._in_st = False
                # The stand-in's transaction ends with the output's (its SE is watched when it
                # follows a changed claim).
                self._close_st()
            self._current = None
            return
        elif self._current is not None:
            self._current.append(seg)

    def claim(self, segments: Sequence[Segment], first: int, changed: bool, in_count: int) -> None:
        """A claim was written at output positions ``first``.. (``in_count`` segments read)."""
        self._current = None
        self._after_changed = changed
        self._st_delta += len(segments) - in_count
        # An unchanged claim is left out. When it follows a changed claim, the stand-in's next
        # segment (the next changed claim's HL or CLM, or the SE) stands in for its CLM and is
        # watched: it closes at least the loops that CLM closes.
        if not changed or not self._exact:
            return
        if self._isa is None or self._gs is None or not self._in_st:
            self._inexact("a changed claim outside an interchange, group or transaction set")
            return
        if len(self._batch) >= _BATCH:
            self._flush()
        self._open_scaffolding()
        self._watched.add(len(self._batch) + 1)
        self._watch_next = False
        for k, seg in enumerate(segments):
            self._put(seg, first + k)
        self._watch_next = True

    def close(self) -> None:
        """The output is complete: validate what is left."""
        if self._after_changed:
            # A changed claim at the very end, with no trailer after it (cut-short input).
            self._inexact("a changed claim is the last segment of the output")
        if self._exact:
            self._flush()
        self._batch, self._targets, self._watched = [], [], set()

    # -- the result -------------------------------------------------------------------------

    def result(self, before: StructuralResult, spans: Spans) -> StructuralResult | None:
        """The output's issues as a full walk would report them for the pipeline's needs, or
        ``None`` when the cut cannot be trusted (the caller then validates the whole output).

        Input issues outside changed claims are carried over to their output positions (those
        segments and their context are unchanged); inside changed claims the stand-in's issues
        stand.
        """
        if not self._exact:
            return None
        if not before.validated:
            self.reason = "the input was not validated"
            return None
        # Blank segments are counted by the envelope tracker but not by the validator.
        blank = any(i.code == "8" and i.message.startswith("Empty segment") for i in before.issues)
        carried: list[StructuralIssue] = []
        for issue in before.issues:
            at = issue.segment
            if issue.code == "1" and issue.message.startswith("Segment contains a leading"):
                # Reported once per file, at the first indented segment of the whole walk.
                self.reason = "indented input"
                return None
            out = _output_position(at, spans)
            trailer = self._recounted.get(out) if out is not None else None
            if trailer is not None and _count_issue(issue, trailer):
                if self._odd_envelope or blank:
                    self.reason = "a count finding on a recounted trailer of an odd envelope"
                    return None
                continue  # the recount wrote the count the validator counts: cured
            if _at_changed_edge(at, spans) and not _intrinsic(issue):
                self.reason = "an input issue at a changed claim's edge"
                return None
            if out is None:
                continue  # inside a changed claim: the stand-in judged it
            if out in self._trailers_moved and _count_issue(issue, "SE"):
                self.reason = "a count finding on an SE whose transaction changed size"
                return None
            # Anything else on a trailer is about its other elements, which are unchanged.
            carried.append(dataclasses.replace(issue, segment=out) if out != at else issue)
        issues = sorted(carried + self.issues, key=lambda issue: issue.segment)
        return dataclasses.replace(before, issues=tuple(issues), ack=None, ack_note="")

    # -- building the stand-in --------------------------------------------------------------

    def _inexact(self, reason: str) -> None:
        if self._exact:
            self._exact, self.reason = False, reason
        self._batch, self._targets, self._watched = [], [], set()

    def _hl(self, seg: Segment) -> None:
        parts = seg.elements
        hl01 = parts[1] if len(parts) > 1 else ""
        parent = parts[2] if len(parts) > 2 else ""
        path = self._path
        while path and (not parent or path[-1].hl01 != parent):
            path.pop()
        block = _HlBlock(hl01, [seg])
        path.append(block)
        self._current = block.segments

    def _put(self, seg: Segment, target: int) -> None:
        """Append ``seg`` to the stand-in (``target``: its output position, 0 if scaffolding)."""
        n = len(self._batch) + 1
        if self._watch_next:
            self._watched.add(n)
            self._watch_next = False
        text = seg.text
        if text and not text.startswith(ENVELOPE_PREFIXES) and not text[0].isspace():
            # What _tr3_split hands the validator for such a segment: a Plain tuple, which it
            # places as it is (no Segment to make, no checks to repeat).
            self._batch.append((n, text, seg.delimiters))
        else:
            self._batch.append(
                Segment(n, text, seg.terminator, seg.trailer, seg.delimiters, seg.lead)
            )
        self._targets.append(target)

    def _made(self, like: Segment, elements: list[str]) -> Segment:
        text = like.delimiters.element.join(elements)
        return Segment(0, text, like.terminator, "", like.delimiters)

    def _open_scaffolding(self) -> None:
        """Emit the envelope, transaction header and HL chain the next changed claim needs."""
        if self._isa is not self._open_isa:
            self._flush()
            assert self._isa is not None  # checked by the caller
            self._put(self._isa, 0)
            self._open_isa, self._gss_in_isa = self._isa, 0
        if self._gs is not self._open_gs:
            self._close_gs()
            if self._gs is not None:
                self._put(self._gs, 0)
                self._gss_in_isa += 1
                self._sts_in_gs = 0
            self._open_gs = self._gs
        st = self._header[0] if self._header and self._in_st else None
        if st is not self._open_st:
            self._close_st()
            if st is not None:
                self._st_number += 1
                self._sts_in_gs += 1
                parts = st.elements
                self._st_control = f"{self._st_number:04d}"
                if len(parts) > 2:
                    parts[2] = self._st_control
                self._st_start = len(self._batch) + 1
                self._put(self._made(st, parts), 0)
                for seg in self._header[1:]:
                    self._put(seg, 0)
            self._open_st = st
            self._emitted, self._hl_numbers, self._hl_count = [], [], 0
        # The HL chain: keep the emitted prefix this claim shares, emit the rest renumbered.
        keep = 0
        for mine, theirs in zip(self._emitted, self._path, strict=False):
            if mine is not theirs:
                break
            keep += 1
        del self._emitted[keep:], self._hl_numbers[keep:]
        for block in self._path[keep:]:
            self._hl_count += 1
            parts = block.segments[0].elements
            parts[1:2] = [str(self._hl_count)] if len(parts) > 1 else []
            if len(parts) > 2 and parts[2]:
                parts[2] = str(self._hl_numbers[-1]) if self._hl_numbers else parts[2]
            self._put(self._made(block.segments[0], parts), 0)
            for seg in block.segments[1:]:
                self._put(seg, 0)
            self._emitted.append(block)
            self._hl_numbers.append(self._hl_count)

    def _close_st(self) -> None:
        if self._open_st is None:
            return
        count = len(self._batch) + 2 - self._st_start
        like = self._open_st
        self._put(self._made(like, ["SE", str(count), self._st_control]), 0)
        self._open_st = None
        self._emitted, self._hl_numbers, self._hl_count = [], [], 0

    def _close_gs(self) -> None:
        self._close_st()
        if self._open_gs is not None:
            parts = self._open_gs.elements
            control = parts[6] if len(parts) > 6 else ""
            self._put(self._made(self._open_gs, ["GE", str(self._sts_in_gs), control]), 0)
            self._open_gs = None

    def _flush(self) -> None:
        """Close the stand-in interchange, validate it and map its issues back."""
        if self._open_isa is None:
            self._batch, self._targets, self._watched = [], [], set()
            return
        self._close_gs()
        parts = self._open_isa.elements
        control = parts[13] if len(parts) > 13 else ""
        self._put(self._made(self._open_isa, ["IEA", str(self._gss_in_isa), control]), 0)
        self._open_isa = None
        batch, targets, watched = self._batch, self._targets, self._watched
        self._batch, self._targets, self._watched = [], [], set()
        found = self._validate(batch)
        if not found.validated:
            self._inexact("the stand-in could not be validated")
            return
        for issue in found.issues:
            at = issue.segment
            if at <= 0 or (at in watched and not _intrinsic(issue)):
                self._inexact("an issue at a changed claim's edge")
                return
            target = targets[at - 1]
            if target:
                self.issues.append(dataclasses.replace(issue, segment=target))


def _intrinsic(issue: StructuralIssue) -> bool:
    """Whether ``issue`` comes from its own segment's text and nothing before it: an element
    error (CLM05-02 not a valid code), or an HL numbering error (HL segments are never cut or
    changed, so the input's stand for the output's). The claim before a segment can only cause
    walker findings there (a required segment missing from the loops it closes)."""
    return issue.level is StructuralLevel.ELEMENT or issue.code in ("HL1", "HL2")


#: The validator's count finding on each trailer (level, code), as ``_tr3_validate`` reports it.
_COUNT_ISSUES: Final = {
    "SE": (StructuralLevel.TRANSACTION, "4"),
    "GE": (StructuralLevel.GROUP, "5"),
    "IEA": (StructuralLevel.INTERCHANGE, "021"),
}


def _count_issue(issue: StructuralIssue, trailer: str) -> bool:
    """Whether ``issue`` is about the count element (SE01/GE01/IEA01) of ``trailer``: the
    count finding itself, or an element error on the count."""
    if issue.segment_id != trailer:
        return False
    if issue.level is StructuralLevel.ELEMENT:
        return issue.element == f"{trailer}01"
    return (issue.level, issue.code) == _COUNT_ISSUES[trailer]


def _at_changed_edge(segment: int, spans: Spans) -> bool:
    """Whether input position ``segment`` is a changed claim's first segment or the segment
    right after a changed claim.

    Asked per input issue rather than answered from sets of every changed claim's edges: at a
    million claims those sets held some 160,000 ints each, ~20 MiB at the end of the run (the
    run's peak), for a handful of issues. Claims' input ranges ascend and do not overlap, so
    the claim holding a position is the only one that can start there, and the claim holding
    the position before is the only one that can end just before it.
    """
    c = spans.find(segment, output=False)
    if c is not None and spans.in_first[c] == segment and spans.changed(c):
        return True
    c = spans.find(segment - 1, output=False)
    return c is not None and spans.in_last[c] == segment - 1 and spans.changed(c)


def _output_position(segment: int, spans: Spans) -> int | None:
    """Where input position ``segment`` was written; ``None`` inside a changed claim."""
    if segment <= 0:
        return segment
    c = spans.find(segment, output=False)
    if c is not None:
        if spans.changed(c):
            return None
        return spans.out_first[c] + segment - spans.in_first[c]
    i = bisect.bisect_right(spans.in_first, segment) - 1
    shift = spans.out_last[i] - spans.in_last[i] if i >= 0 else 0
    return segment + shift
