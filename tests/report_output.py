"""Check that a report's ``after`` is what was written, for every applied fix (issue 7, item 10).

Used by the sample test below and by the property tests. It scrubs claim by claim with the
engine, so it knows each segment's input position after fixing (created segments have 0), and
compares every applied fix with the bytes of the fixed claim:

- an element fix (one ``SetElement``): the fixed claim's segment at the same input position
  carries ``after`` at the edit's reference, unless a later applied fix rewrote that element
  (then that fix's ``after`` is checked instead);
- LX001: ``after`` lists the LX01 values written;
- a JW split: ``after`` is ``"<admin> IU + JW line <waste> IU at <charge>"`` and the claim has a
  JW line with exactly those units and that charge, and the administered line those units.
"""

from __future__ import annotations

import io
import re

from edi_scrub.fixes.apply import read_ref
from edi_scrub.fixes.edits import Applicability, SetElement
from edi_scrub.fixes.engine import FixStatus, scrub_claim
from edi_scrub.maps.layers import load_maps
from edi_scrub.model.group import ClaimUnit, group
from edi_scrub.rules import select_rules
from edi_scrub.rules._base import RuleContext
from edi_scrub.x12.lexer import Segment, iter_segments

_SPLIT = re.compile(r"^(\S+) IU \+ JW line (\S+) IU at (\S+)$")


def _service(seg: Segment) -> tuple[list[str], str, str] | None:
    """(modifiers, charge, units) of an SV1/SV2 segment."""
    comp = seg.delimiters.component
    if seg.seg_id == "SV1":
        return seg.element(1).split(comp)[2:], seg.element(2), seg.element(4)
    if seg.seg_id == "SV2":
        return seg.element(2).split(comp)[2:], seg.element(3), seg.element(5)
    return None


def mismatches(data: bytes, unsafe: bool = False) -> list[str]:
    """Every applied fix whose report ``after`` differs from the bytes written (empty: none)."""
    maps = load_maps(None)
    ctx = RuleContext(maps.catalog, maps.chooser("auto"))
    rules = tuple(r for r in select_rules() if r.check is not None)
    allowed = {"safe", "unsafe"} if unsafe else {"safe"}
    allowed_set = frozenset(Applicability(a) for a in allowed)
    problems: list[str] = []
    for unit in group(iter_segments(io.BytesIO(data), "t"), "t"):
        if not isinstance(unit, ClaimUnit):
            continue
        result = scrub_claim(unit, rules, ctx, allowed_set)
        by_index = {s.index: s for s in result.segments if s.index}
        applied = [o.finding for o in result.outcomes if o.status is FixStatus.APPLIED]
        final: dict[tuple[int, str], str] = {}
        for finding in applied:
            fix = finding.fix
            assert fix is not None
            edits = [e for e in fix.edits if isinstance(e, SetElement)]
            if finding.rule == "LX001":
                written = [s.element(1) for s in result.segments if s.seg_id == "LX"]
                if fix.after != ",".join(written):
                    problems.append(f"LX001 after {fix.after!r} but LX01 written {written}")
                continue
            if finding.rule == "MOD004":
                problems += _split_problems(fix.after, result.segments)
                continue
            if len(edits) == 1 and finding.loc is not None:
                seg_index = _input_index(unit.segments, edits[0].pos, finding.loc.segment)
                if seg_index:
                    final[(seg_index, edits[0].ref)] = fix.after
        for (index, ref), after in final.items():
            seg = by_index.get(index)
            written = read_ref(seg, ref) if seg is not None else "<segment gone>"
            if written != after:
                problems.append(f"segment {index} {ref}: report says {after!r}, wrote {written!r}")
    return problems


def _input_index(segments: tuple[Segment, ...], pos: int, loc_segment: int) -> int:
    # The edit's claim position is the finding's segment in the claim as the pass saw it; the
    # finding's file position names it in the input (0 for a segment a fix created).
    if loc_segment:
        return loc_segment
    return segments[pos].index if pos < len(segments) else 0


def _split_problems(after: str, segments: tuple[Segment, ...]) -> list[str]:
    m = _SPLIT.match(after)
    if m is None:
        return [f"MOD004 after {after!r} is not in the split format"]
    admin_units, waste, charge = m.groups()
    services = [sv for s in segments if (sv := _service(s)) is not None]
    jw = [sv for sv in services if "JW" in sv[0] and sv[2] == waste]
    if not any(sv[1] == charge for sv in jw):
        return [f"MOD004 after {after!r}: no JW line of {waste} IU at {charge} was written"]
    if not any(sv[2] == admin_units for sv in services if "JW" not in sv[0]):
        return [f"MOD004 after {after!r}: no administered line of {admin_units} IU"]
    return []
