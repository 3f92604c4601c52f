"""A claim bills a service an earlier claim of the same run already billed.

What it checks
    Every dated service line against the lines of the claims before it in the same file: the
    same patient (the run's opaque patient digest: member id, patient id, birth date), the same
    date of service (DTP*472, D8 or the same RD8 span), HCPCS code, NDC and units. The finding is
    a warning on the later claim naming both claims by CLM01. Not compared: lines with modifier
    76 (repeat procedure), lines without a date, replacement and void claims (frequency 7 and 8,
    which repeat an earlier claim on purpose), and lines within one claim. In ``batch`` each file
    is its own run.

Why it matters
    Payers deny the second claim for the same service as a duplicate (and if both are paid, the
    overpayment is recouped later); for factor products that is thousands of dollars per line.
    Duplicates usually come from a claim exported twice, or a correction sent as a new claim
    instead of a replacement (frequency 7 with REF*F8).

Example
    Claims ``PCN1`` and ``PCN2`` for one patient, each with ``SV1*HC:J7207*2000*UN*1000***1~
    DTP*472*D8*20240115~ LIN**N4*00944462401~`` (fires on PCN2, naming PCN1).

Fix
    None: which claim should go (or whether the second is a correction to send as frequency 7)
    is the provider's decision.

References
    docs/domain.md §5 (modifier 76 for units repeated on purpose) and §3 (claim frequency);
    payers' duplicate-claim edits (same patient, date, procedure and units).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.history import duplicate_keys
from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


@register("DUP001", "duplicate-claim", Severity.WARNING)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report lines that repeat a line of an earlier claim of this run for the same patient."""
    for line, key in duplicate_keys(claim):
        earlier = ctx.history.claim_with_line(key)
        if earlier is None:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.code,
            f"claim {claim.claim_id} line {line.lx.value} repeats a line of claim {earlier} "
            f"(same patient, date of service, {line.code.value}, NDC and units)",
        )
