"""A JW line exists for the drug and date, but it does not bill the waste the CTP shows.

What it checks
    An administered drug line (no JW, no JZ) whose CTP shows discarded IU (CTP04 with CTP05-1 =
    F2 greater than the billed IU) while the claim already has JW lines for the same code, NDC
    and date (matched as MOD004 matches them) whose units add up to a different amount than the
    waste: part of the waste is billed twice or not at all.

Why it matters
    The administered line plus its JW line must bill exactly what was dispensed. A JW line short
    of the waste leaves drug unbilled; one over it bills drug that was administered as waste
    (an overpayment the payer recoups). A second JW line is never the cure: one drug and date
    gets one JW line.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … CTP****1200*F2~`` next to
    ``SV1*HC:J7207:JW*200*UN*100***1~`` (fires: 200 IU discarded, 100 IU billed as waste).

Fix
    None: which figure is wrong (CTP04, the administered units or the JW units) only the
    dispensing record says. Correct the JW line's units and charge, or the CTP.

References
    docs/domain.md §4 (how discarded drug is billed); docs/fixes.md (one JW line per drug and
    date).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount, billed_units
from edi_scrub.rules.modifiers._jw import jw_siblings


@register(
    "MOD009",
    "waste-not-accounted-for",
    Severity.WARNING,
    Applicability.NONE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report administered lines whose CTP waste differs from what their JW lines bill."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, _ in facts.drug_lines:
        drug = line.drug
        if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
            continue
        mods = facts.modifiers(line)
        if "JW" in mods or "JZ" in mods:
            continue
        dispensed, billed = amount(drug.quantity.value), billed_units(line)
        if dispensed is None or billed is None or dispensed <= billed:
            continue
        same, maybe = jw_siblings(ctx, claim, line)
        if not same or maybe:
            continue  # no JW line (MOD004's case), or one the data cannot pin down
        units = [billed_units(jw) for jw in same]
        if any(u is None for u in units):
            continue  # a JW line with broken units is UNT002's
        on_jw = sum((u for u in units if u is not None), Decimal(0))
        waste = dispensed - billed
        if on_jw == waste:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            drug.quantity,
            f"CTP04 shows {format_quantity(waste)} IU discarded but the JW line(s) for this drug "
            f"and date bill {format_quantity(on_jw)} IU: {format_quantity(abs(waste - on_jw))} "
            "IU of waste unaccounted for",
        )
