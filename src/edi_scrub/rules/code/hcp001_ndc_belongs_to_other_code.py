"""The line's NDC is mapped to a different HCPCS code than the one billed.

What it checks
    Drug lines billed under a specific HCPCS code whose NDC (LIN03, read as an 11-digit NDC) is
    listed in maps/drugs.xml under another code: a Jivi NDC on J7207 (Jivi is J7208), an Eloctate
    NDC on J7207 (Eloctate is J7205). Inner vials and diluents count as their product's NDC.
    NDCs the map knows without a code (``<unassigned>``, e.g. Advate) never fire; unlisted codes
    (J7199, J7192, J7195) are HCP003's business.

Why it matters
    Payers check the NDC against the HCPCS code with the CMS NDC-HCPCS crosswalk and deny a
    mismatch (CARC 16 + RARC M119). J7207 is Adynovate, not Jivi: popular billing pages get this
    wrong, so the mismatch is common.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … LIN**N4*71104080901~`` (fires: Eloctate NDC) →
    ``SV1*HC:J7205*2000*UN*1000***1~``.

Fix
    Unsafe: replace the HCPCS code (SV101-2 / SV202-2) with the map's code for the NDC. The NDC
    may be the wrong part instead (a mistyped NDC on a correct code), so a person decides. Only a
    suggestion when the map's code is not yet (or no longer) valid on the date of service.

References
    docs/domain.md §1 (the codes: J7207 is Adynovate, J7208 is Jivi), §2 (NDCs), §6 (CARC 16 /
    M119); CMS ASP NDC-HCPCS crosswalk.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.maps.drugs import CodeCategory
from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._drug import line_package, valid_on

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_SPECIFIC = CodeCategory.SPECIFIC


@register(
    "HCP001",
    "ndc-belongs-to-other-code",
    Severity.ERROR,
    Applicability.UNSAFE,
    needs=Needs.DRUG_LINES,
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report drug lines whose NDC the map files under another code; offer that code."""
    for line, code in ctx.drug_lines(claim):
        if code.category is not _SPECIFIC:
            continue
        pkg = line_package(ctx, line)
        if pkg is None or pkg.code is None or pkg.code == code.code:
            continue
        billed = line.code
        target = ctx.catalog.code(pkg.code)
        day = line.date_of_service
        # Swapping in a code that did not exist on the date of service trades one denial for
        # another (HCP002), so then the fix only points at the product's code.
        if target is not None and day is not None and valid_on(target, day) is False:
            fix = Fix(
                Applicability.SUGGESTION,
                f"{pkg.code} is not valid on {day.isoformat()}: check the code for that date",
                billed.value,
                pkg.code,
            )
        else:
            edit = SetElement(billed.loc.pos, billed.loc.ref, billed.value, pkg.code)
            fix = Fix(
                Applicability.UNSAFE,
                f"bill the NDC's code {pkg.code}",
                billed.value,
                pkg.code,
                (edit,),
                Reach.UNITS_CODES,
            )
        yield make_finding(
            meta,
            claim,
            line,
            billed,
            f"NDC {pkg.ndc} ({pkg.product}, {pkg.kind.value}) is mapped to {pkg.code}, "
            f"not to the billed {billed.value}",
            fix,
        )
