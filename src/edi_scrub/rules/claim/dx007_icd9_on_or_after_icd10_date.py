"""ICD-9-CM diagnosis qualifiers on a claim dated on or after 2015-10-01.

What it checks
    Claims whose earliest date of service (line DTP*472, else the 837I statement period start)
    is on or after 2015-10-01 and whose HI segments carry ICD-9-CM qualifiers (BK principal, BF
    other, BJ admitting, PR reason for visit). One finding per claim, at the first such code.
    The mirror image of DX005.

Why it matters
    From 2015-10-01 HIPAA requires ICD-10-CM diagnoses; payers reject a claim for later services
    coded in ICD-9-CM before any coverage decision. It usually means an old claim template or a
    billing system still on ICD-9 for one provider.

Example
    ``HI*BK:2860~`` with ``DTP*472*D8*20240115~`` (fires: hemophilia A is ``HI*ABK:D66~`` in
    ICD-10-CM).

Fix
    None: translating ICD-9 to ICD-10 is a coding decision (one ICD-9 code maps to several
    ICD-10-CM codes), made from the medical record.

References
    HIPAA code set rule, 45 CFR 162.1002(c) (ICD-10-CM for services from October 1, 2015);
    005010X222A1 / X223A2 HI01-1 qualifiers; docs/domain.md §3 (HI).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._dates import claim_date, is_icd10
from edi_scrub.rules.claim._icd10 import ICD10_START


@register("DX007", "icd9-on-or-after-icd10-date", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a claim dated on or after 2015-10-01 that carries ICD-9-CM qualifiers."""
    day = claim_date(ctx, claim)
    if day is None or day < ICD10_START:
        return
    first = next((d for d in claim.diagnoses if not is_icd10(d.qualifier)), None)
    if first is None:
        return
    yield make_finding(
        meta,
        claim,
        None,
        first.loc,
        f"ICD-9-CM qualifier {first.qualifier} on a claim dated on or after "
        f"{ICD10_START.isoformat()}: these services are coded in ICD-10-CM",
    )
