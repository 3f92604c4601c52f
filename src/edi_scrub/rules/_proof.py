"""Proof a money fix needs: are the line's units what the provider meant, as submitted?

A JW split turns ``CTP04 − billed IU`` into a new charge, and JZ attests that nothing was
discarded. Both are only as right as the units they start from, so before either is applied the
line must show no sign of a unit error, judged on the claim **as submitted** (a unit basis that
another fix relabelled in the same run is no proof) and on the claim as it is now. Each doubt is
a short reason that ends up in the suggestion's message.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import format_quantity
from edi_scrub.rules._base import RuleContext
from edi_scrub.rules._drug import billed_units, line_package, potency_range, same_drug


def vial_count_doubt(ctx: RuleContext, claim: Claim, line: ServiceLine) -> str | None:
    """UNT003's test: the IU billed for this drug and date are fewer than one vial holds."""
    pkg = line_package(ctx, line)
    potency = potency_range(ctx, pkg) if pkg is not None else None
    if pkg is None or potency is None or billed_units(line) is None:
        return None
    total = sum(
        (u for other in same_drug(claim, line) if (u := billed_units(other)) is not None),
        Decimal(0),
    )
    low, high = potency
    if total >= low:
        return None
    return (
        f"{format_quantity(total)} IU billed for NDC {pkg.ndc}, but one vial holds {low}-{high} "
        "IU: the units look like a vial count or IU/100"
    )


def _whole_vials(dispensed: Decimal, low: int, high: int) -> bool:
    """Whether some whole number of vials, each holding low..high IU, can make ``dispensed``."""
    # n vials hold n*low .. n*high IU; the smallest n that can reach ``dispensed`` decides.
    n = (dispensed / high).to_integral_value(rounding=ROUND_CEILING)
    return n >= 1 and n * low <= dispensed


def unit_doubts(ctx: RuleContext, claim: Claim, line: ServiceLine, code: DrugCode) -> list[str]:
    """Why the line's billed and dispensed IU cannot be trusted for a money fix (empty: none)."""
    doubts: list[str] = []
    submitted = ctx.as_submitted(line)
    if submitted is None:
        return ["the line was created by a fix in this run"]
    for basis in {submitted.unit_basis.value, line.unit_basis.value}:
        if basis != "UN":
            doubts.append(f"the unit basis was submitted as {basis or 'empty'!r}, not UN")
            break
    units = billed_units(line)
    if units is None or units != units.to_integral_value():
        doubts.append(f"the billed units {line.units.value!r} are not a positive whole number")
    if submitted.units.value != line.units.value:
        doubts.append("the billed units were changed by another fix in this run")
    drug, before = line.drug, submitted.drug
    if drug is None or before is None or drug.quantity is None or before.quantity is None:
        doubts.append("the line has no CTP quantity")
        return doubts
    if (drug.quantity.value, drug.unit and drug.unit.value) != (
        before.quantity.value,
        before.unit and before.unit.value,
    ):
        doubts.append("the CTP quantity was changed by another fix in this run")
    if code.billing_unit is None:
        doubts.append(f"{code.code} is not billed per IU")
    vials = vial_count_doubt(ctx, claim, line)
    if vials is not None:
        doubts.append(vials)
    pkg = line_package(ctx, line)
    potency = potency_range(ctx, pkg) if pkg is not None else None
    dispensed = drug.quantity.decimal()
    if potency is not None and dispensed is not None and dispensed > 0:
        low, high = potency
        if not _whole_vials(dispensed, low, high):
            doubts.append(
                f"CTP04 {format_quantity(dispensed)} IU is no whole number of vials of "
                f"{low}-{high} IU (a typo?)"
            )
    return doubts
