"""An unlisted code (J7199 NOC, J7192 / J7195 NOS) is billed for a product that has its own code.

What it checks
    Drug lines billed under a not-otherwise-classified or not-otherwise-specified code whose NDC
    maps/drugs.xml files under a specific code that is certainly valid on the line's date of
    service: its exact start date is on or before it, or its start year (when only the year is
    known) is an earlier year, and it is not terminated. J7199 with an Adynovate NDC in 2024
    fires (J7207 since 2017-01-01); with a Jivi NDC in 2018 it does not (J7208 came in 2019).

Why it matters
    Once a product has its own HCPCS code, payers expect it: unlisted-code lines are priced by
    hand, need the drug name and IU in NTE, and are often denied when a specific code exists.

Example
    ``SV1*HC:J7199*2000*UN*1000***1~ DTP*472*D8*20240115~ LIN**N4*00944462401~`` (fires) →
    ``SV1*HC:J7207*2000*UN*1000***1~``.

Fix
    Unsafe: replace the code (SV101-2 / SV202-2) with the product's specific code. The payer may
    still want the unlisted code (a contract, a carve-out), so a person confirms it. No finding
    without a date of service, or when the map cannot tell whether the specific code was in
    effect on that date.

References
    docs/domain.md §1 (J7192 NOS, J7199 NOC, start years of the specific codes), §2 (NDCs).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.maps.drugs import CodeCategory
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package, valid_on

_UNLISTED = frozenset({CodeCategory.NOC, CodeCategory.NOS})


@register(
    "HCP003",
    "unlisted-code-has-specific-code",
    Severity.WARNING,
    Applicability.UNSAFE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report unlisted-code lines whose NDC has a specific code on the date; offer that code."""
    for line, code in ctx.drug_lines(claim):
        day = line.date_of_service
        if code.category not in _UNLISTED or day is None:
            continue
        pkg = line_package(ctx, line)
        if pkg is None or pkg.code is None or pkg.code == code.code:
            continue
        specific = ctx.catalog.code(pkg.code)
        if specific is None or specific.category is not CodeCategory.SPECIFIC:
            continue
        if valid_on(specific, day) is not True:
            continue
        billed = line.code
        edit = SetElement(billed.loc.pos, billed.loc.ref, billed.value, specific.code)
        fix = Fix(
            Applicability.UNSAFE,
            f"bill the product's own code {specific.code}",
            billed.value,
            specific.code,
            (edit,),
            Reach.UNITS_CODES,
        )
        yield make_finding(
            meta,
            claim,
            line,
            billed,
            f"{billed.value} is an unlisted code, but NDC {pkg.ndc} ({pkg.product}) has its own "
            f"code {specific.code} on {day.isoformat()}",
            fix,
        )
