"""The drug quantity (CTP04) has more decimal places than the payer allows.

What it checks
    Drug lines with a 2410 CTP whose quantity, CTP04, is a positive number written with more
    digits after the decimal point than the payer profile's ``ctp_precision``. The digits are
    counted as written, trailing zeros included (``1000.50`` has two), because that is what the
    payer's edit reads. No finding when the payer sets no precision, or when CTP04 is not a
    positive number (NDC006 reports that).

Why it matters
    Payers that cap the decimals of the drug quantity reject the line or truncate the quantity,
    which then disagrees with the billed units.

Example
    Payer allows 2 decimals: ``CTP****1.2345*UN~`` (fires) → ``CTP****1.23*UN~``;
    allows 0: ``CTP****1000.5*F2~`` → ``CTP****1001*F2~``.

Fix
    Safe: round half up to the allowed number of places and write the result without needless
    zeros (``1000.50`` at one place becomes ``1000.5``; ``1000.0`` at none becomes ``1000``).
    Only a suggestion when rounding would leave zero (the quantity must then come from the
    dispensing record), or would change whether the CTP shows discarded drug compared with the
    billed IU (a rounded CTP04 must never prove zero waste for JZ, nor make a JW split).

References
    docs/domain.md §3 (loop 2410 CTP04 drug quantity, a decimal); payer profile ``ctp_precision``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim, Field, ServiceLine
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import amount
from edi_scrub.rules._proof import waste_sign


def decimals(text: str) -> int:
    """Digits written after the decimal point of ``text``."""
    return len(text.partition(".")[2])


def _fix(line: ServiceLine, quantity: Field, value: Decimal, precision: int) -> Fix:
    rounded = value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    if rounded <= 0 or waste_sign(line, ctp=rounded) != waste_sign(line):
        why = (
            "rounding would leave zero"
            if rounded <= 0
            else "rounding would change whether the CTP shows discarded drug"
        )
        return Fix(
            Applicability.SUGGESTION,
            f"restate the quantity with at most {precision} decimal place(s) ({why})",
            quantity.value,
            "<quantity>",
        )
    text = format_quantity(rounded)
    edit = SetElement(quantity.loc.pos, quantity.loc.ref, quantity.value, text)
    return Fix(
        Applicability.SAFE,
        f"round the quantity half up to {precision} decimal place(s)",
        quantity.value,
        text,
        (edit,),
        Reach.UNITS_CODES,
    )


@register(
    "NDC008",
    "drug-quantity-precision",
    Severity.WARNING,
    Applicability.SAFE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report CTP04 quantities with too many decimals; round them half up."""
    policy = ctx.facts(claim).policy
    precision = policy.ctp_precision
    if precision is None:
        return
    for line, _ in ctx.drug_lines(claim):
        quantity = line.drug.quantity if line.drug is not None else None
        if quantity is None:
            continue
        value = amount(quantity.value)
        if value is None or value <= 0 or decimals(quantity.value) <= precision:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            quantity,
            f"CTP04 drug quantity {quantity.value} has {decimals(quantity.value)} decimal "
            f"place(s); {policy.name} allows {precision}",
            _fix(line, quantity, value, precision),
        )
