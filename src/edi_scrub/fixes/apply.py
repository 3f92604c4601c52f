"""Apply edits to one claim's segments, refusing stale ones, then keep the claim consistent.

After the edits, LX is renumbered 1..n and CLM02 follows the change in line charges: if the claim
balanced before, it balances after; if it did not (and CLM001's recompute was not applied), the
existing difference is kept rather than silently corrected.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from edi_scrub.fixes.edits import DeleteSegments, Fix, InsertSegments, SetElement
from edi_scrub.model.money import format_amount, parse_amount
from edi_scrub.x12.lexer import Segment


def _split_ref(seg: Segment, ref: str) -> tuple[int, int | None]:
    body = ref[len(seg.seg_id) :]
    element, _, sub = body.partition("-")
    return int(element), (int(sub) if sub else None)


def read_ref(seg: Segment, ref: str) -> str:
    """The current value at ``ref`` (``CTP04``, ``SV101-3``) of ``seg``."""
    element, sub = _split_ref(seg, ref)
    return seg.element(element) if sub is None else seg.component(element, sub)


def write_ref(seg: Segment, ref: str, value: str) -> Segment:
    """``seg`` with ``ref`` set to ``value`` (missing elements/components are padded)."""
    element, sub = _split_ref(seg, ref)
    parts = seg.elements
    while len(parts) <= element:
        parts.append("")
    if sub is None:
        parts[element] = value
    else:
        comps = parts[element].split(seg.delimiters.component) if parts[element] else []
        while len(comps) < sub:
            comps.append("")
        comps[sub - 1] = value
        while comps and comps[-1] == "":
            comps.pop()
        parts[element] = seg.delimiters.component.join(comps)
    return seg.with_elements(parts)


def _is_fresh(segments: Sequence[Segment], fix: Fix) -> bool:
    for edit in fix.edits:
        if isinstance(edit, SetElement):
            if edit.pos >= len(segments) or read_ref(segments[edit.pos], edit.ref) != edit.old:
                return False
        elif isinstance(edit, DeleteSegments):
            ids = tuple(s.seg_id for s in segments[edit.first : edit.last + 1])
            if ids != edit.ids:
                return False
        elif edit.after >= len(segments):
            return False
    return True


def _line_charges(segments: Sequence[Segment]) -> Decimal:
    total = Decimal(0)
    for seg in segments:
        sid = seg.seg_id
        if sid in ("SV1", "SV2"):
            amount = parse_amount(seg.element(2 if sid == "SV1" else 3))
            total += amount if amount is not None else Decimal(0)
    return total


def apply_fixes(
    segments: Sequence[Segment], fixes: Sequence[Fix]
) -> tuple[list[Segment], list[Fix]]:
    """Apply the fresh fixes among ``fixes``; return the new segments and the fixes applied."""
    applied = [f for f in fixes if _is_fresh(segments, f)]
    if not applied:
        return list(segments), []
    before_total = _line_charges(segments)
    out = list(segments)
    structural: list[InsertSegments | DeleteSegments] = []
    for fix in applied:
        for edit in fix.edits:
            if isinstance(edit, SetElement):
                out[edit.pos] = write_ref(out[edit.pos], edit.ref, edit.new)
            else:
                structural.append(edit)
    # Bottom-up so earlier positions stay valid while later ones change.
    for edit in sorted(structural, key=_edit_position, reverse=True):
        if isinstance(edit, InsertSegments):
            model = out[edit.after]
            new = [
                Segment(
                    0,
                    model.delimiters.element.join(parts),
                    model.terminator,
                    model.trailer,
                    model.delimiters,
                )
                for parts in edit.segments
            ]
            out[edit.after + 1 : edit.after + 1] = new
        else:
            del out[edit.first : edit.last + 1]
    if structural:
        # Lines were added or removed: the numbers after them move. Renumbering an input's own
        # out-of-sequence LX01 is LX001's finding, never a silent side effect of another fix.
        _renumber_lx(out)
    # After CLM001's recompute too: it summed the lines as they were before this pass.
    _follow_charges(out, before_total)
    return out, applied


def _edit_position(edit: InsertSegments | DeleteSegments) -> int:
    return edit.after if isinstance(edit, InsertSegments) else edit.first


def _renumber_lx(segments: list[Segment]) -> None:
    number = 0
    for i, seg in enumerate(segments):
        if seg.seg_id == "LX":
            number += 1
            if seg.element(1) != str(number):
                segments[i] = write_ref(seg, "LX01", str(number))


def _follow_charges(segments: list[Segment], before_total: Decimal) -> None:
    delta = _line_charges(segments) - before_total
    if delta == 0 or not segments or segments[0].seg_id != "CLM":
        return
    current = parse_amount(segments[0].element(2))
    if current is None:
        return
    segments[0] = write_ref(
        segments[0], "CLM02", format_amount(current + delta, segments[0].element(2))
    )
