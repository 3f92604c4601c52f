"""The billed units are too few to be the IU of even one vial: they look like a vial count.

What it checks
    Per-IU drug lines (maps/drugs.xml ``billing-unit``) whose NDC has an actual-potency range in
    the map (its own, or its outer kit's for an inner vial), where the units billed for that code,
    NDC and date of service, summed over the claim's lines (so an administered line and its JW
    line count together), are below the potency minimum of a single vial. Two units of J7207 for
    Adynovate 1000 IU (801-1250 IU per vial) is a vial count; 10 is IU ÷ 100. Without potency data
    the rule says nothing: no threshold is invented.

Why it matters
    Per-IU codes are paid per IU: billing the vial count or IU/100 underpays by a factor of
    hundreds, and payers flag such lines for review.

Example
    ``SV1*HC:J7207*4*UN*2***1~ … LIN**N4*00944462401~`` (fires: 2 IU, yet one vial holds at
    least 801 IU).

Fix
    None: the IU actually dispensed are printed on the vials, so a person restates the units
    (and usually the charge) from the dispensing record.

References
    docs/domain.md §2 (actual IU per vial), §5 ("units that look like a vial count or IU/100 are
    suspicious"; billed IU = the actual IU printed on the vials).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.model.money import format_quantity
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package, potency_range
from edi_scrub.rules._facts import billed_units


@register("UNT003", "units-look-like-vials", Severity.WARNING, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report per-IU lines billing fewer IU than one vial of their NDC can hold."""
    # The claim's facts read once, not once per drug line.
    facts = ctx.facts(claim)
    for line, code in facts.drug_lines:
        if code.billing_unit is None or billed_units(line) is None:
            continue
        pkg = line_package(ctx, line)
        potency = potency_range(ctx, pkg) if pkg is not None else None
        if pkg is None or potency is None:
            continue
        total = facts.same_drug_units(line)
        low, high = potency
        if total >= low:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.units,
            f"{format_quantity(total)} IU billed for {code.code} NDC {pkg.ndc}, but one vial holds "
            f"{low}-{high} IU: the units look like a vial count or IU/100",
        )
