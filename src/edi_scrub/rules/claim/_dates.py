"""The claim-level date the claim-wide code checks judge a claim by."""

from __future__ import annotations

from datetime import date

from edi_scrub.model.claim import Claim
from edi_scrub.rules._base import RuleContext


def claim_date(ctx: RuleContext, claim: Claim) -> date | None:
    """The claim's earliest date of service: its lines' DTP*472, else the 837I statement start."""
    # DX004, DX005 and DX007 each judge every claim by it.
    return ctx.facts(claim).derived("claim_date", claim, lambda: _claim_date(claim))


def _claim_date(claim: Claim) -> date | None:
    days = [d for line in claim.lines if (d := line.date_of_service) is not None]
    if claim.statement_date is not None:
        days.append(claim.statement_date)
    return min(days) if days else None


def is_icd10(qualifier: str) -> bool:
    """Whether an HI qualifier says ICD-10-CM (ABK, ABF, ABJ, ABN, APR) rather than ICD-9."""
    return qualifier.startswith("AB") or qualifier == "APR"
