"""ICD-10-CM diagnosis qualifiers on a claim dated before 2015-10-01.

What it checks
    Claims whose earliest date of service (line DTP*472, else the 837I statement period start)
    is before 2015-10-01 and whose HI segments carry ICD-10-CM qualifiers (ABK, ABF, ABJ, ABN,
    APR). One finding per claim, at the first such code.

Why it matters
    ICD-10-CM applies to services from 2015-10-01 on; earlier services are coded in ICD-9-CM
    (qualifiers BK, BF, ...). Payers reject a claim that codes earlier services in ICD-10-CM, and
    outpatient claims spanning the date had to be split. Usually the date of service is
    mistyped, not the code set.

Example
    ``HI*ABK:D66~`` with ``DTP*472*D8*20150915~`` (fires).

Fix
    None: either the date or the whole diagnosis coding is wrong, and only the provider knows which.

References
    HIPAA code set rule, 45 CFR 162.1002(c) (ICD-10-CM for services from October 1, 2015);
    CMS MLN Matters SE1408 (claims spanning the implementation date); docs/domain.md §3 (HI).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dates import claim_date, is_icd10
from edi_scrub.rules.claim._icd10 import ICD10_START


@register("DX005", "icd10-before-effective-date", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a claim dated before 2015-10-01 that carries ICD-10-CM qualifiers."""
    day = claim_date(ctx, claim)
    if day is None or day >= ICD10_START:
        return  # decided before the diagnoses are read: nearly every claim is dated after
    first = next((d for d in claim.diagnoses if is_icd10(d.qualifier)), None)
    if first is None:
        return
    yield make_finding(
        meta,
        claim,
        None,
        first.loc,
        f"ICD-10-CM qualifier {first.qualifier} on a claim dated before "
        f"{ICD10_START.isoformat()}: earlier services are coded in ICD-9-CM",
    )
