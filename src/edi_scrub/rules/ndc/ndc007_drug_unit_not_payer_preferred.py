"""The drug quantity (CTP05-1) is in another unit than the one the payer wants.

What it checks
    Drug lines with a 2410 CTP whose unit (CTP05-1) is a valid 2410 unit (F2, GR, ME, ML, UN)
    but not the payer profile's preferred unit (``preferred_ctp_unit``). No finding when the
    payer has no preference, or when the unit is invalid or the quantity is not a positive
    number (NDC006 reports those).

Why it matters
    Which unit a payer wants for factor kits, F2 (the IU count) or UN (the kit count), is
    payer-specific; a quantity in another unit is priced wrongly or sent back.

Example
    Payer wants UN: ``CTP****1000*F2~`` (fires: suggestion, the kit count is in the
    dispensing record). Payer wants ME: ``CTP****0.5*GR~`` → ``CTP****500*ME~``.

Fix
    Unsafe when the conversion is exact: only between grams and milligrams, by the fixed factor
    1 GR = 1000 ME, and only when the converted quantity fits the payer's CTP04 precision
    (``ctp_precision``) so that NDC008 does not have to round it. It stays unsafe because the
    quantity is the dispensing record's. Every other pair is a suggestion: IU and kit count
    (F2 and UN) are linked by the actual potency printed on each vial, which varies from vial to
    vial (docs/domain.md §2), and milliliters depend on the concentration after reconstitution; the
    claim carries neither.

References
    docs/domain.md §3 (CTP04 quantity, CTP05-1 units; the preferred unit is payer-specific), §2
    (actual potency per vial).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim, DrugDetail
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount

_UNITS = ("F2", "GR", "ME", "ML", "UN")
#: Unit pairs with a fixed factor: quantity in the first unit times factor = in the second.
_FACTORS = {("GR", "ME"): Decimal(1000), ("ME", "GR"): Decimal("0.001")}


def _fix(drug: DrugDetail, quantity: Decimal, want: str, precision: int | None) -> Fix:
    assert drug.quantity is not None and drug.unit is not None
    have = drug.unit.value
    before = f"{drug.quantity.value} {have}"
    factor = _FACTORS.get((have, want))
    converted = quantity * factor if factor is not None else None
    if converted is not None:
        text = format_quantity(converted)
        decimals = len(text.partition(".")[2])
        if precision is None or decimals <= precision:
            edits = (
                SetElement(drug.quantity.loc.pos, "CTP04", drug.quantity.value, text),
                SetElement(drug.unit.loc.pos, drug.unit.loc.ref, have, want),
            )
            return Fix(
                Applicability.UNSAFE,
                f"convert the quantity to {want} (1 GR = 1000 ME)",
                before,
                f"{text} {want}",
                edits,
                Reach.UNITS_CODES,
            )
    why = (
        "it would need more decimals than the payer allows"
        if converted is not None
        else "the claim does not give the conversion factor"
    )
    return Fix(
        Applicability.SUGGESTION,
        f"restate the quantity in {want} from the dispensing record ({why})",
        before,
        f"<quantity> {want}",
    )


@register(
    "NDC007",
    "drug-unit-not-payer-preferred",
    Severity.WARNING,
    Applicability.UNSAFE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report CTP units other than the payer's preferred one; convert grams and milligrams."""
    policy = ctx.facts(claim).policy
    want = policy.preferred_ctp_unit
    if want is None:
        return
    for line, _ in ctx.drug_lines(claim):
        drug = line.drug
        if drug is None or drug.quantity is None or drug.unit is None:
            continue
        quantity = amount(drug.quantity.value)
        if drug.unit.value not in _UNITS or drug.unit.value == want:
            continue
        if quantity is None or quantity <= 0:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            drug.unit,
            f"CTP05-1 drug unit is {drug.unit.value}; {policy.name} wants {want}",
            _fix(drug, quantity, want, policy.ctp_precision),
        )
