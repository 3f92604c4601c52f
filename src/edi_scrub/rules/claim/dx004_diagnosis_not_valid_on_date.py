"""A diagnosis code is not a billable ICD-10-CM code on the claim's date of service.

What it checks
    Every ICD-10-CM code in the claim's HI segments (qualifiers ABK, ABF, ABJ, ABN, APR), without
    its dot, against the ICD-10-CM release of the ``simple-icd-10-cm`` package: the code must
    exist, and be billable (a leaf: no more specific code below it, so ``D68.3`` fails while
    ``D68.311`` passes). The claim's date is its earliest date of service (line DTP*472, else the
    837I statement period). Claims dated before 2015-10-01 are left to DX005, claims without a
    date to DOS001.

    A release is in force for one federal fiscal year (October 1 to September 30). When the
    installed release is for the claim's fiscal year the finding is an error; for other years
    the code is still checked against it, but as a warning whose message names the release used,
    since codes are added and expanded every October.

Why it matters
    Payers reject a claim whose diagnosis is not a valid, billable ICD-10-CM code for the date of
    service at the front end (a category code such as ``D68.3`` is "not coded to the highest
    level of specificity"); nothing on the claim is paid until it is corrected.

Example
    ``HI*ABK:D683~`` on a claim dated 2026-05-01 (fires: D68.3 has subcodes) →
    ``HI*ABK:D68311~``; ``HI*ABK:D999~`` (fires: no such code).

Fix
    None: which subcode applies is a coding decision made from the medical record.

References
    HIPAA code set rule, 45 CFR 162.1002 (ICD-10-CM from 2015-10-01); ICD-10-CM Official
    Guidelines for Coding and Reporting I.B.2 (code to the highest number of characters
    available); the CDC/CMS ICD-10-CM releases, shipped by the ``simple-icd-10-cm`` package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dates import claim_date, is_icd10
from edi_scrub.rules.claim._dx import normalize_dx
from edi_scrub.rules.claim._icd10 import ICD10_START, bundled_release, fiscal_year


@register("DX004", "diagnosis-not-valid-on-date", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report ICD-10-CM codes that are unknown or not billable for the claim's date."""
    day = claim_date(ctx, claim)
    codes = [d for d in claim.diagnoses if is_icd10(d.qualifier) and normalize_dx(d.code)]
    if day is None or day < ICD10_START or not codes:
        return
    release = bundled_release()
    in_force = release.covers(day)
    for dx in codes:
        code = normalize_dx(dx.code)
        if code in release.billable:
            continue
        if code in release.categories:
            problem = "is a category with more specific codes below it, not a billable code"
        else:
            problem = "is not an ICD-10-CM code"
        # Named by position: the report repeats none of the patient's diagnoses.
        message = f"the diagnosis in {dx.loc.ref} ({dx.qualifier}) {problem}"
        if not in_force:
            message += (
                f" in the {release.name} release (FY{fiscal_year(release.starts)}); "
                f"the claim is dated in FY{fiscal_year(day)}, whose release is not installed"
            )
        finding = make_finding(meta, claim, None, dx.loc, message)
        yield finding if in_force else replace(finding, severity=Severity.WARNING)
