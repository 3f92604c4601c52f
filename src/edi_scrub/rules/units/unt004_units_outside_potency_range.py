"""The billed IU divided by the vial count falls outside the NDC's actual-potency range.

What it checks
    Per-IU drug lines whose CTP gives a whole vial or kit count (CTP05-1 = UN, CTP04 = n ≥ 1)
    and whose NDC has an actual-potency range in maps/drugs.xml (its own, or its outer kit's for
    an inner vial): billed IU ÷ n must lie within [potency-min, potency-max]. Adynovate 1000 IU
    (00944462401) is 801-1250 IU per vial, so 2 kits can bill 1602-2500 IU. Units below one
    vial's minimum are UNT003's finding; a line split onto a JW line is skipped, since the vial
    count cannot be divided between the two lines.

Why it matters
    Billed IU must be the actual IU printed on the vials used, not nominal x count; a total no
    real set of vials can hold points to nominal billing, a wrong vial count or a wrong NDC, and
    invites audit recoupment.

Example
    ``SV1*HC:J7207*6000*UN*3000***1~ … LIN**N4*00944462401~ CTP****2*UN~`` (fires: 1500 IU per
    vial, above 1250).

Fix
    None: the actual IU are on the vial labels; the units, the vial count or the NDC may be the
    wrong one.

References
    docs/domain.md §2 (actual IU per vial), §5 ("billed IU ÷ vial count should fall inside the NDC's
    actual-potency range").
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package, potency_range
from edi_scrub.rules._facts import amount, billed_units
from edi_scrub.rules.modifiers._jw import has_jw_sibling

_SHOWN = Decimal("0.01")


@register("UNT004", "units-outside-potency-range", Severity.WARNING, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report per-IU lines whose IU per vial no vial of their NDC can hold."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, code in facts.drug_lines:
        drug = line.drug
        units = billed_units(line)
        if code.billing_unit is None or units is None or drug is None:
            continue
        if drug.unit is None or drug.unit.value != "UN" or drug.quantity is None:
            continue
        count = amount(drug.quantity.value)
        if count is None or count < 1 or count != count.to_integral_value():
            continue
        pkg = line_package(ctx, line)
        potency = potency_range(ctx, pkg) if pkg is not None else None
        if pkg is None or potency is None:
            continue
        low, high = potency
        mods = facts.modifiers(line)
        if units < low or "JW" in mods or has_jw_sibling(ctx, claim, line):
            continue
        per_vial = units / count
        if low <= per_vial <= high:
            continue
        shown = format_quantity(per_vial.quantize(_SHOWN, rounding=ROUND_HALF_UP))
        yield make_finding(
            meta,
            claim,
            line,
            line.units,
            f"{format_quantity(units)} IU over {format_quantity(count)} vials/kits (CTP UN) of NDC "
            f"{pkg.ndc} is {shown} IU per vial, outside its actual potency of {low}-{high} IU",
        )
