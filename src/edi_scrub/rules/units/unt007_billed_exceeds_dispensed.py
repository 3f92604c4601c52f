"""A drug line bills more international units than its CTP says were dispensed.

What it checks
    Per-IU drug lines (the map's billing unit is 1 IU) whose billed units (SV104 / SV205) exceed
    the dispensed quantity in their 2410 CTP when that quantity is in international units
    (CTP04 with CTP05-1 = F2). JW lines are included: a JW line bills waste, and its CTP
    states the waste. Lines with more than one 2410 drug loop are not checked: each loop
    dispensed part of the drug, so the first CTP04 is not the whole quantity.

Why it matters
    No line can bill drug that was never dispensed. Either the units or the CTP is wrong; a
    payer that compares them denies the line (CARC 16 + RARC M119 for NDC data errors), and one
    that does not overpays, which is recouped later.

Example
    ``SV1*HC:J7207:JZ*2400*UN*1200***1~ … CTP****1000*F2~`` (fires: 1200 IU billed, 1000
    dispensed).

Fix
    None: which figure is right is in the dispensing record, not in the claim.

References
    docs/domain.md §2–3 (CTP04 quantity, CTP05 unit); docs/fixes.md (billed IU ≤ dispensed).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount, billed_units


@register(
    "UNT007", "billed-exceeds-dispensed", Severity.ERROR, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report per-IU lines billing more IU than their CTP dispensed."""
    for line, code in ctx.drug_lines(claim):
        drug = line.drug
        if code.billing_unit is None or drug is None or drug.quantity is None:
            continue
        if drug.unit is None or drug.unit.value != "F2":
            continue
        dispensed, billed = amount(drug.quantity.value), billed_units(line)
        if dispensed is None or billed is None or billed <= dispensed:
            continue
        if claim.segment_ids[line.first_pos : line.last_pos + 1].count("LIN") > 1:
            continue  # the model reads the first 2410 loop; the others dispensed drug too
        yield make_finding(
            meta,
            claim,
            line,
            line.units,
            f"the line bills {format_quantity(billed)} IU but CTP04 shows only "
            f"{format_quantity(dispensed)} IU dispensed",
        )
