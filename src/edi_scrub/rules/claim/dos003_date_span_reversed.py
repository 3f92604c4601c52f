"""A date span (RD8) ends before it starts.

What it checks
    Every service line's ``DTP*472*RD8`` and, on the 837I, the claim's statement period
    ``DTP*434*RD8``: the second date of ``CCYYMMDD-CCYYMMDD`` must not be before the first.
    Spans whose dates are not both valid dates are left to the TR3 validation (X12001).

Why it matters
    RD8 is a from-through span, so a reversed one covers no day at all: payers and
    clearinghouses reject it as an invalid date range, and nothing the claim is judged by
    (code validity, JW/JZ dates, MUE and quantity windows, duplicates) can be read from it.
    edi-scrub's other rules read such a line by its first date as written.

Example
    ``DTP*472*RD8*20240120-20240115~`` (fires), or on an 837I
    ``DTP*434*RD8*20240131-20240101~`` (fires); ``DTP*472*RD8*20240115-20240120~`` passes.

Fix
    None: which of the two dates is wrong (swapped, a mistyped day or month) cannot be proved
    from the claim; the provider's records say.

References
    docs/domain.md §3 (837P/837I loop 2400 ``DTP*472`` D8 or RD8 span; 837I statement period
    ``DTP*434*RD8``); 005010X222A1 / X223A2 DTP03 (RD8: "CCYYMMDD-CCYYMMDD", a range of dates).
"""

from __future__ import annotations

from collections.abc import Iterator

from edi_scrub.fixes.edits import Applicability
from edi_scrub.model.claim import Claim, Transaction
from edi_scrub.model.group import parse_date
from edi_scrub.model.source import element, loc
from edi_scrub.rules import register
from edi_scrub.rules._base import Finding, RuleContext, RuleMeta, Severity, make_finding

# Read once: on Python 3.11 every ``Enum.MEMBER`` read costs a metaclass lookup.
_INSTITUTIONAL = Transaction.INSTITUTIONAL


@register("DOS003", "date-span-reversed", Severity.ERROR, Applicability.NONE)
def check(claim: Claim, ctx: RuleContext, meta: RuleMeta) -> Iterator[Finding]:
    """Report RD8 spans (line DTP*472, 837I statement DTP*434) whose end precedes their start."""
    if claim.transaction is _INSTITUTIONAL and claim.statement_date is not None:
        yield from _statement(claim, meta)
    for line in claim.lines:
        span = line.service_date
        if span is None or span.qualifier != "RD8":
            continue
        start, end = span.start, span.end
        if start is not None and end is not None and end < start:
            yield make_finding(
                meta,
                claim,
                line,
                span.loc,
                f"the line's date of service span (DTP*472 RD8) ends on {end.isoformat()}, before "
                f"it starts on {start.isoformat()}",
            )


def _statement(claim: Claim, meta: RuleMeta) -> Iterator[Finding]:
    first_line = claim.lines[0].first_pos if claim.lines else len(claim.source)
    for pos in claim.positions("DTP"):
        if pos >= first_line:
            break
        parts = claim.source[pos]
        if element(parts, 1) != "434" or element(parts, 2) != "RD8":
            continue
        first, _, last = element(parts, 3).partition("-")
        start, end = parse_date(first), parse_date(last)
        if start is not None and end is not None and end < start:
            yield make_finding(
                meta,
                claim,
                None,
                loc(claim, pos, "DTP03"),
                f"the statement period (DTP*434 RD8) ends on {end.isoformat()}, before it starts "
                f"on {start.isoformat()}",
            )
