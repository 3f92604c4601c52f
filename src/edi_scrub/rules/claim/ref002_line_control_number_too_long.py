"""A line item control number (REF*6R) is longer than the 30 characters receivers keep.

What it checks
    The ``REF*6R`` of every service line (loop 2400): at most 30 characters.

Why it matters
    Receivers need keep only the first 30 characters of REF*6R, so the 835 may return a
    truncated number that no longer matches the provider's line, and at least one clearinghouse
    rejects longer values outright. REF001 catches the collisions truncation causes.

Example
    ``REF*6R*PCN0001-LINE0001-ADMINISTERED-JW~`` (fires: 32 characters).

Fix
    None: shortening the number could make it collide with another line's, and the provider's
    system would no longer recognise it in the 835.

References
    005010X222A1 / X223A2 loop 2400 REF02 (qualifier 6R) note on the 30 characters receivers
    keep; docs/domain.md §3 (REF*6R).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.model.claim import Claim
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding
from edi_scrub.rules.claim.ref001_line_control_number_duplicate import KEPT


@register("REF002", "line-control-number-too-long", Severity.WARNING)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report every REF*6R longer than 30 characters."""
    for line in claim.lines:
        control = line.control_number
        if control is None or len(control.value) <= KEPT:
            continue
        yield make_finding(
            meta,
            claim,
            line,
            control,
            f"line item control number (REF*6R) is {len(control.value)} characters; receivers "
            f"keep only {KEPT}",
        )
