"""The IU per kilogram of body weight fall outside the range the payer profile calls plausible.

What it checks
    On the 837P only, for claims with a patient weight (PAT07 = 01, PAT08 in pounds): drug lines
    billed per IU (maps/drugs.xml ``billing-unit``) with unit basis UN whose code has a plausible
    IU/kg range in the payer profile (``dose_per_kg_range``: code → lowest, highest). The units
    of the code's lines on one date of service are added up, as one infusion (like DOSE001),
    leaving out JW lines (discarded drug is not infused), and divided by the weight in
    kilograms (1 lb = 0.45359237 kg). A line without a date is checked alone.

    No range is built in: domain.md gives the dose-response (1 IU/kg raises FVIII by about
    2 IU/dL) but no plausible range, which depends on the indication (prophylaxis, bleed,
    surgery) and the product. The rule is silent until a profile configures one.

Why it matters
    A dose far below or above what a weight-based regimen gives usually means a unit error (kits
    billed as IU, IU/100) or a wrong weight; it is informational because the weight is
    optional, may be stale, and the 837I does not carry it.

Example
    Range 10-100 IU/kg for J7207: a 154 lb (69.9 kg) patient billed 20000 IU on one date
    (about 286 IU/kg, fires) or 500 IU (about 7 IU/kg, fires).

Fix
    None: the dose and the weight are clinical facts.

References
    docs/domain.md §5 (1 IU/kg raises FVIII about 2 IU/dL; weight-based checks only on the 837P with
    PAT weight, so they are informational), §3 (PAT07 = 01, PAT08 weight in pounds).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, ServiceLine, Transaction
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import billed_units

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL

_KG_PER_LB = Decimal("0.45359237")


_Dose = dict[tuple[str, date | int], list[ServiceLine]]


def _doses(claim: Claim, ctx: RuleContext, codes: set[str]) -> _Dose:
    """The per-IU lines of ``codes`` grouped by code and date (undated lines alone)."""
    groups: _Dose = {}
    for i, (line, code) in enumerate(ctx.drug_lines(claim)):
        if code.code not in codes or code.billing_unit is None:
            continue
        mods = ctx.facts(claim).modifiers(line)
        if line.unit_basis.value != "UN" or "JW" in mods:
            continue
        if billed_units(line) is None:
            continue
        day: date | int = line.date_of_service or i
        groups.setdefault((code.code, day), []).append(line)
    return groups


@register(
    "DOSE002", "dose-per-kg-implausible", Severity.INFO, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report per-date IU/kg outside the payer profile's plausible range (837P with weight)."""
    if claim.transaction is not _PROFESSIONAL:
        return
    weight = claim.weight_lb
    ranges = ctx.facts(claim).policy.dose_per_kg_range
    if weight is None or weight <= 0 or not ranges:
        return
    kg = weight * _KG_PER_LB
    for (hcpcs, _), lines in _doses(claim, ctx, set(ranges)).items():
        low, high = ranges[hcpcs]
        total = sum((billed_units(line) or Decimal(0) for line in lines), Decimal(0))
        per_kg = total / kg
        if low <= per_kg <= high:
            continue
        side = "below" if per_kg < low else "above"
        what = f"{hcpcs} line" if len(lines) == 1 else f"{hcpcs} lines on one date of service"
        # Neither the weight nor the IU/kg is reported: with the units it would give the weight.
        yield make_finding(
            meta,
            claim,
            lines[0],
            lines[0].units,
            f"{what}: the IU per kg of the patient's weight (PAT08) is {side} the payer "
            f"profile's plausible range of {low}-{high} IU/kg",
        )
