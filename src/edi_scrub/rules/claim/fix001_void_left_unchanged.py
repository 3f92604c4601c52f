"""The claim is a void: edi-scrub reports on it but changes nothing.

What it checks
    Claims whose frequency code (CLM05-3) is 8, void/cancel of a prior claim.

Why it matters
    A void must match the claim it cancels (the payer's original claim number is in REF*F8). A
    fix that made it differ (a JW line, a recomputed CLM02, even a normalised NDC) would make the
    payer reject the cancellation, and the original claim would stay paid. So no fix is ever
    applied to a void; every other finding on it is still reported, with its fix as a
    suggestion, and this note says why nothing changed.

Example
    ``CLM*PCN001*2400***11:B:8*Y*A*Y*Y~`` (fires: the claim is written out byte for byte).

Fix
    None. Correct the original claim with a replacement (frequency 7) instead.

References
    docs/domain.md §3 (claim frequency: 1 original, 7 replacement, 8 void); docs/fixes.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("FIX001", "void-left-unchanged", Severity.INFO, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Note every void claim: no fix is applied to it."""
    if claim.is_void:
        yield make_finding(
            meta,
            claim,
            None,
            claim.clm01.loc,
            "void claim (CLM05-3 = 8): no fix is applied, so it still matches the claim it "
            "cancels; findings are reported only",
        )
