"""JZ (nothing discarded) on a line whose own CTP shows discarded drug.

What it checks
    A drug line carrying JZ (and not JW) whose CTP says more international units were dispensed
    (CTP04 with CTP05-1 = F2) than the line bills.

Why it matters
    JZ is the provider's attestation that nothing was discarded; the CTP says something was.
    Billing both is a false attestation or a wrong quantity, and either is a compliance problem
    a payer audit finds. edi-scrub never removes an attestation, so the provider must resolve it.

Example
    ``SV1*HC:J7207:JZ*2000*UN*1000***1~ … CTP****1200*F2~`` (fires: 200 IU discarded under JZ).

Fix
    None. Either the CTP is wrong (correct it to the administered IU) or the JZ is (remove it and
    bill the 200 IU on a JW line). Both change what the provider attests.

References
    docs/domain.md §4 (JZ is an attestation); docs/fixes.md (attestations are the provider's).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount, billed_units


@register("MOD010", "jz-with-waste", Severity.ERROR, Applicability.NONE, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report JZ lines whose CTP04 shows more IU dispensed than billed."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, _ in facts.drug_lines:
        drug = line.drug
        mods = facts.modifiers(line)
        if "JZ" not in mods or "JW" in mods:
            continue
        if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
            continue
        dispensed, billed = amount(drug.quantity.value), billed_units(line)
        if dispensed is None or billed is None or dispensed <= billed:
            continue
        jz = next(m for m in line.modifiers if m.value == "JZ")
        yield make_finding(
            meta,
            claim,
            line,
            jz,
            f"JZ attests that nothing was discarded, but CTP04 shows {format_quantity(dispensed)} "
            f"IU dispensed for {format_quantity(billed)} IU billed; the provider must correct "
            "one of them",
        )
