"""Proof a money fix needs: are the line's units what the provider meant?

A JW split turns ``CTP04 − billed IU`` into a new charge, and JZ attests that nothing was
discarded. Both are only as right as the units they start from, so before either is applied the
line must show no sign of a unit error (:func:`unit_doubts`); each doubt is a short reason that
ends up in the suggestion's message.

Fixes that change a drug line's units, unit basis or CTP04 (UNT001, UNT002, NDC008) must never
change what the line says about waste: :func:`waste_sign` is what they compare before and after,
and they refuse (suggest) when it would change. So no split and no JZ ever rests on a value
another fix wrote, and a second scrub finds the same proof the first did (idempotence).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from edi_scrub.maps.drugs import DrugCode
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import format_quantity
from edi_scrub.rules._base import RuleContext
from edi_scrub.rules._drug import line_package, potency_range
from edi_scrub.rules._facts import amount, billed_units


def vial_count_doubt(ctx: RuleContext, claim: Claim, line: ServiceLine) -> str | None:
    """UNT003's test: the IU billed for this drug and date are fewer than one vial holds."""
    pkg = line_package(ctx, line)
    potency = potency_range(ctx, pkg) if pkg is not None else None
    if pkg is None or potency is None or billed_units(line) is None:
        return None
    total = ctx.facts(claim).same_drug_units(line)
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


def waste_sign(line: ServiceLine, units: Decimal | None = None, ctp: Decimal | None = None) -> int:
    """How CTP04 in IU compares with the billed units: 1 waste, 0 none, -1 over-billed.

    ``units``/``ctp`` replace the line's values (what a fix would write). Lines without a CTP in
    F2, or without numbers, say nothing about waste (0 both before and after a fix).
    """
    drug = line.drug
    if drug is None or drug.quantity is None or drug.unit is None or drug.unit.value != "F2":
        return 0
    dispensed = ctp if ctp is not None else amount(drug.quantity.value)
    billed = units if units is not None else billed_units(line)
    if dispensed is None or billed is None:
        return 0
    return (dispensed > billed) - (dispensed < billed)


def unit_doubts(ctx: RuleContext, claim: Claim, line: ServiceLine, code: DrugCode) -> list[str]:
    """Why the line's billed and dispensed IU cannot be trusted for a money fix (empty: none)."""
    doubts: list[str] = []
    if ctx.as_submitted(line) is None:
        return ["the line was created by a fix in this run"]
    basis = line.unit_basis.value
    if basis != "UN":
        doubts.append(f"the unit basis is {basis or 'empty'!r}, not UN")
    units = billed_units(line)
    if units is None or units != units.to_integral_value():
        doubts.append(f"the billed units {line.units.value!r} are not a positive whole number")
    drug = line.drug
    if drug is None or drug.quantity is None:
        doubts.append("the line has no CTP quantity")
        return doubts
    if code.billing_unit is None:
        doubts.append(f"{code.code} is not billed per IU")
    vials = vial_count_doubt(ctx, claim, line)
    if vials is not None:
        doubts.append(vials)
    pkg = line_package(ctx, line)
    potency = potency_range(ctx, pkg) if pkg is not None else None
    dispensed = amount(drug.quantity.value)
    if potency is not None and dispensed is not None and dispensed > 0:
        low, high = potency
        if not _whole_vials(dispensed, low, high):
            doubts.append(
                f"CTP04 {format_quantity(dispensed)} IU is no whole number of vials of "
                f"{low}-{high} IU (a typo?)"
            )
    return doubts
