"""An original claim (frequency 1) carries a payer claim number (REF*F8).

What it checks
    Claims whose CLM05-3 claim frequency code is 1 (original) and that carry a loop 2300
    ``REF*F8`` (payer claim control number). REF*F8 in 2330B other-payer loops is not counted.

Why it matters
    REF*F8 names the earlier claim a replacement or void acts on; the guides say not to send it
    otherwise. On an original claim it usually means the provider meant to correct a claim and
    left the frequency at 1: the payer then adjudicates a second claim for the same services and
    denies it as a duplicate, or rejects the claim.

Example
    ``CLM*PCN1*2000***11:B:1*Y*A*Y*Y~ REF*F8*ICN123~`` (fires): if this corrects claim ICN123,
    send frequency 7; if it is new, leave REF*F8 out.

Fix
    None: whether the claim is new or a correction is the provider's knowledge.

References
    005010X222A1 / X223A2 loop 2300 REF*F8 situational rule ("If not required by this
    implementation guide, do not send"); docs/domain.md §3 (claim frequency).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import frequency, loc
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._frequency import payer_claim_numbers


@register("FRQ002", "original-claim-with-payer-claim-number", Severity.WARNING)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a frequency 1 claim that carries a 2300 REF*F8."""
    refs = payer_claim_numbers(claim)
    if frequency(claim) != "1" or not refs:
        return
    yield make_finding(
        meta,
        claim,
        None,
        loc(claim, refs[0][0], "REF02"),
        "original claim (frequency 1) carries a payer claim number (REF*F8): send frequency 7 "
        "to correct an earlier claim, or leave REF*F8 out",
    )
