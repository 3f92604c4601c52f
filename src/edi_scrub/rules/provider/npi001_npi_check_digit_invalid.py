"""An NPI in the claim's provider loops is not a valid National Provider Identifier.

What it checks
    Every provider ``NM1`` of the claim whose identification code qualifier (NM108) is ``XX``:
    the billing provider (2010AA) above the claim, and inside it the attending, operating,
    rendering, referring, supervising, ordering, service facility and purchased-service
    providers (loops 2310x and 2420x). NM109 must be 10 digits starting with 1 or 2, and its
    last digit must be the Luhn check digit over ``80840`` + the first nine digits. A bad
    billing provider NPI is reported on every claim under it: each of them would be rejected.

Why it matters
    Payers and clearinghouses run the NPI check digit at the front end: a mistyped NPI is
    rejected before adjudication (277CA) and the claim has to be corrected and resent, however
    clean its drug lines are.

Example
    A rendering provider ``NM1*82*1*…****XX*1902837465~`` (fires: the check digit of
    190283746 is 1, so ``1902837461`` would be a well-formed NPI).

Fix
    None: which digit is wrong cannot be known from the claim; look the provider up in NPPES.
    The message names the provider's role and segment, not the number.

References
    45 CFR 162.406 (NPI format); CMS "Requirements for the NPI check digit" (ISO/IEC 7812 Luhn
    with prefix 80840); 005010X222A1 / X223A2 NM108-NM109 in loops 2310x and 2420x.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim, Loc
from edi_scrub.model.source import element, line_at, loc
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.provider._providers import entity_name, npi_defect, provider_segments


@register("NPI001", "npi-check-digit-invalid", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report every NM1 with qualifier XX whose NPI is malformed or fails the check digit."""
    for pos, index, parts in provider_segments(ctx, claim, "NM1"):
        if element(parts, 8) != "XX":
            continue
        defect = npi_defect(element(parts, 9))
        if defect is None:
            continue
        yield make_finding(
            meta,
            claim,
            line_at(claim, pos) if pos is not None else None,
            loc(claim, pos, "NM109") if pos is not None else Loc(-1, index, "NM109"),
            f"the {entity_name(element(parts, 1))} NPI (NM1*{element(parts, 1)}) {defect}",
        )
