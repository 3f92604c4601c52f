"""A JW (discarded drug) line is billed to a payer that denies JW, or for a multi-dose product.

What it checks
    Drug lines carrying JW when the payer profile denies JW lines on the line's date of service
    (``jw="denied"``, from ``jw_from`` when given; e.g. a Medicaid plan from 2021-05-01), or
    when maps/drugs.xml says the product is not single-dose (``single-dose="false"``): waste of
    a multi-dose container is not discarded drug. A product the map does not describe either
    way is not reported for the second reason.

Why it matters
    A payer that denies JW lines denies this one, and some deny the whole claim with it. JW
    applies only to single-dose containers: on a multi-dose product it is an invalid modifier
    (CO-16 with N822/N823, or CARC 4).

Example
    For a payer denying JW: ``LX*2~ SV1*HC:J7207:JW*400*UN*200***1~ DTP*472*D8*20240115~
    LIN**N4*00944462401~ CTP****200*F2~`` (fires) → the whole loop 2400 is removed; LX is
    renumbered and CLM02 drops by the line's 400.

Fix
    Unsafe: delete the JW line's loop 2400, from LX to its last segment; the remaining lines
    are renumbered, CLM02 follows the removed charge and SE01 is recounted. It is unsafe because
    it gives up billing the waste: the payer's contract or a corrected policy may still pay it.
    No fix when the JW line is the claim's only line (a claim needs one).

References
    docs/domain.md §4 (JW on single-dose containers; payers that deny JW lines, e.g. UHC New Jersey
    Medicaid from 2021-05-01; JW/JZ behaviour is per payer).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, DeleteSegments, Fix, Reach
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.source import segment_id
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


def _remove(claim: Claim, line: ServiceLine) -> Fix | None:
    """Deleting the line's loop 2400; ``None`` when it is the claim's only line."""
    if len(claim.lines) < 2:
        return None
    shown = ":".join([line.code.value, *line.modifier_codes])
    before = f"line {line.lx.value} {shown} {line.units.value} units at {line.charge.value}"
    ids = tuple(segment_id(claim.source[pos]) for pos in range(line.first_pos, line.last_pos + 1))
    edit = DeleteSegments(line.first_pos, line.last_pos, ids)
    return Fix(
        Applicability.UNSAFE,
        "remove the JW line",
        before,
        "no JW line",
        (edit,),
        Reach.MONEY_LINES,
    )


@register(
    "MOD005", "jw-not-accepted", Severity.WARNING, Applicability.UNSAFE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report JW lines the payer denies or that bill a multi-dose product; offer removal."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    policy = facts.policy
    for line, code in facts.drug_lines:
        mods = facts.modifiers(line)
        if "JW" not in mods:
            continue
        if policy.denies_jw(line.date_of_service):
            why = f"{policy.name} denies JW lines on this date of service"
        elif code.single_dose is False:
            why = f"{code.code} is a multi-dose product (JW is for single-dose containers)"
        else:
            continue
        jw = next(m for m in line.modifiers if m.value == "JW")
        yield make_finding(
            meta, claim, line, jw, f"{line.code.value} line bills JW: {why}", _remove(claim, line)
        )
