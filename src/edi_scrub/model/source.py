"""Reading what the claim model does not expose, from ``Claim.source`` (elements by position).

The claim-wide rules (provider NPIs and taxonomies, COB loops, claim frequency) need segments the
model keeps only as raw element lists. These helpers read them without touching the model, and
turn a claim-local position back into the segment's position in the input file for reports.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim, Loc, ServiceLine


def element(parts: tuple[str, ...], position: int) -> str:
    """Element ``position`` (1-based) of a segment's element list, ``""`` when absent."""
    return parts[position] if position < len(parts) else ""


def segment_id(parts: tuple[str, ...]) -> str:
    """A segment's id from its element list (whitespace a file puts before it stripped)."""
    return parts[0].strip() if parts else ""


def segments(claim: Claim, seg_id: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The claim's segments with id ``seg_id``, with their claim-local positions."""
    source = claim.source
    for pos in claim.positions(seg_id):
        yield pos, source[pos]


def line_at(claim: Claim, pos: int) -> ServiceLine | None:
    """The service line (loop 2400 and its subloops) holding position ``pos``, if any."""
    for line in claim.lines:
        if line.first_pos <= pos <= line.last_pos:
            return line
    return None


def file_segment(claim: Claim, pos: int) -> int:
    """The 1-based input-file position of the claim's segment at ``pos`` (0: created by a fix).

    A claim's segments are contiguous in the file; fixes insert whole lines, so counting from
    the nearest LX (or the CLM) before ``pos`` stays right on a claim a fix has changed.
    """
    anchor_pos, anchor_seg = 0, claim.clm01.loc.segment
    for line in claim.lines:
        if line.first_pos > pos:
            break
        anchor_pos, anchor_seg = line.first_pos, line.lx.loc.segment
    return anchor_seg + (pos - anchor_pos) if anchor_seg else 0


def loc(claim: Claim, pos: int, ref: str) -> Loc:
    """A report location for element ``ref`` of the claim's segment at ``pos``."""
    return Loc(pos, file_segment(claim, pos), ref)


def frequency(claim: Claim) -> str:
    """CLM05-3, the claim frequency code (1 original, 7 replacement, 8 void)."""
    parts = claim.source[0] if claim.source else ()
    composite = element(parts, 5).split(claim.component_separator)
    return composite[2] if len(composite) > 2 else ""
