"""Two service lines of a claim share a line item control number (REF*6R).

What it checks
    The ``REF*6R`` of every service line (loop 2400): no two lines of one claim may have the same
    value in their first 30 characters. Lines without REF*6R are not compared. The finding is on
    the later line and names the earlier one.

Why it matters
    The payer returns REF*6R on each line of the 835 so the provider can post the payment to the
    right line. Receivers need keep only 30 characters, so two numbers equal in their first 30
    are the same number to them: payments post to the wrong line, and some clearinghouses reject
    the claim.

Example
    ``LX*1~ SV1*...~ REF*6R*PCN1-001~ LX*2~ SV1*...~ REF*6R*PCN1-001~`` (fires on line 2).

Fix
    None: the numbers are the provider's keys into its own billing system; a new one must come
    from there.

References
    005010X222A1 / X223A2 loop 2400 REF*6R (line item control number, "receivers are not
    required to maintain more than 30 characters"); docs/domain.md §3 (REF*6R).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim, ServiceLine
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

#: Characters of REF*6R a receiver must keep (and so compares).
KEPT = 30


@register("REF001", "line-control-number-duplicate", Severity.ERROR)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report every line whose REF*6R repeats an earlier line's in its first 30 characters."""
    first: dict[str, tuple[ServiceLine, str]] = {}
    for line in claim.lines:
        control = line.control_number
        if control is None or not control.value:
            continue
        earlier, value = first.setdefault(control.value[:KEPT], (line, control.value))
        if earlier is line:
            continue
        same = "is" if value == control.value else f"has the first {KEPT} characters of"
        yield make_finding(
            meta,
            claim,
            line,
            control,
            f"line item control number (REF*6R) {same} line {earlier.lx.value}'s: "
            "each line needs its own",
        )
