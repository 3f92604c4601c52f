"""A replacement (frequency 7) or void (8) claim without the payer's original claim number.

What it checks
    Claims whose CLM05-3 claim frequency code is 7 (replacement of a prior claim) or 8 (void or
    cancel of a prior claim) and that carry no loop 2300 ``REF*F8`` (payer claim control number),
    or an empty one. A REF*F8 in a 2330B other-payer loop does not count: it names another
    payer's claim.

Why it matters
    The payer finds the claim to replace or void by the number it assigned to it (the ICN/DCN
    of its remittance). Without it the replacement or void is rejected, or processed as a new
    claim and denied as a duplicate of the original.

Example
    ``CLM*PCN1*2000***11:B:7*Y*A*Y*Y~`` with no ``REF*F8`` (fires); add
    ``REF*F8*<payer claim number from the 835>~``.

Fix
    None: the payer's claim number comes from its remittance advice, not from the claim.

References
    005010X222A1 / X223A2 loop 2300 REF*F8 ("Required when CLM05-3 indicates this claim is a
    replacement or void to a previously adjudicated claim"); docs/domain.md §3 (claim frequency).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.model.source import frequency, loc
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim._frequency import payer_claim_numbers

_WHAT = {"7": "replacement", "8": "void"}


@register("FRQ001", "corrected-claim-without-payer-claim-number", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report a frequency 7 or 8 claim without a non-empty 2300 REF*F8."""
    code = frequency(claim)
    if code not in _WHAT or any(value for _, value in payer_claim_numbers(claim)):
        return
    yield make_finding(
        meta,
        claim,
        None,
        loc(claim, 0, "CLM05-3"),
        f"claim frequency {code} ({_WHAT[code]}) without the payer's original claim number "
        "(loop 2300 REF*F8)",
    )
