"""Split a scrubbed interchange in two: the claims to submit (OUT) and the rejected ones (REJECTS).

``--rejects FILE`` moves every claim that still carries a failing finding out of OUT into a
second 837 that goes back to the provider, so the clean claims can be submitted today. Both files
are valid interchanges in their own right:

* every transaction set's header (ST, BHT, 1000A/1000B: everything up to the first HL) goes to
  each file that receives a claim of that set; an HL (with its 2010 loops) goes to a file only if
  a claim under it goes there; HL01 is renumbered 1..n per set and file, HL02 points at the
  parent's new id, HL04 says whether the HL has children *in that file*;
* SE01, GE01 and IEA01 are recounted; a set, group or interchange left with nothing is dropped;
* ISA, GS and ST are copied unchanged, control numbers included (ISA13, GS06, ST02; so SE02,
  GE02 and IEA02 stay right). REJECTS goes back to the provider, never to the payer, so the two
  files never meet at a receiver that could see a duplicate; and the unchanged numbers let the
  provider match rejected claims to the submission they came from. REJECTS is not meant to be
  resubmitted as is: corrected claims go out in a new interchange with new control numbers;
* every other segment is written with its own bytes (text, terminator, line formatting); only
  the HL, SE, GE and IEA segments whose values change are re-rendered.

OUT keeps everything that was not moved: a set or HL with no claim at all (unusual, but an input
may hold one) stays in OUT, so nothing but rejected claims and the containers they emptied ever
leaves it.

Degenerate cases (predictable files for pipelines: after a successful run both files exist and
describe *this* run, never a previous one):

* nothing rejected: OUT is the scrubbed output byte for byte; REJECTS is written empty (0 bytes);
* every claim rejected: REJECTS holds them all; OUT is written empty (0 bytes) when nothing
  else remains in it.

The split reads the scrubbed output twice (it must be seekable): a first pass records, per
transaction set, each HL's parent and where its claims go; the second pass streams the segments
into the two files. Memory is a few integers per HL, never a transaction set's segments.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import BinaryIO

from edi_scrub.errors import InputError, InternalError
from edi_scrub.x12.lexer import ENCODING, Segment, iter_segments

_CLAIM_END = frozenset({"HL", "CLM", "SE", "GE", "IEA", "ST", "GS", "ISA"})


class _File(IntEnum):
    OUT = 0
    REJECTS = 1


_FILES = (_File.OUT, _File.REJECTS)


@dataclass(frozen=True, slots=True)
class SplitResult:
    """What the split wrote: claims per file, and whether each file got any segment."""

    kept: int
    rejected: int
    out_empty: bool
    rejects_empty: bool


@dataclass(slots=True)
class _Set:
    """One transaction set as the first pass saw it; ``into`` is filled when it closes."""

    #: Per HL (in file order): index of its parent HL in this set, -1 for none.
    parents: list[int] = field(default_factory=list)
    #: Per HL: claims directly under it that stay in OUT / move to REJECTS.
    kept: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    #: Claims before any HL (malformed, but kept with the set).
    loose: list[int] = field(default_factory=lambda: [0, 0])
    #: Per file: which HLs go there, which of those have a child there, and the set itself.
    hl_in: tuple[list[bool], list[bool]] = field(default_factory=lambda: ([], []))
    has_child: tuple[list[bool], list[bool]] = field(default_factory=lambda: ([], []))
    into: list[bool] = field(default_factory=lambda: [False, False])

    def close(self) -> None:
        n = len(self.parents)
        kept, rejected, total = self.kept[:], self.rejected[:], [0] * n
        for k in range(n - 1, -1, -1):
            total[k] = kept[k] + rejected[k]
            p = self.parents[k]
            if p >= 0:
                kept[p] += kept[k]
                rejected[p] += rejected[k]
                total[p] += total[k]
        # An HL with no claim in its subtree was not emptied by the split: it stays in OUT.
        out = [kept[k] > 0 or total[k] == 0 for k in range(n)]
        rej = [rejected[k] > 0 for k in range(n)]
        for k in range(n - 1, -1, -1):
            p = self.parents[k]
            if p >= 0 and out[k]:
                out[p] = True
        self.hl_in = (out, rej)
        children: tuple[list[bool], list[bool]] = ([False] * n, [False] * n)
        for f in _FILES:
            for k in range(n):
                p = self.parents[k]
                if p >= 0 and self.hl_in[f][k]:
                    children[f][p] = True
        self.has_child = children
        claims = sum(self.kept) + sum(self.rejected) + sum(self.loose)
        self.into = [
            any(out) or self.loose[_File.OUT] > 0 or claims == 0,
            any(rej) or self.loose[_File.REJECTS] > 0,
        ]
        # The lists of claims are not needed any more; drop them to keep memory per HL small.
        self.kept, self.rejected = [], []


@dataclass(slots=True)
class _Container:
    """A functional group or an interchange: which files it goes to, from its members."""

    members: int = 0
    into: list[bool] = field(default_factory=lambda: [False, False])

    def add(self, into: list[bool]) -> None:
        self.members += 1
        for f in _FILES:
            self.into[f] |= into[f]

    def close(self) -> None:
        # A group or interchange that held nothing in the input is left in OUT as it was.
        if not self.members:
            self.into[_File.OUT] = True


@dataclass(frozen=True, slots=True)
class _Step:
    """One segment and where it belongs: interchange, group, set, HL (index) or claim."""

    seg: Segment
    isa: int
    gs: int
    st: int
    hl: int
    #: The claim's ordinal for segments of a claim, else -1.
    claim: int


def _walk(source: BinaryIO, where: str) -> Iterator[_Step]:
    """Classify every segment; both passes use this, so they cannot disagree."""
    isa = gs = st = -1
    hl = claim = -1
    open_isa = open_gs = open_st = False
    ordinal = 0
    for seg in iter_segments(source, where):
        sid = seg.seg_id
        if not seg.index:
            yield _Step(seg, -1, -1, -1, -1, -1)
            continue
        if claim >= 0 and sid in _CLAIM_END:
            claim = -1
        if sid == "ISA":
            _expect(not open_isa, seg, where, "ISA inside an interchange")
            isa, open_isa = isa + 1, True
        elif sid == "GS":
            _expect(open_isa and not open_gs, seg, where, "GS outside an interchange")
            gs, open_gs = gs + 1, True
        elif sid == "ST":
            _expect(
                open_gs and not open_st, seg, where, "ST outside a functional group or before SE"
            )
            st, open_st, hl = st + 1, True, -1
        elif sid in ("HL", "CLM"):
            _expect(open_st, seg, where, f"{sid} outside a transaction set")
            if sid == "CLM":
                claim, ordinal = ordinal, ordinal + 1
        elif sid == "SE":
            _expect(open_st, seg, where, "SE without ST")
        elif sid == "GE":
            _expect(open_gs and not open_st, seg, where, "GE inside a transaction set")
        elif sid == "IEA":
            _expect(open_isa and not open_gs, seg, where, "IEA inside a functional group")
        yield _Step(
            seg,
            isa,
            gs if open_gs else -1,
            st if open_st else -1,
            # SE closes the set: it belongs to the set, not to its last HL.
            -1 if sid == "SE" else hl + 1 if sid == "HL" else hl,
            claim,
        )
        if sid == "HL":
            hl += 1
        elif sid == "SE":
            open_st = False
        elif sid == "GE":
            open_gs = False
        elif sid == "IEA":
            open_isa = False
    _expect(not (open_isa or open_gs or open_st), None, where, "the interchange is not closed")


def _expect(ok: bool, seg: Segment | None, where: str, what: str) -> None:
    if not ok:
        at = f"segment {seg.index}: " if seg is not None else ""
        raise InputError(f"{where}: {at}cannot split rejected claims: {what}")


@dataclass(slots=True)
class _Plan:
    sets: list[_Set] = field(default_factory=list)
    groups: list[_Container] = field(default_factory=list)
    interchanges: list[_Container] = field(default_factory=list)
    claims: int = 0
    rejected: int = 0


def _survey(source: BinaryIO, reject: Collection[int], where: str) -> _Plan:
    plan = _Plan()
    ids: dict[str, int] = {}
    for step in _walk(source, where):
        sid = step.seg.seg_id
        if sid == "ISA":
            plan.interchanges.append(_Container())
        elif sid == "GS":
            plan.groups.append(_Container())
        elif sid == "ST":
            plan.sets.append(_Set())
            ids = {}
        elif sid == "HL":
            current = plan.sets[step.st]
            # An HL02 naming no earlier HL (bad input) makes a root rather than a guess.
            current.parents.append(ids.get(step.seg.element(2), -1))
            ids[step.seg.element(1)] = step.hl
            current.kept.append(0)
            current.rejected.append(0)
        elif sid == "CLM":
            plan.claims += 1
            rejected = step.claim in reject
            plan.rejected += rejected
            current = plan.sets[step.st]
            if step.hl < 0:
                current.loose[_File.REJECTS if rejected else _File.OUT] += 1
            elif rejected:
                current.rejected[step.hl] += 1
            else:
                current.kept[step.hl] += 1
        elif sid == "SE":
            plan.sets[step.st].close()
            plan.groups[step.gs].add(plan.sets[step.st].into)
        elif sid == "GE":
            plan.groups[step.gs].close()
            plan.interchanges[step.isa].add(plan.groups[step.gs].into)
        elif sid == "IEA":
            plan.interchanges[step.isa].close()
    return plan


def _with_count(seg: Segment, position: int, value: str) -> Segment:
    parts = seg.elements
    while len(parts) <= position:
        parts.append("")
    if parts[position] == value:
        return seg
    parts[position] = value
    return seg.with_text(seg.delimiters.element.join(parts))


@dataclass(slots=True)
class _Writer:
    """One output file: the stream and the counters its trailers need."""

    stream: BinaryIO
    lead: str = ""
    written: int = 0
    groups: int = 0
    sets: int = 0
    segments: int = 0
    #: New HL01 of each HL of the current set written here (0 = not written here).
    hl_ids: list[int] = field(default_factory=list)
    next_hl: int = 0

    def write(self, seg: Segment) -> None:
        if not self.written and self.lead and not seg.lead:
            # The input's first segment carried a BOM but went to the other file only.
            seg = replace(seg, lead=self.lead)
        self.stream.write(seg.raw().encode(ENCODING))
        self.written += 1
        self.segments += 1


def _route(
    step: _Step, plan: _Plan, writers: tuple[_Writer, _Writer], reject: Collection[int]
) -> None:
    seg = step.seg
    if step.claim >= 0:
        writers[_File.REJECTS if step.claim in reject else _File.OUT].write(seg)
        return
    if not seg.index:
        # Formatting after the last terminator ends every file that got anything.
        for w in writers:
            if w.written:
                w.write(seg)
        return
    current = plan.sets[step.st] if step.st >= 0 else None
    into: list[bool]
    if current is not None:
        into = current.into if step.hl < 0 else [current.hl_in[f][step.hl] for f in _FILES]
    elif step.gs >= 0:
        into = plan.groups[step.gs].into
    else:
        into = plan.interchanges[step.isa].into
    for f in _FILES:
        w = writers[f]
        if into[f]:
            w.write(_for_file(seg, step.hl, current, f, w))
        elif seg.lead and not w.written:
            w.lead = seg.lead


def _for_file(seg: Segment, hl: int, current: _Set | None, f: _File, w: _Writer) -> Segment:
    """``seg`` as file ``f`` gets it: counters updated, HL and trailers renumbered."""
    sid = seg.seg_id
    if sid == "ISA":
        w.groups = 0
    elif sid == "GS":
        w.groups += 1
        w.sets = 0
    elif sid == "ST" and current is not None:
        w.sets += 1
        w.segments = 0
        w.hl_ids = [0] * len(current.parents)
        w.next_hl = 0
    elif sid == "HL" and current is not None:
        return _renumber(seg, hl, current, f, w)
    elif sid == "SE":
        return _with_count(seg, 1, str(w.segments + 1))
    elif sid == "GE":
        return _with_count(seg, 1, str(w.sets))
    elif sid == "IEA":
        return _with_count(seg, 1, str(w.groups))
    return seg


def _renumber(seg: Segment, k: int, current: _Set, f: _File, w: _Writer) -> Segment:
    w.next_hl += 1
    w.hl_ids[k] = w.next_hl
    parts = seg.elements
    while len(parts) < 3:
        parts.append("")
    parts[1] = str(w.next_hl)
    parent = current.parents[k]
    if parent >= 0:
        parts[2] = str(w.hl_ids[parent])
    if len(parts) > 4:
        # HL04 only where the input has it: a missing HL04 is the validator's to report.
        parts[4] = "1" if current.has_child[f][k] else "0"
    if parts == seg.elements:
        return seg
    return seg.with_text(seg.delimiters.element.join(parts))


def split(
    source: BinaryIO,
    out: BinaryIO,
    rejects: BinaryIO,
    reject: Collection[int],
    where: str = "<scrubbed output>",
) -> SplitResult:
    """Write the claims of ``source`` to ``out``, except those whose ordinal is in ``reject``.

    ``source`` is a scrubbed interchange (seekable, read from its current position twice);
    ordinals count the CLM segments of the file from 0, as the claim grouper does. Raises
    :class:`InputError` for an envelope that cannot be split (an ST outside a GS, an unclosed
    interchange) and :class:`InternalError` when ``reject`` names a claim the file lacks.
    """
    start = source.tell()
    reject = frozenset(reject)
    if not reject:
        # Nothing moves: OUT is the scrubbed output byte for byte (even where the split would
        # have renumbered an odd HL or recounted a wrong SE01), and an envelope too broken to
        # split (a truncated file) is no reason to fail.
        claims = sum(1 for seg in iter_segments(source, where) if seg.seg_id == "CLM")
        source.seek(start)
        shutil.copyfileobj(source, out)
        return SplitResult(claims, 0, source.tell() == start, True)
    plan = _survey(source, reject, where)
    if plan.rejected != len(reject):
        raise InternalError(
            f"{where}: {len(reject)} claims to reject, but only {plan.rejected} of them found"
        )
    source.seek(start)
    writers = (_Writer(out), _Writer(rejects))
    for step in _walk(source, where):
        _route(step, plan, writers, reject)
    return SplitResult(
        plan.claims - plan.rejected,
        plan.rejected,
        writers[_File.OUT].written == 0,
        writers[_File.REJECTS].written == 0,
    )


def split_bytes(data: bytes, reject: Collection[int]) -> tuple[bytes, bytes, SplitResult]:
    """:func:`split` for an interchange in memory: (OUT, REJECTS, result)."""
    out, rejects = io.BytesIO(), io.BytesIO()
    result = split(io.BytesIO(data), out, rejects, reject)
    return out.getvalue(), rejects.getvalue(), result
