"""The NDC is not known for the billed HCPCS code.

What it checks
    Drug lines whose NDC (LIN03, read as an 11-digit NDC) maps/drugs.xml does not list under any
    code: either the map does not know the NDC at all, or it knows the product but no HCPCS code
    for it (``<unassigned>``, e.g. Advate). An NDC the map files under another code is HCP001's
    or HCP003's finding; a bare 10-digit or malformed NDC is NDC003's.

Why it matters
    Payers validate the NDC against the CMS NDC-HCPCS crosswalk; an NDC the crosswalk does not
    tie to the billed code is denied (CARC 16 + RARC M119). It may also be a typo, a retired
    package, or a product the local map simply lacks.

Example
    ``SV1*HC:J7207*2000*UN*1000***1~ … LIN**N4*12345678901~`` (fires: not an Adynovate NDC in
    maps/).

Fix
    None: check the carton. When the NDC is right, add it to maps/ from the CMS ASP NDC-HCPCS
    crosswalk or the FDA NDC directory (``edi-scrub maps import-crosswalk``); the bundled map
    lists only sourced NDCs, so a warning here can mean the map, not the claim, is incomplete.

References
    docs/domain.md §2 (NDCs; users load NDCs from the CMS crosswalk), §6 (CARC 16 / M119).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules._facts import line_ndc


@register("NDC004", "ndc-not-in-crosswalk", Severity.WARNING, needs=Needs.DRUG_LINES)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report NDCs the map does not tie to any code."""
    for line, code in ctx.drug_lines(claim):
        ndc = line_ndc(line)
        if ndc is None or line.drug is None:
            continue
        pkg = ctx.catalog.package(ndc)
        if pkg is not None and pkg.code is not None:
            continue
        if pkg is None:
            message = f"NDC {ndc} is not listed in maps/ for {code.code}"
        else:
            message = (
                f"NDC {ndc} ({pkg.product}) has no HCPCS code in maps/, so it is not confirmed "
                f"for {code.code}"
            )
        yield make_finding(meta, claim, line, line.drug.ndc, message)
