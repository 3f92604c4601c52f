"""The drug quantity in loop 2410 (CTP) is missing, not positive, or in an unknown unit.

What it checks
    On drug lines with a LIN segment: a CTP segment must follow it, CTP04 (drug quantity) must be
    a number greater than zero, and CTP05-1 (unit) must be one of F2 (international unit), GR
    (gram), ME (milligram), ML (milliliter) or UN (unit).

Why it matters
    The 837P and 837I require CTP with every LIN; payers price and audit the drug from it
    (IU dispensed, vial count), and reject or deny lines whose quantity is absent, zero or in a
    unit outside the code list.

Example
    ``LIN**N4*00944462401~`` with no CTP (fires) → add ``CTP****1000*F2~``;
    ``CTP****0*F2~`` (fires); ``CTP****2*EA~`` (fires: EA is not a 2410 unit).

Fix
    None: the quantity and its unit come from the dispensing record, and which unit a payer
    wants (F2 IU or UN kit count) is payer-specific (NDC007).

References
    docs/domain.md §3 (loop 2410: CTP04 quantity, CTP05-1 ∈ F2/GR/ME/ML/UN); 005010X222A1 / X223A2
    loop 2410 CTP.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim, DrugDetail, Field
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount

_UNITS = ("F2", "GR", "ME", "ML", "UN")


def _problem(drug: DrugDetail) -> tuple[Field, str] | None:
    """The first defect of the CTP, with where it is, or None when it is sound."""
    if drug.quantity is None or drug.unit is None:
        return drug.ndc, f"LIN for NDC {drug.ndc.value!r} has no CTP (drug quantity)"
    quantity = amount(drug.quantity.value)
    if quantity is None:
        shown = repr(drug.quantity.value) if drug.quantity.value else "empty"
        return drug.quantity, f"CTP04 drug quantity is {shown}, not a number"
    if quantity <= 0:
        return drug.quantity, f"CTP04 drug quantity is {drug.quantity.value}, not above zero"
    if drug.unit.value not in _UNITS:
        shown = repr(drug.unit.value) if drug.unit.value else "empty"
        return drug.unit, f"CTP05-1 unit is {shown}, not one of {'/'.join(_UNITS)}"
    return None


@register("NDC006", "bad-drug-quantity", Severity.ERROR, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines whose CTP is missing, not positive or in an unknown unit."""
    for line, _ in ctx.drug_lines(claim):
        if line.drug is None:
            continue
        problem = _problem(line.drug)
        if problem is not None:
            at, message = problem
            yield make_finding(meta, claim, line, at, message)
