"""A provider taxonomy code (PRV03) is not 10 characters ending in X.

What it checks
    Every provider ``PRV`` of the claim (the billing provider's in 2000A, above the claim; the
    837P rendering provider's in 2310B and in a line's 2420 loop; the 837I attending provider's
    in 2310A) whose reference qualifier PRV02 is ``PXC``: PRV03 must be a Health Care Provider
    Taxonomy code, 10 characters, digits and capital letters, the last one ``X``. A bad billing
    provider taxonomy is reported on every claim under it.

Why it matters
    Payers check the taxonomy against the provider's enrolment and reject a code that cannot
    exist at the front end; Medicare and most Medicaid plans price and route by it.

Example
    ``PRV*PE*PXC*207rh0003x~`` (fires) → ``PRV*PE*PXC*207RH0003X~``;
    ``PRV*PE*PXC*207RH0003~`` (fires, no fix: a character is missing).

Fix
    Safe only when the code is well formed once upper-cased (``207rh0003x`` → ``207RH0003X``):
    taxonomy codes are upper case, so nothing but the letters' case changes. Otherwise none: the
    right code is the provider's enrolment, not something the claim tells. The billing
    provider's PRV is outside the claim, so it is reported without a fix.

References
    NUCC Health Care Provider Taxonomy code set (10-character codes ending in X);
    005010X222A1 PRV03 (loops 2000A, 2310B, and the line-level rendering provider);
    005010X223A2 PRV03 (2000A, 2310A).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability, Fix, Reach, SetElement
from edi_scrub.model.claim import Claim, Loc
from edi_scrub.model.source import element, line_at, loc
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.provider._providers import provider_segments

_TAXONOMY = re.compile(r"[0-9A-Z]{9}X")


def _upper_case_fix(pos: int, code: str) -> Fix | None:
    upper = code.upper()
    if upper == code or not _TAXONOMY.fullmatch(upper):
        return None
    edit = SetElement(pos, "PRV03", code, upper)
    return Fix(
        Applicability.SAFE, "upper-case the taxonomy code", code, upper, (edit,), Reach.FORMAT
    )


@register("PRV001", "taxonomy-code-malformed", Severity.ERROR, Applicability.SAFE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report PXC taxonomy codes that are not 10 characters ending in X; upper-case when enough."""
    for pos, index, parts in provider_segments(ctx, claim, "PRV"):
        if element(parts, 2) != "PXC":
            continue
        code = element(parts, 3)
        if _TAXONOMY.fullmatch(code):
            continue
        yield make_finding(
            meta,
            claim,
            line_at(claim, pos) if pos is not None else None,
            loc(claim, pos, "PRV03") if pos is not None else Loc(-1, index, "PRV03"),
            f"the taxonomy code (PRV*{element(parts, 1)}) is not 10 digits or capital letters "
            "ending in X",
            _upper_case_fix(pos, code) if pos is not None else None,
        )
