"""An 837P drug line has no date of service (DTP*472).

What it checks
    837P drug lines without a line-level ``DTP*472`` segment. On the 837I, DTP*472 is situational
    (the claim's statement period can stand in for it), so 837I lines are not checked.

Why it matters
    The 837P TR3 requires DTP*472 on every service line; payers reject a line without it. For
    drug lines the date also decides which HCPCS code, MUE and JW/JZ rules apply, so no other
    date-dependent check can run.

Example
    ``LX*1~ SV1*HC:J7207*2000*UN*1000***1~ LIN**N4*00944462401~`` (fires) →
    ``LX*1~ SV1*HC:J7207*2000*UN*1000***1~ DTP*472*D8*20240115~ LIN**N4*00944462401~``.

Fix
    None: the date the drug was given comes from the provider's records, not from the claim.

References
    docs/domain.md §3 (837P loop 2400: DTP*472 required on every line; 837I: situational);
    005010X222A1 loop 2400 DTP Service Date.
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.rules import Needs, register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

# Enum members read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass
# lookup (~150 ns), and these are read for every claim or line.
_PROFESSIONAL = Transaction.PROFESSIONAL


@register(
    "DOS001", "missing-service-date", Severity.ERROR, Applicability.NONE, needs=Needs.DRUG_LINES
)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report 837P drug lines without DTP*472."""
    if claim.transaction is not _PROFESSIONAL:
        return
    for line, _ in ctx.drug_lines(claim):
        if line.service_date is not None:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"{line.code.value} line has no date of service (DTP*472), required on the 837P",
        )
