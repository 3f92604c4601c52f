"""The IU billed for one infusion exceed the product's labelled maximum.

What it checks
    Drug lines whose code has a maximum per infusion in maps/drugs.xml (J7208, Jivi: 6000 IU),
    billed per IU (the map gives a billing unit) with unit basis UN. The units of the code's
    lines on one date of service are added up, because edi-scrub assumes one infusion per date;
    JW lines are left out, as discarded drug is not infused. Lines without a date are checked
    alone, and lines whose units are not a number are skipped (UNT002 reports them).

    Two infusions on one day (surgery, a bleed after prophylaxis) are legitimate and would be
    reported too: the finding is a warning, to be confirmed against the administration record.

Why it matters
    A dose above the label maximum is either a unit error (kits or vials billed as IU, a
    duplicated line) or a clinical exception a payer will want documented; either way the line
    is likely to be denied or reviewed.

Example
    Two J7208 lines on the same date billing 4000 and 3000 IU (fires: 7000 IU, Jivi's label
    maximum is 6000 IU per infusion).

Fix
    None: the administered dose is a clinical fact. Correct the units if they are wrong, or keep
    the documentation of the exception for review.

References
    docs/domain.md §5 (dose: Jivi's maximum is about 6000 IU per infusion); the product's FDA label.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import (
    Finding,
    RuleContext,
    RuleMeta,
    Severity,
    line_number,
    make_finding,
)
from edi_scrub.rules._facts import amount


@register(
    "DOSE001",
    "dose-above-label-maximum",
    Severity.WARNING,
    Applicability.NONE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report per-date IU totals of a code above its labelled maximum per infusion."""
    groups: dict[tuple[str, date | int], list[tuple[ServiceLine, Decimal]]] = {}
    limits: dict[str, int] = {}
    for i, (line, code) in enumerate(ctx.drug_lines(claim)):
        if code.max_iu_per_infusion is None or code.billing_unit is None:
            continue
        mods = ctx.facts(claim).modifiers(line)
        if line.unit_basis.value != "UN" or "JW" in mods:
            continue
        units = amount(line.units.value)
        if units is None or units <= 0:
            continue
        # Without a date, a line cannot be matched with others: it stands alone.
        key = (code.code, line.date_of_service or i)
        groups.setdefault(key, []).append((line, units))
        limits[code.code] = code.max_iu_per_infusion
    for (hcpcs, _), members in groups.items():
        total = sum((units for _, units in members), Decimal(0))
        limit = limits[hcpcs]
        if total <= limit:
            continue
        first = members[0][0]
        drug = ctx.drug_code(first)
        product = drug.product if drug is not None and drug.product else hcpcs
        if len(members) == 1:
            what = f"{hcpcs} line bills {format_quantity(total)} IU"
        else:
            numbers = ", ".join(str(line_number(line) or "?") for line, _ in members)
            what = (
                f"{hcpcs} lines {numbers} bill {format_quantity(total)} IU on one date of "
                "service (counted as one infusion)"
            )
        yield make_finding(
            meta,
            claim,
            first,
            first.units,
            f"{what}; {product}'s label maximum is {limit} IU per infusion",
        )
