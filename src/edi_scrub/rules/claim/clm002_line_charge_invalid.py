"""A service line's charge is missing, not a number, negative, or zero on a drug line.

What it checks
    SV102 (837P) / SV203 (837I) on every line: it must be a plain decimal number and not
    negative. On drug lines it must also be greater than zero.

Why it matters
    The line charge is what the payer prices against and what CLM02 must add up to. A missing or
    non-numeric charge fails the payer's front-end edits (277CA A7), a negative one is never
    valid on a claim, and a drug billed at zero is either a keying error or gives the drug away:
    payers pay the lesser of the charge and the fee schedule.

Example
    ``SV1*HC:J7207*0*UN*1000***1~`` (fires: zero on a drug line);
    ``SV1*HC:99213*-50*UN*1***1~`` (fires: negative).

Fix
    None: the right amount comes from the provider's charge master, not from the claim. Correct
    the charge, then let CLM001 recompute CLM02.

References
    docs/domain.md §3 (SV102 / SV203 charge; CLM02 equals the sum of the line charges).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding


def _problem(line: ServiceLine, value: Decimal | None, is_drug: bool) -> str | None:
    text = line.charge.value
    if not text:
        return "is missing"
    if value is None:
        return f"{text!r} is not a number"
    if value < 0:
        return f"{text} is negative"
    if value == 0 and is_drug:
        return "is zero on a drug line"
    return None


@register("CLM002", "line-charge-invalid", Severity.ERROR, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report line charges that are missing, non-numeric, negative, or zero on drug lines."""
    for line, value in zip(claim.lines, ctx.facts(claim).charges, strict=True):
        if value is not None and value > 0:
            continue  # a positive number: no problem whatever the line bills (the common case)
        problem = _problem(line, value, ctx.drug_code(line) is not None)
        if problem is None:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            line.charge,
            f"{line.code.value or 'service'} line charge ({line.charge.loc.ref}) {problem}",
        )
